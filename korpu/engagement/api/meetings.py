"""Meetings: agenda, participants, decisions, photos and files."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.core.downloads import file_download, private_image
from korpu.core.uploads import read_upload
from korpu.engagement import actions, queries
from korpu.engagement.api.base import TEXT_MAX, _changes, _with_organisations, router
from korpu.engagement.api.schemas import (
    AgendaItemOut,
    AttachmentOut,
    DecisionOut,
    MeetingOut,
    MeetingSummaryOut,
    ParticipantOut,
    PhotoOut,
    _agenda_item,
    _attachment,
    _decision,
    _meeting_answer,
    _meeting_summary,
    _participant,
    _photo,
)
from korpu.engagement.models import MeetingAttachment


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
