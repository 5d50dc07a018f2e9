"""Reads of the action plan: the tree with progress, a measure's history, reporting rates, the
recommendations matrix. Plans are not victim data: every staff user may read them; the public sees
only published items and never internal comments (``korpu.public``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from korpu.accounts.models import Organisation, Role
from korpu.core import access
from korpu.plan.models import (
    Assessment,
    ImplementationStatus,
    Measure,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingPeriod,
    Section,
)
from korpu.stats import definitions


def plans_visible_to(user: Any, *, public: bool = False) -> QuerySet[Plan]:
    if public:
        return Plan.objects.filter(is_published=True)
    if not access.is_staff_user(user):
        return Plan.objects.none()
    return Plan.objects.all()


def plan_for(user: Any, plan_id: int, *, public: bool = False) -> Plan:
    plan = plans_visible_to(user, public=public).filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan


def measure_status(measure: Measure, reports: list[ProgressReport], today: dt.date) -> str:
    """Derived from reports: completed when every executing body's newest accepted report says so."""
    bodies = {o.pk for o in measure.executing_bodies.all()}
    newest: dict[int, ProgressReport] = {}
    accepted: dict[int, ProgressReport] = {}  # each body's newest accepted report
    for report in sorted(reports, key=lambda r: r.period.year):
        if report.status in (ProgressReport.Status.ACCEPTED, ProgressReport.Status.SUBMITTED):
            newest[report.organisation_id] = report
        if report.status == ProgressReport.Status.ACCEPTED:
            accepted[report.organisation_id] = report
    if bodies and all(accepted.get(b) and accepted[b].implementation == ImplementationStatus.COMPLETED
                      for b in bodies):
        return ImplementationStatus.COMPLETED
    deadline = measure.deadline or dt.date(measure.end_year, 12, 31)
    if today > deadline:
        return ImplementationStatus.LATE
    if newest:
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


def measure_for(user: Any, measure_id: int, *, public: bool = False) -> Measure:
    qs = Measure.objects.select_related("section__plan").prefetch_related("executing_bodies", "partners",
                                                                          "categories", "indicators__targets")
    if public:
        qs = qs.filter(is_published=True, section__plan__is_published=True)
    elif not access.is_staff_user(user):
        raise Http404
    measure = qs.filter(pk=measure_id).first()
    if measure is None:
        raise Http404
    return measure


def measure_reports(user: Any, measure: Measure) -> list[ProgressReport]:
    return list(measure.reports.select_related("period", "organisation").prefetch_related(
        "events__by", "indicator_values", "evidence").order_by("-period__year", "organisation__name"))


@dataclass
class IndicatorRow:
    indicator: Any
    year: int
    target: Any
    reported: Any
    computed: int | None


def indicator_table(measure: Measure, years: list[int]) -> list[IndicatorRow]:
    """Per indicator and year: target, the sum of accepted reported values, and the computed value."""
    rows = []
    for indicator in measure.indicators.all():
        targets = {t.year: t.value for t in indicator.targets.all()}
        reported: dict[int, Any] = defaultdict(lambda: None)
        for value in indicator.values.select_related("report__period").filter(
                report__status=ProgressReport.Status.ACCEPTED):
            year = value.report.period.year
            reported[year] = (reported[year] or 0) + value.value
        for year in years:
            computed = definitions.compute(indicator.computed_key, year) if indicator.computed_key else None
            rows.append(IndicatorRow(indicator, year, targets.get(year), reported[year], computed))
    return rows


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


def report_for(user: Any, report_id: int) -> ProgressReport:
    """A report: visible to its body's focal points and to the coordinator's office."""
    report = ProgressReport.objects.select_related("measure__section__plan", "period", "organisation").filter(
        pk=report_id).first()
    if report is None:
        raise Http404
    if access.can_manage_plan(user):
        return report
    if access.is_staff_user(user) and any(m.organisation_id == report.organisation_id
                                          and m.role == Role.PLAN_FOCAL_POINT for m in user.active_memberships()):
        return report
    access.require(False, action="progress_report.view", user=user, object_type="plan.ProgressReport",
                   object_id=str(report_id))
    raise Http404


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
    for report in ProgressReport.objects.filter(period=period, status__in=[ProgressReport.Status.SUBMITTED,
                                                                           ProgressReport.Status.ACCEPTED]):
        submitted[report.organisation_id] += 1
        first = report.events.filter(status=ProgressReport.Status.SUBMITTED).order_by("at").first()
        if first is not None and first.at <= deadline:
            on_time[report.organisation_id] += 1
    return sorted((RateRow(bodies[pk], expected[pk], submitted[pk], on_time[pk]) for pk in expected),
                  key=lambda r: r.organisation.name)


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


def recommendation_for(user: Any, recommendation_id: int, *, public: bool = False) -> Recommendation:
    found = recommendations_visible_to(user, public=public).filter(pk=recommendation_id).first()
    if found is None:
        raise Http404
    return found


def recommendation_history(recommendation: Recommendation, *, public: bool = False) -> list[Recommendation]:
    """The same recommendation across cycles, oldest first, following ``previous`` links both ways."""
    chain = [recommendation]
    seen = {recommendation.pk}
    earlier = recommendation.previous
    while earlier is not None and earlier.pk not in seen:
        chain.insert(0, earlier)
        seen.add(earlier.pk)
        earlier = earlier.previous
    later = Recommendation.objects.filter(previous=recommendation).first()
    while later is not None and later.pk not in seen:
        chain.append(later)
        seen.add(later.pk)
        later = Recommendation.objects.filter(previous=later).first()
    if public:
        chain = [r for r in chain if r.is_published]
    return chain
