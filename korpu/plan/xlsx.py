"""Excel import and export of the National Action Plan.

Templates: :func:`measures_template` and :func:`recommendations_template` write the workbooks the
system itself hands out. The data sheet has the column codes in row 1 (the importer finds columns
by code, in any order), human labels in the current language in row 2, and data from row 3; a
"lists" sheet holds the values the picklists offer (section numbers of the chosen plan, organisation
names, years, category, source and priority codes); an instructions sheet explains the rules in
Azerbaijani, Russian and English.

Import is two steps, as for the HTCDS import (``korpu.cases.htcds``): :func:`read_measures` and
:func:`read_recommendations` check EVERY row and save nothing; :func:`apply_measures` and
:func:`apply_recommendations` create the rows through the plan's actions (permission, validation,
audit), in one transaction, and only when no row has an error. If an action still refuses a row
(another user created the same measure meanwhile), everything is rolled back.

The rules:

* Measures: ``section`` names a section number of the chosen plan; ``number`` is unique in its
  section, neither in the plan already nor twice in the file; ``text_az`` is required (ru/en are
  optional); ``executing_bodies`` names at least one active organisation, ``partners`` any number,
  by full name or short name (case-insensitive), separated by ";"; an organisation is not both
  executing body and partner of the same measure; ``start_year`` ≤ ``end_year``, both within the
  plan's period; ``deadline`` (optional) is a date within the measure's period; ``categories``
  (optional) are category codes separated by ";".
* Recommendations: ``source`` and ``priority`` are codes (``us_tip`` …, ``prioritized`` …; the
  label in the user's language is accepted too); ``cycle``, ``reference`` and ``text_az`` are
  required (the reference identifies a recommendation within its source and cycle, so a later cycle
  can point at it); the same source + cycle + reference may neither exist already nor appear twice;
  ``measures`` are measure numbers of the chosen plan separated by ";"; ``previous_cycle`` and
  ``previous_reference`` (with ``previous_source``, by default the row's own source) name the same
  recommendation in the earlier cycle: one that exists, or a row ABOVE in the same file.

Imported measures and recommendations are not public unless the upload asks to publish them
(``publish=True``).

Export: :func:`plan_status_xlsx` writes the plan's status (sections, measures, bodies, period,
derived status, the latest accepted report per body, indicators with unit, baseline, targets, the
reported values per body and in total, and the computed values) in the chosen language.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from korpu.accounts.models import Organisation
from korpu.core import access, audit
from korpu.core.access import Actor
from korpu.core.i18n import localized
from korpu.plan import actions, queries
from korpu.plan.models import (
    Category,
    ImplementationStatus,
    Measure,
    Plan,
    ProgressReport,
    Recommendation,
    Section,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_START = 3
MAX_ROWS = 2000
TEMPLATE_ROWS = 500
"""Rows of the template that carry the picklists and the text format."""
SEPARATOR = ";"

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)


# --- columns -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    code: str
    label: Promise | str
    required: bool = False
    width: int = 16
    text: bool = True
    """Formatted as text in the template, so Excel keeps "1.10" and "2.1" as typed."""


MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("section", gettext_lazy("Section number"), True, 10),
    Column("number", gettext_lazy("Measure number"), True, 10),
    Column("text_az", gettext_lazy("Measure (az)"), True, 50),
    Column("text_ru", gettext_lazy("Measure (ru)"), False, 40),
    Column("text_en", gettext_lazy("Measure (en)"), False, 40),
    Column("expected_result_az", gettext_lazy("Expected result (az)"), False, 30),
    Column("expected_result_ru", gettext_lazy("Expected result (ru)"), False, 30),
    Column("expected_result_en", gettext_lazy("Expected result (en)"), False, 30),
    Column("executing_bodies", gettext_lazy("Executing bodies (separated by ;)"), True, 40),
    Column("partners", gettext_lazy("Partner organisations (separated by ;)"), False, 40),
    Column("start_year", gettext_lazy("From year"), True, 10, text=False),
    Column("end_year", gettext_lazy("To year"), True, 10, text=False),
    Column("deadline", gettext_lazy("Deadline (YYYY-MM-DD)"), False, 14),
    Column("categories", gettext_lazy("Categories (codes separated by ;)"), False, 24),
)

RECOMMENDATION_COLUMNS: tuple[Column, ...] = (
    Column("source", gettext_lazy("Source (code)"), True, 12),
    Column("cycle", gettext_lazy("Year or cycle"), True, 14),
    Column("reference", gettext_lazy("Reference"), True, 12),
    Column("text_az", gettext_lazy("Text (az)"), True, 50),
    Column("text_ru", gettext_lazy("Text (ru)"), False, 40),
    Column("text_en", gettext_lazy("Text (en)"), False, 40),
    Column("priority", gettext_lazy("Priority (code)"), False, 12),
    Column("theme", gettext_lazy("Theme"), False, 16),
    Column("measures", gettext_lazy("Measure numbers (separated by ;)"), False, 18),
    Column("previous_source", gettext_lazy("Earlier cycle: source (if different)"), False, 14),
    Column("previous_cycle", gettext_lazy("Earlier cycle: year or cycle"), False, 14),
    Column("previous_reference", gettext_lazy("Earlier cycle: reference"), False, 14),
    Column("response_az", gettext_lazy("Government response (az)"), False, 30),
    Column("response_ru", gettext_lazy("Government response (ru)"), False, 30),
    Column("response_en", gettext_lazy("Government response (en)"), False, 30),
)

KINDS: dict[str, tuple[Column, ...]] = {"measures": MEASURE_COLUMNS, "recommendations": RECOMMENDATION_COLUMNS}

INSTRUCTIONS: dict[str, dict[str, list[str]]] = {
    # Shown side by side in the three languages, whatever the user's language; not from the catalogue.
    "measures": {
        "az": [
            "Tədbirlərin idxalı üçün şablon",
            "1-ci sətirdə sütun kodları var: onları dəyişməyin. 2-ci sətir izahdır. Məlumatları 3-cü sətirdən yazın.",
            "* ilə işarələnmiş sütunlar məcburidir: bölmə nömrəsi, tədbir nömrəsi, mətn (az), icraçı qurumlar, "
            "başlama və bitmə ili.",
            "Bölmə nömrəsi seçilmiş planın bölməsi olmalıdır. Tədbir nömrəsi bölmədə təkrarlanmamalıdır və planda "
            "artıq olmamalıdır.",
            "Qurumları tam və ya qısa adı ilə, nöqtəli vergüllə (;) ayıraraq yazın. Qurum sistemdə olmalıdır.",
            "İllər planın dövrü daxilində olmalıdır, başlama ili bitmə ilindən böyük olmamalıdır.",
            "Hər sətir yoxlanılır: bir sətirdə səhv olarsa, heç nə saxlanmır və səhvlər sətir nömrəsi ilə göstərilir.",
        ],
        "ru": [
            "Шаблон для импорта мероприятий",
            "В 1-й строке — коды столбцов: не меняйте их. 2-я строка — пояснение. Данные вводите с 3-й строки.",
            "Столбцы со * обязательны: номер раздела, номер мероприятия, текст (az), исполнители, год начала "
            "и год окончания.",
            "Номер раздела должен существовать в выбранном плане. Номер мероприятия не должен повторяться в разделе "
            "и уже существовать в плане.",
            "Организации указывайте полным или кратким названием через точку с запятой (;). Организация должна "
            "быть в системе.",
            "Годы — в пределах периода плана; год начала не позже года окончания.",
            "Проверяется каждая строка: если хотя бы в одной есть ошибка, ничего не сохраняется, а ошибки "
            "показываются с номером строки.",
        ],
        "en": [
            "Template for importing measures",
            "Row 1 holds the column codes: do not change them. Row 2 explains them. Enter data from row 3.",
            "Columns marked * are required: section number, measure number, text (az), executing bodies, "
            "start and end year.",
            "The section number must exist in the chosen plan. A measure number must be unique in its section and "
            "not exist in the plan yet.",
            "Name organisations by full or short name, separated by a semicolon (;). Each must exist in Körpü.",
            "Years lie within the plan's period; the start year is not after the end year.",
            "Every row is checked: if any row has an error, nothing is saved and the errors name their rows.",
        ],
    },
    "recommendations": {
        "az": [
            "Tövsiyələrin idxalı üçün şablon",
            "1-ci sətirdə sütun kodları var: onları dəyişməyin. 2-ci sətir izahdır. Məlumatları 3-cü sətirdən yazın.",
            "* ilə işarələnmiş sütunlar məcburidir: mənbə kodu, il və ya dövr, istinad, mətn (az).",
            "Mənbə və prioritet kodları «lists» vərəqində verilib.",
            "Əvvəlki dövrdəki eyni tövsiyəni mənbə, dövr və istinadla göstərin: o, sistemdə olmalı və ya faylda "
            "daha yuxarı sətirdə yazılmalıdır.",
            "Tədbirləri nömrələri ilə, nöqtəli vergüllə (;) ayıraraq yazın.",
            "Hər sətir yoxlanılır: bir sətirdə səhv olarsa, heç nə saxlanmır və səhvlər sətir nömrəsi ilə göstərilir.",
        ],
        "ru": [
            "Шаблон для импорта рекомендаций",
            "В 1-й строке — коды столбцов: не меняйте их. 2-я строка — пояснение. Данные вводите с 3-й строки.",
            "Столбцы со * обязательны: код источника, год или цикл, ссылка, текст (az).",
            "Коды источников и приоритетов — на листе «lists».",
            "Ту же рекомендацию предыдущего цикла указывайте источником, циклом и ссылкой: она должна быть "
            "в системе или выше в этом же файле.",
            "Мероприятия указывайте номерами через точку с запятой (;).",
            "Проверяется каждая строка: если хотя бы в одной есть ошибка, ничего не сохраняется, а ошибки "
            "показываются с номером строки.",
        ],
        "en": [
            "Template for importing recommendations",
            "Row 1 holds the column codes: do not change them. Row 2 explains them. Enter data from row 3.",
            "Columns marked * are required: source code, year or cycle, reference, text (az).",
            "The source and priority codes are on the “lists” sheet.",
            "Name the same recommendation of the earlier cycle by source, cycle and reference: it must exist in "
            "Körpü or in a row above in this file.",
            "Name measures by number, separated by a semicolon (;).",
            "Every row is checked: if any row has an error, nothing is saved and the errors name their rows.",
        ],
    },
}


# --- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowIssue:
    """A problem: the sheet row (0 = the whole workbook), the column's code, letter and label, a message."""

    row: int
    column: str
    message: str
    letter: str = ""
    label: str = ""

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        return _("Row %(row)d, %(column)s: %(message)s") % {
            "row": self.row, "column": self.column or "—", "message": self.message}


@dataclass
class PlannedRow:
    """One data row, checked: the values to save (objects already looked up) and its errors."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowIssue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class ImportPlan:
    """What a ``read_*`` function found. Nothing is saved until ``apply_*``."""

    kind: str
    plan: Plan | None = None
    rows: list[PlannedRow] = field(default_factory=list)
    workbook_errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    sheet: str = ""

    @property
    def errors(self) -> list[RowIssue]:
        return [*self.workbook_errors, *(e for r in self.rows for e in r.errors)]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def invalid_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if not r.valid]


class ImportRefused(Exception):
    """The file has errors, or an action refused a row: nothing was saved."""

    def __init__(self, issues: Sequence[RowIssue]) -> None:
        super().__init__("; ".join(str(i) for i in issues[:5]))
        self.issues = list(issues)


# --- templates -----------------------------------------------------------------------------------
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


def _save(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
    return _save(workbook)


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
    return _save(workbook)


# --- reading -------------------------------------------------------------------------------------
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text if "\n" in text else re.sub(r"\s+", " ", text)


def _pieces(value: Any) -> list[str]:
    return [p.strip() for p in _text(value).split(SEPARATOR) if p.strip()]


def _year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    return int(text) if re.fullmatch(r"\d{4}", text) else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class _Reader:
    """Reads one data sheet: finds the columns by code and records issues against cells."""

    def __init__(self, result: ImportPlan, columns: Sequence[Column]) -> None:
        self.result = result
        self.columns = {c.code: c for c in columns}
        self.index: dict[str, int] = {}

    def find_sheet(self, workbook: Any) -> Any:
        required = {c.code for c in self.columns.values() if c.required}
        for candidate in workbook.worksheets:
            if hasattr(candidate, "reset_dimensions"):
                candidate.reset_dimensions()
            header = next(candidate.iter_rows(min_row=1, max_row=1, values_only=True), ())
            codes = {_text(v) for v in header}
            if required <= codes:
                self.result.sheet = candidate.title
                for position, value in enumerate(header):
                    code = _text(value)
                    if not code:
                        continue
                    if code in self.index:
                        self.result.workbook_errors.append(RowIssue(1, code, _(
                            "The column %(code)s appears twice in row 1.") % {"code": code},
                            letter=get_column_letter(position + 1)))
                    elif code in self.columns:
                        self.index[code] = position
                    else:
                        self.result.warnings.append(RowIssue(1, code, _(
                            "The column %(code)s is not part of the template; it is ignored.") % {"code": code},
                            letter=get_column_letter(position + 1)))
                return candidate
        codes_text = ", ".join(c.code for c in self.columns.values() if c.required)
        self.result.workbook_errors.append(RowIssue(0, "", _(
            "No sheet has the template's column codes (%(codes)s) in row 1. Download the template from "
            "this page and fill it in.") % {"codes": codes_text}))
        return None

    def rows(self, sheet: Any) -> Iterable[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(sheet.iter_rows(min_row=DATA_START, values_only=True), start=DATA_START):
            cells = {code: values[i] if i < len(values) else None for code, i in self.index.items()}
            if all(_blank(v) for v in cells.values()):
                continue
            if len(self.result.rows) >= MAX_ROWS:
                self.result.workbook_errors.append(RowIssue(number, "", _(
                    "A workbook may hold at most %(count)d rows.") % {"count": MAX_ROWS}))
                return
            yield number, cells

    def issue(self, row: PlannedRow, code: str, message: str) -> None:
        column = self.columns.get(code)
        letter = get_column_letter(self.index[code] + 1) if code in self.index else ""
        row.errors.append(RowIssue(row.row, code, message, letter=letter, label=str(column.label) if column else ""))

    def required(self, row: PlannedRow, cells: dict[str, Any], code: str) -> str:
        value = _text(cells.get(code))
        if not value:
            self.issue(row, code, _("This column is required."))
        return value

    def limited(self, row: PlannedRow, code: str, value: str, limit: int) -> str:
        if len(value) > limit:
            self.issue(row, code, _("At most %(n)d characters.") % {"n": limit})
        return value


def _open(file: Any, result: ImportPlan) -> Any:
    if hasattr(file, "read") and not hasattr(file, "seek"):
        file = io.BytesIO(file.read())
    if hasattr(file, "seek"):
        file.seek(0)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        try:
            return openpyxl.load_workbook(file, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            result.workbook_errors.append(RowIssue(0, "", _("This is not an Excel workbook (.xlsx).")))
            return None


class _Organisations:
    def __init__(self) -> None:
        self.by_key: dict[str, list[Organisation]] = {}
        for organisation in Organisation.objects.all():
            for key in {organisation.name.casefold(), organisation.short_name.casefold()} - {""}:
                self.by_key.setdefault(key, []).append(organisation)

    def find(self, name: str) -> tuple[Organisation | None, str]:
        found = self.by_key.get(name.casefold(), [])
        exact = [o for o in found if o.name.casefold() == name.casefold()]
        found = exact or found
        if not found:
            return None, _("Unknown organisation: %(name)s.") % {"name": name}
        if len(found) > 1:
            return None, _("%(name)s names more than one organisation; use the full name.") % {"name": name}
        if not found[0].is_active:
            return None, _("The organisation %(name)s is no longer active.") % {"name": name}
        return found[0], ""


def read_measures(file: Any, plan: Plan) -> ImportPlan:
    """Check every row of a measures workbook against ``plan``. Saves nothing."""
    result = ImportPlan(kind="measures", plan=plan)
    workbook = _open(file, result)
    if workbook is None:
        return result
    try:
        reader = _Reader(result, MEASURE_COLUMNS)
        sheet = reader.find_sheet(workbook)
        if sheet is None or result.workbook_errors:
            return result
        sections = {s.number.casefold(): s for s in plan.sections.all()}
        existing = {(section_id, number.casefold()) for section_id, number in
                    Measure.objects.filter(section__plan=plan).values_list("section_id", "number")}
        organisations = _Organisations()
        categories = {c.code.casefold(): c for c in Category.objects.all()}
        seen: dict[tuple[int, str], int] = {}
        for number, cells in reader.rows(sheet):
            row = PlannedRow(number)
            result.rows.append(row)
            _read_measure(reader, row, cells, plan=plan, sections=sections, existing=existing, seen=seen,
                          organisations=organisations, categories=categories)
    finally:
        workbook.close()
    return result


def _read_measure(reader: _Reader, row: PlannedRow, cells: dict[str, Any], *, plan: Plan,
                  sections: dict[str, Section], existing: set[tuple[int, str]], seen: dict[tuple[int, str], int],
                  organisations: _Organisations, categories: dict[str, Category]) -> None:
    values = row.values
    section_number = reader.required(row, cells, "section")
    section = sections.get(section_number.casefold()) if section_number else None
    if section_number and section is None:
        reader.issue(row, "section", _("The plan has no section %(number)s.") % {"number": section_number})
    values["section"] = section
    number = reader.limited(row, "number", reader.required(row, cells, "number"), 20)
    values["number"] = number
    if section is not None and number:
        key = (section.pk, number.casefold())
        if key in existing:
            reader.issue(row, "number", _("Measure %(number)s already exists in section %(section)s.")
                         % {"number": number, "section": section.number})
        elif key in seen:
            reader.issue(row, "number", _("Measure %(number)s of section %(section)s is already in row %(row)d.")
                         % {"number": number, "section": section.number, "row": seen[key]})
        else:
            seen[key] = row.row
    values["text_az"] = reader.required(row, cells, "text_az")
    for code in ("text_ru", "text_en", "expected_result_az", "expected_result_ru", "expected_result_en"):
        values[code] = _text(cells.get(code))

    bodies: list[Organisation] = []
    names = _pieces(cells.get("executing_bodies"))
    if not names:
        reader.issue(row, "executing_bodies", _("Name at least one executing body."))
    for name in names:
        organisation, problem = organisations.find(name)
        if problem:
            reader.issue(row, "executing_bodies", problem)
        elif organisation is not None and organisation not in bodies:
            bodies.append(organisation)
    partners: list[Organisation] = []
    for name in _pieces(cells.get("partners")):
        organisation, problem = organisations.find(name)
        if problem:
            reader.issue(row, "partners", problem)
        elif organisation in bodies:
            reader.issue(row, "partners", _("%(name)s is already an executing body of this measure.")
                         % {"name": name})
        elif organisation is not None and organisation not in partners:
            partners.append(organisation)
    values["executing_bodies"], values["partners"] = bodies, partners

    years: dict[str, int | None] = {}
    for code in ("start_year", "end_year"):
        raw = cells.get(code)
        year = _year(raw)
        years[code] = year
        if _blank(raw):
            reader.issue(row, code, _("This column is required."))
        elif year is None:
            reader.issue(row, code, _("Enter a year as four digits."))
        elif not plan.start_year <= year <= plan.end_year:
            reader.issue(row, code, _("The year %(year)d is outside the plan's period %(a)d–%(b)d.")
                         % {"year": year, "a": plan.start_year, "b": plan.end_year})
    start, end = years["start_year"], years["end_year"]
    if start is not None and end is not None and start > end:
        reader.issue(row, "end_year", _("The end year %(end)d is before the start year %(start)d.")
                     % {"end": end, "start": start})
    values["start_year"], values["end_year"] = start, end

    deadline = None
    if not _blank(cells.get("deadline")):
        deadline = _date(cells.get("deadline"))
        if deadline is None:
            reader.issue(row, "deadline", _("Enter the deadline as a date (YYYY-MM-DD)."))
        elif start is not None and end is not None and not start <= deadline.year <= end:
            reader.issue(row, "deadline", _("The deadline must fall within the measure's period."))
    values["deadline"] = deadline

    chosen: list[Category] = []
    for code in _pieces(cells.get("categories")):
        category = categories.get(code.casefold())
        if category is None:
            reader.issue(row, "categories", _("Unknown category code: %(code)s.") % {"code": code})
        elif category not in chosen:
            chosen.append(category)
    values["categories"] = chosen


def _choice(text: str, choices: Iterable[tuple[str, Any]]) -> str | None:
    """A code, or its label in the current language, to the code."""
    key = text.casefold()
    for value, label in choices:
        if value and (value.casefold() == key or str(label).casefold() == key):
            return value
    return None


def _rec_key(source: str, cycle: str, reference: str) -> tuple[str, str, str]:
    return source, cycle.casefold(), reference.casefold()


def read_recommendations(file: Any, plan: Plan | None = None) -> ImportPlan:
    """Check every row of a recommendations workbook. Saves nothing.

    Measure numbers are looked up in ``plan`` when given, else in every plan (then a number must
    name one measure only).
    """
    result = ImportPlan(kind="recommendations", plan=plan)
    workbook = _open(file, result)
    if workbook is None:
        return result
    try:
        reader = _Reader(result, RECOMMENDATION_COLUMNS)
        sheet = reader.find_sheet(workbook)
        if sheet is None or result.workbook_errors:
            return result
        measures: dict[str, list[Measure]] = {}
        for measure in Measure.objects.filter(**({"section__plan": plan} if plan else {})).select_related(
                "section"):
            measures.setdefault(measure.number.casefold(), []).append(measure)
        raw_rows = list(reader.rows(sheet))
        in_file: dict[tuple[str, str, str], int] = {}
        for number, cells in raw_rows:
            source = _choice(_text(cells.get("source")), Recommendation.Source.choices)
            if source:
                key = _rec_key(source, _text(cells.get("cycle")), _text(cells.get("reference")))
                in_file.setdefault(key, number)
        earlier: set[tuple[str, str, str]] = set()
        for number, cells in raw_rows:
            row = PlannedRow(number)
            result.rows.append(row)
            _read_recommendation(reader, row, cells, measures=measures, in_file=in_file, earlier=earlier)
    finally:
        workbook.close()
    return result


def _read_recommendation(reader: _Reader, row: PlannedRow, cells: dict[str, Any], *,
                         measures: dict[str, list[Measure]], in_file: dict[tuple[str, str, str], int],
                         earlier: set[tuple[str, str, str]]) -> None:
    values = row.values
    source_text = reader.required(row, cells, "source")
    source = _choice(source_text, Recommendation.Source.choices) if source_text else None
    if source_text and source is None:
        reader.issue(row, "source", _("Unknown source code %(code)s; use one of: %(codes)s.")
                     % {"code": source_text, "codes": ", ".join(Recommendation.Source.values)})
    values["source"] = source or ""
    values["cycle"] = reader.limited(row, "cycle", reader.required(row, cells, "cycle"), 40)
    values["reference"] = reader.limited(row, "reference", reader.required(row, cells, "reference"), 60)
    values["text_az"] = reader.required(row, cells, "text_az")
    for code in ("text_ru", "text_en", "response_az", "response_ru", "response_en"):
        values[code] = _text(cells.get(code))
    values["theme"] = reader.limited(row, "theme", _text(cells.get("theme")), 100)
    priority_text = _text(cells.get("priority"))
    priority = _choice(priority_text, Recommendation.Priority.choices) if priority_text else ""
    if priority is None:
        reader.issue(row, "priority", _("Unknown priority code %(code)s; use one of: %(codes)s.")
                     % {"code": priority_text, "codes": ", ".join(v for v in Recommendation.Priority.values if v)})
    values["priority"] = priority or ""

    key = None
    if source and values["cycle"] and values["reference"]:
        key = _rec_key(source, values["cycle"], values["reference"])
        if Recommendation.objects.filter(source=source, cycle__iexact=values["cycle"],
                                         reference__iexact=values["reference"]).exists():
            reader.issue(row, "reference", _("This recommendation (%(source)s, %(cycle)s, %(reference)s) already "
                                             "exists.") % {"source": source, "cycle": values["cycle"],
                                                           "reference": values["reference"]})
        elif in_file.get(key, row.row) != row.row:
            reader.issue(row, "reference", _("The same source, cycle and reference are already in row %(row)d.")
                         % {"row": in_file[key]})
    values["key"] = key

    chosen: list[Measure] = []
    for number in _pieces(cells.get("measures")):
        found = measures.get(number.casefold(), [])
        if not found:
            reader.issue(row, "measures", _("Unknown measure number: %(number)s.") % {"number": number})
        elif len(found) > 1:
            reader.issue(row, "measures", _("The measure number %(number)s is used in more than one plan; "
                                            "import from the page of the plan.") % {"number": number})
        elif found[0] not in chosen:
            chosen.append(found[0])
    values["measures"] = chosen

    values["previous"], values["previous_key"] = None, None
    previous_source_text = _text(cells.get("previous_source"))
    previous_cycle = _text(cells.get("previous_cycle"))
    previous_reference = _text(cells.get("previous_reference"))
    if previous_source_text or previous_cycle or previous_reference:
        previous_source = (_choice(previous_source_text, Recommendation.Source.choices) if previous_source_text
                           else source)
        if previous_source_text and previous_source is None:
            reader.issue(row, "previous_source", _("Unknown source code %(code)s; use one of: %(codes)s.")
                         % {"code": previous_source_text, "codes": ", ".join(Recommendation.Source.values)})
        if not previous_cycle:
            reader.issue(row, "previous_cycle", _("Name the earlier cycle of the recommendation this one repeats."))
        if previous_source and previous_cycle:
            previous_key = _rec_key(previous_source, previous_cycle, previous_reference)
            matches = list(Recommendation.objects.filter(source=previous_source, cycle__iexact=previous_cycle,
                                                         reference__iexact=previous_reference)[:2])
            described = {"source": previous_source, "cycle": previous_cycle, "reference": previous_reference or "—"}
            if previous_key == key:
                reader.issue(row, "previous_reference", _("A recommendation cannot repeat itself."))
            elif previous_key in earlier:
                values["previous_key"] = previous_key
            elif len(matches) == 1:
                values["previous"] = matches[0]
            elif len(matches) > 1:
                reader.issue(row, "previous_reference", _(
                    "More than one recommendation is %(source)s, %(cycle)s, %(reference)s; give the reference.")
                    % described)
            elif previous_key in in_file:
                reader.issue(row, "previous_reference", _(
                    "The earlier recommendation (%(source)s, %(cycle)s, %(reference)s) is in row %(row)d, below "
                    "this one: put it above.") % {**described, "row": in_file[previous_key]})
            else:
                reader.issue(row, "previous_reference", _(
                    "No recommendation %(source)s, %(cycle)s, %(reference)s exists, in Körpü or above in this "
                    "file.") % described)
    if key is not None:
        earlier.add(key)


# --- applying ------------------------------------------------------------------------------------
def _apply(result: ImportPlan, by: Actor, kind: str, create: Callable[[PlannedRow], Any]) -> list[Any]:
    if result.kind != kind:
        raise ValueError(f"expected a {kind} import, got {result.kind}")
    if not access.can_manage_plan(by):
        audit.denied(f"plan.import_{kind}", obj=result.plan, actor=by)
        raise PermissionDenied(_("Only the National Coordinator's office may do this."))
    if not result.ok:
        raise ImportRefused(result.errors)
    if not result.rows:
        raise ImportRefused([RowIssue(0, "", _("The file has no data rows (data starts in row 3)."))])
    created: list[Any] = []
    current = result.rows[0]
    try:
        with transaction.atomic():
            for row in result.rows:
                current = row
                created.append(create(row))
            audit.record(f"plan.import_{kind}", obj=result.plan, actor=by, details={"rows": len(created)})
    except ValidationError as exc:
        raise ImportRefused([RowIssue(current.row, "", " ".join(exc.messages))]) from exc
    except DatabaseError as exc:
        raise ImportRefused([RowIssue(current.row, "", _(
            "The database refused this row (another user may have changed the plan meanwhile). Nothing was "
            "saved."))]) from exc
    return created


def apply_measures(result: ImportPlan, by: Actor, *, publish: bool = False) -> list[Measure]:
    """Create every measure of a checked file through :func:`actions.measure_create`; all or nothing.
    The measures are public only with ``publish``."""

    def create(row: PlannedRow) -> Measure:
        v = row.values
        return actions.measure_create(
            by=by, section=v["section"], number=v["number"], text_az=v["text_az"], text_ru=v["text_ru"],
            text_en=v["text_en"], expected_result_az=v["expected_result_az"],
            expected_result_ru=v["expected_result_ru"], expected_result_en=v["expected_result_en"],
            start_year=v["start_year"], end_year=v["end_year"], deadline=v["deadline"],
            executing_bodies=v["executing_bodies"], partners=v["partners"], categories=v["categories"],
            is_published=publish)

    return _apply(result, by, "measures", create)


def apply_recommendations(result: ImportPlan, by: Actor, *, publish: bool = False) -> list[Recommendation]:
    """Create every recommendation through :func:`actions.recommendation_save`; all or nothing.
    The recommendations are public only with ``publish``."""
    made: dict[tuple[str, str, str], Recommendation] = {}

    def create(row: PlannedRow) -> Recommendation:
        v = row.values
        previous = v["previous"] if v["previous_key"] is None else made[v["previous_key"]]
        recommendation = actions.recommendation_save(
            by=by, measures=v["measures"], source=v["source"], cycle=v["cycle"], reference=v["reference"],
            text_az=v["text_az"], text_ru=v["text_ru"], text_en=v["text_en"], priority=v["priority"],
            theme=v["theme"], previous=previous, response_az=v["response_az"], response_ru=v["response_ru"],
            response_en=v["response_en"], is_published=publish)
        made[v["key"]] = recommendation
        return recommendation

    return _apply(result, by, "recommendations", create)


# --- the plan status export ------------------------------------------------------------------------
def status_label(status: str) -> str:
    return str(ImplementationStatus(status).label)


def _latest_accepted(reports: Iterable[ProgressReport]) -> dict[int, ProgressReport]:
    """The newest accepted report of each body (by period year)."""
    newest: dict[int, ProgressReport] = {}
    for report in sorted(reports, key=lambda r: r.period.year):
        if report.status == ProgressReport.Status.ACCEPTED:
            newest[report.organisation_id] = report
    return newest


def _append(sheet: Any, values: Sequence[Any]) -> None:
    """Append a row; text stays text, never a formula, whatever it starts with."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _write_rows(sheet: Any, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]) -> None:
    _append(sheet, header)
    for cell in sheet[1]:
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        _append(sheet, row)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _sheet_title(text: str) -> str:
    """A translated sheet name as Excel allows it: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "sheet"


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _text_number(value: Any) -> str:
    return formats.number_format(_number(value))


def plan_status_xlsx(plan: Plan, language: str) -> bytes:
    """The plan's status in ``language``: overview, measures, latest accepted reports, indicators."""
    with translation.override(language):
        return _plan_status_xlsx(plan, language)


def _plan_status_xlsx(plan: Plan, language: str) -> bytes:
    today = timezone.localdate()
    tree = queries.plan_tree(plan, today=today)
    measure_ids = [m.measure.pk for row in tree for m in row.measures]
    extra = {m.pk: m for m in Measure.objects.filter(pk__in=measure_ids).prefetch_related(
        "partners", "indicators__targets",
        Prefetch("reports", queryset=ProgressReport.objects.select_related("period", "organisation")))}
    years = list(range(plan.start_year, min(plan.end_year, today.year) + 1))

    workbook = openpyxl.Workbook()
    overview = workbook.active
    overview.title = _sheet_title(_("Overview"))
    _append(overview, [localized(plan, "title", language)])
    overview["A1"].font = Font(bold=True, size=14)
    _append(overview, [_("Period"), f"{plan.start_year}–{plan.end_year}"])
    act = localized(plan, "adopting_act", language)
    if act:
        adopted = formats.date_format(plan.adopted_on, "DATE_FORMAT") if plan.adopted_on else ""
        _append(overview, [_("Adopting act"), ", ".join(p for p in (act, adopted) if p)])
    description = localized(plan, "description", language)
    if description:
        _append(overview, [_("Description"), description])
    _append(overview, [_("Generated on"), formats.date_format(today, "DATE_FORMAT")])
    _append(overview, [])
    statuses = [s for s, _l in ImplementationStatus.choices]
    _append(overview, [_("Section"), _("Measures"), *[status_label(s) for s in statuses], _("Completed (%)")])
    header_row = overview.max_row
    totals = dict.fromkeys(statuses, 0)
    for row in tree:
        counts = row.counts
        for s in statuses:
            totals[s] += counts.get(s, 0)
        _append(overview, [f"{row.section.number}. {localized(row.section, 'title', language)}", len(row.measures),
                         *[counts.get(s, 0) for s in statuses], row.progress])
    all_measures = sum(totals.values())
    _append(overview, [_("Total"), all_measures, *[totals[s] for s in statuses],
                     round(100 * totals[ImplementationStatus.COMPLETED] / all_measures) if all_measures else 0])
    for cell in (*overview[header_row], *overview[overview.max_row]):
        cell.font = BOLD
    for cell in overview[header_row]:
        cell.fill = HEADER_FILL
    overview.column_dimensions["A"].width = 60
    for letter in "BCDEFG":
        overview.column_dimensions[letter].width = 14

    measures_sheet = workbook.create_sheet(_sheet_title(_("Measures")))
    reports_rows: list[list[Any]] = []
    indicator_rows: list[list[Any]] = []
    measure_rows: list[list[Any]] = []
    for row in tree:
        section_title = f"{row.section.number}. {localized(row.section, 'title', language)}"
        for item in row.measures:
            measure = extra[item.measure.pk]
            bodies = list(item.measure.executing_bodies.all())
            latest = _latest_accepted(item.reports)
            latest_text = "\n".join(
                f"{b.short_name or b.name}: {latest[b.pk].period.year} — {latest[b.pk].get_implementation_display()}"
                for b in bodies if b.pk in latest)
            measure_rows.append([
                section_title, measure.number, localized(measure, "text", language),
                "; ".join(b.name for b in bodies), "; ".join(p.name for p in measure.partners.all()),
                measure.start_year, measure.end_year,
                formats.date_format(measure.deadline, "SHORT_DATE_FORMAT") if measure.deadline else "",
                status_label(item.status), latest_text or "—"])
            for body in bodies:
                report = latest.get(body.pk)
                reports_rows.append([
                    measure.number, body.name, report.period.year if report else "—",
                    report.get_implementation_display() if report else _("No accepted report"),
                    formats.date_format(timezone.localtime(report.reviewed_at), "SHORT_DATE_FORMAT")
                    if report and report.reviewed_at else "",
                    report.text if report else ""])
            names = {b.pk: b.short_name or b.name for b in bodies}
            for indicator_row in queries.indicator_table(measure, years):
                indicator = indicator_row.indicator
                missing = set(indicator_row.by_body) - set(names)  # a body that reported and left the measure
                if missing:
                    names.update({o.pk: o.short_name or o.name for o in Organisation.objects.filter(pk__in=missing)})
                per_body = "; ".join(f"{names.get(pk, pk)}: {_text_number(value)}"
                                     for pk, value in sorted(indicator_row.by_body.items(),
                                                             key=lambda item: str(names.get(item[0], item[0]))))
                baseline = _number(indicator.baseline)
                indicator_rows.append([
                    measure.number, localized(indicator, "name", language), indicator.unit,
                    baseline if baseline is not None else "—", indicator.baseline_year or "", indicator_row.year,
                    _number(indicator_row.target), per_body or "—", _number(indicator_row.reported),
                    indicator_row.computed_for_export])
    _write_rows(measures_sheet, [_("Section"), "№", _("Measure"), _("Executing bodies"), _("Partners"),
                                 _("From year"), _("To year"), _("Deadline"), _("Status"),
                                 _("Latest accepted report per body")],
                measure_rows, [30, 8, 60, 40, 40, 9, 9, 12, 14, 40])
    _write_rows(workbook.create_sheet(_sheet_title(_("Reports"))),
                ["№", _("Executing body"), _("Year"), _("Implementation"), _("Accepted on"), _("What was done")],
                reports_rows, [8, 40, 8, 18, 14, 80])
    _write_rows(workbook.create_sheet(_sheet_title(_("Indicators"))),
                ["№", _("Indicator"), _("Unit"), _("Baseline"), _("Baseline year"), _("Year"), _("Target"),
                 _("Reported by body"), _("Reported (accepted, total)"), _("From the records")],
                indicator_rows, [8, 50, 10, 10, 10, 8, 12, 30, 14, 16])
    workbook.properties.title = localized(plan, "title", language)
    workbook.properties.language = language
    return _save(workbook)
