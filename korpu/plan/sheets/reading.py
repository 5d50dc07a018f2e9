"""Reading a filled plan template: phase one of the import checks EVERY row and saves nothing.

:func:`read_measures` and :func:`read_recommendations` fill a :class:`PlanImport` (the kernel's
two-phase types, :mod:`korpu.core.sheets`); :mod:`korpu.plan.sheets.applying` commits it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from korpu.accounts.models import Organisation
from korpu.core.sheets import ImportPlan, NameIndex, PlannedRow, RowIssue, blank, parse_date
from korpu.core.sheets.reading import data_rows, header_rows, not_a_workbook, open_workbook, quietly
from korpu.plan.models import Category, Measure, Plan, Recommendation, Section
from korpu.plan.sheets.columns import (
    DATA_START,
    MAX_ROWS,
    MEASURE_COLUMNS,
    RECOMMENDATION_COLUMNS,
    SEPARATOR,
    Column,
)


@dataclass
class PlanImport(ImportPlan[PlannedRow]):
    """What a ``read_*`` function found, for which plan. Nothing is saved until ``apply_*``."""

    plan: Plan | None = None


class ImportRefused(Exception):
    """The file has errors, or an action refused a row: nothing was saved."""

    def __init__(self, issues: Sequence[RowIssue]) -> None:
        super().__init__("; ".join(str(i) for i in issues[:5]))
        self.issues = list(issues)


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


class _Reader:
    """Reads one data sheet: finds the columns by code and records issues against cells."""

    def __init__(self, result: PlanImport, columns: Sequence[Column]) -> None:
        self.result = result
        self.columns = {c.code: c for c in columns}
        self.index: dict[str, int] = {}

    def find_sheet(self, workbook: Any) -> Any:
        required = {c.code for c in self.columns.values() if c.required}
        for candidate in workbook.worksheets:
            header = next(iter(header_rows(candidate, 1)), ())
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
                        self.result.workbook_warnings.append(RowIssue(1, code, _(
                            "The column %(code)s is not part of the template; it is ignored.") % {"code": code},
                            letter=get_column_letter(position + 1)))
                return candidate
        codes_text = ", ".join(c.code for c in self.columns.values() if c.required)
        self.result.workbook_errors.append(RowIssue(0, "", _(
            "No sheet has the template's column codes (%(codes)s) in row 1. Download the template from "
            "this page and fill it in.") % {"codes": codes_text}))
        return None

    def rows(self, sheet: Any) -> Iterable[tuple[int, dict[str, Any]]]:
        for number, cells in data_rows(sheet, self.index, start=DATA_START):
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


def _open(file: Any, result: PlanImport) -> Any:
    workbook = open_workbook(file)
    if workbook is None:
        result.workbook_errors.append(RowIssue(0, "", not_a_workbook()))
    return workbook


class _Organisations:
    """Organisations by full or short name (the kernel's rules); an inactive one is named but refused."""

    def __init__(self) -> None:
        self.names = NameIndex(Organisation.objects.all())

    def find(self, name: str) -> tuple[Organisation | None, str]:
        found = self.names.find(name)
        if not found:
            return None, _("Unknown organisation: %(name)s.") % {"name": name}
        if len(found) > 1:
            return None, _("%(name)s names more than one organisation; use the full name.") % {"name": name}
        if not found[0].is_active:
            return None, _("The organisation %(name)s is no longer active.") % {"name": name}
        return found[0], ""


def _read(result: PlanImport, file: Any, columns: Sequence[Column],
          check: Callable[[_Reader, Any], None]) -> PlanImport:
    """Open the workbook, find the sheet with the template's codes, and ``check`` its rows into ``result``."""
    workbook = _open(file, result)
    if workbook is None:
        return result
    try:
        with quietly():
            reader = _Reader(result, columns)
            sheet = reader.find_sheet(workbook)
            if sheet is not None and not result.workbook_errors:
                check(reader, sheet)
    finally:
        workbook.close()
    return result


def read_measures(file: Any, plan: Plan) -> PlanImport:
    """Check every row of a measures workbook against ``plan``. Saves nothing."""

    def check(reader: _Reader, sheet: Any) -> None:
        sections = {s.number.casefold(): s for s in plan.sections.all()}
        existing = {(section_id, number.casefold()) for section_id, number in
                    Measure.objects.filter(section__plan=plan).values_list("section_id", "number")}
        organisations = _Organisations()
        categories = {c.code.casefold(): c for c in Category.objects.all()}
        seen: dict[tuple[int, str], int] = {}
        for number, cells in reader.rows(sheet):
            row = PlannedRow(number)
            reader.result.rows.append(row)
            _read_measure(reader, row, cells, plan=plan, sections=sections, existing=existing, seen=seen,
                          organisations=organisations, categories=categories)

    return _read(PlanImport(kind="measures", plan=plan), file, MEASURE_COLUMNS, check)


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
        if blank(raw):
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
    if not blank(cells.get("deadline")):
        deadline = parse_date(cells.get("deadline"))
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


def read_recommendations(file: Any, plan: Plan | None = None) -> PlanImport:
    """Check every row of a recommendations workbook. Saves nothing.

    Measure numbers are looked up in ``plan`` when given, else in every plan (then a number must
    name one measure only).
    """

    def check(reader: _Reader, sheet: Any) -> None:
        measures: dict[str, list[Measure]] = {}
        for measure in Measure.objects.filter(**({"section__plan": plan} if plan else {})).select_related("section"):
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
            reader.result.rows.append(row)
            _read_recommendation(reader, row, cells, measures=measures, in_file=in_file, earlier=earlier)

    return _read(PlanImport(kind="recommendations", plan=plan), file, RECOMMENDATION_COLUMNS, check)


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

