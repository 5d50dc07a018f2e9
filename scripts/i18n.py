"""Körpü's translation workflow: extract, compile and check the gettext catalogues.

Usage (from the repository root)::

    /work/venv/bin/python scripts/i18n.py extract   # update korpu/locale/{az,ru,en}/LC_MESSAGES/django.po
    /work/venv/bin/python scripts/i18n.py compile   # write every django.mo next to its .po (pure Python)
    /work/venv/bin/python scripts/i18n.py check     # exit 1 if a catalogue is incomplete or a .mo is stale

Source strings are English. Azerbaijani (``az``, the default language) and Russian (``ru``) must be
complete; the English catalogue keeps empty ``msgstr`` so English falls back to the source text.

The cycle after someone adds or changes a marked string:

1. ``extract`` runs Django's ``makemessages`` over the ``korpu`` package (from inside ``korpu/``,
   so the catalogues land in ``LOCALE_PATHS`` = ``korpu/locale``), with ``--no-location`` and
   ``--no-obsolete``; ``tests/`` and migrations are skipped. It needs GNU gettext (``xgettext``,
   ``msgmerge``: ``apt-get install gettext``). It then normalises the headers (language, UTF-8,
   plural forms) and leaves a file untouched when only its ``POT-Creation-Date`` would change.
2. Translate: every new entry has an empty ``msgstr`` in ``az`` and ``ru``; an entry whose English
   changed slightly comes back ``#, fuzzy`` with the old translation, which must be reviewed and
   the ``fuzzy`` flag removed. Use the glossary (``shared/reference/glossary.md``) for domain terms,
   keep placeholders such as ``%(minutes)d`` exactly, and fill every plural form (``az``: 2 forms,
   ``ru``: 3 forms, singular/few/many). Leave ``en`` empty. Django capitalises lowercase labels
   (model field names) with ``capfirst``, which turns a leading Azerbaijani ``i`` into ``I``: write
   such a translation with ``İ`` (``"user"`` -> ``"İstifadəçi"``).
3. ``compile`` writes ``django.mo`` with polib (no ``msgfmt`` needed, byte-for-byte deterministic).
   The ``.mo`` files are committed: a user's machine has no gettext tools.
4. ``check`` (also run by ``tests/test_i18n.py``) fails on an untranslated or fuzzy ``az``/``ru``
   entry, a placeholder mismatch, a missing plural form, or a ``.mo`` that differs from what
   ``compile`` would write.

JavaScript strings (the ``djangojs`` domain) are extracted only when a non-vendored script under
``korpu/*/static`` calls ``gettext``; there are none today.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "korpu"
LOCALE_DIR = PACKAGE / "locale"
LOCALES = ("az", "ru", "en")
SOURCE_LANGUAGE = "en"  # msgids are English; this catalogue stays empty
REQUIRED = tuple(code for code in LOCALES if code != SOURCE_LANGUAGE)
LANGUAGE_NAMES = {"az": "Azerbaijani", "ru": "Russian", "en": "English"}
# az and en as in Django's own catalogues; ru is the usual three-form gettext rule (one/few/many).
PLURAL_FORMS = {
    "az": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "en": "nplurals=2; plural=(n != 1);",
}
IGNORE_PATTERNS = ["tests", "tests/*", "*/tests/*", "testing/*", "migrations/*", "*/migrations/*"]
JS_IGNORE_PATTERNS = [*IGNORE_PATTERNS, "*.min.js"]  # vendored libraries (htmx)
HEADER_COMMENT = ("Körpü interface — {name} translation.\n"
                  "This file is distributed under the same license as the korpu package.")
WRAP_WIDTH = 78

# Placeholders Python's %-formatting understands: %(name)s, %s, %d, %.1f ... (%% is a literal).
_PERCENT = re.compile(r"%(?:\((?P<name>[^)]+)\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_][A-Za-z0-9_.]*)?(?:![rsa])?(?::[^{}]*)?\}(?!\})")


# --- helpers -----------------------------------------------------------------------------------
def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every catalogue under korpu/locale/*/LC_MESSAGES/, sorted."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def locale_of(po_path: Path) -> str:
    return po_path.parent.parent.name


def load(po_path: Path) -> polib.POFile:
    return polib.pofile(str(po_path), wrapwidth=WRAP_WIDTH)


def compile_po(po_path: Path) -> bytes:
    """The .mo bytes for ``po_path``: translated, non-fuzzy entries sorted by msgid (polib)."""
    return load(po_path).to_binary()


def mo_path_for(po_path: Path) -> Path:
    return po_path.with_suffix(".mo")


def nplurals(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def placeholders(text: str, brace: bool = False) -> list[str]:
    """The formatting placeholders of ``text`` as a sorted list (``%%`` is not one)."""
    found = [m.group(0) for m in _PERCENT.finditer(text) if m.group("type") != "%"]
    if brace:
        found += ["{%s}" % (m.group("name") or "") for m in _BRACE.finditer(text)]
    return sorted(found)


def _short(text: str, width: int = 60) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


# --- check -------------------------------------------------------------------------------------
def entry_problems(entry: polib.POEntry, forms: int) -> list[str]:
    """What is wrong with one entry of a catalogue that must be complete."""
    label = repr(_short(entry.msgid))
    if entry.fuzzy:
        return [f"fuzzy: {label}"]
    brace = "python-brace-format" in entry.flags
    if entry.msgid_plural:
        translations = [entry.msgstr_plural.get(i, "") for i in range(forms)]
        missing = [str(i) for i, text in enumerate(translations) if not text]
        if missing:
            return [f"untranslated (plural form {', '.join(missing)}): {label}"]
        extra = sorted(set(entry.msgstr_plural) - set(range(forms)))
        if extra:
            return [f"{len(entry.msgstr_plural)} plural forms, the header says {forms}: {label}"]
        allowed = (placeholders(entry.msgid, brace), placeholders(entry.msgid_plural, brace))
        return [f"placeholders differ in plural form {i}: {label}"
                for i, text in enumerate(translations) if placeholders(text, brace) not in allowed]
    if not entry.msgstr:
        return [f"untranslated: {label}"]
    if placeholders(entry.msgstr, brace) != placeholders(entry.msgid, brace):
        return [f"placeholders differ: {label} -> {_short(entry.msgstr)!r}"]
    return []


def catalogue_problems(po_path: Path) -> list[str]:
    """Problems of one .po/.mo pair; completeness is required for every locale but the source one."""
    rel = po_path.relative_to(ROOT) if po_path.is_relative_to(ROOT) else po_path
    locale = locale_of(po_path)
    try:
        po = load(po_path)
    except (OSError, ValueError) as exc:
        return [f"{rel}: cannot be read: {exc}"]
    problems = []
    if po.metadata.get("Language") != locale:
        problems.append(f"{rel}: header Language is {po.metadata.get('Language')!r}, expected {locale!r}")
    if "charset=UTF-8" not in po.metadata.get("Content-Type", ""):
        problems.append(f"{rel}: header Content-Type is not charset=UTF-8")
    if locale in PLURAL_FORMS and po.metadata.get("Plural-Forms") != PLURAL_FORMS[locale]:
        problems.append(f"{rel}: header Plural-Forms is {po.metadata.get('Plural-Forms')!r}, "
                        f"expected {PLURAL_FORMS[locale]!r}")
    if locale != SOURCE_LANGUAGE:
        forms = nplurals(po)
        for entry in po:
            if not entry.obsolete:
                problems += [f"{rel}: {p}" for p in entry_problems(entry, forms)]
    mo_path = mo_path_for(po_path)
    if not mo_path.exists():
        problems.append(f"{mo_path.relative_to(ROOT) if mo_path.is_relative_to(ROOT) else mo_path}: missing; "
                        "run `scripts/i18n.py compile`")
    elif mo_path.read_bytes() != po.to_binary():
        problems.append(f"{mo_path.relative_to(ROOT) if mo_path.is_relative_to(ROOT) else mo_path}: "
                        "differs from its .po; run `scripts/i18n.py compile`")
    return problems


def check(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Every problem of every catalogue; empty when the translations are complete and compiled."""
    problems = []
    present = {locale_of(path) for path in po_files(locale_dir) if path.name == "django.po"}
    for locale in LOCALES:
        if locale not in present:
            problems.append(f"korpu/locale/{locale}/LC_MESSAGES/django.po: missing; run `scripts/i18n.py extract`")
    for po_path in po_files(locale_dir):
        problems += catalogue_problems(po_path)
    return problems


# --- compile -----------------------------------------------------------------------------------
def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write each .mo whose content changed; returns the paths written."""
    written = []
    for po_path in po_files(locale_dir):
        data = compile_po(po_path)
        mo_path = mo_path_for(po_path)
        if not mo_path.exists() or mo_path.read_bytes() != data:
            mo_path.write_bytes(data)
            written.append(mo_path)
    return written


# --- extract -----------------------------------------------------------------------------------
def normalise(po: polib.POFile, locale: str) -> None:
    """Fixed headers and exactly ``nplurals`` msgstr forms on every plural entry."""
    po.header = HEADER_COMMENT.format(name=LANGUAGE_NAMES.get(locale, locale))
    po.metadata_is_fuzzy = 0
    meta = po.metadata
    meta["Project-Id-Version"] = "korpu"
    meta.setdefault("Report-Msgid-Bugs-To", "")
    if meta.get("PO-Revision-Date", "").startswith("YEAR") or "PO-Revision-Date" not in meta:
        meta["PO-Revision-Date"] = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M%z")
    if "FULL NAME" in meta.get("Last-Translator", "FULL NAME"):
        meta["Last-Translator"] = "Körpü translators"
    meta["Language-Team"] = LANGUAGE_NAMES.get(locale, locale)
    meta["Language"] = locale
    meta["MIME-Version"] = "1.0"
    meta["Content-Type"] = "text/plain; charset=UTF-8"
    meta["Content-Transfer-Encoding"] = "8bit"
    if locale in PLURAL_FORMS:
        meta["Plural-Forms"] = PLURAL_FORMS[locale]
    forms = nplurals(po)
    for entry in po:
        if entry.msgid_plural:
            for i in range(forms):
                entry.msgstr_plural.setdefault(i, "")
            for i in [k for k in entry.msgstr_plural if k >= forms]:
                if entry.msgstr_plural[i] == "" or locale == SOURCE_LANGUAGE:
                    del entry.msgstr_plural[i]


def _without_creation_date(text: str) -> str:
    return re.sub(r'^"POT-Creation-Date: [^"]*"\n', "", text, flags=re.MULTILINE)


def _js_sources() -> list[Path]:
    return [p for p in PACKAGE.glob("**/static/**/*.js")
            if not p.name.endswith(".min.js") and re.search(r"\b(n|p|np)?gettext\s*\(", p.read_text("utf-8"))]


def extract(verbosity: int = 1) -> list[Path]:
    """Run makemessages for every locale, normalise the catalogues; returns the .po files changed."""
    os.environ["KORPU_MODE"] = "test"  # extraction never needs production secrets
    os.environ["DJANGO_SETTINGS_MODULE"] = "korpu.settings"
    os.environ.setdefault("KORPU_VAR_DIR", tempfile.mkdtemp(prefix="korpu-i18n-"))
    sys.path.insert(0, str(ROOT))
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.commands.makemessages import Command as MakeMessages

    # No django.setup(): makemessages needs the settings (LOCALE_PATHS) but not the app registry,
    # so a half-finished app elsewhere in the tree cannot stop an extraction.
    configured = [Path(p).resolve() for p in settings.LOCALE_PATHS]
    if LOCALE_DIR.resolve() not in configured:
        raise SystemExit(f"LOCALE_PATHS is {configured}; expected it to contain {LOCALE_DIR}")

    domains = ["django"] + (["djangojs"] if _js_sources() else [])
    before = {path: path.read_text("utf-8") for path in po_files()}
    cwd = os.getcwd()
    os.chdir(PACKAGE)
    try:
        for domain in domains:
            js = domain == "djangojs"
            call_command(MakeMessages(), locale=list(LOCALES), domain=domain, no_location=True,
                         no_obsolete=True, ignore_patterns=JS_IGNORE_PATTERNS if js else IGNORE_PATTERNS,
                         verbosity=verbosity, **({"extensions": ["js"]} if js else {}))
    finally:
        os.chdir(cwd)

    changed = []
    for po_path in po_files():
        po = load(po_path)
        normalise(po, locale_of(po_path))
        po.save(str(po_path))
        old = before.get(po_path)
        new = po_path.read_text("utf-8")
        if old is not None and _without_creation_date(old) == _without_creation_date(new):
            po_path.write_text(old, "utf-8")  # nothing but the date moved: keep the file as it was
        else:
            changed.append(po_path)
    return changed


# --- command line ------------------------------------------------------------------------------
def _report(paths: Iterable[Path], verb: str) -> None:
    paths = list(paths)
    for path in paths:
        print(f"{verb} {path.relative_to(ROOT)}")
    if not paths:
        print("nothing changed")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in ("extract", "compile", "check"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    command = args[0]
    if command == "extract":
        _report(extract(), "updated")
        for po_path in po_files():
            po = load(po_path)
            if locale_of(po_path) != SOURCE_LANGUAGE:
                todo = len(po.untranslated_entries()) + len(po.fuzzy_entries())
                print(f"{po_path.relative_to(ROOT)}: {len([e for e in po if not e.obsolete])} entries, "
                      f"{todo} to translate or review")
        return 0
    if command == "compile":
        _report(compile_all(), "wrote")
        return 0
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s); see scripts/i18n.py for the workflow", file=sys.stderr)
        return 1
    print(f"ok: {len(po_files())} catalogue(s) complete and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
