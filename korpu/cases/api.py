"""API for cases, consent, decisions, referrals, services and follow-ups. Same actions and
scoping queries as the HTML pages; a refused action is a 422 with the reason, an invisible
object a 404."""


import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from korpu.accounts.models import Organisation
from korpu.cases import actions, queries
from korpu.cases.models import Referral, Service
from korpu.core import access
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows

router = Router(tags=["cases"])


def _victim_role(request: HttpRequest, action: str) -> None:
    access.require(access.can_see_victim_data(request.user), action=action, user=request.user)


class PersonIn(Schema):
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = ""
    patronymic: str = ""
    birth_date: dt.date | None = None
    document_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    gender: str = "NonSpecifiedUnknown"
    age_at_identification: int | None = Field(None, ge=0, le=120)
    citizenships: list[str] = []
    languages: list[str] = []
    education: str = ""
    disability: bool = False
    number_of_children: int | None = Field(None, ge=0)


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
    exploitation: list[str] = []
    forced_labour_industry: str = ""
    sexual_exploitation_types: list[str] = []
    means_of_control: list[str] = []
    recruitment_methods: list[str] = []
    recruitment_websites: list[str] = []
    recruitment_place: str = ""
    relationship_to_trafficker: str = ""
    country_of_origin: str = ""
    transit_countries: list[str] = []
    exploitation_countries: list[str] = []
    exploitation_start: dt.date | None = None
    exploitation_end: dt.date | None = None
    guardian_name: str = ""
    guardian_contact: str = ""
    consent: ConsentIn | None = None


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
    given_name: str | None
    family_name: str | None
    patronymic: str | None
    birth_date: dt.date | None
    document_number: str | None
    phone: str | None
    address: str | None
    gender: str
    age_at_identification: int | None
    citizenships: list[str]


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


class ServiceOut(Schema):
    id: int
    service_type: str
    provider_id: int
    planned_on: dt.date | None
    delivered_on: dt.date | None
    outcome: str
    amount: float | None


class CaseDetailOut(CaseSummaryOut):
    sections: list[str]
    identification_channel: str
    country_of_origin: str
    exploitation_countries: list[str]
    is_transnational: bool
    person: PersonOut | None
    decisions: list[dict[str, Any]]
    referrals: list[ReferralOut]
    services: list[ServiceOut] | None


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


def _detail(user: Any, case: Any) -> dict[str, Any]:
    detail = queries.case_detail(user, case)
    person = detail.person
    return {
        **_summary(case),
        "sections": sorted(detail.sections),
        "identification_channel": case.identification_channel, "country_of_origin": case.country_of_origin,
        "exploitation_countries": case.exploitation_countries, "is_transnational": case.is_transnational,
        "person": None if person is None else {
            f: getattr(person, f) for f in ("given_name", "family_name", "patronymic", "birth_date",
                                            "document_number", "phone", "address", "gender",
                                            "age_at_identification", "citizenships")},
        "decisions": [{"decision": d.decision, "decided_on": d.decided_on, "organisation_id": d.organisation_id}
                      for d in detail.decisions or []],
        "referrals": [_referral(r) for r in detail.referrals or []],
        "services": None if detail.services is None else [
            {"id": s.pk, "service_type": s.service_type, "provider_id": s.provider_id, "planned_on": s.planned_on,
             "delivered_on": s.delivered_on, "outcome": s.outcome,
             "amount": float(s.amount) if s.amount is not None else None} for s in detail.services],
    }


class CaseFilterIn(Schema):
    status: str = ""
    trafficking_status: str = ""
    exploitation: str = ""
    gender: str = ""
    age_group: str = ""
    organisation: int | None = None
    identified_from: dt.date | None = None
    identified_to: dt.date | None = None
    q: str = ""


@router.get("/cases", response=list[CaseSummaryOut], summary="Cases visible to me, filtered")
@paginate(BoundedLimitOffsetPagination)
def case_list(request: HttpRequest, filters: Query[CaseFilterIn]) -> Any:
    _victim_role(request, "case.list")
    case_filters = queries.CaseFilters(**filters.dict())
    rows = queries.case_list(request.user, case_filters, summary=True)
    queries.audit_list(request.user, action="case.list", filters=case_filters, count=-1)
    return MappedRows(rows, _summary)


@router.post("/cases", response={201: CaseDetailOut}, summary="Register a (presumed) victim")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    _victim_role(request, "case.create")
    data = payload.dict()
    person = data.pop("person")
    exploitation = data.pop("exploitation")
    consent = data.pop("consent")
    if consent is not None and consent.get("given_on") is None:
        consent.pop("given_on")
    if data.get("identified_on") is None:
        data.pop("identified_on")
    case = actions.case_register(by=request.user, person=person, case=data, exploitation=exploitation,
                                 consent=consent)
    return 201, _detail(request.user, queries.case_for(request.user, case.pk))


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case, as far as my access reaches")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    _victim_role(request, "case.view")
    return _detail(request.user, queries.case_for(request.user, case_id))


class DecisionIn(Schema):
    decision: str
    decided_on: dt.date
    basis: str


@router.post("/cases/{case_id}/status-decision", response=CaseDetailOut, summary="Record the official status")
def case_decision(request: HttpRequest, case_id: int, payload: DecisionIn) -> Any:
    _victim_role(request, "case.status_decision")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    actions.status_decision_record(by=request.user, case=case, **payload.dict())
    return _detail(request.user, queries.case_for(request.user, case_id))


@router.post("/cases/{case_id}/consent", response=CaseDetailOut, summary="Record consent")
def case_consent(request: HttpRequest, case_id: int, payload: ConsentIn) -> Any:
    _victim_role(request, "case.consent")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    actions.consent_record(by=request.user, case=case, **payload.dict())
    return _detail(request.user, queries.case_for(request.user, case_id))


@router.post("/cases/{case_id}/consent/withdraw", response=CaseDetailOut, summary="Record withdrawal of consent")
def case_consent_withdraw(request: HttpRequest, case_id: int) -> Any:
    _victim_role(request, "case.consent_withdraw")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    actions.consent_withdraw(by=request.user, case=case)
    return _detail(request.user, queries.case_for(request.user, case_id))


class ReferralIn(Schema):
    to_organisation_id: int
    reason: str
    services: list[str] = []
    urgency: str = "routine"
    details: str = ""
    override_basis: str = ""


@router.post("/cases/{case_id}/referrals", response={201: ReferralOut}, summary="Refer the case")
def referral_create(request: HttpRequest, case_id: int, payload: ReferralIn) -> Any:
    _victim_role(request, "referral.create")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    to_org = Organisation.objects.filter(pk=payload.to_organisation_id, is_active=True).first()
    if to_org is None:
        raise Http404  # answered as the translated JSON "Not found." by korpu.api
    referral = actions.referral_create(by=request.user, case=case, to_organisation=to_org, reason=payload.reason,
                                       services=payload.services, urgency=payload.urgency, details=payload.details,
                                       override_basis=payload.override_basis)
    return 201, _referral(referral)


class ServiceIn(Schema):
    service_type: str
    planned_on: dt.date | None = None
    delivered_on: dt.date | None = None
    outcome: str = Service.Outcome.PLANNED
    notes: str = ""


@router.post("/cases/{case_id}/services", response={201: ServiceOut}, summary="Record a service")
def service_create(request: HttpRequest, case_id: int, payload: ServiceIn) -> Any:
    _victim_role(request, "service.create")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    s = actions.service_record(by=request.user, case=case, **payload.dict())
    return 201, {"id": s.pk, "service_type": s.service_type, "provider_id": s.provider_id,
                 "planned_on": s.planned_on, "delivered_on": s.delivered_on, "outcome": s.outcome,
                 "amount": float(s.amount) if s.amount is not None else None}


class FollowUpIn(Schema):
    due_on: dt.date
    notes: str = ""


@router.post("/cases/{case_id}/follow-ups", response={201: dict[str, Any]}, summary="Schedule a follow-up")
def follow_up_create(request: HttpRequest, case_id: int, payload: FollowUpIn) -> Any:
    _victim_role(request, "follow_up.create")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    f = actions.follow_up_schedule(by=request.user, case=case, **payload.dict())
    return 201, {"id": f.pk, "due_on": f.due_on}


class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000)


@router.post("/cases/{case_id}/notes", response={201: dict[str, Any]}, summary="Add a note")
def note_create(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    _victim_role(request, "note.create")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    note = actions.note_add(by=request.user, case=case, text=payload.text)
    return 201, {"id": note.pk, "created_at": note.created_at}


class CloseIn(Schema):
    status: str
    reason: str


@router.post("/cases/{case_id}/close", response=CaseDetailOut, summary="Close the case")
def case_close(request: HttpRequest, case_id: int, payload: CloseIn) -> Any:
    _victim_role(request, "case.close")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    actions.case_close(by=request.user, case=case, **payload.dict())
    return _detail(request.user, queries.case_for(request.user, case_id))


@router.get("/referrals/inbox", response=list[ReferralOut], summary="Referrals to my organisations")
@paginate(BoundedLimitOffsetPagination)
def referral_inbox(request: HttpRequest, status: str = "") -> Any:
    _victim_role(request, "referral.list")
    return MappedRows(queries.referral_inbox(request.user, status=status), _referral)


@router.get("/referrals/outbox", response=list[ReferralOut], summary="Referrals from my organisations")
@paginate(BoundedLimitOffsetPagination)
def referral_outbox(request: HttpRequest, status: str = "") -> Any:
    _victim_role(request, "referral.list")
    return MappedRows(queries.referral_outbox(request.user, status=status), _referral)


class DeclineIn(Schema):
    reason: str = ""


@router.post("/referrals/{referral_id}/{command}", response=ReferralOut,
             summary="Accept, decline, revoke or complete a referral")
def referral_command(request: HttpRequest, referral_id: int, command: str, payload: DeclineIn | None = None) -> Any:
    _victim_role(request, f"referral.{command}")
    referral = queries.referral_for(request.user, referral_id)
    if command == "accept":
        referral = actions.referral_accept(by=request.user, referral=referral)
    elif command == "decline":
        referral = actions.referral_decline(by=request.user, referral=referral,
                                            reason=payload.reason if payload else "")
    elif command == "revoke":
        referral = actions.referral_revoke(by=request.user, referral=referral)
    elif command == "complete":
        referral = actions.referral_complete(by=request.user, referral=referral)
    else:
        raise Http404
    return _referral(Referral.objects.select_related("case").get(pk=referral.pk))
