"""PDF documents typeset by Typst (the ``typst`` package; nothing is downloaded), for every app.

A document is a template (``<app>/templates_typst/<name>.typ``) that reads ``data.json``: this module
writes the data into a temporary directory beside a copy of the template and compiles it. Every text
in the data is already in the document's language (the caller renders under
``translation.override``); Typst inserts strings as text, never as markup, so nothing a user typed
can change the layout.

Fonts: only Typst's embedded fonts are used (system fonts are ignored, so the PDF looks the same on
every machine). Libertinus Serif covers Azerbaijani Latin (ə ğ ı İ ö ü ç ş) and Cyrillic. Fonts
shipped in ``korpu/core/fonts/`` (if that folder exists) are offered to Typst as well, to every
document alike.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import typst

PDF = "application/pdf"
FONTS = Path(__file__).resolve().parent / "fonts"


def font_paths() -> list[str]:
    """The folders of fonts shipped with Körpü (none when the folder is absent)."""
    return [str(FONTS)] if FONTS.is_dir() else []


def render_pdf(template: Path, data: dict[str, Any]) -> bytes:
    """The PDF of ``template`` (a ``.typ`` file) with ``data`` as its ``data.json``."""
    with tempfile.TemporaryDirectory(prefix="korpu-typst-") as tmp:
        folder = Path(tmp)
        shutil.copyfile(template, folder / template.name)
        (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        options: dict[str, Any] = {"root": str(folder), "font_paths": font_paths()}
        if "ignore_system_fonts" in (getattr(typst.compile, "__text_signature__", None) or ""):
            options["ignore_system_fonts"] = True  # typst-py 0.11 has no such option; its fonts are the same
        pdf = typst.compile(str(folder / template.name), **options)
    if not isinstance(pdf, bytes):
        raise TypeError("typst returned pages, not one PDF")
    return pdf
