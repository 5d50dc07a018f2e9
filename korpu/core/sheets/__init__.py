"""The kit for spreadsheets every app imports and exports with.

* :mod:`~korpu.core.sheets.rows`: the two-phase, row-validated import (``RowIssue``, ``PlannedRow``,
  ``ImportPlan``, :func:`commit_rows`);
* :mod:`~korpu.core.sheets.cells`: one date parser, one yes/no parser, one look-up by name;
* :mod:`~korpu.core.sheets.reading`: opening an uploaded workbook, walking its data rows;
* :mod:`~korpu.core.sheets.xlsx`: writing workbooks (text never a formula, real dates, frozen
  header, autofilter, widths, print setup);
* :mod:`~korpu.core.sheets.csv`: writing CSV with formula-injection escaping.

The kernel knows no domain app: what to look up (organisations) is handed in by the caller.
"""

from korpu.core.sheets.cells import (
    FALSE_WORDS,
    TRUE_WORDS,
    NameIndex,
    blank,
    fold_name,
    parse_bool,
    parse_date,
)
from korpu.core.sheets.csv import escape_cell, write_csv
from korpu.core.sheets.reading import DAMAGED, data_rows, header_rows, not_a_workbook, open_workbook, quietly
from korpu.core.sheets.rows import Committed, ImportPlan, PlannedRow, RowIssue, RowRefused, commit_rows
from korpu.core.sheets.xlsx import (
    XLSX,
    append_row,
    finish_table,
    print_setup,
    set_widths,
    sheet_title,
    stream_cell,
    style_value,
    workbook_bytes,
    write_table,
)

__all__ = [
    "DAMAGED", "FALSE_WORDS", "TRUE_WORDS", "XLSX", "Committed", "ImportPlan", "NameIndex", "PlannedRow",
    "RowIssue", "RowRefused", "append_row", "blank", "commit_rows", "data_rows", "escape_cell", "finish_table",
    "fold_name", "header_rows", "not_a_workbook", "open_workbook", "parse_bool", "parse_date", "print_setup",
    "quietly", "set_widths", "sheet_title", "stream_cell", "style_value", "workbook_bytes", "write_csv",
    "write_table",
]
