"""Opening an uploaded workbook and walking its data rows, for every import."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from korpu.core.sheets.cells import blank

DAMAGED = (zipfile.BadZipFile, KeyError, ValueError, SyntaxError)
"""What reading a damaged sheet raises (its XML errors are ``SyntaxError``): the file is not a workbook."""


def not_a_workbook() -> str:
    return _("This is not an Excel workbook (.xlsx).")


@contextmanager
def quietly() -> Iterator[None]:
    """Read a workbook without openpyxl's warnings about extensions it cannot read (the toolkit's
    picklists): the importer checks every value itself. Sheets of a read-only workbook are parsed as
    they are read, so wrap the reading as well as the opening."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        yield


def open_workbook(file: Any) -> Any | None:
    """The workbook (read-only, values not formulas) from a path or an upload; ``None`` when it is not
    an .xlsx file. Picklist extensions openpyxl cannot read are ignored: the importer checks values."""
    if hasattr(file, "read") and not hasattr(file, "seek"):
        file = io.BytesIO(file.read())
    if hasattr(file, "seek"):
        file.seek(0)
    with quietly():
        try:
            return openpyxl.load_workbook(file, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            return None


def header_rows(sheet: Any, count: int = 2) -> list[tuple[Any, ...]]:
    """The first ``count`` rows of a sheet, streamed whatever size the file claims."""
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    return list(sheet.iter_rows(min_row=1, max_row=count, values_only=True))


def data_rows(sheet: Any, positions: Mapping[str, int], *, start: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(sheet row, {code: value})`` for each row from ``start`` that is not blank in the known columns
    (``positions`` maps a column code to its 0-based index)."""
    for number, values in enumerate(sheet.iter_rows(min_row=start, values_only=True), start=start):
        cells = {code: values[i] if i < len(values) else None for code, i in positions.items()}
        if all(blank(v) for v in cells.values()):
            continue
        yield number, cells
