"""Reads of the action plan: the tree with progress, a measure's history, reporting rates, the
recommendations matrix. Every protected read of the pages and of the API goes through a query here.

Who reads what (plans are not victim data):

* the public (``public=True``, ``korpu.public``): published plans, the published measures of a
  published plan, published recommendations; never reports, evidence or internal comments;
* every staff user (an active account: other staff such as an NGO case worker, an auditor): every plan,
  section, reporting period, measure, indicator with its targets, category and recommendation,
  published or not (they prepare and follow the plan);
* a plan focal point (``Role.PLAN_FOCAL_POINT``), in addition: the progress reports and evidence of the
  bodies they are focal point of, and their own reporting (``my_reporting``);
* the coordinator's office (``access.can_manage_plan``): every report, its evidence and the review queue.

A refused read is a 404 with a ``denied`` audit event (``access.require``); a missing one a plain 404."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from korpu.accounts.models import Organisation, Role
from korpu.core import access, audit, disclosure, figures
from korpu.plan.models import (
    Assessment,
    Category,
    Evidence,
    ImplementationStatus,
    Indicator,
    IndicatorValue,
    Measure,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingPeriod,
    Section,
)


def plans_visible_to(user: Any, *, public: bool = False) -> QuerySet[Plan]:
    if public:
        return Plan.objects.filter(is_published=True)
    if not access.is_staff_user(user):
        return Plan.objects.none()
    return Plan.objects.all()


def require_manager(user: Any, action: str, object_type: str = "", object_id: Any = "") -> None:
    """The gate of the coordinator's office pages and API operations: anyone else gets a 404 and a
    ``denied`` audit event, before any object is looked up."""
    access.require(access.can_manage_plan(user), action=action, user=user, object_type=object_type,
                   object_id=str(object_id))


def _visible(visible: QuerySet[Any], everything: QuerySet[Any], pk: int, *, user: Any, action: str) -> Any:
    """The object ``pk`` of ``visible``; else a 404, with a ``denied`` event when it exists but is not
    for ``user``."""
    found = visible.filter(pk=pk).first()
    if found is not None:
        return found
    if everything.filter(pk=pk).exists():
        model = everything.model._meta
        access.require(False, action=action, user=user, object_type=f"{model.app_label}.{model.object_name}",
                       object_id=str(pk))
    raise Http404


def plan_for(user: Any, plan_id: int, *, public: bool = False, action: str = "plan.view") -> Plan:
    """A plan: every plan for staff, the published ones for the public."""
    if public:
        found = plans_visible_to(user, public=True).filter(pk=plan_id).first()
        if found is None:
            raise Http404
        return found
    return _visible(plans_visible_to(user), Plan.objects.all(), plan_id, user=user, action=action)


def sections_visible_to(user: Any) -> QuerySet[Section]:
    """Sections of the plans the user may read (staff: all)."""
    return Section.objects.filter(plan__in=plans_visible_to(user)).select_related("plan")


def section_for(user: Any, section_id: int, *, action: str = "section.view") -> Section:
    return _visible(sections_visible_to(user), Section.objects.all(), section_id, user=user, action=action)


def periods_visible_to(user: Any) -> QuerySet[ReportingPeriod]:
    """Reporting periods of the plans the user may read (staff: all)."""
    return ReportingPeriod.objects.filter(plan__in=plans_visible_to(user)).select_related("plan")


def period_for(user: Any, period_id: int, *, plan: Plan | None = None,
               action: str = "reporting_period.view") -> ReportingPeriod:
    """A reporting period; with ``plan``, only one of that plan (another plan's is a plain 404)."""
    visible = periods_visible_to(user)
    if plan is not None:
        visible = visible.filter(plan=plan)
        if not visible.filter(pk=period_id).exists() and ReportingPeriod.objects.filter(pk=period_id).exclude(
                plan=plan).exists():
            raise Http404
    return _visible(visible, ReportingPeriod.objects.all(), period_id, user=user, action=action)


def indicators_visible_to(user: Any) -> QuerySet[Indicator]:
    """Indicators (with their targets) of the measures the user may read (staff: all)."""
    if not access.is_staff_user(user):
        return Indicator.objects.none()
    return Indicator.objects.select_related("measure__section__plan").prefetch_related("targets")


def indicator_for(user: Any, indicator_id: int, *, action: str = "indicator.view") -> Indicator:
    return _visible(indicators_visible_to(user), Indicator.objects.all(), indicator_id, user=user, action=action)


def categories_visible_to(user: Any) -> QuerySet[Category]:
    """The categories of measures, each with ``measure_count`` (staff: all; the public: none here)."""
    if not access.is_staff_user(user):
        return Category.objects.none()
    return Category.objects.annotate(measure_count=Count("measures")).order_by("kind", "code")


def category_for(user: Any, category_id: int, *, action: str = "category.view") -> Category:
    return _visible(categories_visible_to(user), Category.objects.all(), category_id, user=user, action=action)


def measure_status(measure: Measure, reports: list[ProgressReport], today: dt.date) -> str:
    """Derived from ACCEPTED reports only, the same for staff, the public and the exports: a submitted
    report is the body's claim until the coordinator's office accepts it.

    Completed when every executing body's newest accepted report says so; else late once the deadline
    (or the end of the last year) has passed; else in progress when a body's newest accepted report says
    "in progress" or "completed"; else not started."""
    bodies = {o.pk for o in measure.executing_bodies.all()}
    accepted: dict[int, ProgressReport] = {}  # each body's newest accepted report
    for report in sorted(reports, key=lambda r: r.period.year):
        if report.status == ProgressReport.Status.ACCEPTED:
            accepted[report.organisation_id] = report
    if bodies and all(accepted.get(b) and accepted[b].implementation == ImplementationStatus.COMPLETED
                      for b in bodies):
        return ImplementationStatus.COMPLETED
    deadline = measure.deadline or dt.date(measure.end_year, 12, 31)
    if today > deadline:
        return ImplementationStatus.LATE
    if any(r.implementation != ImplementationStatus.NOT_STARTED for r in accepted.values()):
        return ImplementationStatus.IN_PROGRESS
    return ImplementationStatus.NOT_STARTED


@dataclass
class MeasureRow:
    measure: Measure
    status: str
    reports: list[ProgressReport]


@dataclass
class SectionRow:
    section: Section
    measures: list[MeasureRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(m.status for m in self.measures))

    @property
    def progress(self) -> int:
        if not self.measures:
            return 0
        done = sum(1 for m in self.measures if m.status == ImplementationStatus.COMPLETED)
        return round(100 * done / len(self.measures))

    @property
    def status_counts(self) -> list[int]:
        """The number of measures in each status, in the order of ``ImplementationStatus``."""
        counts = self.counts
        return [counts.get(status, 0) for status in ImplementationStatus.values]


def plan_tree(plan: Plan, *, public: bool = False, today: dt.date | None = None) -> list[SectionRow]:
    today = today or timezone.localdate()
    measures = Measure.objects.filter(section__plan=plan)
    if public:
        measures = measures.filter(is_published=True)
    reports = ProgressReport.objects.select_related("period").order_by("period__year")
    sections = (plan.sections.order_by("order", "number")
                .prefetch_related(Prefetch("measures", queryset=measures.prefetch_related(
                    "executing_bodies", "categories", Prefetch("reports", queryset=reports)))))
    rows = []
    for section in sections:
        row = SectionRow(section)
        for measure in section.measures.all():
            measure_reports = list(measure.reports.all())
            row.measures.append(MeasureRow(measure, measure_status(measure, measure_reports, today), measure_reports))
        rows.append(row)
    return rows


def organisations_named(ids: list[int], *, keep: set[int] | frozenset[int] = frozenset()) -> list[Organisation]:
    """The organisations with these ids that a measure may name: the active ones, and those in ``keep``
    (already named by it). An unknown or inactive id is a 404 (the page offers only these)."""
    wanted = list(dict.fromkeys(ids))
    found = list((Organisation.objects.filter(is_active=True) | Organisation.objects.filter(pk__in=keep))
                 .filter(pk__in=wanted).distinct().order_by("name"))
    if len(found) != len(wanted):
        raise Http404  # an unknown id in a payload, as the cases API answers it
    return found


def categories_named(user: Any, ids: list[int]) -> list[Category]:
    wanted = list(dict.fromkeys(ids))
    found = list(categories_visible_to(user).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise Http404  # an unknown id in a payload, as the cases API answers it
    return found


def measures_named(user: Any, ids: list[int]) -> list[Measure]:
    wanted = list(dict.fromkeys(ids))
    found = list(measures_visible_to(user).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise Http404  # an unknown id in a payload, as the cases API answers it
    return found


def measures_visible_to(user: Any, *, public: bool = False) -> QuerySet[Measure]:
    """Staff: every measure; the public: the published measures of published plans."""
    qs = Measure.objects.select_related("section__plan").prefetch_related("executing_bodies", "partners",
                                                                          "categories", "indicators__targets")
    if public:
        return qs.filter(is_published=True, section__plan__is_published=True)
    if not access.is_staff_user(user):
        return Measure.objects.none()
    return qs


def measure_for(user: Any, measure_id: int, *, public: bool = False, action: str = "measure.view") -> Measure:
    if public:
        measure = measures_visible_to(user, public=True).filter(pk=measure_id).first()
        if measure is None:
            raise Http404
        return measure
    return _visible(measures_visible_to(user), Measure.objects.all(), measure_id, user=user, action=action)


def measure_reports(user: Any, measure: Measure) -> list[ProgressReport]:
    return list(measure.reports.select_related("period", "organisation").prefetch_related(
        "events__by", "indicator_values", "evidence").order_by("-period__year", "organisation__name"))


@dataclass
class IndicatorRow:
    indicator: Any
    year: int
    target: Any
    reported: Any
    """The sum of the values in accepted reports, or None when no accepted report gave one."""
    computed: int | None
    by_body: dict[int, Any] = field(default_factory=dict)
    """Organisation id → the value in its accepted report of that year."""

    @property
    def computed_for_export(self) -> int | str | None:
        """The value computed from the case records as the PDF and XLSX exports print it: through
        disclosure control (``<5`` for 1–4 persons), because those files leave the protected zone."""
        return None if self.computed is None else disclosure.suppress(self.computed)


def indicator_table(measure: Measure, years: list[int]) -> list[IndicatorRow]:
    """Per indicator and year: target, the accepted reported values (per body and summed), and the
    value computed from the records."""
    values: dict[tuple[int, int], dict[int, Any]] = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__measure=measure,
                                               report__status=ProgressReport.Status.ACCEPTED).values(
            "indicator_id", "report__period__year", "report__organisation_id", "value"):
        values[(value["indicator_id"], value["report__period__year"])][value["report__organisation_id"]] = (
            value["value"])
    rows = []
    for indicator in measure.indicators.all():
        targets = {t.year: t.value for t in indicator.targets.all()}
        for year in years:
            by_body = values.get((indicator.pk, year), {})
            computed = figures.compute(indicator.computed_key, year) if indicator.computed_key else None
            rows.append(IndicatorRow(indicator, year, targets.get(year), sum(by_body.values()) if by_body else None,
                                     computed, by_body))
    return rows


@dataclass
class IndicatorBlock:
    """One indicator on the measure page: its rows per year, with a column per reporting body."""

    indicator: Any
    bodies: list[Organisation]
    rows: list[IndicatorRow]

    @property
    def cells(self) -> list[tuple[IndicatorRow, list[tuple[Organisation, Any]]]]:
        return [(row, [(body, row.by_body.get(body.pk)) for body in self.bodies]) for row in self.rows]


def indicator_blocks(measure: Measure, years: list[int]) -> list[IndicatorBlock]:
    """:func:`indicator_table` grouped by indicator; the columns are the executing bodies and any other
    body whose accepted report gave a value."""
    rows = indicator_table(measure, years)
    bodies = {o.pk: o for o in measure.executing_bodies.all()}
    extra = {pk for row in rows for pk in row.by_body} - set(bodies)
    bodies.update({o.pk: o for o in Organisation.objects.filter(pk__in=extra)})
    ordered = sorted(bodies.values(), key=lambda o: o.name)
    blocks: dict[int, IndicatorBlock] = {}
    for row in rows:
        blocks.setdefault(row.indicator.pk, IndicatorBlock(row.indicator, ordered, [])).rows.append(row)
    return list(blocks.values())


def my_reporting(user: Any, plan: Plan) -> list[dict[str, Any]]:
    """For a focal point: each (measure, body, open period) with the report's state."""
    if not access.can_report_on_plan(user):
        return []
    org_ids = {m.organisation_id for m in user.active_memberships() if m.role == Role.PLAN_FOCAL_POINT}
    periods = list(plan.periods.order_by("-year"))
    measures = (Measure.objects.filter(section__plan=plan, executing_bodies__in=org_ids).distinct()
                .prefetch_related("executing_bodies"))
    reports = {(r.measure_id, r.period_id, r.organisation_id): r
               for r in ProgressReport.objects.filter(measure__section__plan=plan, organisation_id__in=org_ids)}
    rows = []
    for period in periods:
        for measure in measures:
            if not measure.start_year <= period.year <= measure.end_year:
                continue
            for body in measure.executing_bodies.all():
                if body.pk in org_ids:
                    rows.append({"period": period, "measure": measure, "organisation": body,
                                 "report": reports.get((measure.pk, period.pk, body.pk))})
    return rows


def may_see_report(user: Any, report: ProgressReport) -> bool:
    """The coordinator's office, and the focal points of the reporting body."""
    if access.can_manage_plan(user):
        return True
    return access.is_staff_user(user) and any(m.organisation_id == report.organisation_id
                                              and m.role == Role.PLAN_FOCAL_POINT for m in user.active_memberships())


def reporting_organisation_for(user: Any, measure: Measure, organisation_id: int,
                               *, action: str = "progress_report.edit") -> Organisation:
    """An executing body of ``measure`` for which ``user`` is a focal point (the body a report is
    written for); any other organisation is a 404 with a ``denied`` event, a missing one a plain 404."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    mine = {m.organisation_id for m in user.active_memberships() if m.role == Role.PLAN_FOCAL_POINT} \
        if access.is_staff_user(user) else set()
    if organisation.pk not in mine or not measure.executing_bodies.filter(pk=organisation.pk).exists():
        access.require(False, action=action, user=user, object_type="plan.Measure", object_id=str(measure.pk))
    return organisation


def report_of(user: Any, measure: Measure, period: ReportingPeriod,
              organisation: Organisation) -> ProgressReport | None:
    """The report of one body for one measure and period, if written and the user may see it."""
    report = ProgressReport.objects.filter(measure=measure, period=period, organisation=organisation).first()
    return report if report is not None and may_see_report(user, report) else None


def reports_visible_to(user: Any) -> QuerySet[ProgressReport]:
    """The coordinator's office: every report; a focal point: the reports of their bodies; others: none."""
    qs = ProgressReport.objects.select_related("measure__section__plan", "period", "organisation")
    if access.can_manage_plan(user):
        return qs
    if not access.is_staff_user(user):
        return qs.none()
    bodies = {m.organisation_id for m in user.active_memberships() if m.role == Role.PLAN_FOCAL_POINT}
    return qs.filter(organisation_id__in=bodies)


def report_for(user: Any, report_id: int) -> ProgressReport:
    """A report: visible to its body's focal points and to the coordinator's office."""
    report = ProgressReport.objects.select_related("measure__section__plan", "period", "organisation").filter(
        pk=report_id).first()
    if report is None:
        raise Http404
    if may_see_report(user, report):
        return report
    access.require(False, action="progress_report.view", user=user, object_type="plan.ProgressReport",
                   object_id=str(report_id))
    raise Http404


def evidence_for(user: Any, evidence_id: int, *, action: str = "evidence.view") -> Evidence:
    """A file of a report, for those who may see the report; otherwise 404 with a denied event."""
    evidence = Evidence.objects.select_related("report__measure__section", "report__period",
                                               "report__organisation").filter(pk=evidence_id).first()
    if evidence is None or not may_see_report(user, evidence.report):
        access.require(False, action=action, user=user, object_type="plan.Evidence", object_id=str(evidence_id))
        raise Http404  # require() has raised already; this tells the type checker
    return evidence


def evidence_download(user: Any, evidence_id: int) -> tuple[Evidence, bytes]:
    """The stored bytes of a file of a report; each download is recorded in the audit log."""
    evidence = evidence_for(user, evidence_id, action="evidence.download")
    with default_storage.open(evidence.storage_name, "rb") as handle:
        data = handle.read()
    audit.record("evidence.download", obj=evidence, actor=user, details={"report": evidence.report_id})
    return evidence, data


def evidence_of(user: Any, report: ProgressReport) -> QuerySet[Evidence]:
    """The files of a report, for those who may see it (``report`` comes from :func:`report_for`)."""
    if not may_see_report(user, report):
        return Evidence.objects.none()
    return report.evidence.select_related("uploaded_by")


def review_queue(user: Any) -> QuerySet[ProgressReport]:
    if not access.can_manage_plan(user):
        return ProgressReport.objects.none()
    return (ProgressReport.objects.filter(status=ProgressReport.Status.SUBMITTED)
            .select_related("measure", "period", "organisation").order_by("submitted_at"))


@dataclass
class RateRow:
    organisation: Organisation
    expected: int
    submitted: int
    on_time: int

    @property
    def rate(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0


def reporting_rate(plan: Plan, period: ReportingPeriod) -> list[RateRow]:
    """Per executing body: reports expected in the period, submitted (or accepted), and on time."""
    expected: Counter[int] = Counter()
    bodies: dict[int, Organisation] = {}
    for measure in Measure.objects.filter(section__plan=plan, start_year__lte=period.year,
                                          end_year__gte=period.year).prefetch_related("executing_bodies"):
        for body in measure.executing_bodies.all():
            expected[body.pk] += 1
            bodies[body.pk] = body
    submitted: Counter[int] = Counter()
    on_time: Counter[int] = Counter()
    deadline = dt.datetime.combine(period.due_on, dt.time.max, tzinfo=timezone.get_current_timezone())
    reports = (ProgressReport.objects.filter(period=period, status__in=[ProgressReport.Status.SUBMITTED,
                                                                        ProgressReport.Status.ACCEPTED])
               .annotate(first_submitted=Min("events__at", filter=Q(events__status=ProgressReport.Status.SUBMITTED)))
               .values_list("organisation_id", "first_submitted"))
    for organisation_id, first_submitted in reports:
        submitted[organisation_id] += 1
        if first_submitted is not None and first_submitted <= deadline:
            on_time[organisation_id] += 1
    return sorted((RateRow(bodies[pk], expected[pk], submitted[pk], on_time[pk]) for pk in expected),
                  key=lambda r: r.organisation.name)


def reporting_rate_history(plan: Plan, *, today: dt.date | None = None) -> list[tuple[ReportingPeriod,
                                                                                     list[RateRow]]]:
    """:func:`reporting_rate` for every period of the plan up to this year, oldest first."""
    today = today or timezone.localdate()
    return [(period, reporting_rate(plan, period))
            for period in plan.periods.filter(year__lte=today.year).order_by("year")]


# --- recommendations ---------------------------------------------------------------------------
def recommendations_visible_to(user: Any, *, public: bool = False) -> QuerySet[Recommendation]:
    qs = Recommendation.objects.prefetch_related(
        Prefetch("assessments", queryset=Assessment.objects.order_by("-assessed_on", "-id")), "measures")
    if public:
        return qs.filter(is_published=True)
    if not access.is_staff_user(user):
        return Recommendation.objects.none()
    return qs


def current_level(recommendation: Recommendation) -> str:
    assessments = list(recommendation.assessments.all())
    return assessments[0].level if assessments else Assessment.Level.NOT_STARTED


def recommendation_matrix(recommendations: QuerySet[Recommendation]) -> dict[str, Any]:
    """Counts by source (rows) and current assessment (columns)."""
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    for recommendation in recommendations:
        cells[recommendation.source][current_level(recommendation)] += 1
    rows = []
    for source, label in Recommendation.Source.choices:
        if cells[source]:
            rows.append({"source": source, "label": label,
                         "cells": [cells[source][level] for level, _l in Assessment.Level.choices],
                         "total": sum(cells[source].values())})
    return {"levels": Assessment.Level.choices, "rows": rows}


def recommendation_for(user: Any, recommendation_id: int, *, public: bool = False,
                       action: str = "recommendation.view") -> Recommendation:
    if public:
        found = recommendations_visible_to(user, public=True).filter(pk=recommendation_id).first()
        if found is None:
            raise Http404
        return found
    return _visible(recommendations_visible_to(user), Recommendation.objects.all(), recommendation_id, user=user,
                    action=action)


def recommendation_history(recommendation: Recommendation, *, public: bool = False) -> list[Recommendation]:
    """The same recommendation across cycles, along every branch: the earliest one it goes back to and
    everything that repeats it, generation by generation (oldest first; within a generation by cycle and
    reference). Each item carries ``generation`` (0 for the earliest) and ``level`` (its current
    assessment). The public sees the published items only.

    A recommendation has at most one ``previous``, so the family is a tree: one query per step up and
    one per generation down, then one to load them all with their assessments."""
    root, seen = recommendation, {recommendation.pk}
    while root.previous_id is not None and root.previous_id not in seen:
        root = Recommendation.objects.only("pk", "previous_id").get(pk=root.previous_id)
        seen.add(root.pk)
    generation = {root.pk: 0}
    frontier = [root.pk]
    while frontier:
        children = list(Recommendation.objects.filter(previous_id__in=frontier).exclude(pk__in=generation)
                        .values_list("pk", "previous_id"))
        for pk, previous_id in children:
            generation[pk] = generation[previous_id] + 1
        frontier = [pk for pk, _previous in children]
    family = list(Recommendation.objects.filter(pk__in=generation).select_related("previous").prefetch_related(
        Prefetch("assessments", queryset=Assessment.objects.order_by("-assessed_on", "-id"))))
    if public:
        family = [r for r in family if r.is_published]
    for item in family:
        item.generation = generation[item.pk]  # type: ignore[attr-defined]
        item.level = current_level(item)  # type: ignore[attr-defined]
    family.sort(key=lambda r: (generation[r.pk], r.cycle, r.reference, r.pk))
    return family
