"""API for the National Action Plan: plans, sections, reporting periods, categories, measures, indicators
with their targets, progress reports with their review, evidence, recommendations with their history and
assessments, and the exports. Same scoping queries and actions as the pages (``views``, ``views_manage``,
``views_io``): an invisible object is a 404 (with a ``denied`` audit event), a refused action a 422 with the
reason in the caller's language.

Who may do what is the pages' rule: every staff user reads the plan; the coordinator's office
(``access.can_manage_plan``) shapes it (anyone else gets the 404 the coordinator's pages give); a plan
focal point writes and submits the reports of their body; only the office returns or accepts them.
Updates replace every field of the object, as the page's form does."""


import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.core.downloads import file_download
from korpu.core.uploads import read_upload
from korpu.plan import actions, pdf, queries
from korpu.plan import sheets as xlsx
from korpu.plan.filters import RecommendationFilter, RecommendationFilterIn
from korpu.plan.models import (
    Evidence,
    Indicator,
    Measure,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingPeriod,
    Section,
)

router = Router(tags=["plan"])

PDF = "application/pdf"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
LANGUAGES = [code for code, _name in settings.LANGUAGES]
LONG = 20000


def _manager(request: HttpRequest, action: str, object_type: str = "", object_id: Any = "") -> None:
    """The coordinator's pages' gate: anyone else gets a 404 and a ``denied`` audit event."""
    access.require(access.can_manage_plan(request.user), action=action, user=request.user,
                   object_type=object_type, object_id=str(object_id))


def _language(lang: str) -> str:
    if lang in LANGUAGES:
        return lang
    current = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return current if current in LANGUAGES else settings.LANGUAGE_CODE


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


# --- progress reports --------------------------------------------------------------------------
class IndicatorValueIn(Schema):
    indicator_id: int
    value: Decimal | None = Field(..., max_digits=14, decimal_places=2, description="null clears the value")


class ReportIn(Schema):
    implementation: str = Field(..., description="not_started, in_progress or completed")
    text: str = Field("", max_length=LONG, description="What was done")
    indicator_values: list[IndicatorValueIn] = Field([], max_length=100)
    submit: bool = Field(False, description="Submit to the coordinator's office once saved")


class ReviewIn(Schema):
    comment: str = Field("", max_length=5000)


class EventOut(Schema):
    status: str
    comment: str
    by: str
    at: dt.datetime


class EvidenceOut(Schema):
    id: int
    report_id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime


class ValueOut(Schema):
    indicator_id: int
    value: Decimal


class ReportOut(ReportSummaryOut):
    text: str
    review_comment: str
    reviewed_at: dt.datetime | None
    can_edit: bool = Field(description="Whether I may still change it (text, values, evidence)")
    values: list[ValueOut]
    events: list[EventOut]
    evidence: list[EvidenceOut]


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {"id": evidence.pk, "report_id": evidence.report_id, "filename": evidence.filename,
            "content_type": evidence.content_type, "size": evidence.size, "uploaded_by": str(evidence.uploaded_by),
            "uploaded_at": evidence.uploaded_at}


def _report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = queries.report_for(request.user, report_id)
    return {**_report_summary(report), "text": report.text, "review_comment": report.review_comment,
            "reviewed_at": report.reviewed_at, "can_edit": actions.report_editable_by(request.user, report),
            "values": [{"indicator_id": v.indicator_id, "value": v.value} for v in report.indicator_values.all()],
            "events": [{"status": e.status, "comment": e.comment, "by": str(e.by), "at": e.at}
                       for e in report.events.select_related("by")],
            "evidence": [_evidence(e) for e in queries.evidence_of(request.user, report)]}


@router.post("/measures/{measure_id}/reports/{period_id}/{organisation_id}", response=ReportOut,
             summary="Write (or correct a returned) report of my body for a measure and period; optionally submit")
def report_save(request: HttpRequest, measure_id: int, period_id: int, organisation_id: int,
                payload: ReportIn) -> Any:
    measure = queries.measure_for(request.user, measure_id, action="progress_report.edit")
    period = queries.period_for(request.user, period_id, plan=measure.section.plan)
    organisation = queries.reporting_organisation_for(request.user, measure, organisation_id)
    report = actions.report_save(by=request.user, measure=measure, period=period, organisation=organisation,
                                 text=payload.text, implementation=payload.implementation,
                                 indicator_values={v.indicator_id: v.value for v in payload.indicator_values})
    if payload.submit:
        actions.report_submit(by=request.user, report=report)
    return _report(request, report.pk)


@router.get("/reports/{report_id}", response=ReportOut,
            summary="One report with its values, history and files (its body's focal points, the office)")
def report_detail(request: HttpRequest, report_id: int) -> Any:
    return _report(request, report_id)


@router.post("/reports/{report_id}/submit", response=ReportOut, summary="Submit a draft or returned report")
def report_submit(request: HttpRequest, report_id: int) -> Any:
    report = queries.report_for(request.user, report_id)
    actions.report_submit(by=request.user, report=report)
    return _report(request, report_id)


@router.post("/reports/{report_id}/return", response=ReportOut,
             summary="Return a submitted report to its body, with a comment (the office)")
def report_return(request: HttpRequest, report_id: int, payload: ReviewIn) -> Any:
    report = queries.report_for(request.user, report_id)
    actions.report_return(by=request.user, report=report, comment=payload.comment)
    return _report(request, report_id)


@router.post("/reports/{report_id}/accept", response=ReportOut, summary="Accept a submitted report (the office)")
def report_accept(request: HttpRequest, report_id: int, payload: ReviewIn) -> Any:
    report = queries.report_for(request.user, report_id)
    actions.report_accept(by=request.user, report=report, comment=payload.comment)
    return _report(request, report_id)


@router.get("/reports/{report_id}/evidence", response=list[EvidenceOut], summary="The files of a report")
def evidence_list(request: HttpRequest, report_id: int) -> Any:
    report = queries.report_for(request.user, report_id)
    return [_evidence(e) for e in queries.evidence_of(request.user, report)]


@router.post("/reports/{report_id}/evidence", response={201: EvidenceOut},
             summary="Attach a file to my body's draft or returned report (multipart field 'file')")
def evidence_upload(request: HttpRequest, report_id: int, file: File[UploadedFile]) -> Any:
    report = queries.report_for(request.user, report_id)
    evidence = actions.evidence_add(by=request.user, report=report, filename=file.name or "",
                                    data=read_upload(file))
    return Status(201, _evidence(queries.evidence_for(request.user, evidence.pk)))


@router.get("/evidence/{evidence_id}", summary="Download a file of a report (audited)")
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence, data = queries.evidence_download(request.user, evidence_id)
    return file_download(data, content_type=evidence.content_type, filename=evidence.filename)


@router.post("/evidence/{evidence_id}/delete", response={204: None}, summary="Remove a file from a report")
def evidence_delete(request: HttpRequest, evidence_id: int) -> Any:
    evidence = queries.evidence_for(request.user, evidence_id, action="evidence.delete")
    actions.evidence_delete(by=request.user, evidence=evidence)
    return Status(204, None)


@router.get("/review-queue", response=list[ReportSummaryOut],
            summary="Reports waiting for the office's review, oldest first (empty for anyone else)")
@paginate(BoundedLimitOffsetPagination)
def review_queue(request: HttpRequest, plan_id: int | None = None) -> Any:
    rows = queries.review_queue(request.user)
    if plan_id is not None:
        rows = rows.filter(measure__section__plan_id=plan_id)
    return MappedRows(rows, _report_summary)


class MyReportingOut(Schema):
    period_id: int
    year: int
    due_on: dt.date
    locked: bool
    measure_id: int
    measure_number: str
    organisation_id: int
    organisation: str
    report_id: int | None
    status: str | None = Field(description="The report's status; null when not yet written")


@router.get("/plans/{plan_id}/my-reporting", response=list[MyReportingOut],
            summary="What I report on in a plan: each measure, body and period, with the report's state")
def my_reporting(request: HttpRequest, plan_id: int) -> Any:
    plan = queries.plan_for(request.user, plan_id)
    return [{"period_id": r["period"].pk, "year": r["period"].year, "due_on": r["period"].due_on,
             "locked": r["period"].locked, "measure_id": r["measure"].pk, "measure_number": r["measure"].number,
             "organisation_id": r["organisation"].pk, "organisation": r["organisation"].name,
             "report_id": r["report"].pk if r["report"] else None,
             "status": r["report"].status if r["report"] else None} for r in queries.my_reporting(request.user, plan)]


class RateRowOut(Schema):
    organisation_id: int
    organisation: str
    expected: int
    submitted: int
    on_time: int
    rate: int


class RateOut(Schema):
    period: PeriodOut | None
    rows: list[RateRowOut]


@router.get("/plans/{plan_id}/reporting-rate", response=RateOut,
            summary="Reports expected, submitted and on time per body, for a year (default: the latest)")
def reporting_rate(request: HttpRequest, plan_id: int, year: int | None = None) -> Any:
    plan = queries.plan_for(request.user, plan_id)
    periods = list(plan.periods.order_by("-year"))
    period = next((p for p in periods if p.year == year), periods[0] if periods else None)
    rows = queries.reporting_rate(plan, period) if period else []
    return {"period": _period(period) if period else None,
            "rows": [{"organisation_id": r.organisation.pk, "organisation": r.organisation.name,
                      "expected": r.expected, "submitted": r.submitted, "on_time": r.on_time, "rate": r.rate}
                     for r in rows]}


# --- exports and imports -------------------------------------------------------------------------
def _plan_name(plan: Plan, language: str) -> str:
    return f"korpu-plan-{plan.start_year}-{plan.end_year}-{language}-{timezone.localdate():%Y%m%d}"


@router.get("/plans/{plan_id}/export.xlsx", summary="The plan's status as an Excel workbook (lang: az, ru, en)")
def plan_export_xlsx(request: HttpRequest, plan_id: int, lang: str = "") -> HttpResponse:
    plan = queries.plan_for(request.user, plan_id)
    language = _language(lang)
    return file_download(xlsx.plan_status_xlsx(plan, language), content_type=xlsx.XLSX,
                         filename=f"{_plan_name(plan, language)}.xlsx")


@router.get("/plans/{plan_id}/export.pdf", summary="The plan's status as PDF (lang: az, ru, en)")
def plan_export_pdf(request: HttpRequest, plan_id: int, lang: str = "") -> HttpResponse:
    plan = queries.plan_for(request.user, plan_id)
    language = _language(lang)
    return file_download(pdf.plan_status_pdf(plan, language), content_type=PDF,
                         filename=f"{_plan_name(plan, language)}.pdf")


class TemplateFilterIn(Schema):
    plan: int | None = Field(None, description="Fill the picklists with this plan's sections and years")


@router.get("/templates/measures.xlsx", summary="The measures import template")
def measures_template(request: HttpRequest, filters: Query[TemplateFilterIn]) -> HttpResponse:
    access.require(access.is_staff_user(request.user), action="plan.template", user=request.user)
    plan = queries.plan_for(request.user, filters.plan) if filters.plan is not None else None
    suffix = f"-{plan.start_year}-{plan.end_year}" if plan else ""
    return file_download(xlsx.measures_template(plan), content_type=xlsx.XLSX,
                         filename=f"korpu-measures-template{suffix}.xlsx")


@router.get("/templates/recommendations.xlsx", summary="The recommendations import template")
def recommendations_template(request: HttpRequest, filters: Query[TemplateFilterIn]) -> HttpResponse:
    access.require(access.is_staff_user(request.user), action="plan.template", user=request.user)
    plan = queries.plan_for(request.user, filters.plan) if filters.plan is not None else None
    return file_download(xlsx.recommendations_template(plan), content_type=xlsx.XLSX,
                         filename="korpu-recommendations-template.xlsx")


class ImportOut(Schema):
    kind: str
    created: int
    ids: list[int]
    warnings: list[str]


class ImportIssueOut(Schema):
    detail: str
    errors: list[str]


@router.post("/plans/{plan_id}/import", response={201: ImportOut, 422: ImportIssueOut},
             summary="Import measures or recommendations from a filled template: all rows or none")
def plan_import(request: HttpRequest, plan_id: int, file: File[UploadedFile],
                kind: Form[str] = "measures", publish: Form[bool] = False) -> Any:
    _manager(request, "plan.import", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    if kind not in ("measures", "recommendations"):
        raise ValidationError(_("Not one of the allowed values."))
    if not (file.name or "").lower().endswith(".xlsx"):
        raise ValidationError(_("This is not an Excel workbook (.xlsx)."))
    if (file.size or 0) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20})
    result = xlsx.read_measures(file, plan) if kind == "measures" else xlsx.read_recommendations(file, plan)
    issues = list(result.errors)
    if result.ok:
        try:
            created: list[Any] = (xlsx.apply_measures(result, request.user, publish=publish) if kind == "measures"
                                  else xlsx.apply_recommendations(result, request.user, publish=publish))
        except xlsx.ImportRefused as refused:
            issues = refused.issues
        else:
            return Status(201, {"kind": kind, "created": len(created), "ids": [obj.pk for obj in created],
                                "warnings": [str(w) for w in result.warnings]})
    return Status(422, {"detail": _("Nothing was saved. Correct these rows and upload the file again."),
                        "errors": [str(i) for i in issues]})


# --- recommendations ---------------------------------------------------------------------------
class RecommendationIn(Schema):
    source: str = Field(..., description="us_tip, greta, cedaw, crc, hrc, upr, osce or other")
    cycle: str = Field(..., min_length=1, max_length=40)
    reference: str = Field("", max_length=60)
    text_az: str = Field(..., min_length=1, max_length=LONG)
    text_ru: str = Field("", max_length=LONG)
    text_en: str = Field("", max_length=LONG)
    priority: str = Field("", description="prioritized, urges, considers, invites or empty")
    theme: str = Field("", max_length=100)
    measure_ids: list[int] = Field([], max_length=500, description="The measures answering it")
    previous_id: int | None = Field(None, description="The same recommendation in an earlier cycle")
    response_az: str = Field("", max_length=LONG)
    response_ru: str = Field("", max_length=LONG)
    response_en: str = Field("", max_length=LONG)


class RecommendationOut(Schema):
    id: int
    source: str
    cycle: str
    reference: str
    text_az: str
    text_ru: str
    text_en: str
    priority: str
    theme: str
    measure_ids: list[int]
    previous_id: int | None
    response_az: str
    response_ru: str
    response_en: str
    is_published: bool
    level: str = Field(description="The current (newest) assessment")


class AssessmentOut(Schema):
    id: int
    level: str
    comment: str
    assessed_on: dt.date
    by: str


class HistoryOut(Schema):
    id: int
    source: str
    cycle: str
    reference: str
    generation: int
    level: str
    is_published: bool


class RecommendationDetailOut(RecommendationOut):
    assessments: list[AssessmentOut]
    history: list[HistoryOut] = Field(description="The same recommendation across cycles, oldest first")


REC_TEXTS = ("source", "cycle", "reference", "text_az", "text_ru", "text_en", "priority", "theme", "response_az",
             "response_ru", "response_en")


def _recommendation(r: Recommendation) -> dict[str, Any]:
    return {"id": r.pk, **{f: getattr(r, f) for f in REC_TEXTS}, "measure_ids": [m.pk for m in r.measures.all()],
            "previous_id": r.previous_id, "is_published": r.is_published, "level": queries.current_level(r)}


def _recommendation_detail(request: HttpRequest, recommendation_id: int) -> dict[str, Any]:
    r = queries.recommendation_for(request.user, recommendation_id)
    return {**_recommendation(r),
            "assessments": [{"id": a.pk, "level": a.level, "comment": a.comment, "assessed_on": a.assessed_on,
                             "by": str(a.by)} for a in r.assessments.select_related("by")],
            "history": [{"id": h.pk, "source": h.source, "cycle": h.cycle, "reference": h.reference,
                         "generation": h.generation, "level": h.level,  # type: ignore[attr-defined]
                         "is_published": h.is_published} for h in queries.recommendation_history(r)]}


if TYPE_CHECKING:  # a class for the type checker; at run time generated from the FilterSet
    class RecommendationQuery(Schema): ...
else:
    RecommendationQuery = RecommendationFilterIn


@router.get("/recommendations", response=list[RecommendationOut], summary="Recommendations, filtered")
@paginate(BoundedLimitOffsetPagination)
def recommendation_list(request: HttpRequest, filters: Query[RecommendationQuery]) -> Any:
    """The filters and ``sort`` of the recommendations page (``korpu.plan.filters.RecommendationFilter``);
    an invalid value is a 422 naming the parameter."""
    listed = core_filters.bound(RecommendationFilter, filters.dict(),
                                queryset=queries.recommendations_visible_to(request.user), strict=True)
    return MappedRows(listed.qs, _recommendation)


def _recommendation_fields(request: HttpRequest, payload: RecommendationIn,
                           recommendation: Recommendation | None = None) -> dict[str, Any]:
    data = payload.dict()
    previous = None
    if payload.previous_id is not None:
        if recommendation is not None and payload.previous_id == recommendation.pk:
            raise ValidationError(_("A recommendation cannot repeat itself or a later one."))
        previous = queries.recommendation_for(request.user, payload.previous_id)
    return {**{f: data[f] for f in REC_TEXTS}, "previous": previous,
            "measures": queries.measures_named(request.user, payload.measure_ids)}


@router.post("/recommendations", response={201: RecommendationDetailOut},
             summary="Add a recommendation (unpublished)")
def recommendation_create(request: HttpRequest, payload: RecommendationIn) -> Any:
    _manager(request, "recommendation.save", "plan.Recommendation")
    saved = actions.recommendation_save(by=request.user, **_recommendation_fields(request, payload))
    return Status(201, _recommendation_detail(request, saved.pk))


@router.get("/recommendations/{recommendation_id}", response=RecommendationDetailOut,
            summary="One recommendation with its history across cycles and its assessments")
def recommendation_detail(request: HttpRequest, recommendation_id: int) -> Any:
    return _recommendation_detail(request, recommendation_id)


@router.post("/recommendations/{recommendation_id}", response=RecommendationDetailOut,
             summary="Change a recommendation (every field, as the form)")
def recommendation_update(request: HttpRequest, recommendation_id: int, payload: RecommendationIn) -> Any:
    _manager(request, "recommendation.save", "plan.Recommendation", recommendation_id)
    recommendation = queries.recommendation_for(request.user, recommendation_id, action="recommendation.save")
    actions.recommendation_save(by=request.user, recommendation=recommendation,
                                **_recommendation_fields(request, payload, recommendation))
    return _recommendation_detail(request, recommendation_id)


def _set_recommendation_published(request: HttpRequest, recommendation_id: int, published: bool) -> Any:
    recommendation = queries.recommendation_for(request.user, recommendation_id, action="recommendation.publish")
    actions.recommendation_set_published(by=request.user, recommendation=recommendation, published=published)
    return _recommendation_detail(request, recommendation_id)


@router.post("/recommendations/{recommendation_id}/publish", response=RecommendationDetailOut,
             summary="Publish a recommendation")
def recommendation_publish(request: HttpRequest, recommendation_id: int) -> Any:
    return _set_recommendation_published(request, recommendation_id, True)


@router.post("/recommendations/{recommendation_id}/unpublish", response=RecommendationDetailOut,
             summary="Take a recommendation off the portal")
def recommendation_unpublish(request: HttpRequest, recommendation_id: int) -> Any:
    return _set_recommendation_published(request, recommendation_id, False)


class AssessmentIn(Schema):
    level: str = Field(..., description="not_started, in_progress, partial or full")
    comment: str = Field("", max_length=5000, description="Internal")


@router.post("/recommendations/{recommendation_id}/assessments", response={201: RecommendationDetailOut},
             summary="Record an assessment of how far a recommendation is implemented")
def assessment_create(request: HttpRequest, recommendation_id: int, payload: AssessmentIn) -> Any:
    recommendation = queries.recommendation_for(request.user, recommendation_id, action="recommendation.assess")
    actions.assessment_record(by=request.user, recommendation=recommendation, level=payload.level,
                              comment=payload.comment)
    return Status(201, _recommendation_detail(request, recommendation_id))
