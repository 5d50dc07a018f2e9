"""The kernel's kit for sheets (``korpu.core.sheets``): parsers, the look-up by name, the writers.

Real files throughout: workbooks are written with the kit, saved, and read back with openpyxl; CSV is
read back with the ``csv`` module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
import pytest

from korpu.core.sheets import (
    ImportPlan,
    NameIndex,
    PlannedRow,
    RowIssue,
    append_row,
    data_rows,
    escape_cell,
    finish_table,
    fold_name,
    open_workbook,
    parse_bool,
    parse_date,
    sheet_title,
    stream_cell,
    workbook_bytes,
    write_csv,
    write_table,
)


# --- dates -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    (dt.date(2024, 3, 1), dt.date(2024, 3, 1)),
    (dt.datetime(2024, 3, 1, 10, 30), dt.date(2024, 3, 1)),
    ("2024-03-01", dt.date(2024, 3, 1)),
    ("  2024-03-01  ", dt.date(2024, 3, 1)),
    ("2024-03-01 10:30:00", dt.date(2024, 3, 1)),
    ("2024-03-01T10:30", dt.date(2024, 3, 1)),
    ("2024-3-1", dt.date(2024, 3, 1)),
    ("01.03.2024", dt.date(2024, 3, 1)),
    ("1.3.2024", dt.date(2024, 3, 1)),
    ("01/03/2024", dt.date(2024, 3, 1)),  # day first, as written in Azerbaijan
])
def test_parse_date_reads_cells_and_text(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [
    None, "", "   ", "yesterday", "2024-02-30", "31.02.2024", "13/13/2024", "2024/03/01", "03-01-2024", 45000,
    45000.5, True, "2024-03-01x10", "20240301",
])
def test_parse_date_refuses_what_is_not_a_date(value):
    assert parse_date(value) is None


# --- yes / no --------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [True, 1, 1.0, "yes", "YES", " Yes ", "true", "1", "x", "X", "✓", "✔", "y", "on",
                                   "да", "Да", "bəli", "hə"])
def test_parse_bool_yes(value):
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", [False, 0, 0.0, "no", "No", "false", "0", "n", "off", "нет", "xeyr", "yox", "✗",
                                   "✘"])
def test_parse_bool_no(value):
    assert parse_bool(value) is False


@pytest.mark.parametrize("value", [None, "", "maybe", "2", 2, 0.5, "yes please", "ja", dt.date(2024, 1, 1)])
def test_parse_bool_refuses_anything_else(value):
    assert parse_bool(value) is None


# --- look-up by name -------------------------------------------------------------------------------
@dataclass
class Org:
    name: str
    short_name: str = ""


def test_names_compare_without_case_and_extra_white_space():
    assistance = Org("Assistance Centre for Victims", "Yardım Mərkəzi")
    index = NameIndex([assistance, Org("Ministry of Labour", "")])
    assert fold_name("  Assistance\tCentre \n for  VICTIMS ") == "assistance centre for victims"
    assert index.find("assistance centre for victims") == [assistance]
    assert index.find("  Assistance   Centre\tfor Victims ") == [assistance]
    assert index.find("YARDIM MƏRKƏZI") == [assistance]  # Azerbaijani I and ı are one letter here
    assert index.find("YARDIM MƏRKƏZİ") == [assistance]
    assert index.find("yardım  mərkəzi") == [assistance]
    assert index.find("Assistance Centre") == []  # no partial matches
    assert index.find("") == []  # an empty short name names nothing


def test_a_full_name_wins_over_a_short_name_and_ties_are_left_to_the_caller():
    full = Org("IOM", "")
    other = Org("International Organization for Migration", "IOM")
    assert NameIndex([other, full]).find("iom") == [full]
    twins = [Org("Alpha", "AB"), Org("Beta", "AB")]
    assert NameIndex(twins).find("ab") == twins


# --- issues and plans ------------------------------------------------------------------------------
def test_a_plan_counts_errors_of_rows_and_workbook():
    good, bad = PlannedRow(3), PlannedRow(4, errors=[RowIssue(4, "prs_Gender", "This field is required.")])
    plan: ImportPlan[PlannedRow] = ImportPlan(rows=[good, bad])
    assert plan.summary() == (2, 1, 1) and not plan.ok
    assert plan.valid_rows == [good] and plan.invalid_rows == [bad]
    assert bad.all_errors[0].line() == "row 4, prs_Gender: This field is required."
    plan.workbook_errors.append(RowIssue(0, "", "This is not an Excel workbook (.xlsx)."))
    assert plan.valid_rows == [] and str(plan.errors[0]) == "This is not an Excel workbook (.xlsx)."


# --- CSV -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+1 555 0100", "'+1 555 0100"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("plain text", "plain text"),
    ("a=b", "a=b"),
    ("", ""),
    (None, ""),
    (-5, "-5"),  # a number is a number, not a formula
    (2.5, "2.5"),
    (True, "yes"),
    (dt.date(2024, 3, 1), "2024-03-01"),
    (["ForcedLabour", "=x"], "ForcedLabour; =x"),
])
def test_csv_cells_never_start_a_formula(value, expected):
    assert escape_cell(value) == expected


def test_write_csv_round_trip():
    data = write_csv(["name", "note"], [["Gülnarə Əliyeva", "=1+1"], ["Сергей", "-cmd"], ["x", None]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "note"], ["Gülnarə Əliyeva", "'=1+1"], ["Сергей", "'-cmd"], ["x", ""]]


# --- XLSX ------------------------------------------------------------------------------------------
def read_back(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_a_table_has_a_frozen_header_an_autofilter_widths_print_setup_and_real_dates():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title("Görüşlər: 2024/25 [ilk]")
    count = write_table(sheet, ["Date", "Meeting", "People"],
                        [[dt.date(2024, 3, 1), "=HYPERLINK(\"http://x\",\"y\")", 12],
                         [dt.datetime(2024, 3, 2, 9, 30), "Second", 3]], [12, 40, 10])
    assert count == 2
    back = read_back(workbook_bytes(workbook)).worksheets[0]
    assert back.title == "Görüşlər  2024 25  ilk"
    assert back.freeze_panes == "A2"
    assert back.auto_filter.ref == "A1:C3"
    assert [back.column_dimensions[c].width for c in "ABC"] == [12, 40, 10]
    assert back.page_setup.orientation == "landscape"
    assert back.page_setup.fitToWidth == 1 and back.page_setup.fitToHeight == 0
    assert back.sheet_properties.pageSetUpPr.fitToPage is True
    assert back.print_title_rows == "$1:$1"
    assert back["A1"].font.bold and back["A1"].value == "Date"
    assert back["A2"].is_date and back["A2"].value == dt.datetime(2024, 3, 1)
    assert back["A2"].number_format == "yyyy-mm-dd"
    assert back["A3"].is_date and back["A3"].value == dt.datetime(2024, 3, 2, 9, 30)
    assert back["B2"].data_type == "s" and back["B2"].value.startswith("=HYPERLINK")  # text, never a formula
    assert back["C2"].value == 12 and back["C2"].data_type == "n"


def test_an_empty_table_says_so():
    workbook = openpyxl.Workbook()
    write_table(workbook.active, ["Date", "Meeting"], [], [12, 40], empty="No meetings.")
    back = read_back(workbook_bytes(workbook)).worksheets[0]
    assert back["A2"].value == "No meetings." and back.auto_filter.ref == "A1:B1"


def test_append_row_keeps_text_as_text():
    workbook = openpyxl.Workbook()
    append_row(workbook.active, ["=1+1", "@x", 5, None], header=True)
    back = read_back(workbook_bytes(workbook)).worksheets[0]
    assert [c.value for c in back[1]] == ["=1+1", "@x", 5, None]
    assert back["A1"].data_type == "s" and back["A1"].font.bold


def test_a_streamed_sheet_with_two_header_rows():
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    finish_table(sheet, columns=3, last_row=3, header_rows=2, freeze="B3")
    sheet.append([stream_cell(sheet, v, bold=True) for v in ("", "prs_FirstName", "prs_Birthdate")])
    sheet.append([stream_cell(sheet, v, bold=True) for v in ("", "First Name", "Birthdate")])
    sheet.append([1, stream_cell(sheet, "=cmd|' /C calc'!A0"), stream_cell(sheet, dt.date(1990, 5, 17))])
    back = read_back(workbook_bytes(workbook)).worksheets[0]
    assert back.freeze_panes == "B3" and back.auto_filter.ref == "A2:C3" and back.print_title_rows == "$1:$2"
    assert back["A1"].value is None and back["B1"].font.bold
    assert back["B3"].data_type == "s" and back["B3"].value == "=cmd|' /C calc'!A0"
    assert back["C3"].is_date and back["C3"].value.date() == dt.date(1990, 5, 17)
    assert stream_cell(sheet, "") is None and stream_cell(sheet, []) is None


# --- reading ---------------------------------------------------------------------------------------
def test_open_workbook_and_walk_the_data_rows(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["code_a", "code_b"], ["A", "B"], ["x", 1], [None, "  "], [None, 2]):
        sheet.append(row)
    path = tmp_path / "data.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    opened = open_workbook(path)
    assert opened is not None
    rows = list(data_rows(opened.worksheets[0], {"code_a": 0, "code_b": 1}, start=3))
    opened.close()
    assert rows == [(3, {"code_a": "x", "code_b": 1}), (5, {"code_a": None, "code_b": 2})]  # row 4 is blank


def test_open_workbook_refuses_what_is_not_one(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    assert open_workbook(junk) is None
    assert open_workbook(io.BytesIO(b"name,gender\n")) is None
