"""Services, follow-ups, reintegration assessments, support plans, notes, attachments and my tasks."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Schema, Status
from ninja.files import UploadedFile

from korpu.cases import actions, queries
from korpu.cases.api._common import _organisation, _scoped, _sub, _victim_role, router
from korpu.cases.api.schemas import (
    AssessmentOut,
    AttachmentOut,
    FollowUpOut,
    ServiceOut,
    SupportPlanOut,
    _plan,
    _service,
)
from korpu.cases.models import FollowUp, Referral, Service, SupportPlan
from korpu.core.downloads import file_download
from korpu.core.uploads import read_upload


# --- services, follow-ups, reintegration, support plans ---------------------------------------------
class ServiceIn(Schema):
    service_type: str
    provider_id: int | None = Field(None, description="Empty: my organisation")
    planned_on: dt.date | None = None
    delivered_on: dt.date | None = None
    outcome: str = Service.Outcome.PLANNED
    notes: str = ""


@router.post("/cases/{case_id}/services", response={201: ServiceOut}, summary="Record a service",
             operation_id="korpu_cases_api_service_create")
def service_create(request: HttpRequest, case_id: int, payload: ServiceIn) -> Any:
    case = _scoped(request, case_id, "service.create")
    data = payload.dict()
    data["provider"] = _organisation(data.pop("provider_id"))
    return Status(201, _service(actions.service_record(by=request.user, case=case, **data)))


class DeliverIn(Schema):
    delivered_on: dt.date | None = Field(None, description="Today when empty")
    notes: str = ""


@router.post("/cases/{case_id}/services/{service_id}/deliver", response=ServiceOut,
             summary="Mark a planned service delivered", operation_id="korpu_cases_api_service_deliver")
def service_deliver(request: HttpRequest, case_id: int, service_id: int, payload: DeliverIn) -> Any:
    case = _scoped(request, case_id, "service.deliver")
    service = _sub(request, Service, case, service_id, "service.deliver")
    return _service(actions.service_deliver(by=request.user, service=service, **payload.dict()))


class FollowUpIn(Schema):
    due_on: dt.date
    notes: str = ""


@router.post("/cases/{case_id}/follow-ups", response={201: FollowUpOut}, summary="Schedule a follow-up",
             operation_id="korpu_cases_api_follow_up_create")
def follow_up_create(request: HttpRequest, case_id: int, payload: FollowUpIn) -> Any:
    case = _scoped(request, case_id, "follow_up.create")
    f = actions.follow_up_schedule(by=request.user, case=case, **payload.dict())
    return Status(201, {"id": f.pk, "organisation_id": f.organisation_id, "due_on": f.due_on, "done_on": f.done_on})


class FollowUpDoneIn(Schema):
    done_on: dt.date | None = Field(None, description="Today when empty")
    notes: str = ""


@router.post("/cases/{case_id}/follow-ups/{follow_up_id}/done", response=FollowUpOut,
             summary="Mark a follow-up done", operation_id="korpu_cases_api_follow_up_done")
def follow_up_done(request: HttpRequest, case_id: int, follow_up_id: int, payload: FollowUpDoneIn) -> Any:
    case = _scoped(request, case_id, "follow_up.done")
    follow_up = _sub(request, FollowUp, case, follow_up_id, "follow_up.done")
    f = actions.follow_up_done(by=request.user, follow_up=follow_up, **payload.dict())
    return {"id": f.pk, "organisation_id": f.organisation_id, "due_on": f.due_on, "done_on": f.done_on}


class AssessmentIn(Schema):
    level: str
    assessed_on: dt.date | None = None
    housing_stable: bool = False
    income: bool = False
    family_support: bool = False
    notes: str = ""


@router.post("/cases/{case_id}/assessments", response={201: AssessmentOut}, summary="Assess reintegration",
             operation_id="korpu_cases_api_assessment_create")
def assessment_create(request: HttpRequest, case_id: int, payload: AssessmentIn) -> Any:
    case = _scoped(request, case_id, "assessment.create")
    a = actions.assessment_record(by=request.user, case=case, **payload.dict())
    return Status(201, {"id": a.pk, "assessed_on": a.assessed_on, "level": a.level, "housing_stable": a.housing_stable,
                 "income": a.income, "family_support": a.family_support})


class SupportPlanIn(Schema):
    plan_type: str
    objectives: str = Field(..., max_length=5000)
    action_plan: str = Field("", max_length=10000)
    planned_end: dt.date | None = None


@router.post("/cases/{case_id}/support-plans", response={201: SupportPlanOut}, summary="Add a support plan",
             operation_id="korpu_cases_api_support_plan_create")
def support_plan_create(request: HttpRequest, case_id: int, payload: SupportPlanIn) -> Any:
    case = _scoped(request, case_id, "support_plan.create")
    return Status(201, _plan(actions.support_plan_create(by=request.user, case=case, **payload.dict())))


class SupportPlanEndIn(Schema):
    actual_end: dt.date | None = Field(None, description="Today when empty")


@router.post("/cases/{case_id}/support-plans/{plan_id}/end", response=SupportPlanOut,
             summary="Record the actual end of a support plan", operation_id="korpu_cases_api_support_plan_end")
def support_plan_end(request: HttpRequest, case_id: int, plan_id: int, payload: SupportPlanEndIn) -> Any:
    case = _scoped(request, case_id, "support_plan.end")
    plan = _sub(request, SupportPlan, case, plan_id, "support_plan.end")
    return _plan(actions.support_plan_end(by=request.user, plan=plan, **payload.dict()))


# --- notes and attachments ---------------------------------------------------------------------------
class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000)


@router.post("/cases/{case_id}/notes", response={201: dict[str, Any]}, summary="Add a note",
             operation_id="korpu_cases_api_note_create")
def note_create(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    case = _scoped(request, case_id, "note.create")
    note = actions.note_add(by=request.user, case=case, text=payload.text)
    return Status(201, {"id": note.pk, "created_at": note.created_at})


@router.post("/cases/{case_id}/attachments", response={201: AttachmentOut},
             summary="Attach a file (PDF, JPEG, PNG, WebP, DOCX, XLSX; multipart field 'file')",
             operation_id="korpu_cases_api_attachment_create")
def attachment_create(request: HttpRequest, case_id: int, file: File[UploadedFile]) -> Any:
    case = _scoped(request, case_id, "attachment.create")
    a = actions.attachment_add(by=request.user, case=case, filename=file.name or "", data=read_upload(file))
    return Status(201, {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                 "created_at": a.created_at})


@router.get("/cases/{case_id}/attachments/{attachment_id}", summary="Download an attachment (audited)",
            operation_id="korpu_cases_api_attachment_download")
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    _victim_role(request, "attachment.download")
    case = queries.case_for(request.user, case_id, purpose="attachment.download")
    attachment, content = queries.attachment_download(by=request.user, case=case, attachment_id=attachment_id)
    return file_download(content, content_type=attachment.content_type, filename=attachment.filename)


# --- my tasks --------------------------------------------------------------------------------------
class TaskReferralOut(Schema):
    referral_id: int
    case_id: int
    case_number: str
    from_organisation_id: int
    status: str
    urgency: str
    created_at: dt.datetime
    overdue: bool


class TaskFollowUpOut(Schema):
    follow_up_id: int
    case_id: int
    case_number: str
    due_on: dt.date


class TasksOut(Schema):
    decisions_due: list[TaskReferralOut] = Field(description="Police: referrals awaiting a status decision")
    pending_referrals: list[TaskReferralOut]
    overdue_follow_ups: list[TaskFollowUpOut]


@router.get("/tasks", response=TasksOut, summary="My tasks: decisions due, referrals pending, overdue follow-ups",
            operation_id="korpu_cases_api_tasks")
def tasks(request: HttpRequest) -> Any:
    _victim_role(request, "tasks.view")
    found = queries.tasks_for(request.user)

    def row(r: Referral) -> dict[str, Any]:
        return {"referral_id": r.pk, "case_id": r.case_id, "case_number": r.case.number,
                "from_organisation_id": r.from_organisation_id, "status": r.status, "urgency": r.urgency,
                "created_at": r.created_at, "overdue": r.pk in found.overdue_decisions}

    return {"decisions_due": [row(r) for r in found.decisions_due],
            "pending_referrals": [row(r) for r in found.pending_referrals],
            "overdue_follow_ups": [{"follow_up_id": f.pk, "case_id": f.case_id, "case_number": f.case.number,
                                    "due_on": f.due_on} for f in found.overdue_follow_ups]}
