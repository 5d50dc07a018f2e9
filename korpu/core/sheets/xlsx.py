"""Writing Excel workbooks (openpyxl) the one way every export does.

Text stays text: a cell whose text starts with ``=`` is written as a string, never as a formula
(the workbook opens showing what the user typed, and nothing is computed or fetched). Dates are real
date cells (``yyyy-mm-dd``), so Excel sorts and filters them. A table has its header row frozen, an
autofilter over header and data, set column widths, and prints landscape, fitted to the page width,
with the header row repeated on every page.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_title(text: str) -> str:
    """A (translated) sheet name as Excel allows it: at most 31 characters, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "sheet"


def style_value(cell: Any) -> Any:
    """Text as a string (never a formula); a date or datetime as a real date cell. Returns the cell."""
    value = cell.value
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm" if value.time() != dt.time() else DATE_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def stream_cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    """A cell for a write-only sheet (large exports), with :func:`style_value`'s rules; ``None`` when empty."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    cell = style_value(WriteOnlyCell(sheet, value=value))
    if bold:
        cell.font = BOLD
    return cell


def append_row(sheet: Any, values: Sequence[Any], *, bold: bool = False, header: bool = False) -> None:
    """Append a row: text stays text, dates are dates; a header row is bold, filled and wrapped."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        style_value(cell)
        if bold or header:
            cell.font = BOLD
        if header:
            cell.fill = HEADER_FILL
            cell.alignment = WRAP


def set_widths(sheet: Any, widths: Iterable[float], *, first: int = 1) -> None:
    """Column widths (in characters) from column ``first`` on."""
    for index, width in enumerate(widths, start=first):
        sheet.column_dimensions[get_column_letter(index)].width = width


def print_setup(sheet: Any, *, header_rows: int = 1) -> None:
    """Print landscape, fit to the page width (as many pages down as needed), repeat the header rows."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        sheet.print_title_rows = f"1:{header_rows}"


def finish_table(sheet: Any, *, columns: int, last_row: int, header_rows: int = 1, filter_row: int | None = None,
                 freeze: str | None = None) -> None:
    """Freeze the header, put an autofilter on the table (from ``filter_row``, by default the last
    header row) and set up printing. For sheets written row by row, write-only ones included."""
    filter_row = header_rows if filter_row is None else filter_row
    sheet.freeze_panes = freeze or f"A{header_rows + 1}"
    if columns > 0:
        sheet.auto_filter.ref = f"A{filter_row}:{get_column_letter(columns)}{max(last_row, filter_row)}"
    print_setup(sheet, header_rows=header_rows)


def write_table(sheet: Any, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float], *,
                empty: str | None = None) -> int:
    """A table from row 1: the header, the rows (``empty`` as the only row when there are none), every
    cell wrapped, the widths, and :func:`finish_table`. Returns the number of data rows."""
    append_row(sheet, header, header=True)
    count = 0
    for row in rows:
        append_row(sheet, row)
        count += 1
    if not count and empty is not None:
        append_row(sheet, [empty])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = WRAP
    set_widths(sheet, widths)
    finish_table(sheet, columns=len(header), last_row=count + 1)
    return count


def workbook_bytes(workbook: Any) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
