"""The import templates the system hands out: the data sheet (codes in row 1, labels in row 2, data
from row 3, text-formatted cells, picklists), a "lists" sheet and an instructions sheet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from korpu.accounts.models import Organisation
from korpu.core.i18n import localized
from korpu.core.sheets import xlsx as sheets
from korpu.core.sheets.xlsx import BOLD, HEADER_FILL, LABEL_FILL
from korpu.plan.models import Category, Measure, Plan, Recommendation
from korpu.plan.sheets.columns import (
    DATA_START,
    INSTRUCTIONS,
    MEASURE_COLUMNS,
    RECOMMENDATION_COLUMNS,
    TEMPLATE_ROWS,
    Column,
)


def _style_header(sheet: Any, columns: Sequence[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        code = sheet.cell(row=1, column=index, value=column.code)
        code.font, code.fill = BOLD, HEADER_FILL
        label = sheet.cell(row=2, column=index, value=f"{column.label}{' *' if column.required else ''}")
        label.font = Font(italic=True, bold=column.required)
        label.fill = LABEL_FILL
        label.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            for row in range(DATA_START, DATA_START + TEMPLATE_ROWS):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = sheet.cell(row=DATA_START, column=1)
    sheet.row_dimensions[2].height = 45
    sheets.print_setup(sheet, header_rows=2)


def _list_column(lists: Any, column: int, title: str, values: Sequence[Any],
                 notes: Sequence[str] | None = None) -> str:
    """Write a picklist to the lists sheet; return the range a data validation refers to."""
    head = lists.cell(row=1, column=column, value=title)
    head.font, head.fill = BOLD, HEADER_FILL
    lists.column_dimensions[get_column_letter(column)].width = max(14, min(60, max(
        (len(str(v)) for v in values), default=10) + 2))
    for row, value in enumerate(values, start=2):
        lists.cell(row=row, column=column, value=value)
    if notes is not None:
        lists.cell(row=1, column=column + 1, value="").fill = HEADER_FILL
        lists.column_dimensions[get_column_letter(column + 1)].width = 40
        for row, note in enumerate(notes, start=2):
            lists.cell(row=row, column=column + 1, value=note)
    letter = get_column_letter(column)
    return f"lists!${letter}$2:${letter}${max(2, len(values) + 1)}"


def _validate(sheet: Any, columns: Sequence[Column], code: str, formula: str, *, strict: bool,
              prompt: str = "") -> None:
    index = next(i for i, c in enumerate(columns, start=1) if c.code == code)
    letter = get_column_letter(index)
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=strict,
                                showInputMessage=bool(prompt), prompt=prompt or None)
    if strict:
        validation.error = _("Choose a value from the list.")
    sheet.add_data_validation(validation)
    validation.add(f"{letter}{DATA_START}:{letter}{DATA_START + TEMPLATE_ROWS - 1}")


def _instructions(workbook: Any, kind: str) -> None:
    sheet = workbook.create_sheet("instructions")
    sheet.column_dimensions["A"].width = 110
    row = 1
    for language in ("az", "ru", "en"):
        for number, line in enumerate(INSTRUCTIONS[kind][language]):
            cell = sheet.cell(row=row, column=1, value=line)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if number == 0:
                cell.font = Font(bold=True, size=13)
            row += 1
        row += 1


def _organisation_names() -> list[str]:
    return list(Organisation.objects.filter(is_active=True).order_by("name").values_list("name", flat=True))


def measures_template(plan: Plan | None = None) -> bytes:
    """The measures workbook; with ``plan`` its picklists offer that plan's sections and years."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "measures"
    _style_header(sheet, MEASURE_COLUMNS)
    lists = workbook.create_sheet("lists")
    if plan is not None:
        sections = list(plan.sections.order_by("order", "number"))
        years = list(range(plan.start_year, plan.end_year + 1))
    else:
        sections = []
        bounds = Plan.objects.order_by("start_year")
        years = sorted({y for p in bounds for y in range(p.start_year, p.end_year + 1)})
    section_range = _list_column(lists, 1, "section", [s.number for s in sections],
                                 [localized(s, "title") for s in sections])
    org_range = _list_column(lists, 3, "organisation", _organisation_names())
    year_range = _list_column(lists, 4, "year", years)
    categories = list(Category.objects.order_by("kind", "code"))
    category_range = _list_column(lists, 5, "category", [c.code for c in categories],
                                  [localized(c, "name") for c in categories])
    if sections:
        _validate(sheet, MEASURE_COLUMNS, "section", section_range, strict=True)
    several = _("Pick one, or type several names separated by “;”.")
    _validate(sheet, MEASURE_COLUMNS, "executing_bodies", org_range, strict=False, prompt=several)
    _validate(sheet, MEASURE_COLUMNS, "partners", org_range, strict=False, prompt=several)
    if years:
        _validate(sheet, MEASURE_COLUMNS, "start_year", year_range, strict=True)
        _validate(sheet, MEASURE_COLUMNS, "end_year", year_range, strict=True)
    _validate(sheet, MEASURE_COLUMNS, "categories", category_range, strict=False,
              prompt=_("Pick one, or type several codes separated by “;”."))
    _instructions(workbook, "measures")
    return sheets.workbook_bytes(workbook)


def recommendations_template(plan: Plan | None = None) -> bytes:
    """The recommendations workbook; with ``plan`` the measure numbers of that plan are listed too."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "recommendations"
    _style_header(sheet, RECOMMENDATION_COLUMNS)
    lists = workbook.create_sheet("lists")
    sources = list(Recommendation.Source.choices)
    priorities = [(v, label) for v, label in Recommendation.Priority.choices if v]
    source_range = _list_column(lists, 1, "source", [v for v, _l in sources], [str(label) for _v, label in sources])
    priority_range = _list_column(lists, 3, "priority", [v for v, _l in priorities],
                                  [str(label) for _v, label in priorities])
    if plan is not None:
        measures = list(Measure.objects.filter(section__plan=plan).order_by("section__order", "section__number",
                                                                               "id"))
        measure_range = _list_column(lists, 5, "measure", [m.number for m in measures],
                                     [localized(m, "text")[:120] for m in measures])
        _validate(sheet, RECOMMENDATION_COLUMNS, "measures", measure_range, strict=False,
                  prompt=_("Pick one, or type several numbers separated by “;”."))
    _validate(sheet, RECOMMENDATION_COLUMNS, "source", source_range, strict=True)
    _validate(sheet, RECOMMENDATION_COLUMNS, "previous_source", source_range, strict=True)
    _validate(sheet, RECOMMENDATION_COLUMNS, "priority", priority_range, strict=True)
    _instructions(workbook, "recommendations")
    return sheets.workbook_bytes(workbook)

