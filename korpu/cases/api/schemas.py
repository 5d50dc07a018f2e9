"""The schemas of the case API, in and out, and the functions that fill the answers from the records
(a case's detail carries only what the user's sections allow, and never a name)."""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from korpu.cases import actions, queries
from korpu.cases.models import AccessGrant, Referral, Service, SupportPlan


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


class CandidateOut(Schema):
    """A possible duplicate found at registration. ``case_id``/``case_number`` only for a case you may see;
    otherwise only the organisation that holds it, the score and the reasons (no name, no field value)."""

    score: float
    reasons: list[str]
    reason_labels: list[str]
    organisation_id: int
    organisation_name: str
    case_id: int | None
    case_number: str | None


class CaseCreatedOut(CaseDetailOut):
    possible_duplicates: list[CandidateOut] = Field(
        description="Possible matches across all organisations (record linkage); ask a holder with "
                    "POST /api/v1/linkage/cases/{case_id}/requests")

