"""The plan status export: overview, measures, the latest accepted report per body, indicators.

Every sheet is written with the kernel's rules (:mod:`korpu.core.sheets.xlsx`): text never a
formula, real dates, frozen header, autofilter, widths, printed landscape and fitted to the width.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import openpyxl
from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from korpu.accounts.models import Organisation
from korpu.core.i18n import localized
from korpu.core.sheets import xlsx as sheets
from korpu.core.sheets.xlsx import BOLD, HEADER_FILL
from korpu.plan import queries
from korpu.plan.models import ImplementationStatus, Measure, Plan, ProgressReport


def status_label(status: str) -> str:
    return str(ImplementationStatus(status).label)


def _latest_accepted(reports: Iterable[ProgressReport]) -> dict[int, ProgressReport]:
    """The newest accepted report of each body (by period year)."""
    newest: dict[int, ProgressReport] = {}
    for report in sorted(reports, key=lambda r: r.period.year):
        if report.status == ProgressReport.Status.ACCEPTED:
            newest[report.organisation_id] = report
    return newest


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
    overview.title = sheets.sheet_title(_("Overview"))
    sheets.append_row(overview, [localized(plan, "title", language)])
    overview["A1"].font = Font(bold=True, size=14)
    sheets.append_row(overview, [_("Period"), f"{plan.start_year}–{plan.end_year}"])
    act = localized(plan, "adopting_act", language)
    if act:
        adopted = formats.date_format(plan.adopted_on, "DATE_FORMAT") if plan.adopted_on else ""
        sheets.append_row(overview, [_("Adopting act"), ", ".join(p for p in (act, adopted) if p)])
    description = localized(plan, "description", language)
    if description:
        sheets.append_row(overview, [_("Description"), description])
    sheets.append_row(overview, [_("Generated on"), formats.date_format(today, "DATE_FORMAT")])
    sheets.append_row(overview, [])
    statuses = [s for s, _l in ImplementationStatus.choices]
    sheets.append_row(overview, [_("Section"), _("Measures"), *[status_label(s) for s in statuses], _("Completed (%)")])
    header_row = overview.max_row
    totals = dict.fromkeys(statuses, 0)
    for row in tree:
        counts = row.counts
        for s in statuses:
            totals[s] += counts.get(s, 0)
        title = f"{row.section.number}. {localized(row.section, 'title', language)}"
        sheets.append_row(overview, [title, len(row.measures), *[counts.get(s, 0) for s in statuses], row.progress])
    all_measures = sum(totals.values())
    sheets.append_row(overview, [_("Total"), all_measures, *[totals[s] for s in statuses],
                     round(100 * totals[ImplementationStatus.COMPLETED] / all_measures) if all_measures else 0])
    for cell in (*overview[header_row], *overview[overview.max_row]):
        cell.font = BOLD
    for cell in overview[header_row]:
        cell.fill = HEADER_FILL
    sheets.set_widths(overview, [60, *[14] * (len(statuses) + 2)])
    sheets.print_setup(overview, header_rows=0)

    measures_sheet = workbook.create_sheet(sheets.sheet_title(_("Measures")))
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
                measure.deadline or "",
                status_label(item.status), latest_text or "—"])
            for body in bodies:
                report = latest.get(body.pk)
                reports_rows.append([
                    measure.number, body.name, report.period.year if report else "—",
                    report.get_implementation_display() if report else _("No accepted report"),
                    timezone.localtime(report.reviewed_at).date() if report and report.reviewed_at else "",
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
    sheets.write_table(measures_sheet, [_("Section"), "№", _("Measure"), _("Executing bodies"), _("Partners"),
                                        _("From year"), _("To year"), _("Deadline"), _("Status"),
                                        _("Latest accepted report per body")],
                       measure_rows, [30, 8, 60, 40, 40, 9, 9, 12, 14, 40])
    sheets.write_table(workbook.create_sheet(sheets.sheet_title(_("Reports"))),
                       ["№", _("Executing body"), _("Year"), _("Implementation"), _("Accepted on"),
                        _("What was done")],
                       reports_rows, [8, 40, 8, 18, 14, 80])
    sheets.write_table(workbook.create_sheet(sheets.sheet_title(_("Indicators"))),
                       ["№", _("Indicator"), _("Unit"), _("Baseline"), _("Baseline year"), _("Year"), _("Target"),
                        _("Reported by body"), _("Reported (accepted, total)"), _("From the records")],
                       indicator_rows, [8, 50, 10, 10, 10, 8, 12, 30, 14, 16])
    workbook.properties.title = localized(plan, "title", language)
    workbook.properties.language = language
    return sheets.workbook_bytes(workbook)
