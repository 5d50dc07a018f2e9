"""Progress reports with their review, their evidence, the review queue, my reporting and the reporting rate."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.core.downloads import file_download
from korpu.core.uploads import read_upload
from korpu.plan import actions, queries
from korpu.plan.api.base import LONG, router
from korpu.plan.api.plans import PeriodOut, ReportSummaryOut, _period, _report_summary
from korpu.plan.models import Evidence


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
