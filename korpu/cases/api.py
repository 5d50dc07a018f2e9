"""API for cases, consent, decisions, referrals, services, follow-ups, support plans, attachments, grants
and my tasks. Same actions and scoping queries as the HTML pages; a refused action is a 422 with the
reason, an invisible object a 404.

As on the case page, a case's detail carries no name or contact: ``GET /cases/{id}/identity`` returns
them, as a read of its own (``person.reveal``)."""


import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from korpu.accounts.models import Organisation
from korpu.cases import actions, queries
from korpu.cases.filters import CaseFilter, CaseFilterIn, ReferralFilter, ReferralFilterIn
from korpu.cases.models import AccessGrant, FollowUp, Referral, Service, SupportPlan
from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.core.downloads import file_download, private_image
from korpu.core.uploads import read_upload

router = Router(tags=["cases"])


def _victim_role(request: HttpRequest, action: str) -> None:
    access.require(access.can_see_victim_data(request.user), action=action, user=request.user)


def _organisation(organisation_id: int | None) -> Organisation | None:
    """An active organisation named in a payload, or None when none is named; an unknown id is a 404."""
    if organisation_id is None:
        return None
    found = Organisation.objects.filter(pk=organisation_id, is_active=True).first()
    if found is None:
        raise Http404  # answered as the translated JSON "Not found." by korpu.api
    return found


def _sub(request: HttpRequest, model: Any, case: Any, pk: int, action: str) -> Any:
    return queries.case_part_for(request.user, model, case, pk, action=action)


# --- input -----------------------------------------------------------------------------------------
class PersonIn(Schema):
    salutation: str = Field("", max_length=40)
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field("", max_length=100)
    patronymic: str = Field("", max_length=100)
    title: str = Field("", max_length=100)
    birth_date: dt.date | None = None
    document_number: str = Field("", max_length=60)
    phone: str = Field("", max_length=40, description="Mobile phone")
    home_phone: str = Field("", max_length=40)
    email: str = Field("", max_length=200)
    address: str = Field("", max_length=300, description="Street address")
    address_city: str = Field("", max_length=100)
    address_region: str = Field("", max_length=100)
    address_postal_code: str = Field("", max_length=20)
    address_country: str = Field("", max_length=2, description="ISO 3166 alpha-2")
    gender: str = "NonSpecifiedUnknown"
    age_at_identification: int | None = Field(None, ge=0, le=120,
                                              description="Worked out from birth_date when not given")
    citizenships: list[str] = []
    languages: list[str] = Field([], description="ISO 639 codes, the primary language first")
    education: str = ""
    disability: bool = False
    number_of_children: int | None = Field(None, ge=0, le=30)
    marital_status: str = ""
    deceased: bool = False


class ConsentIn(Schema):
    data_processing: bool = False
    share_law_enforcement: bool = False
    share_ngo: bool = False
    share_government: bool = False
    share_international: bool = False
    contact_by_law_enforcement: bool = False
    given_on: dt.date | None = None


class CaseIn(Schema):
    person: PersonIn
    identification_channel: str
    identified_on: dt.date | None = None
    identifying_organisation_id: int | None = Field(None, description="Empty: the registering organisation")
    exploitation: list[str] = []
    forced_labour_industry: str = ""
    sexual_exploitation_types: list[str] = []
    means_of_control: list[str] = []
    recruitment_methods: list[str] = []
    recruitment_websites: list[str] = []
    exploitation_websites: list[str] = []
    recruitment_place: str = Field("", max_length=300)
    relationship_to_trafficker: str = ""
    country_of_origin: str = ""
    transit_countries: list[str] = []
    exploitation_countries: list[str] = []
    exploitation_start: dt.date | None = None
    exploitation_end: dt.date | None = None
    age_when_trafficked: int | None = Field(None, ge=0, le=120)
    guardian_name: str = Field("", max_length=200, description="Required for a child")
    guardian_contact: str = Field("", max_length=200)
    consent: ConsentIn | None = None


# --- output ----------------------------------------------------------------------------------------
class CaseSummaryOut(Schema):
    id: int
    number: str
    identified_on: dt.date
    trafficking_status: str
    status: str
    owner_organisation_id: int
    exploitation: list[str]
    gender: str
    age_at_identification: int | None
    is_child: bool


class PersonOut(Schema):
    """What statistics-grade facts of the person a case shows (identity section); no identifier."""

    gender: str
    age_at_identification: int | None
    is_child: bool
    citizenships: list[str]
    languages: list[str]
    education: str
    marital_status: str
    disability: bool
    number_of_children: int | None
    deceased: bool
    address_country: str
    has_photo: bool


class IdentityOut(Schema):
    """The person's identifiers: returned only by ``GET /cases/{id}/identity``, audited as ``person.reveal``."""

    case_id: int
    number: str
    salutation: str
    given_name: str
    patronymic: str
    family_name: str
    title: str
    birth_date: dt.date | None
    document_number: str
    phone: str
    home_phone: str
    email: str
    address: str
    address_city: str
    address_region: str
    address_postal_code: str
    address_country: str
    guardian_name: str
    guardian_contact: str


class ConsentOut(Schema):
    data_processing: bool
    share_law_enforcement: bool
    share_ngo: bool
    share_government: bool
    share_international: bool
    contact_by_law_enforcement: bool
    given_on: dt.date
    withdrawn_on: dt.date | None


class ReferralOut(Schema):
    id: int
    case_id: int
    case_number: str
    from_organisation_id: int
    to_organisation_id: int
    reason: str
    services_requested: list[str]
    urgency: str
    status: str
    sections: list[str]
    created_at: dt.datetime
    decided_at: dt.datetime | None
    ended_at: dt.datetime | None


class ReferralDetailOut(ReferralOut):
    details: str | None = Field(description="Only while the case is open to you")
    decision_reason: str
    consent_override: bool
    case_visible: bool


class ServiceOut(Schema):
    id: int
    service_type: str
    provider_id: int
    planned_on: dt.date | None
    delivered_on: dt.date | None
    outcome: str
    amount: float | None


class FollowUpOut(Schema):
    id: int
    organisation_id: int
    due_on: dt.date
    done_on: dt.date | None


class AssessmentOut(Schema):
    id: int
    assessed_on: dt.date
    level: str
    housing_stable: bool
    income: bool
    family_support: bool


class SupportPlanOut(Schema):
    id: int
    organisation_id: int
    plan_type: str
    objectives: str
    action_plan: str
    planned_end: dt.date | None
    actual_end: dt.date | None


class TraffickingEventOut(Schema):
    id: int
    event_type: str
    occurred_on: dt.date | None
    country: str
    region: str
    city: str
    street: str
    postal_code: str
    description: str


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    created_at: dt.datetime


class NoteOut(Schema):
    id: int
    organisation_id: int
    text: str
    created_at: dt.datetime


class GrantOut(Schema):
    id: int
    case_id: int
    organisation_id: int
    sections: list[str]
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


class CaseDetailOut(CaseSummaryOut):
    sections: list[str]
    identification_channel: str
    identifying_organisation_id: int
    is_transnational: bool
    forced_labour_industry: str
    sexual_exploitation_types: list[str]
    means_of_control: list[str]
    recruitment_methods: list[str]
    recruitment_websites: list[str]
    exploitation_websites: list[str]
    relationship_to_trafficker: str
    country_of_origin: str
    transit_countries: list[str]
    exploitation_countries: list[str]
    exploitation_start: dt.date | None
    exploitation_end: dt.date | None
    age_when_trafficked: int | None
    closed_on: dt.date | None
    recruitment_place: str | None = Field(description="Identity section only")
    closure_reason: str | None = Field(description="Identity section only")
    person: PersonOut | None
    consent: ConsentOut | None
    trafficking_events: list[TraffickingEventOut] | None
    decisions: list[dict[str, Any]]
    referrals: list[ReferralOut]
    services: list[ServiceOut] | None
    follow_ups: list[FollowUpOut] | None
    assessments: list[AssessmentOut] | None
    support_plans: list[SupportPlanOut] | None
    notes: list[NoteOut] | None
    attachments: list[AttachmentOut] | None
    grants: list[GrantOut] | None = Field(description="The owner only")


def _summary(case: Any) -> dict[str, Any]:
    return {
        "id": case.pk, "number": case.number, "identified_on": case.identified_on,
        "trafficking_status": case.trafficking_status, "status": case.status,
        "owner_organisation_id": case.owner_organisation_id,
        "exploitation": [e.exploitation for e in case.exploitations.all()],
        "gender": case.person.gender, "age_at_identification": case.person.age_at_identification,
        "is_child": case.person.is_child,
    }


def _referral(r: Referral) -> dict[str, Any]:
    return {"id": r.pk, "case_id": r.case_id, "case_number": r.case.number,
            "from_organisation_id": r.from_organisation_id, "to_organisation_id": r.to_organisation_id,
            "reason": r.reason, "services_requested": r.services_requested, "urgency": r.urgency,
            "status": r.status, "sections": r.sections, "created_at": r.created_at, "decided_at": r.decided_at,
            "ended_at": r.ended_at}


def _service(s: Service) -> dict[str, Any]:
    return {"id": s.pk, "service_type": s.service_type, "provider_id": s.provider_id, "planned_on": s.planned_on,
            "delivered_on": s.delivered_on, "outcome": s.outcome,
            "amount": float(s.amount) if s.amount is not None else None}


def _plan(p: SupportPlan) -> dict[str, Any]:
    return {"id": p.pk, "organisation_id": p.organisation_id, "plan_type": p.plan_type, "objectives": p.objectives,
            "action_plan": p.action_plan, "planned_end": p.planned_end, "actual_end": p.actual_end}


def _grant(g: AccessGrant) -> dict[str, Any]:
    return {"id": g.pk, "case_id": g.case_id, "organisation_id": g.organisation_id, "sections": g.sections,
            "reason": g.reason, "granted_at": g.granted_at, "expires_at": g.expires_at, "revoked_at": g.revoked_at}


PERSON_OUT = ("gender", "age_at_identification", "is_child", "citizenships", "languages", "education",
              "marital_status", "disability", "number_of_children", "deceased", "address_country", "has_photo")
CONSENT_OUT = ("data_processing", "share_law_enforcement", "share_ngo", "share_government", "share_international",
               "contact_by_law_enforcement", "given_on", "withdrawn_on")
CONTEXT_OUT = ("identification_channel", "identifying_organisation_id", "is_transnational", "forced_labour_industry",
               "sexual_exploitation_types", "means_of_control", "recruitment_methods", "recruitment_websites",
               "exploitation_websites", "relationship_to_trafficker", "country_of_origin", "transit_countries",
               "exploitation_countries", "exploitation_start", "exploitation_end", "age_when_trafficked",
               "closed_on")
EVENT_OUT = ("id", "event_type", "occurred_on", "country", "region", "city", "street", "postal_code", "description")


def _detail(user: Any, case: Any) -> dict[str, Any]:
    detail = queries.case_detail(user, case)
    person = detail.person
    identity = "identity" in detail.sections
    shredded = person is not None and person.given_name is None
    return {
        **_summary(case),
        "sections": sorted(detail.sections),
        **{name: getattr(case, name) for name in CONTEXT_OUT},
        "recruitment_place": case.recruitment_place if identity else None,
        "closure_reason": case.closure_reason if identity and case.status in actions.CLOSED else None,
        "person": None if person is None else {f: getattr(person, f) for f in PERSON_OUT},
        "consent": None if detail.consent is None else {f: getattr(detail.consent, f) for f in CONSENT_OUT},
        "trafficking_events": None if detail.trafficking_events is None or shredded else [
            {f: getattr(e, f) for f in EVENT_OUT} for e in detail.trafficking_events],
        "decisions": [{"decision": d.decision, "decided_on": d.decided_on, "organisation_id": d.organisation_id}
                      for d in detail.decisions or []],
        "referrals": [_referral(r) for r in detail.referrals or []],
        "services": None if detail.services is None else [_service(s) for s in detail.services],
        "follow_ups": None if detail.follow_ups is None else [
            {"id": f.pk, "organisation_id": f.organisation_id, "due_on": f.due_on, "done_on": f.done_on}
            for f in detail.follow_ups],
        "assessments": None if detail.assessments is None else [
            {"id": a.pk, "assessed_on": a.assessed_on, "level": a.level, "housing_stable": a.housing_stable,
             "income": a.income, "family_support": a.family_support} for a in detail.assessments],
        "support_plans": None if detail.support_plans is None else [_plan(p) for p in detail.support_plans],
        "notes": None if detail.notes is None else [
            {"id": n.pk, "organisation_id": n.organisation_id, "text": n.text or "", "created_at": n.created_at}
            for n in detail.notes],
        "attachments": None if detail.attachments is None else [
            {"id": a.pk, "filename": a.filename or "", "content_type": a.content_type, "size": a.size,
             "created_at": a.created_at} for a in detail.attachments],
        "grants": None if detail.grants is None else [_grant(g) for g in detail.grants],
    }


def _case_answer(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _detail(request.user, queries.case_for(request.user, case_id))


def _scoped(request: HttpRequest, case_id: int, action: str) -> Any:
    """The case for a write: the role checked, the case loaded through the scoping query (audited)."""
    _victim_role(request, action)
    return queries.case_for(request.user, case_id, purpose="case.update")


# --- cases -----------------------------------------------------------------------------------------
@router.get("/cases", response=list[CaseSummaryOut], summary="Cases visible to me, filtered")
@paginate(BoundedLimitOffsetPagination)
def case_list(request: HttpRequest, filters: Query[CaseFilterIn]) -> Any:
    """The case list's filters and ``sort`` are those of the HTML list (``korpu.cases.filters.CaseFilter``);
    an invalid value is a 422 naming the parameter."""
    _victim_role(request, "case.list")
    case_filter = core_filters.bound(CaseFilter, filters.dict(), queryset=queries.case_list(request.user, summary=True),
                                     strict=True)
    queries.audit_list(request.user, action="case.list", filters=core_filters.applied(case_filter), count=-1)
    return MappedRows(case_filter.qs, _summary)


@router.post("/cases", response={201: CaseDetailOut}, summary="Register a (presumed) victim")
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
    return Status(201, _case_answer(request, case.pk))


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case, as far as my access reaches (no names)")
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
             summary="Correct the person's identity and the case context (identity section)")
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
            summary="The person's names, contacts, address and documents (audited as person.reveal)")
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


@router.get("/cases/{case_id}/photo", summary="The person's photo (identity section; audited)")
def case_photo(request: HttpRequest, case_id: int) -> HttpResponse:
    _victim_role(request, "person.photo_view")
    case = queries.visible_case(request.user, case_id, action="person.photo_view")
    content, content_type = queries.person_photo_content(by=request.user, case=case)
    return private_image(content, content_type=content_type)


@router.post("/cases/{case_id}/photo", response=CaseDetailOut, summary="Store or replace the person's photo")
def case_photo_upload(request: HttpRequest, case_id: int, file: File[UploadedFile]) -> Any:
    case = _scoped(request, case_id, "person.photo")
    actions.person_photo_set(by=request.user, case=case, filename=file.name or "", data=read_upload(file))
    return _case_answer(request, case_id)


class DecisionIn(Schema):
    decision: str
    decided_on: dt.date
    basis: str


@router.post("/cases/{case_id}/status-decision", response=CaseDetailOut, summary="Record the official status")
def case_decision(request: HttpRequest, case_id: int, payload: DecisionIn) -> Any:
    case = _scoped(request, case_id, "case.status_decision")
    actions.status_decision_record(by=request.user, case=case, **payload.dict())
    return _case_answer(request, case_id)


@router.post("/cases/{case_id}/consent", response=CaseDetailOut, summary="Record consent")
def case_consent(request: HttpRequest, case_id: int, payload: ConsentIn) -> Any:
    case = _scoped(request, case_id, "case.consent")
    actions.consent_record(by=request.user, case=case, **payload.dict())
    return _case_answer(request, case_id)


class ConsentWithdrawIn(Schema):
    withdrawn_on: dt.date | None = Field(None, description="Today when empty; not in the future, not before consent")


@router.post("/cases/{case_id}/consent/withdraw", response=CaseDetailOut, summary="Record withdrawal of consent")
def case_consent_withdraw(request: HttpRequest, case_id: int, payload: ConsentWithdrawIn) -> Any:
    case = _scoped(request, case_id, "case.consent_withdraw")
    actions.consent_withdraw(by=request.user, case=case, withdrawn_on=payload.withdrawn_on)
    return _case_answer(request, case_id)


class StatusIn(Schema):
    status: str = Field(description="Active (also to reopen a closed case) or FollowUp")


@router.post("/cases/{case_id}/status", response=CaseDetailOut,
             summary="Move the case to follow-up, back to active, or reopen it (owner)")
def case_status(request: HttpRequest, case_id: int, payload: StatusIn) -> Any:
    case = _scoped(request, case_id, "case.status")
    actions.case_set_status(by=request.user, case=case, status=payload.status)
    return _case_answer(request, case_id)


class CloseIn(Schema):
    status: str
    reason: str


@router.post("/cases/{case_id}/close", response=CaseDetailOut, summary="Close the case")
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
             summary="Record a historic trafficking event")
def trafficking_event_create(request: HttpRequest, case_id: int, payload: TraffickingEventIn) -> Any:
    case = _scoped(request, case_id, "trafficking_event.create")
    event = actions.trafficking_event_record(by=request.user, case=case, **payload.dict())
    return Status(201, {f: getattr(event, f) for f in EVENT_OUT})


# --- referrals -------------------------------------------------------------------------------------
class ReferralIn(Schema):
    to_organisation_id: int
    reason: str
    services: list[str] = []
    urgency: str = "routine"
    sections: list[str] | None = Field(None, description="Parts shared; empty: the usual for the receiver's kind")
    details: str = ""
    override_basis: str = ""


@router.post("/cases/{case_id}/referrals", response={201: ReferralOut}, summary="Refer the case")
def referral_create(request: HttpRequest, case_id: int, payload: ReferralIn) -> Any:
    case = _scoped(request, case_id, "referral.create")
    to_org = _organisation(payload.to_organisation_id)
    assert to_org is not None
    referral = actions.referral_create(by=request.user, case=case, to_organisation=to_org, reason=payload.reason,
                                       services=payload.services, urgency=payload.urgency, details=payload.details,
                                       override_basis=payload.override_basis, sections=payload.sections or None)
    return Status(201, _referral(referral))


@router.get("/referrals/inbox", response=list[ReferralOut], summary="Referrals to my organisations")
@paginate(BoundedLimitOffsetPagination)
def referral_inbox(request: HttpRequest, filters: Query[ReferralFilterIn]) -> Any:
    _victim_role(request, "referral.list")
    listed = core_filters.bound(ReferralFilter, filters.dict(), queryset=queries.referral_inbox(request.user),
                                strict=True)
    return MappedRows(listed.qs, _referral)


@router.get("/referrals/outbox", response=list[ReferralOut], summary="Referrals from my organisations")
@paginate(BoundedLimitOffsetPagination)
def referral_outbox(request: HttpRequest, filters: Query[ReferralFilterIn]) -> Any:
    _victim_role(request, "referral.list")
    listed = core_filters.bound(ReferralFilter, filters.dict(), queryset=queries.referral_outbox(request.user),
                                strict=True)
    return MappedRows(listed.qs, _referral)


@router.get("/referrals/{referral_id}", response=ReferralDetailOut, summary="One referral sent or received by me")
def referral_detail(request: HttpRequest, referral_id: int) -> Any:
    _victim_role(request, "referral.view")
    referral = queries.referral_for(request.user, referral_id)
    visible = queries.cases_visible_to(request.user).filter(pk=referral.case_id).exists()
    return {**_referral(referral), "details": referral.details if visible else None,
            "decision_reason": referral.decision_reason or "",
            "consent_override": bool(referral.consent_override_basis), "case_visible": visible}


class DeclineIn(Schema):
    reason: str = ""


@router.post("/referrals/{referral_id}/{command}", response=ReferralOut,
             summary="Accept, decline, revoke or complete a referral")
def referral_command(request: HttpRequest, referral_id: int, command: str, payload: DeclineIn | None = None) -> Any:
    _victim_role(request, f"referral.{command}")
    referral = queries.referral_for(request.user, referral_id)
    try:
        referral = actions.referral_command(by=request.user, referral=referral, command=command,
                                            reason=payload.reason if payload else "")
    except LookupError:
        raise Http404 from None
    return _referral(Referral.objects.select_related("case").get(pk=referral.pk))


# --- grants ----------------------------------------------------------------------------------------
class GrantIn(Schema):
    organisation_id: int
    reason: str = Field(..., max_length=300)
    days: int = Field(14, ge=1, le=90)
    sections: list[str] | None = Field(None, description="Parts opened; empty: the usual for the organisation's kind")


@router.post("/cases/{case_id}/grants", response={201: GrantOut}, summary="Grant an organisation time-limited access")
def grant_create(request: HttpRequest, case_id: int, payload: GrantIn) -> Any:
    case = _scoped(request, case_id, "grant.create")
    organisation = _organisation(payload.organisation_id)
    assert organisation is not None
    grant = actions.grant_create(by=request.user, case=case, organisation=organisation, reason=payload.reason,
                                 days=payload.days, sections=payload.sections or None)
    return Status(201, _grant(grant))


@router.post("/cases/{case_id}/grants/{grant_id}/revoke", response=GrantOut, summary="Revoke a grant (owner)")
def grant_revoke(request: HttpRequest, case_id: int, grant_id: int) -> Any:
    case = _scoped(request, case_id, "grant.revoke")
    grant = actions.grant_revoke(by=request.user, grant=_sub(request, AccessGrant, case, grant_id, "grant.revoke"))
    return _grant(grant)


# --- services, follow-ups, reintegration, support plans ---------------------------------------------
class ServiceIn(Schema):
    service_type: str
    provider_id: int | None = Field(None, description="Empty: my organisation")
    planned_on: dt.date | None = None
    delivered_on: dt.date | None = None
    outcome: str = Service.Outcome.PLANNED
    notes: str = ""


@router.post("/cases/{case_id}/services", response={201: ServiceOut}, summary="Record a service")
def service_create(request: HttpRequest, case_id: int, payload: ServiceIn) -> Any:
    case = _scoped(request, case_id, "service.create")
    data = payload.dict()
    data["provider"] = _organisation(data.pop("provider_id"))
    return Status(201, _service(actions.service_record(by=request.user, case=case, **data)))


class DeliverIn(Schema):
    delivered_on: dt.date | None = Field(None, description="Today when empty")
    notes: str = ""


@router.post("/cases/{case_id}/services/{service_id}/deliver", response=ServiceOut,
             summary="Mark a planned service delivered")
def service_deliver(request: HttpRequest, case_id: int, service_id: int, payload: DeliverIn) -> Any:
    case = _scoped(request, case_id, "service.deliver")
    service = _sub(request, Service, case, service_id, "service.deliver")
    return _service(actions.service_deliver(by=request.user, service=service, **payload.dict()))


class FollowUpIn(Schema):
    due_on: dt.date
    notes: str = ""


@router.post("/cases/{case_id}/follow-ups", response={201: FollowUpOut}, summary="Schedule a follow-up")
def follow_up_create(request: HttpRequest, case_id: int, payload: FollowUpIn) -> Any:
    case = _scoped(request, case_id, "follow_up.create")
    f = actions.follow_up_schedule(by=request.user, case=case, **payload.dict())
    return Status(201, {"id": f.pk, "organisation_id": f.organisation_id, "due_on": f.due_on, "done_on": f.done_on})


class FollowUpDoneIn(Schema):
    done_on: dt.date | None = Field(None, description="Today when empty")
    notes: str = ""


@router.post("/cases/{case_id}/follow-ups/{follow_up_id}/done", response=FollowUpOut,
             summary="Mark a follow-up done")
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


@router.post("/cases/{case_id}/assessments", response={201: AssessmentOut}, summary="Assess reintegration")
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


@router.post("/cases/{case_id}/support-plans", response={201: SupportPlanOut}, summary="Add a support plan")
def support_plan_create(request: HttpRequest, case_id: int, payload: SupportPlanIn) -> Any:
    case = _scoped(request, case_id, "support_plan.create")
    return Status(201, _plan(actions.support_plan_create(by=request.user, case=case, **payload.dict())))


class SupportPlanEndIn(Schema):
    actual_end: dt.date | None = Field(None, description="Today when empty")


@router.post("/cases/{case_id}/support-plans/{plan_id}/end", response=SupportPlanOut,
             summary="Record the actual end of a support plan")
def support_plan_end(request: HttpRequest, case_id: int, plan_id: int, payload: SupportPlanEndIn) -> Any:
    case = _scoped(request, case_id, "support_plan.end")
    plan = _sub(request, SupportPlan, case, plan_id, "support_plan.end")
    return _plan(actions.support_plan_end(by=request.user, plan=plan, **payload.dict()))


# --- notes and attachments ---------------------------------------------------------------------------
class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000)


@router.post("/cases/{case_id}/notes", response={201: dict[str, Any]}, summary="Add a note")
def note_create(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    case = _scoped(request, case_id, "note.create")
    note = actions.note_add(by=request.user, case=case, text=payload.text)
    return Status(201, {"id": note.pk, "created_at": note.created_at})


@router.post("/cases/{case_id}/attachments", response={201: AttachmentOut},
             summary="Attach a file (PDF, JPEG, PNG, WebP, DOCX, XLSX; multipart field 'file')")
def attachment_create(request: HttpRequest, case_id: int, file: File[UploadedFile]) -> Any:
    case = _scoped(request, case_id, "attachment.create")
    a = actions.attachment_add(by=request.user, case=case, filename=file.name or "", data=read_upload(file))
    return Status(201, {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                 "created_at": a.created_at})


@router.get("/cases/{case_id}/attachments/{attachment_id}", summary="Download an attachment (audited)")
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


@router.get("/tasks", response=TasksOut, summary="My tasks: decisions due, referrals pending, overdue follow-ups")
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
