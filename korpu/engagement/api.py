"""API for the coalition: members and their contact people, meetings (agenda, participants, decisions,
photos, files), proposals, campaigns, their events and reach. Mounted at ``/api/v1/engagement/``.

The same scoping queries and actions as the pages (every command of the meeting page has its operation
here): a refused action is a 422 with the reason in the caller's language, something the caller may not
see a 404. Contact people's details come only through ``queries.contacts_of``, which gives them to
logged-in partners alone. Corrections change only the fields sent.
"""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.core.downloads import file_download, private_image
from korpu.core.uploads import read_upload
from korpu.engagement import actions, queries
from korpu.engagement.filters import CampaignFilter, CampaignFilterIn, ProposalFilter, ProposalFilterIn
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

router = Router(tags=["engagement"])

TEXT_MAX = 20000


def _changes(payload: Schema) -> dict[str, Any]:
    """The fields the caller sent (a correction changes only those)."""
    return dict(payload.dict(exclude_unset=True))


def _organisation(request: HttpRequest, organisation_id: int | None) -> Any:
    return None if organisation_id is None else queries.organisation_for(request.user, organisation_id)


def _with_organisations(request: HttpRequest, data: dict[str, Any], **names: str) -> dict[str, Any]:
    """``data`` with each ``<name>_id`` it holds replaced by the organisation (``names``: id key → key)."""
    for id_key, key in names.items():
        if id_key in data:
            data[key] = _organisation(request, data.pop(id_key))
    return data


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


# --- members and contact people ------------------------------------------------------------------
class MemberIn(Schema):
    organisation_id: int = Field(description="An active organisation not yet in the coalition")
    joined_on: dt.date
    is_chair: bool = Field(False, description="Naming the chair takes the flag from the member that holds it")
    services: list[str] = Field([], description="Codes: shelter, rehabilitation, legal_aid, psychological, ...")
    regions: list[str] = Field([], description="Region codes: baku, absheron_khizi, ...")
    left_on: dt.date | None = None


class MemberUpdateIn(Schema):
    joined_on: dt.date | None = None
    is_chair: bool | None = None
    services: list[str] | None = None
    regions: list[str] | None = None
    left_on: dt.date | None = Field(None, description="null: the organisation is (again) a current member")


class LeaveIn(Schema):
    left_on: dt.date | None = Field(None, description="Empty: today")


def _member_save(request: HttpRequest, member: Member, changes: dict[str, Any]) -> Member:
    current = {"joined_on": member.joined_on, "is_chair": member.is_chair, "services": member.services,
               "regions": member.regions, "left_on": member.left_on}
    fields = {**current, **{k: v for k, v in changes.items() if v is not None or k == "left_on"}}
    return actions.member_save(by=request.user, organisation=member.organisation, **fields)


@router.get("/members", response=list[MemberOut], summary="Coalition members with their contact people")
@paginate(BoundedLimitOffsetPagination)
def member_list(request: HttpRequest, former: bool = False) -> Any:
    """``former``: the members that have left (the coalition coordinator's only; an empty list for others)."""
    return MappedRows(queries.members(request.user, former=former), lambda m: _member_out(request, m))


@router.post("/members", response={201: MemberOut}, summary="Add an organisation to the coalition")
def member_create(request: HttpRequest, payload: MemberIn) -> Any:
    data = payload.dict()
    organisation = queries.organisation_for(request.user, data.pop("organisation_id"), new_member=True)
    member = actions.member_save(by=request.user, organisation=organisation, **data)
    return Status(201, _member_out(request, queries.member_for(request.user, member.pk)))


@router.get("/members/{member_id}", response=MemberOut, summary="One member (a former one: the coordinator only)")
def member_detail(request: HttpRequest, member_id: int) -> Any:
    return _member_out(request, queries.member_for(request.user, member_id))


@router.post("/members/{member_id}", response=MemberOut,
             summary="Change a membership: join date, chair, services, regions, leaving date")
def member_update(request: HttpRequest, member_id: int, payload: MemberUpdateIn) -> Any:
    member = queries.member_for(request.user, member_id)
    _member_save(request, member, _changes(payload))
    return _member_out(request, queries.member_for(request.user, member_id))


@router.post("/members/{member_id}/leave", response=MemberOut, summary="Record that a member left the coalition")
def member_leave(request: HttpRequest, member_id: int, payload: LeaveIn) -> Any:
    member = queries.member_for(request.user, member_id)
    _member_save(request, member, {"left_on": payload.left_on or timezone.localdate()})
    return _member_out(request, queries.member_for(request.user, member_id))


class ContactIn(Schema):
    name: str = Field(..., max_length=200)
    title: str = Field("", max_length=200, description="Position")
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)


class ContactUpdateIn(Schema):
    name: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)


@router.post("/members/{member_id}/contacts", response={201: ContactOut},
             summary="Add a contact person (stored encrypted)")
def contact_create(request: HttpRequest, member_id: int, payload: ContactIn) -> Any:
    member = queries.member_for(request.user, member_id)
    contact = actions.contact_save(by=request.user, member=member, **payload.dict())
    return Status(201, _contact(contact))


@router.post("/members/{member_id}/contacts/{contact_id}", response=ContactOut, summary="Correct a contact person")
def contact_update(request: HttpRequest, member_id: int, contact_id: int, payload: ContactUpdateIn) -> Any:
    member = queries.member_for(request.user, member_id)
    contact = queries.contact_for(request.user, member, contact_id)
    current = {"name": contact.name, "title": contact.title, "phone": contact.phone, "email": contact.email}
    fields = {**current, **{k: ("" if v is None else v) for k, v in _changes(payload).items()}}
    return _contact(actions.contact_save(by=request.user, member=member, contact=contact, **fields))


@router.post("/members/{member_id}/contacts/{contact_id}/delete", response={204: None},
             summary="Remove a contact person (their data key is shredded)")
def contact_delete(request: HttpRequest, member_id: int, contact_id: int) -> Any:
    member = queries.member_for(request.user, member_id)
    actions.contact_delete(by=request.user, contact=queries.contact_for(request.user, member, contact_id))
    return Status(204, None)


# --- meetings --------------------------------------------------------------------------------------
class MeetingIn(Schema):
    title: str = Field(..., max_length=300)
    held_on: dt.date
    place: str = Field("", max_length=300)
    organiser_id: int
    agenda: list[str] = Field([], description="The agenda items, in order")
    minutes: str = Field("", max_length=TEXT_MAX)
    summary: str = Field("", max_length=TEXT_MAX, description="The public summary")


class MeetingUpdateIn(Schema):
    title: str | None = Field(None, max_length=300)
    held_on: dt.date | None = None
    place: str | None = Field(None, max_length=300)
    organiser_id: int | None = None
    minutes: str | None = Field(None, max_length=TEXT_MAX)
    summary: str | None = Field(None, max_length=TEXT_MAX, description="The public summary")


class PublishIn(Schema):
    public: bool = Field(True, description="false takes it off the public portal")


@router.get("/meetings", response=list[MeetingSummaryOut], summary="Meetings, latest first")
@paginate(BoundedLimitOffsetPagination)
def meeting_list(request: HttpRequest) -> Any:
    return MappedRows(queries.meetings_visible_to(request.user), _meeting_summary)


@router.post("/meetings", response={201: MeetingOut}, summary="Record a meeting with its agenda")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
    data = _with_organisations(request, payload.dict(), organiser_id="organiser")
    meeting = actions.meeting_create(by=request.user, **data)
    return Status(201, _meeting_answer(request, meeting.pk))


@router.get("/meetings/{meeting_id}", response=MeetingOut,
            summary="One meeting: agenda, participants, minutes, decisions, photos, files, proposals")
def meeting_detail(request: HttpRequest, meeting_id: int) -> Any:
    return _meeting_answer(request, meeting_id)


@router.post("/meetings/{meeting_id}", response=MeetingOut,
             summary="Correct a meeting: title, date, place, organiser, minutes, public summary")
def meeting_update(request: HttpRequest, meeting_id: int, payload: MeetingUpdateIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    fields = {k: v for k, v in _changes(payload).items() if v is not None or k in ("place", "minutes", "summary")}
    fields = {k: ("" if v is None else v) for k, v in fields.items()}
    actions.meeting_update(by=request.user, meeting=meeting,
                           **_with_organisations(request, fields, organiser_id="organiser"))
    return _meeting_answer(request, meeting_id)


@router.post("/meetings/{meeting_id}/publish", response=MeetingOut,
             summary="Show a meeting on the public portal, or take it off")
def meeting_publish(request: HttpRequest, meeting_id: int, payload: PublishIn) -> Any:
    actions.publish(by=request.user, obj=queries.meeting_for(request.user, meeting_id), public=payload.public)
    return _meeting_answer(request, meeting_id)


class AgendaItemIn(Schema):
    text: str = Field(..., max_length=500)


@router.post("/meetings/{meeting_id}/agenda", response={201: AgendaItemOut}, summary="Add an agenda item")
def agenda_create(request: HttpRequest, meeting_id: int, payload: AgendaItemIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    return Status(201, _agenda_item(actions.agenda_add(by=request.user, meeting=meeting, text=payload.text)))


@router.post("/meetings/{meeting_id}/agenda/{item_id}", response=AgendaItemOut, summary="Correct an agenda item")
def agenda_update(request: HttpRequest, meeting_id: int, item_id: int, payload: AgendaItemIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    item = queries.agenda_item_for(request.user, meeting, item_id)
    return _agenda_item(actions.agenda_update(by=request.user, item=item, text=payload.text))


@router.post("/meetings/{meeting_id}/agenda/{item_id}/delete", response={204: None}, summary="Remove an agenda item")
def agenda_delete(request: HttpRequest, meeting_id: int, item_id: int) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    actions.agenda_remove(by=request.user, item=queries.agenda_item_for(request.user, meeting, item_id))
    return Status(204, None)


class ParticipantIn(Schema):
    organisation_id: int | None = Field(None, description="Empty for an external guest")
    person_name: str = Field("", max_length=200)
    person_title: str = Field("", max_length=200)
    guest_affiliation: str = Field("", max_length=200, description="An external guest's affiliation")


class ParticipantUpdateIn(Schema):
    organisation_id: int | None = Field(None, description="null: an external guest")
    person_name: str | None = Field(None, max_length=200)
    person_title: str | None = Field(None, max_length=200)
    guest_affiliation: str | None = Field(None, max_length=200)


@router.post("/meetings/{meeting_id}/participants", response={201: ParticipantOut},
             summary="Add a participant: an organisation (optionally a named person) or an external guest")
def participant_create(request: HttpRequest, meeting_id: int, payload: ParticipantIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    data = _with_organisations(request, payload.dict(), organisation_id="organisation")
    return Status(201, _participant(actions.participant_add(by=request.user, meeting=meeting, **data)))


@router.post("/meetings/{meeting_id}/participants/{participant_id}", response=ParticipantOut,
             summary="Correct a participant")
def participant_update(request: HttpRequest, meeting_id: int, participant_id: int,
                       payload: ParticipantUpdateIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    participant = queries.participant_for(request.user, meeting, participant_id)
    current = {"organisation": participant.organisation, "person_name": participant.person_name,
               "person_title": participant.person_title, "guest_affiliation": participant.guest_affiliation}
    changes = {k: ("" if v is None and k != "organisation_id" else v) for k, v in _changes(payload).items()}
    fields = {**current, **_with_organisations(request, changes, organisation_id="organisation")}
    return _participant(actions.participant_update(by=request.user, participant=participant, **fields))


@router.post("/meetings/{meeting_id}/participants/{participant_id}/delete", response={204: None},
             summary="Remove a participant")
def participant_delete(request: HttpRequest, meeting_id: int, participant_id: int) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    actions.participant_remove(by=request.user,
                               participant=queries.participant_for(request.user, meeting, participant_id))
    return Status(204, None)


class DecisionIn(Schema):
    text: str = Field(..., max_length=TEXT_MAX)
    responsible_id: int = Field(description="The responsible organisation")
    due_on: dt.date


class DecisionUpdateIn(Schema):
    text: str | None = Field(None, max_length=TEXT_MAX)
    responsible_id: int | None = None
    due_on: dt.date | None = None


class DoneIn(Schema):
    done_on: dt.date | None = Field(None, description="Empty: today")


@router.get("/decisions", response=list[DecisionOut], summary="Open decisions of all meetings, soonest due first")
@paginate(BoundedLimitOffsetPagination)
def decision_list(request: HttpRequest, mine: bool = False) -> Any:
    """``mine``: only the decisions my organisations are responsible for."""
    return MappedRows(queries.open_decisions(request.user, mine=mine), _decision)


@router.post("/meetings/{meeting_id}/decisions", response={201: DecisionOut},
             summary="Record a decision with a responsible organisation and a due date")
def decision_create(request: HttpRequest, meeting_id: int, payload: DecisionIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    data = _with_organisations(request, payload.dict(), responsible_id="responsible")
    return Status(201, _decision(actions.decision_add(by=request.user, meeting=meeting, **data)))


@router.post("/meetings/{meeting_id}/decisions/{decision_id}", response=DecisionOut, summary="Correct a decision")
def decision_update(request: HttpRequest, meeting_id: int, decision_id: int, payload: DecisionUpdateIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    decision = queries.decision_for(request.user, meeting, decision_id)
    current = {"text": decision.text, "responsible": decision.responsible, "due_on": decision.due_on}
    changes = {k: v for k, v in _changes(payload).items() if v is not None}
    fields = {**current, **_with_organisations(request, changes, responsible_id="responsible")}
    return _decision(actions.decision_update(by=request.user, decision=decision, **fields))


@router.post("/meetings/{meeting_id}/decisions/{decision_id}/delete", response={204: None},
             summary="Remove a decision")
def decision_delete(request: HttpRequest, meeting_id: int, decision_id: int) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    actions.decision_remove(by=request.user, decision=queries.decision_for(request.user, meeting, decision_id))
    return Status(204, None)


@router.post("/meetings/{meeting_id}/decisions/{decision_id}/done", response=DecisionOut,
             summary="Mark a decision done (the coordinator or the responsible organisation)")
def decision_done(request: HttpRequest, meeting_id: int, decision_id: int, payload: DoneIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    decision = queries.decision_for(request.user, meeting, decision_id)
    return _decision(actions.decision_done(by=request.user, decision=decision, done_on=payload.done_on))


# --- photos and files -------------------------------------------------------------------------------
class PhotoIn(Schema):
    alt_text: str = Field(..., max_length=300, description="The description for people who cannot see it")
    is_public: bool = False


class PhotoUpdateIn(Schema):
    alt_text: str = Field(..., max_length=300)


class AttachmentIn(Schema):
    kind: str = Field(MeetingAttachment.Kind.OTHER, description="agenda, minutes or other")
    title: str = Field("", max_length=300)
    is_public: bool = Field(False, description="Shown to the public only while the meeting is published")


@router.post("/meetings/{meeting_id}/photos", response={201: PhotoOut},
             summary="Add a photo (JPEG, PNG, WebP; multipart field 'file'); EXIF and GPS are stripped")
def photo_create(request: HttpRequest, meeting_id: int, file: File[UploadedFile], payload: Form[PhotoIn]) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    photo = actions.photo_add(by=request.user, meeting=meeting, data=read_upload(file, photo=True),
                              alt_text=payload.alt_text, is_public=payload.is_public)
    return Status(201, _photo(photo))


@router.get("/meetings/{meeting_id}/photos/{photo_id}", summary="A photo's image (kind=full) or thumbnail (kind=thumb)")
def photo_download(request: HttpRequest, meeting_id: int, photo_id: int, kind: str = "full") -> HttpResponse:
    meeting = queries.meeting_for(request.user, meeting_id)
    content, content_type = queries.photo_content(queries.meeting_photo_for(request.user, meeting, photo_id), kind)
    return private_image(content, content_type=content_type)


@router.post("/meetings/{meeting_id}/photos/{photo_id}", response=PhotoOut, summary="Correct a photo's alt text")
def photo_update(request: HttpRequest, meeting_id: int, photo_id: int, payload: PhotoUpdateIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    photo = queries.meeting_photo_for(request.user, meeting, photo_id)
    return _photo(actions.photo_update(by=request.user, photo=photo, alt_text=payload.alt_text))


@router.post("/meetings/{meeting_id}/photos/{photo_id}/publish", response=PhotoOut,
             summary="Show a photo on the public portal (with its published meeting), or take it off")
def photo_publish(request: HttpRequest, meeting_id: int, photo_id: int, payload: PublishIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    photo = queries.meeting_photo_for(request.user, meeting, photo_id)
    return _photo(actions.publish(by=request.user, obj=photo, public=payload.public))


@router.post("/meetings/{meeting_id}/photos/{photo_id}/delete", response={204: None}, summary="Delete a photo")
def photo_delete(request: HttpRequest, meeting_id: int, photo_id: int) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    actions.photo_delete(by=request.user, photo=queries.meeting_photo_for(request.user, meeting, photo_id))
    return Status(204, None)


@router.post("/meetings/{meeting_id}/attachments", response={201: AttachmentOut},
             summary="Attach a file (PDF, DOCX, XLSX, JPEG, PNG, WebP; multipart field 'file'), stored sealed")
def attachment_create(request: HttpRequest, meeting_id: int, file: File[UploadedFile],
                      payload: Form[AttachmentIn]) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    attachment = actions.attachment_add(by=request.user, meeting=meeting, filename=file.name or "",
                                        data=read_upload(file), kind=payload.kind, title=payload.title,
                                        is_public=payload.is_public)
    return Status(201, _attachment(attachment))


@router.get("/meetings/{meeting_id}/attachments/{attachment_id}", summary="Download a meeting's file (audited)")
def attachment_download(request: HttpRequest, meeting_id: int, attachment_id: int) -> HttpResponse:
    meeting = queries.meeting_for(request.user, meeting_id)
    attachment = queries.meeting_attachment_for(request.user, meeting, attachment_id)
    content = queries.attachment_content(request.user, attachment)
    return file_download(content, content_type=attachment.content_type, filename=attachment.filename,
                         cache="private, no-store")


@router.post("/meetings/{meeting_id}/attachments/{attachment_id}/publish", response=AttachmentOut,
             summary="Show a file on the public portal (with its published meeting), or take it off")
def attachment_publish(request: HttpRequest, meeting_id: int, attachment_id: int, payload: PublishIn) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    attachment = queries.meeting_attachment_for(request.user, meeting, attachment_id)
    return _attachment(actions.publish(by=request.user, obj=attachment, public=payload.public))


@router.post("/meetings/{meeting_id}/attachments/{attachment_id}/delete", response={204: None},
             summary="Delete a file (its data key is shredded)")
def attachment_delete(request: HttpRequest, meeting_id: int, attachment_id: int) -> Any:
    meeting = queries.meeting_for(request.user, meeting_id)
    actions.attachment_delete(by=request.user,
                              attachment=queries.meeting_attachment_for(request.user, meeting, attachment_id))
    return Status(204, None)


# --- proposals -------------------------------------------------------------------------------------
if TYPE_CHECKING:  # a class for the type checker; at run time generated from the FilterSet
    class ProposalQuery(Schema):
        status: str
        mine: bool
else:
    class ProposalQuery(ProposalFilterIn):
        mine: bool = Field(False, description="Only the proposals from or addressed to my organisations")


class ProposalIn(Schema):
    from_organisation_id: int = Field(description="A current member (my own organisation, unless I coordinate)")
    addressed_to_id: int
    title: str = Field(..., max_length=300)
    text: str = Field(..., max_length=TEXT_MAX)
    meeting_id: int | None = Field(None, description="The meeting where it was raised")


class RespondIn(Schema):
    status: str = Field(description="One of the proposal's next_statuses")
    response: str = Field("", max_length=TEXT_MAX, description="Required to decline or accept in part")
    measure_ids: list[int] | None = Field(None, description="The plan measures it feeds (replaces them); "
                                                            "null leaves them as they are")


class MeasuresIn(Schema):
    measure_ids: list[int] = Field([], description="The plan measures it feeds (replaces them; [] unlinks all)")


@router.get("/proposals", response=list[ProposalSummaryOut], summary="Proposals, latest first")
@paginate(BoundedLimitOffsetPagination)
def proposal_list(request: HttpRequest, filters: Query[ProposalQuery]) -> Any:
    """The filters and ``sort`` of the proposals page (``korpu.engagement.filters.ProposalFilter``), and
    ``mine``. An unknown status lists nothing, as it always has; another invalid value is a 422."""
    params = filters.dict()
    rows = queries.proposals_visible_to(request.user, mine=params.pop("mine"))
    if params["status"] and params["status"] not in Proposal.Status.values:
        return MappedRows(rows.none(), _proposal_summary)
    listed = core_filters.bound(ProposalFilter, params, queryset=rows, strict=True)
    return MappedRows(listed.qs, _proposal_summary)


@router.post("/proposals", response={201: ProposalOut}, summary="Make a proposal on behalf of a member")
def proposal_create(request: HttpRequest, payload: ProposalIn) -> Any:
    meeting = (queries.meeting_for(request.user, payload.meeting_id) if payload.meeting_id is not None else None)
    proposal = actions.proposal_create(
        by=request.user, from_organisation=queries.organisation_for(request.user, payload.from_organisation_id),
        addressed_to=queries.organisation_for(request.user, payload.addressed_to_id), title=payload.title,
        text=payload.text, meeting=meeting)
    return Status(201, _proposal_answer(request, proposal.pk))


@router.get("/proposals/{proposal_id}", response=ProposalOut, summary="One proposal with its history and measures")
def proposal_detail(request: HttpRequest, proposal_id: int) -> Any:
    return _proposal_answer(request, proposal_id)


@router.post("/proposals/{proposal_id}/respond", response=ProposalOut,
             summary="Answer a proposal: move it on (the addressed body or the coordinator)")
def proposal_respond(request: HttpRequest, proposal_id: int, payload: RespondIn) -> Any:
    proposal = queries.proposal_for(request.user, proposal_id)
    measures = None if payload.measure_ids is None else queries.measures_for(request.user, payload.measure_ids)
    actions.proposal_respond(by=request.user, proposal=proposal, status=payload.status, response=payload.response,
                             measures=measures)
    return _proposal_answer(request, proposal_id)


@router.post("/proposals/{proposal_id}/measures", response=ProposalOut,
             summary="Change the plan measures a proposal feeds, without moving it on")
def proposal_measures(request: HttpRequest, proposal_id: int, payload: MeasuresIn) -> Any:
    proposal = queries.proposal_for(request.user, proposal_id)
    actions.proposal_link_measures(by=request.user, proposal=proposal,
                                   measures=queries.measures_for(request.user, payload.measure_ids))
    return _proposal_answer(request, proposal_id)


# --- campaigns -------------------------------------------------------------------------------------
class CampaignIn(Schema):
    title: str = Field(..., max_length=300)
    starts_on: dt.date
    ends_on: dt.date
    organiser_ids: list[int] = Field(description="At least one organisation")
    target_groups: list[str] = Field([], description="Codes: students, job_seekers, labour_migrants, ...")
    channels: list[str] = Field([], description="Codes: talks, tv_radio, social_media, printed, hotline")
    regions: list[str] = []
    description: str = Field("", max_length=TEXT_MAX)
    materials: str = Field("", max_length=TEXT_MAX)


class CampaignUpdateIn(Schema):
    title: str | None = Field(None, max_length=300)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    organiser_ids: list[int] | None = None
    target_groups: list[str] | None = None
    channels: list[str] | None = None
    regions: list[str] | None = None
    description: str | None = Field(None, max_length=TEXT_MAX)
    materials: str | None = Field(None, max_length=TEXT_MAX)


class CampaignEventIn(Schema):
    held_on: dt.date
    place: str = Field(..., max_length=300)
    region: str
    target_group: str
    channel: str
    people_reached: int = Field(..., ge=0)


class CampaignEventUpdateIn(Schema):
    held_on: dt.date | None = None
    place: str | None = Field(None, max_length=300)
    region: str | None = None
    target_group: str | None = None
    channel: str | None = None
    people_reached: int | None = Field(None, ge=0)


if TYPE_CHECKING:
    class CampaignQuery(Schema): ...
else:
    CampaignQuery = CampaignFilterIn


def _organisers(request: HttpRequest, ids: list[int]) -> list[Any]:
    return [queries.organisation_for(request.user, pk) for pk in dict.fromkeys(ids)]


@router.get("/campaigns", response=list[CampaignSummaryOut], summary="Campaigns, latest first, with people reached")
@paginate(BoundedLimitOffsetPagination)
def campaign_list(request: HttpRequest, filters: Query[CampaignQuery]) -> Any:
    """The filters and ``sort`` of the campaigns page (``korpu.engagement.filters.CampaignFilter``):
    ``year``, the campaigns running in that year; an invalid value is a 422 naming the parameter."""
    listed = core_filters.bound(CampaignFilter, filters.dict(), queryset=queries.campaigns_visible_to(request.user),
                                strict=True)
    return MappedRows(listed.qs, _campaign_summary)


@router.get("/reach", response=ReachOut, summary="People reached by region and by target group")
def reach(request: HttpRequest, year: int | None = None) -> Any:
    """``year``: only the events held in that year."""
    return _reach(queries.reach_visible_to(request.user, year=year))


@router.post("/campaigns", response={201: CampaignOut},
             summary="Create a campaign (internal until published)")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Any:
    data = payload.dict()
    data["organisers"] = _organisers(request, data.pop("organiser_ids"))
    campaign = actions.campaign_create(by=request.user, **data)
    return Status(201, _campaign_answer(request, campaign.pk))


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="One campaign with its events and reach")
def campaign_detail(request: HttpRequest, campaign_id: int) -> Any:
    return _campaign_answer(request, campaign_id)


@router.post("/campaigns/{campaign_id}", response=CampaignOut, summary="Correct a campaign")
def campaign_update(request: HttpRequest, campaign_id: int, payload: CampaignUpdateIn) -> Any:
    campaign = queries.campaign_for(request.user, campaign_id)
    current = {"title": campaign.title, "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
               "organisers": list(campaign.organisers.all()), "target_groups": campaign.target_groups,
               "channels": campaign.channels, "regions": campaign.regions, "description": campaign.description,
               "materials": campaign.materials}
    changes = {k: v for k, v in _changes(payload).items() if v is not None}
    if "organiser_ids" in changes:
        changes["organisers"] = _organisers(request, changes.pop("organiser_ids"))
    actions.campaign_update(by=request.user, campaign=campaign, **{**current, **changes})
    return _campaign_answer(request, campaign_id)


@router.post("/campaigns/{campaign_id}/publish", response=CampaignOut,
             summary="Show a campaign on the public portal, or take it off")
def campaign_publish(request: HttpRequest, campaign_id: int, payload: PublishIn) -> Any:
    actions.publish(by=request.user, obj=queries.campaign_for(request.user, campaign_id), public=payload.public)
    return _campaign_answer(request, campaign_id)


@router.post("/campaigns/{campaign_id}/events", response={201: CampaignEventOut},
             summary="Add an event: when, where, for whom, how many people reached")
def campaign_event_create(request: HttpRequest, campaign_id: int, payload: CampaignEventIn) -> Any:
    campaign = queries.campaign_for(request.user, campaign_id)
    return Status(201, _event(actions.campaign_event_add(by=request.user, campaign=campaign, **payload.dict())))


@router.post("/campaigns/{campaign_id}/events/{event_id}", response=CampaignEventOut, summary="Correct an event")
def campaign_event_update(request: HttpRequest, campaign_id: int, event_id: int,
                          payload: CampaignEventUpdateIn) -> Any:
    campaign = queries.campaign_for(request.user, campaign_id)
    event = queries.campaign_event_for(request.user, campaign, event_id)
    current = {"held_on": event.held_on, "place": event.place, "region": event.region,
               "target_group": event.target_group, "channel": event.channel, "people_reached": event.people_reached}
    changes = {k: v for k, v in _changes(payload).items() if v is not None}
    return _event(actions.campaign_event_update(by=request.user, event=event, **{**current, **changes}))


@router.post("/campaigns/{campaign_id}/events/{event_id}/delete", response={204: None}, summary="Delete an event")
def campaign_event_delete(request: HttpRequest, campaign_id: int, event_id: int) -> Any:
    campaign = queries.campaign_for(request.user, campaign_id)
    actions.campaign_event_delete(by=request.user, event=queries.campaign_event_for(request.user, campaign, event_id))
    return Status(204, None)
