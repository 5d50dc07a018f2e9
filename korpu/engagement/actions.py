"""Every change to the coalition, meetings, proposals and campaigns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation
from korpu.core import access, audit
from korpu.engagement import photos
from korpu.engagement.models import (
    REGIONS,
    AgendaItem,
    Campaign,
    CampaignEvent,
    Channel,
    Decision,
    Meeting,
    Member,
    Participant,
    Photo,
    Proposal,
    ProposalEvent,
    Service,
    TargetGroup,
)

REGION_CODES = {code for code, _label in REGIONS}


def _require_coordinator(by: Any, action: str, obj: Any = None) -> None:
    if not access.can_manage_engagement(by):
        audit.denied(action, obj=obj, actor=by)
        raise ValidationError(_("Only the coalition coordinator may do this."))


def _codes(values: Iterable[str], allowed: set[str], label: str) -> list[str]:
    cleaned = list(dict.fromkeys(v for v in values if v))
    bad = [v for v in cleaned if v not in allowed]
    if bad:
        raise ValidationError(_("%(field)s: unknown value %(values)s.") % {"field": label, "values": ", ".join(bad)})
    return cleaned


# --- coalition ---------------------------------------------------------------------------------
def member_save(*, by: Any, organisation: Organisation, joined_on: dt.date, services: Iterable[str] = (),
                regions: Iterable[str] = (), is_chair: bool = False) -> Member:
    _require_coordinator(by, "coalition.member")
    services = _codes(services, set(Service.values), _("Services"))
    regions = _codes(regions, REGION_CODES, _("Regions"))
    with transaction.atomic():
        if is_chair:
            Member.objects.filter(is_chair=True).exclude(organisation=organisation).update(is_chair=False)
        member, _created = Member.objects.update_or_create(organisation=organisation, defaults={
            "joined_on": joined_on, "services": services, "regions": regions, "is_chair": is_chair})
        audit.record("coalition.member", obj=member, actor=by)
    return member


# --- meetings ----------------------------------------------------------------------------------
def meeting_create(*, by: Any, title: str, held_on: dt.date, organiser: Organisation, place: str = "",
                   agenda: Iterable[str] = (), minutes: str = "", summary: str = "") -> Meeting:
    _require_coordinator(by, "meeting.create")
    if not title.strip():
        raise ValidationError(_("Give the meeting a title."))
    with transaction.atomic():
        meeting = Meeting.objects.create(title=title.strip(), held_on=held_on, organiser=organiser, place=place,
                                         minutes=minutes, summary=summary, created_by=by)
        AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, order=i, text=t.strip())
                                        for i, t in enumerate(agenda) if t.strip()])
        audit.record("meeting.create", obj=meeting, actor=by)
    return meeting


def meeting_update(*, by: Any, meeting: Meeting, **fields: Any) -> Meeting:
    _require_coordinator(by, "meeting.update", meeting)
    allowed = {"title", "held_on", "place", "organiser", "minutes", "summary"}
    if set(fields) - allowed:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(set(fields) - allowed))})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(meeting, name, value)
        meeting.save(update_fields=list(fields))
        audit.record("meeting.update", obj=meeting, actor=by, details={"fields": sorted(fields)})
    return meeting


def agenda_add(*, by: Any, meeting: Meeting, text: str) -> AgendaItem:
    _require_coordinator(by, "meeting.agenda", meeting)
    if not text.strip():
        raise ValidationError(_("The agenda item is empty."))
    with transaction.atomic():
        item = AgendaItem.objects.create(meeting=meeting, text=text.strip(), order=meeting.agenda.count())
        audit.record("meeting.agenda", obj=meeting, actor=by)
    return item


def participant_add(*, by: Any, meeting: Meeting, organisation: Organisation | None = None, person_name: str = "",
                    person_title: str = "", guest_affiliation: str = "") -> Participant:
    _require_coordinator(by, "meeting.participant", meeting)
    if organisation is None and not (person_name.strip() and guest_affiliation.strip()):
        raise ValidationError(_("Choose an organisation, or name an external guest and their affiliation."))
    with transaction.atomic():
        participant = Participant.objects.create(
            meeting=meeting, organisation=organisation, person_name=person_name.strip(),
            person_title=person_title.strip(), is_guest=organisation is None,
            guest_affiliation=guest_affiliation.strip())
        audit.record("meeting.participant", obj=meeting, actor=by)
    return participant


def decision_add(*, by: Any, meeting: Meeting, text: str, responsible: Organisation, due_on: dt.date) -> Decision:
    _require_coordinator(by, "meeting.decision", meeting)
    if not text.strip():
        raise ValidationError(_("The decision is empty."))
    with transaction.atomic():
        decision = Decision.objects.create(meeting=meeting, text=text.strip(), responsible=responsible, due_on=due_on)
        audit.record("meeting.decision", obj=decision, actor=by)
    return decision


def decision_done(*, by: Any, decision: Decision, done_on: dt.date | None = None) -> Decision:
    if not (access.can_manage_engagement(by) or access.member_of(by, decision.responsible_id)):
        audit.denied("meeting.decision_done", obj=decision, actor=by)
        raise ValidationError(_("Only the responsible organisation or the coalition coordinator may do this."))
    with transaction.atomic():
        decision.done_on = done_on or timezone.localdate()
        decision.save(update_fields=["done_on"])
        audit.record("meeting.decision_done", obj=decision, actor=by)
    return decision


def photo_add(*, by: Any, meeting: Meeting, data: bytes, alt_text: str, is_public: bool = False) -> Photo:
    _require_coordinator(by, "meeting.photo", meeting)
    if not alt_text.strip():
        raise ValidationError(_("Describe the photo for people who cannot see it (alt text)."))
    image, thumbnail, content_type, extension, width, height = photos.clean_image(data)
    with transaction.atomic():
        image_name = photos.store(image, extension)
        thumb_name = photos.store(thumbnail, "jpg")
        photo = Photo.objects.create(meeting=meeting, image=image_name, thumbnail=thumb_name,
                                     content_type=content_type, width=width, height=height,
                                     alt_text=alt_text.strip(), is_public=is_public, uploaded_by=by)
        audit.record("meeting.photo", obj=photo, actor=by)
    return photo


def photo_delete(*, by: Any, photo: Photo) -> None:
    _require_coordinator(by, "meeting.photo_delete", photo)
    with transaction.atomic():
        names = [photo.image, photo.thumbnail]
        audit.record("meeting.photo_delete", obj=photo, actor=by)
        photo.delete()
        transaction.on_commit(partial(_delete_files, names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def publish(*, by: Any, obj: Meeting | Photo | Campaign, public: bool) -> Any:
    _require_coordinator(by, "engagement.publish", obj)
    with transaction.atomic():
        obj.is_public = public
        obj.save(update_fields=["is_public"])
        audit.record("engagement.publish" if public else "engagement.unpublish", obj=obj, actor=by)
    return obj


# --- proposals ---------------------------------------------------------------------------------
PROPOSAL_FLOW: dict[str, set[str]] = {
    Proposal.Status.RECEIVED: {Proposal.Status.UNDER_REVIEW, Proposal.Status.ACCEPTED,
                               Proposal.Status.PARTIALLY_ACCEPTED, Proposal.Status.DECLINED},
    Proposal.Status.UNDER_REVIEW: {Proposal.Status.ACCEPTED, Proposal.Status.PARTIALLY_ACCEPTED,
                                   Proposal.Status.DECLINED},
    Proposal.Status.ACCEPTED: {Proposal.Status.IMPLEMENTED},
    Proposal.Status.PARTIALLY_ACCEPTED: {Proposal.Status.IMPLEMENTED},
    Proposal.Status.DECLINED: set(),
    Proposal.Status.IMPLEMENTED: set(),
}


def proposal_create(*, by: Any, from_organisation: Organisation, addressed_to: Organisation, title: str, text: str,
                    meeting: Meeting | None = None) -> Proposal:
    """A member organisation (or the coordinator on its behalf) makes a proposal."""
    if not (access.can_manage_engagement(by) or access.member_of(by, from_organisation.pk)):
        audit.denied("proposal.create", actor=by)
        raise ValidationError(_("You can make proposals only for your own organisation."))
    if not Member.objects.filter(organisation=from_organisation, left_on__isnull=True).exists():
        raise ValidationError(_("Proposals come from coalition members."))
    if not title.strip() or not text.strip():
        raise ValidationError(_("Give the proposal a title and a text."))
    with transaction.atomic():
        proposal = Proposal.objects.create(from_organisation=from_organisation, addressed_to=addressed_to,
                                           meeting=meeting, title=title.strip(), text=text.strip(), created_by=by)
        ProposalEvent.objects.create(proposal=proposal, status=Proposal.Status.RECEIVED, by=by)
        audit.record("proposal.create", obj=proposal, actor=by)
    return proposal


def proposal_respond(*, by: Any, proposal: Proposal, status: str, response: str = "",
                     measures: Iterable[Any] | None = None) -> Proposal:
    """The addressed body (or the coordinator recording its answer) moves the proposal on."""
    if not (access.can_manage_engagement(by) or access.member_of(by, proposal.addressed_to_id)):
        audit.denied("proposal.respond", obj=proposal, actor=by)
        raise ValidationError(_("Only the addressed body or the coalition coordinator may answer."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if status not in PROPOSAL_FLOW.get(locked.status, set()):
            raise ValidationError(_("A proposal cannot go from “%(a)s” to “%(b)s”.") % {
                "a": locked.get_status_display(), "b": Proposal.Status(status).label if status in
                Proposal.Status.values else status})
        if status in (Proposal.Status.DECLINED, Proposal.Status.PARTIALLY_ACCEPTED) and not response.strip():
            raise ValidationError(_("Explain the answer: declining or accepting in part needs a response."))
        locked.status = status
        if response.strip():
            locked.response = response.strip()
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "response", "updated_at"])
        if measures is not None:
            locked.measures.set(list(measures))
        ProposalEvent.objects.create(proposal=locked, status=status, note=response.strip(), by=by)
        audit.record("proposal.respond", obj=locked, actor=by, details={"status": status})
    return locked


# --- campaigns ---------------------------------------------------------------------------------
def campaign_create(*, by: Any, title: str, starts_on: dt.date, ends_on: dt.date, organisers: Iterable[Organisation],
                    target_groups: Iterable[str] = (), channels: Iterable[str] = (), regions: Iterable[str] = (),
                    description: str = "", materials: str = "") -> Campaign:
    _require_coordinator(by, "campaign.create")
    if ends_on < starts_on:
        raise ValidationError(_("A campaign cannot end before it starts."))
    organisers = list(organisers)
    if not organisers:
        raise ValidationError(_("Name at least one organiser."))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title.strip(), starts_on=starts_on, ends_on=ends_on, description=description, materials=materials,
            target_groups=_codes(target_groups, set(TargetGroup.values), _("Target groups")),
            channels=_codes(channels, set(Channel.values), _("Channels")),
            regions=_codes(regions, REGION_CODES, _("Regions")), created_by=by)
        campaign.organisers.set(organisers)
        audit.record("campaign.create", obj=campaign, actor=by)
    return campaign


def campaign_event_add(*, by: Any, campaign: Campaign, held_on: dt.date, place: str, region: str, target_group: str,
                       channel: str, people_reached: int) -> CampaignEvent:
    _require_coordinator(by, "campaign.event", campaign)
    if not campaign.starts_on <= held_on <= campaign.ends_on:
        raise ValidationError(_("The event must fall within the campaign's dates."))
    _codes([region], REGION_CODES, _("Region"))
    _codes([target_group], set(TargetGroup.values), _("Target group"))
    _codes([channel], set(Channel.values), _("Channel"))
    if people_reached < 0:
        raise ValidationError(_("People reached cannot be negative."))
    with transaction.atomic():
        event = CampaignEvent.objects.create(campaign=campaign, held_on=held_on, place=place.strip(), region=region,
                                             target_group=target_group, channel=channel, people_reached=people_reached)
        audit.record("campaign.event", obj=event, actor=by, details={"people": people_reached})
    return event
