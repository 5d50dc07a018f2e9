"""What the coalition API answers: the output shapes and the functions that fill them."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from korpu.core import access
from korpu.engagement import queries
from korpu.engagement.models import (
    AgendaItem,
    Campaign,
    CampaignEvent,
    ContactPerson,
    Decision,
    Meeting,
    MeetingAttachment,
    Member,
    Participant,
    Photo,
    Proposal,
)


# --- output ----------------------------------------------------------------------------------------
class OrganisationOut(Schema):
    id: int
    name: str


class ContactOut(Schema):
    """A contact person: personal data, for logged-in partners only."""

    id: int
    name: str
    title: str
    phone: str
    email: str


class MemberOut(Schema):
    id: int
    organisation: OrganisationOut
    joined_on: dt.date
    left_on: dt.date | None
    is_chair: bool
    services: list[str]
    regions: list[str]
    contacts: list[ContactOut]


class AgendaItemOut(Schema):
    id: int
    order: int
    text: str


class ParticipantOut(Schema):
    id: int
    organisation: OrganisationOut | None
    person_name: str
    person_title: str
    is_guest: bool
    guest_affiliation: str


class DecisionOut(Schema):
    id: int
    meeting_id: int
    text: str
    responsible: OrganisationOut
    due_on: dt.date
    done_on: dt.date | None


class PhotoOut(Schema):
    id: int
    meeting_id: int
    alt_text: str
    content_type: str
    width: int
    height: int
    is_public: bool
    uploaded_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    meeting_id: int
    kind: str
    title: str
    filename: str
    content_type: str
    size: int
    is_public: bool
    uploaded_at: dt.datetime


class MeetingProposalOut(Schema):
    id: int
    title: str
    status: str
    from_organisation: OrganisationOut


class MeetingSummaryOut(Schema):
    id: int
    title: str
    held_on: dt.date
    place: str
    organiser: OrganisationOut
    is_public: bool


class MeetingOut(MeetingSummaryOut):
    minutes: str
    summary: str = Field(description="The public summary (shown on the public portal once published)")
    agenda: list[AgendaItemOut]
    participants: list[ParticipantOut]
    decisions: list[DecisionOut]
    photos: list[PhotoOut]
    attachments: list[AttachmentOut]
    proposals: list[MeetingProposalOut]


class ProposalSummaryOut(Schema):
    id: int
    title: str
    status: str
    from_organisation: OrganisationOut
    addressed_to: OrganisationOut
    meeting_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class MeasureRefOut(Schema):
    id: int
    number: str
    plan_id: int


class ProposalEventOut(Schema):
    status: str
    note: str
    by: str
    at: dt.datetime


class ProposalOut(ProposalSummaryOut):
    text: str
    response: str
    measures: list[MeasureRefOut]
    history: list[ProposalEventOut]
    next_statuses: list[str] = Field(description="Where the proposal may move next (empty once final)")
    can_answer: bool = Field(description="Whether I may answer it (the addressed body or the coordinator)")


class CampaignEventOut(Schema):
    id: int
    campaign_id: int
    held_on: dt.date
    place: str
    region: str
    target_group: str
    channel: str
    people_reached: int


class ReachRowOut(Schema):
    code: str
    label: str
    people: int


class ReachOut(Schema):
    total: int
    regions: list[ReachRowOut] = Field(description="People reached by region, largest first")
    groups: list[ReachRowOut] = Field(description="People reached by target group, largest first")


class CampaignSummaryOut(Schema):
    id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    is_public: bool
    organisers: list[OrganisationOut]
    target_groups: list[str]
    channels: list[str]
    regions: list[str]
    people_reached: int


class CampaignOut(CampaignSummaryOut):
    description: str
    materials: str
    events: list[CampaignEventOut]
    reach: ReachOut


def _org(organisation: Any) -> dict[str, Any] | None:
    return None if organisation is None else {"id": organisation.pk, "name": organisation.name}


def _contact(c: ContactPerson) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "title": c.title, "phone": c.phone, "email": c.email}


def _member_out(request: HttpRequest, m: Member) -> dict[str, Any]:
    return {"id": m.pk, "organisation": _org(m.organisation), "joined_on": m.joined_on, "left_on": m.left_on,
            "is_chair": m.is_chair, "services": m.services, "regions": m.regions,
            "contacts": [_contact(c) for c in queries.contacts_of(request.user, m)]}


def _agenda_item(a: AgendaItem) -> dict[str, Any]:
    return {"id": a.pk, "order": a.order, "text": a.text}


def _participant(p: Participant) -> dict[str, Any]:
    return {"id": p.pk, "organisation": _org(p.organisation), "person_name": p.person_name,
            "person_title": p.person_title, "is_guest": p.is_guest, "guest_affiliation": p.guest_affiliation}


def _decision(d: Decision) -> dict[str, Any]:
    return {"id": d.pk, "meeting_id": d.meeting_id, "text": d.text, "responsible": _org(d.responsible),
            "due_on": d.due_on, "done_on": d.done_on}


def _photo(p: Photo) -> dict[str, Any]:
    return {"id": p.pk, "meeting_id": p.meeting_id, "alt_text": p.alt_text, "content_type": p.content_type,
            "width": p.width, "height": p.height, "is_public": p.is_public, "uploaded_at": p.uploaded_at}


def _attachment(a: MeetingAttachment) -> dict[str, Any]:
    return {"id": a.pk, "meeting_id": a.meeting_id, "kind": a.kind, "title": a.title, "filename": a.filename,
            "content_type": a.content_type, "size": a.size, "is_public": a.is_public, "uploaded_at": a.uploaded_at}


def _meeting_summary(m: Meeting) -> dict[str, Any]:
    return {"id": m.pk, "title": m.title, "held_on": m.held_on, "place": m.place, "organiser": _org(m.organiser),
            "is_public": m.is_public}


def _meeting_answer(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    m = queries.meeting_for(request.user, meeting_id)
    return {**_meeting_summary(m), "minutes": m.minutes, "summary": m.summary,
            "agenda": [_agenda_item(a) for a in m.agenda.all()],
            "participants": [_participant(p) for p in m.participants.all()],
            "decisions": [_decision(d) for d in m.decisions.all()],
            "photos": [_photo(p) for p in m.photos.all()],
            "attachments": [_attachment(a) for a in m.attachments.all()],
            "proposals": [{"id": p.pk, "title": p.title, "status": p.status,
                           "from_organisation": _org(p.from_organisation)} for p in m.proposals.all()]}


def _proposal_summary(p: Proposal) -> dict[str, Any]:
    return {"id": p.pk, "title": p.title, "status": p.status, "from_organisation": _org(p.from_organisation),
            "addressed_to": _org(p.addressed_to), "meeting_id": p.meeting_id, "created_at": p.created_at,
            "updated_at": p.updated_at}


def _proposal_answer(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    p = queries.proposal_for(request.user, proposal_id)
    return {**_proposal_summary(p), "text": p.text, "response": p.response,
            "measures": [{"id": m.pk, "number": m.number, "plan_id": m.section.plan_id} for m in p.measures.all()],
            "history": [{"status": e.status, "note": e.note, "by": e.by.display_name, "at": e.at}
                        for e in p.events.all()],
            "next_statuses": p.next_statuses(),
            "can_answer": access.can_answer_proposal(request.user, p.addressed_to_id)}


def _event(e: CampaignEvent) -> dict[str, Any]:
    return {"id": e.pk, "campaign_id": e.campaign_id, "held_on": e.held_on, "place": e.place, "region": e.region,
            "target_group": e.target_group, "channel": e.channel, "people_reached": e.people_reached}


def _reach(totals: dict[str, Any]) -> dict[str, Any]:
    return {"total": totals["total"], "regions": totals["regions"], "groups": totals["groups"]}


def _campaign_summary(c: Campaign) -> dict[str, Any]:
    return {"id": c.pk, "title": c.title, "starts_on": c.starts_on, "ends_on": c.ends_on, "is_public": c.is_public,
            "organisers": [_org(o) for o in c.organisers.all()], "target_groups": c.target_groups,
            "channels": c.channels, "regions": c.regions, "people_reached": getattr(c, "reached", None) or 0}


def _campaign_answer(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    c = queries.campaign_for(request.user, campaign_id)
    return {**_campaign_summary(c), "description": c.description, "materials": c.materials,
            "events": [_event(e) for e in c.events.all()],
            "reach": _reach(queries.reach_visible_to(request.user, campaign=c))}
