"""Cases: the list, registration, the detail, corrections, the identity and the photo, the status
decision, consent, the case's status and closing, historic trafficking events."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from korpu.cases import actions, queries
from korpu.cases.api._common import _case_answer, _organisation, _scoped, _victim_role, router
from korpu.cases.api.schemas import (
    EVENT_OUT,
    CaseCreatedOut,
    CaseDetailOut,
    CaseIn,
    CaseSummaryOut,
    ConsentIn,
    IdentityOut,
    PersonIn,
    TraffickingEventOut,
    _summary,
)
from korpu.cases.filters import CaseFilter, CaseFilterIn
from korpu.core import filters as core_filters
from korpu.core import linking
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.core.downloads import private_image
from korpu.core.uploads import read_upload


# --- cases -----------------------------------------------------------------------------------------
@router.get("/cases", response=list[CaseSummaryOut], summary="Cases visible to me, filtered",
            operation_id="korpu_cases_api_case_list")
@paginate(BoundedLimitOffsetPagination)
def case_list(request: HttpRequest, filters: Query[CaseFilterIn]) -> Any:
    """The case list's filters and ``sort`` are those of the HTML list (``korpu.cases.filters.CaseFilter``);
    an invalid value is a 422 naming the parameter."""
    _victim_role(request, "case.list")
    case_filter = core_filters.bound(CaseFilter, filters.dict(), queryset=queries.case_list(request.user, summary=True),
                                     strict=True)
    queries.audit_list(request.user, action="case.list", filters=core_filters.applied(case_filter), count=-1)
    return MappedRows(case_filter.qs, _summary)


@router.post("/cases", response={201: CaseCreatedOut}, summary="Register a (presumed) victim",
             operation_id="korpu_cases_api_case_create")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    _victim_role(request, "case.create")
    data = payload.dict()
    person = data.pop("person")
    exploitation = data.pop("exploitation")
    consent = data.pop("consent")
    data["identifying_organisation"] = _organisation(data.pop("identifying_organisation_id"))
    if consent is not None and consent.get("given_on") is None:
        consent.pop("given_on")
    if data.get("identified_on") is None:
        data.pop("identified_on")
    case = actions.case_register(by=request.user, person=person, case=data, exploitation=exploitation,
                                 consent=consent)
    answer = _case_answer(request, case.pk)
    answer["possible_duplicates"] = [_candidate(c) for c in linking.check(request.user, person,
                                                                         exclude_person=case.person_id)]
    return Status(201, answer)


def _candidate(candidate: linking.Candidate) -> dict[str, Any]:
    return {"score": candidate.score, "reasons": list(candidate.reasons),
            "reason_labels": list(candidate.reason_labels), "organisation_id": candidate.organisation_id,
            "organisation_name": candidate.organisation_name, "case_id": candidate.case_id,
            "case_number": candidate.case_number}


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case, as far as my access reaches (no names)",
            operation_id="korpu_cases_api_case_detail")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    _victim_role(request, "case.view")
    return _case_answer(request, case_id)


class CaseUpdateIn(Schema):
    """A correction: only the fields sent change (``null`` empties a field)."""

    person: dict[str, Any] = Field({}, description="Any fields of the person, as in registration")
    case: dict[str, Any] = Field({}, description="Any fields of the case context, as in registration "
                                                "(identifying_organisation_id for the identifying organisation)")
    exploitation: list[str] | None = None


TEXT_FIELDS = {name for name, field in PersonIn.model_fields.items() if field.annotation is str} | {
    name for name, field in CaseIn.model_fields.items() if field.annotation is str}


def _patch(values: dict[str, Any], schema: type[Schema], *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate a partial set of fields with the registration schema's types; null empties a text field."""
    unknown = set(values) - (set(schema.model_fields) - set(exclude))
    if unknown:
        from django.utils.translation import gettext as _

        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    cleaned = {k: ("" if v is None and k in TEXT_FIELDS else v) for k, v in values.items()}
    fields = {k: (schema.model_fields[k].annotation, schema.model_fields[k]) for k in cleaned}
    from pydantic import ValidationError as SchemaError
    from pydantic import create_model

    try:
        checked = create_model("Patch", **fields).model_validate(cleaned)  # type: ignore[call-overload]
    except SchemaError as exc:
        raise ValidationError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) \
            from None
    return dict(checked.model_dump())


@router.post("/cases/{case_id}/update", response=CaseDetailOut,
             summary="Correct the person's identity and the case context (identity section)",
             operation_id="korpu_cases_api_case_update")
def case_update(request: HttpRequest, case_id: int, payload: CaseUpdateIn) -> Any:
    case = _scoped(request, case_id, "case.update")
    person = _patch(payload.person, PersonIn)
    fields = _patch(payload.case, CaseIn, exclude=("person", "consent", "exploitation"))
    if "identifying_organisation_id" in fields:
        fields["identifying_organisation"] = _organisation(fields.pop("identifying_organisation_id"))
    actions.case_update(by=request.user, case=case, person=person, case_fields=fields,
                        exploitation=payload.exploitation)
    return _case_answer(request, case_id)


@router.get("/cases/{case_id}/identity", response=IdentityOut,
            summary="The person's names, contacts, address and documents (audited as person.reveal)",
            operation_id="korpu_cases_api_case_identity")
def case_identity(request: HttpRequest, case_id: int) -> Any:
    _victim_role(request, "person.reveal")
    case = queries.identity_for(request.user, case_id)
    person = case.person
    return {"case_id": case.pk, "number": case.number,
            **{f: getattr(person, f) or "" for f in ("salutation", "given_name", "patronymic", "family_name", "title",
                                                     "document_number", "phone", "home_phone", "email", "address",
                                                     "address_city", "address_region", "address_postal_code",
                                                     "address_country")},
            "birth_date": person.birth_date, "guardian_name": case.guardian_name or "",
            "guardian_contact": case.guardian_contact or ""}


@router.get("/cases/{case_id}/photo", summary="The person's photo (identity section; audited)",
            operation_id="korpu_cases_api_case_photo")
def case_photo(request: HttpRequest, case_id: int) -> HttpResponse:
    _victim_role(request, "person.photo_view")
    case = queries.visible_case(request.user, case_id, action="person.photo_view")
    content, content_type = queries.person_photo_content(by=request.user, case=case)
    return private_image(content, content_type=content_type)


@router.post("/cases/{case_id}/photo", response=CaseDetailOut, summary="Store or replace the person's photo",
             operation_id="korpu_cases_api_case_photo_upload")
def case_photo_upload(request: HttpRequest, case_id: int, file: File[UploadedFile]) -> Any:
    case = _scoped(request, case_id, "person.photo")
    actions.person_photo_set(by=request.user, case=case, filename=file.name or "", data=read_upload(file))
    return _case_answer(request, case_id)


class DecisionIn(Schema):
    decision: str
    decided_on: dt.date
    basis: str


@router.post("/cases/{case_id}/status-decision", response=CaseDetailOut, summary="Record the official status",
             operation_id="korpu_cases_api_case_decision")
def case_decision(request: HttpRequest, case_id: int, payload: DecisionIn) -> Any:
    case = _scoped(request, case_id, "case.status_decision")
    actions.status_decision_record(by=request.user, case=case, **payload.dict())
    return _case_answer(request, case_id)


@router.post("/cases/{case_id}/consent", response=CaseDetailOut, summary="Record consent",
             operation_id="korpu_cases_api_case_consent")
def case_consent(request: HttpRequest, case_id: int, payload: ConsentIn) -> Any:
    case = _scoped(request, case_id, "case.consent")
    actions.consent_record(by=request.user, case=case, **payload.dict())
    return _case_answer(request, case_id)


class ConsentWithdrawIn(Schema):
    withdrawn_on: dt.date | None = Field(None, description="Today when empty; not in the future, not before consent")


@router.post("/cases/{case_id}/consent/withdraw", response=CaseDetailOut, summary="Record withdrawal of consent",
             operation_id="korpu_cases_api_case_consent_withdraw")
def case_consent_withdraw(request: HttpRequest, case_id: int, payload: ConsentWithdrawIn) -> Any:
    case = _scoped(request, case_id, "case.consent_withdraw")
    actions.consent_withdraw(by=request.user, case=case, withdrawn_on=payload.withdrawn_on)
    return _case_answer(request, case_id)


class StatusIn(Schema):
    status: str = Field(description="Active (also to reopen a closed case) or FollowUp")


@router.post("/cases/{case_id}/status", response=CaseDetailOut,
             summary="Move the case to follow-up, back to active, or reopen it (owner)",
             operation_id="korpu_cases_api_case_status")
def case_status(request: HttpRequest, case_id: int, payload: StatusIn) -> Any:
    case = _scoped(request, case_id, "case.status")
    actions.case_set_status(by=request.user, case=case, status=payload.status)
    return _case_answer(request, case_id)


class CloseIn(Schema):
    status: str
    reason: str


@router.post("/cases/{case_id}/close", response=CaseDetailOut, summary="Close the case",
             operation_id="korpu_cases_api_case_close")
def case_close(request: HttpRequest, case_id: int, payload: CloseIn) -> Any:
    case = _scoped(request, case_id, "case.close")
    actions.case_close(by=request.user, case=case, **payload.dict())
    return _case_answer(request, case_id)


class TraffickingEventIn(Schema):
    event_type: str = Field(description="Recruitment, Transit or Exploitation")
    occurred_on: dt.date | None = None
    country: str = ""
    region: str = Field("", max_length=100)
    city: str = Field("", max_length=100)
    street: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=20)
    description: str = Field("", max_length=5000)


@router.post("/cases/{case_id}/trafficking-events", response={201: TraffickingEventOut},
             summary="Record a historic trafficking event", operation_id="korpu_cases_api_trafficking_event_create")
def trafficking_event_create(request: HttpRequest, case_id: int, payload: TraffickingEventIn) -> Any:
    case = _scoped(request, case_id, "trafficking_event.create")
    event = actions.trafficking_event_record(by=request.user, case=case, **payload.dict())
    return Status(201, {f: getattr(event, f) for f in EVENT_OUT})
