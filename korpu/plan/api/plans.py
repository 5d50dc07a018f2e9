"""Plans, sections, reporting periods, categories, measures and indicators with their targets."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.plan import actions, queries
from korpu.plan.api.base import LONG, _manager, router
from korpu.plan.models import (
    Indicator,
    Measure,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Section,
)


# --- plans -------------------------------------------------------------------------------------
class PlanIn(Schema):
    title_az: str = Field(..., min_length=1, max_length=300)
    title_ru: str = Field("", max_length=300)
    title_en: str = Field("", max_length=300)
    description_az: str = Field("", max_length=LONG)
    description_ru: str = Field("", max_length=LONG)
    description_en: str = Field("", max_length=LONG)
    start_year: int = Field(..., ge=1900, le=2200)
    end_year: int = Field(..., ge=1900, le=2200)
    adopting_act_az: str = Field("", max_length=300)
    adopting_act_ru: str = Field("", max_length=300)
    adopting_act_en: str = Field("", max_length=300)
    adopted_on: dt.date | None = None


class PlanOut(Schema):
    id: int
    title_az: str
    title_ru: str
    title_en: str
    description_az: str
    description_ru: str
    description_en: str
    start_year: int
    end_year: int
    adopting_act_az: str
    adopting_act_ru: str
    adopting_act_en: str
    adopted_on: dt.date | None
    is_published: bool


class PeriodOut(Schema):
    id: int
    plan_id: int
    year: int
    due_on: dt.date
    locked: bool


class MeasureRowOut(Schema):
    id: int
    number: str
    text_az: str
    start_year: int
    end_year: int
    is_published: bool
    status: str = Field(description="Derived from accepted reports: not_started, in_progress, completed, late")


class SectionTreeOut(Schema):
    id: int
    number: str
    title_az: str
    title_ru: str
    title_en: str
    order: int
    progress: int = Field(description="Per cent of its measures completed")
    counts: dict[str, int]
    measures: list[MeasureRowOut]


class PlanDetailOut(PlanOut):
    sections: list[SectionTreeOut]
    periods: list[PeriodOut]


PLAN_FIELDS = list(PlanIn.model_fields)


def _plan(plan: Plan) -> dict[str, Any]:
    return {"id": plan.pk, "is_published": plan.is_published, **{f: getattr(plan, f) for f in PLAN_FIELDS}}


def _period(period: ReportingPeriod) -> dict[str, Any]:
    return {"id": period.pk, "plan_id": period.plan_id, "year": period.year, "due_on": period.due_on,
            "locked": period.locked}


def _plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    plan = queries.plan_for(request.user, plan_id)
    sections = [{"id": row.section.pk, "number": row.section.number, "title_az": row.section.title_az,
                 "title_ru": row.section.title_ru, "title_en": row.section.title_en, "order": row.section.order,
                 "progress": row.progress, "counts": row.counts,
                 "measures": [{"id": m.measure.pk, "number": m.measure.number, "text_az": m.measure.text_az,
                               "start_year": m.measure.start_year, "end_year": m.measure.end_year,
                               "is_published": m.measure.is_published, "status": m.status} for m in row.measures]}
                for row in queries.plan_tree(plan)]
    return {**_plan(plan), "sections": sections, "periods": [_period(p) for p in plan.periods.order_by("year")]}


@router.get("/plans", response=list[PlanOut], summary="Action plans (every staff user reads them)")
@paginate(BoundedLimitOffsetPagination)
def plan_list(request: HttpRequest) -> Any:
    return MappedRows(queries.plans_visible_to(request.user), _plan)


@router.post("/plans", response={201: PlanDetailOut}, summary="Create a plan (unpublished; coordinator's office)")
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    _manager(request, "plan.save", "plan.Plan")
    plan = actions.plan_save(by=request.user, **payload.dict())
    return Status(201, _plan_detail(request, plan.pk))


@router.get("/plans/{plan_id}", response=PlanDetailOut,
            summary="One plan with its tree: sections, measures and their status, reporting periods")
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    return _plan_detail(request, plan_id)


@router.post("/plans/{plan_id}", response=PlanDetailOut, summary="Change a plan (every field, as the form)")
def plan_update(request: HttpRequest, plan_id: int, payload: PlanIn) -> Any:
    _manager(request, "plan.save", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    actions.plan_save(by=request.user, plan=plan, **payload.dict())
    return _plan_detail(request, plan_id)


def _set_plan_published(request: HttpRequest, plan_id: int, published: bool) -> Any:
    _manager(request, "plan.publish", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    actions.plan_set_published(by=request.user, plan=plan, published=published)
    return _plan_detail(request, plan_id)


@router.post("/plans/{plan_id}/publish", response=PlanDetailOut, summary="Publish a plan on the public portal")
def plan_publish(request: HttpRequest, plan_id: int) -> Any:
    return _set_plan_published(request, plan_id, True)


@router.post("/plans/{plan_id}/unpublish", response=PlanDetailOut, summary="Take a plan off the public portal")
def plan_unpublish(request: HttpRequest, plan_id: int) -> Any:
    return _set_plan_published(request, plan_id, False)


# --- sections and reporting periods --------------------------------------------------------------
class SectionIn(Schema):
    number: str = Field(..., min_length=1, max_length=10)
    title_az: str = Field(..., min_length=1, max_length=300)
    title_ru: str = Field("", max_length=300)
    title_en: str = Field("", max_length=300)
    order: int = Field(0, ge=0, le=32767, description="Position in the plan")


class SectionOut(Schema):
    id: int
    plan_id: int
    number: str
    title_az: str
    title_ru: str
    title_en: str
    order: int


def _section(section: Section) -> dict[str, Any]:
    return {"id": section.pk, "plan_id": section.plan_id,
            **{f: getattr(section, f) for f in SectionIn.model_fields}}


@router.post("/plans/{plan_id}/sections", response={201: SectionOut}, summary="Add a section to a plan")
def section_create(request: HttpRequest, plan_id: int, payload: SectionIn) -> Any:
    _manager(request, "section.save", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    return Status(201, _section(actions.section_save(by=request.user, plan=plan, **payload.dict())))


@router.post("/sections/{section_id}", response=SectionOut, summary="Change a section")
def section_update(request: HttpRequest, section_id: int, payload: SectionIn) -> Any:
    _manager(request, "section.save", "plan.Section", section_id)
    section = queries.section_for(request.user, section_id, action="section.save")
    return _section(actions.section_save(by=request.user, plan=section.plan, section=section, **payload.dict()))


class PeriodIn(Schema):
    year: int = Field(..., ge=1900, le=2200)
    due_on: dt.date = Field(description="The date the bodies' reports are due")


@router.post("/plans/{plan_id}/periods", response={201: PeriodOut}, summary="Open a reporting period")
def period_create(request: HttpRequest, plan_id: int, payload: PeriodIn) -> Any:
    _manager(request, "reporting_period.save", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    return Status(201, _period(actions.period_save(by=request.user, plan=plan, **payload.dict())))


@router.post("/periods/{period_id}", response=PeriodOut, summary="Change a reporting period (year, due date)")
def period_update(request: HttpRequest, period_id: int, payload: PeriodIn) -> Any:
    _manager(request, "reporting_period.save", "plan.ReportingPeriod", period_id)
    period = queries.period_for(request.user, period_id, action="reporting_period.save")
    return _period(actions.period_save(by=request.user, plan=period.plan, period=period, **payload.dict()))


def _lock(request: HttpRequest, period_id: int, locked: bool) -> Any:
    period = queries.period_for(request.user, period_id, action="reporting_period.lock")
    return _period(actions.period_lock(by=request.user, period=period, locked=locked))


@router.post("/periods/{period_id}/lock", response=PeriodOut, summary="Lock a period: its reports no longer change")
def period_lock(request: HttpRequest, period_id: int) -> Any:
    return _lock(request, period_id, True)


@router.post("/periods/{period_id}/unlock", response=PeriodOut, summary="Unlock a period")
def period_unlock(request: HttpRequest, period_id: int) -> Any:
    return _lock(request, period_id, False)


# --- categories --------------------------------------------------------------------------------
class CategoryIn(Schema):
    kind: str = Field(..., description="sdg or other (the four pillars are fixed)")
    code: str = Field(..., min_length=1, max_length=30)
    name_az: str = Field(..., min_length=1, max_length=200)
    name_ru: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)


class CategoryUpdateIn(Schema):
    kind: str = Field(..., description="The kind; a pillar stays a pillar. The code cannot change.")
    name_az: str = Field(..., min_length=1, max_length=200)
    name_ru: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)


class CategoryOut(Schema):
    id: int
    kind: str
    code: str
    name_az: str
    name_ru: str
    name_en: str
    measure_count: int


def _category(request: HttpRequest, category_id: int) -> dict[str, Any]:
    category = queries.category_for(request.user, category_id)
    return {"id": category.pk, "kind": category.kind, "code": category.code, "name_az": category.name_az,
            "name_ru": category.name_ru, "name_en": category.name_en,
            "measure_count": getattr(category, "measure_count", 0)}


@router.get("/categories", response=list[CategoryOut], summary="Categories of measures, with their use")
def category_list(request: HttpRequest) -> Any:
    return [{"id": c.pk, "kind": c.kind, "code": c.code, "name_az": c.name_az, "name_ru": c.name_ru,
             "name_en": c.name_en, "measure_count": c.measure_count}  # type: ignore[attr-defined]
            for c in queries.categories_visible_to(request.user)]


@router.post("/categories", response={201: CategoryOut}, summary="Add a category (an SDG target or another)")
def category_create(request: HttpRequest, payload: CategoryIn) -> Any:
    _manager(request, "category.save", "plan.Category")
    category = actions.category_save(by=request.user, **payload.dict())
    return Status(201, _category(request, category.pk))


@router.post("/categories/{category_id}", response=CategoryOut, summary="Rename a category")
def category_update(request: HttpRequest, category_id: int, payload: CategoryUpdateIn) -> Any:
    _manager(request, "category.save", "plan.Category", category_id)
    category = queries.category_for(request.user, category_id, action="category.save")
    actions.category_save(by=request.user, category=category, code=category.code, **payload.dict())
    return _category(request, category_id)


# --- measures and indicators -------------------------------------------------------------------
class MeasureIn(Schema):
    section_id: int
    number: str = Field(..., min_length=1, max_length=20)
    text_az: str = Field(..., min_length=1, max_length=LONG)
    text_ru: str = Field("", max_length=LONG)
    text_en: str = Field("", max_length=LONG)
    expected_result_az: str = Field("", max_length=LONG)
    expected_result_ru: str = Field("", max_length=LONG)
    expected_result_en: str = Field("", max_length=LONG)
    executing_body_ids: list[int] = Field(..., min_length=1, max_length=200)
    partner_ids: list[int] = Field([], max_length=200)
    category_ids: list[int] = Field([], max_length=200)
    start_year: int = Field(..., ge=1900, le=2200)
    end_year: int = Field(..., ge=1900, le=2200)
    deadline: dt.date | None = None


class TargetOut(Schema):
    year: int
    value: Decimal


class IndicatorYearOut(Schema):
    year: int
    target: Decimal | None
    reported: Decimal | None = Field(description="The sum of the values of accepted reports")
    computed: int | None = Field(description="Computed from the records (when the indicator says so)")


class IndicatorOut(Schema):
    id: int
    measure_id: int
    name_az: str
    name_ru: str
    name_en: str
    unit: str
    baseline: Decimal | None
    baseline_year: int | None
    computed_key: str
    targets: list[TargetOut]


class IndicatorDetailOut(IndicatorOut):
    years: list[IndicatorYearOut]


class ReportSummaryOut(Schema):
    id: int
    measure_id: int
    measure_number: str
    period_id: int
    year: int
    organisation_id: int
    organisation: str
    status: str
    implementation: str
    submitted_at: dt.datetime | None


class MeasureOut(Schema):
    id: int
    plan_id: int
    section_id: int
    number: str
    text_az: str
    text_ru: str
    text_en: str
    expected_result_az: str
    expected_result_ru: str
    expected_result_en: str
    executing_body_ids: list[int]
    partner_ids: list[int]
    category_ids: list[int]
    start_year: int
    end_year: int
    deadline: dt.date | None
    is_published: bool
    status: str
    my_body_ids: list[int] = Field(description="The executing bodies I report for (as their focal point)")
    indicators: list[IndicatorDetailOut]
    reports: list[ReportSummaryOut] = Field(description="Reports I may see")


MEASURE_TEXTS = ("number", "text_az", "text_ru", "text_en", "expected_result_az", "expected_result_ru",
                 "expected_result_en")


def _targets(indicator: Indicator) -> list[dict[str, Any]]:
    return [{"year": t.year, "value": t.value} for t in indicator.targets.all()]


def _indicator(indicator: Indicator) -> dict[str, Any]:
    return {"id": indicator.pk, "measure_id": indicator.measure_id, "name_az": indicator.name_az,
            "name_ru": indicator.name_ru, "name_en": indicator.name_en, "unit": indicator.unit,
            "baseline": indicator.baseline, "baseline_year": indicator.baseline_year,
            "computed_key": indicator.computed_key, "targets": _targets(indicator)}


def _report_summary(report: ProgressReport) -> dict[str, Any]:
    return {"id": report.pk, "measure_id": report.measure_id, "measure_number": report.measure.number,
            "period_id": report.period_id, "year": report.period.year, "organisation_id": report.organisation_id,
            "organisation": report.organisation.name, "status": report.status,
            "implementation": report.implementation, "submitted_at": report.submitted_at}


def _measure_detail(request: HttpRequest, measure_id: int) -> dict[str, Any]:
    measure = queries.measure_for(request.user, measure_id)
    today = timezone.localdate()
    years = list(range(measure.start_year, min(measure.end_year, today.year) + 1))
    reports = queries.measure_reports(request.user, measure)
    rows: dict[int, list[dict[str, Any]]] = {}
    for row in queries.indicator_table(measure, years):
        rows.setdefault(row.indicator.pk, []).append({"year": row.year, "target": row.target,
                                                      "reported": row.reported, "computed": row.computed})
    return {"id": measure.pk, "plan_id": measure.section.plan_id, "section_id": measure.section_id,
            **{f: getattr(measure, f) for f in MEASURE_TEXTS},
            "executing_body_ids": [o.pk for o in measure.executing_bodies.all()],
            "partner_ids": [o.pk for o in measure.partners.all()],
            "category_ids": [c.pk for c in measure.categories.all()],
            "start_year": measure.start_year, "end_year": measure.end_year, "deadline": measure.deadline,
            "is_published": measure.is_published, "status": queries.measure_status(measure, reports, today),
            "my_body_ids": [o.pk for o in actions.reporting_bodies(request.user, measure)],
            "indicators": [{**_indicator(i), "years": rows.get(i.pk, [])} for i in measure.indicators.all()],
            "reports": [_report_summary(r) for r in reports if queries.may_see_report(request.user, r)]}


def _measure_fields(request: HttpRequest, plan: Plan, payload: MeasureIn, *,
                    measure: Measure | None = None) -> dict[str, Any]:
    section = queries.section_for(request.user, payload.section_id)
    if section.plan_id != plan.pk:
        raise ValidationError(_("A measure stays in its plan; choose a section of the same plan."))
    keep = set()
    if measure is not None:
        keep = {o.pk for o in measure.executing_bodies.all()} | {o.pk for o in measure.partners.all()}
    data = payload.dict()
    return {**{f: data[f] for f in MEASURE_TEXTS}, "section": section, "start_year": payload.start_year,
            "end_year": payload.end_year, "deadline": payload.deadline,
            "executing_bodies": queries.organisations_named(payload.executing_body_ids, keep=keep),
            "partners": queries.organisations_named(payload.partner_ids, keep=keep),
            "categories": queries.categories_named(request.user, payload.category_ids)}


@router.post("/plans/{plan_id}/measures", response={201: MeasureOut},
             summary="Add a measure to a section of the plan (unpublished)")
def measure_create(request: HttpRequest, plan_id: int, payload: MeasureIn) -> Any:
    _manager(request, "measure.create", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    measure = actions.measure_create(by=request.user, **_measure_fields(request, plan, payload))
    return Status(201, _measure_detail(request, measure.pk))


@router.get("/measures/{measure_id}", response=MeasureOut,
            summary="One measure with its tree: indicators, targets, values by year, reports")
def measure_detail(request: HttpRequest, measure_id: int) -> Any:
    return _measure_detail(request, measure_id)


@router.post("/measures/{measure_id}", response=MeasureOut, summary="Change a measure (every field, as the form)")
def measure_update(request: HttpRequest, measure_id: int, payload: MeasureIn) -> Any:
    _manager(request, "measure.update", "plan.Measure", measure_id)
    measure = queries.measure_for(request.user, measure_id, action="measure.update")
    actions.measure_update(by=request.user, measure=measure,
                           **_measure_fields(request, measure.section.plan, payload, measure=measure))
    return _measure_detail(request, measure_id)


def _set_measure_published(request: HttpRequest, measure_id: int, published: bool) -> Any:
    measure = queries.measure_for(request.user, measure_id, action="measure.publish")
    actions.measure_set_published(by=request.user, measure=measure, published=published)
    return _measure_detail(request, measure_id)


@router.post("/measures/{measure_id}/publish", response=MeasureOut, summary="Publish a measure")
def measure_publish(request: HttpRequest, measure_id: int) -> Any:
    return _set_measure_published(request, measure_id, True)


@router.post("/measures/{measure_id}/unpublish", response=MeasureOut, summary="Take a measure off the portal")
def measure_unpublish(request: HttpRequest, measure_id: int) -> Any:
    return _set_measure_published(request, measure_id, False)


class TargetIn(Schema):
    year: int = Field(..., ge=1900, le=2200)
    value: Decimal | None = Field(..., max_digits=14, decimal_places=2, description="null removes the target")


class IndicatorIn(Schema):
    name_az: str = Field(..., min_length=1, max_length=300)
    name_ru: str = Field("", max_length=300)
    name_en: str = Field("", max_length=300)
    unit: str = Field("", max_length=40)
    baseline: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    baseline_year: int | None = Field(None, ge=1900, le=2200)
    computed_key: str = Field("", max_length=60, description="A statistic computed from the records, or empty")
    targets: list[TargetIn] = Field([], max_length=100, description="Targets per year; years left out keep theirs")


def _indicator_save(request: HttpRequest, measure: Measure, payload: IndicatorIn,
                    indicator: Indicator | None = None) -> dict[str, Any]:
    data = payload.dict()
    data.pop("targets")
    saved = actions.indicator_save(by=request.user, measure=measure, indicator=indicator,
                                   targets={t.year: t.value for t in payload.targets}, **data)
    return _indicator(queries.indicator_for(request.user, saved.pk))


@router.post("/measures/{measure_id}/indicators", response={201: IndicatorOut},
             summary="Add an indicator to a measure, with its targets")
def indicator_create(request: HttpRequest, measure_id: int, payload: IndicatorIn) -> Any:
    _manager(request, "indicator.save", "plan.Measure", measure_id)
    measure = queries.measure_for(request.user, measure_id, action="indicator.save")
    return Status(201, _indicator_save(request, measure, payload))


@router.post("/indicators/{indicator_id}", response=IndicatorOut, summary="Change an indicator and its targets")
def indicator_update(request: HttpRequest, indicator_id: int, payload: IndicatorIn) -> Any:
    _manager(request, "indicator.save", "plan.Indicator", indicator_id)
    indicator = queries.indicator_for(request.user, indicator_id, action="indicator.save")
    return _indicator_save(request, indicator.measure, payload, indicator)
