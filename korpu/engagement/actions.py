"""Every change to the coalition, meetings, proposals and campaigns."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, user_of
from korpu.core import access, audit, crypto, keys
from korpu.core.access import Actor
from korpu.core.models import DataKey
from korpu.core.uploads import checked_file
from korpu.engagement import photos
from korpu.engagement.models import (
    REGIONS,
    AgendaItem,
    Campaign,
    CampaignEvent,
    Channel,
    ContactPerson,
    Decision,
    Meeting,
    MeetingAttachment,
    Member,
    Participant,
    Photo,
    Proposal,
    ProposalEvent,
    Service,
    TargetGroup,
)

REGION_CODES = {code for code, _label in REGIONS}
PHONE = re.compile(r"\+?[0-9 ()-]{5,40}")
ATTACHMENT_CONTEXT = "engagement.MeetingAttachment.content"


def _require_coordinator(by: Actor, action: str, obj: Any = None) -> None:
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
def member_save(*, by: Actor, organisation: Organisation, joined_on: dt.date, services: Iterable[str] = (),
                regions: Iterable[str] = (), is_chair: bool = False, left_on: dt.date | None = None) -> Member:
    """Add an organisation to the coalition, or change its membership.

    The coalition has one chair: naming a member the chair takes the flag from the one before, and
    the chair cannot lose it, nor leave, until another member is named. A member that has left
    cannot be the chair.
    """
    _require_coordinator(by, "coalition.member")
    services = _codes(services, set(Service.values), _("Services"))
    regions = _codes(regions, REGION_CODES, _("Regions"))
    if left_on is not None and left_on < joined_on:
        raise ValidationError(_("A member cannot leave before it joined."))
    if is_chair and left_on is not None:
        raise ValidationError(_("A member that has left cannot be the chair."))
    with transaction.atomic():
        current = Member.objects.select_for_update().filter(organisation=organisation).first()
        if current is not None and current.is_chair and not is_chair:
            raise ValidationError(_("The coalition needs a chair: name another member the chair instead."))
        if is_chair:
            Member.objects.filter(is_chair=True).exclude(organisation=organisation).update(is_chair=False)
        member, created = Member.objects.update_or_create(organisation=organisation, defaults={
            "joined_on": joined_on, "services": services, "regions": regions, "is_chair": is_chair,
            "left_on": left_on})
        audit.record("coalition.member", obj=member, actor=by, details={
            "organisation": organisation.pk, "created": created, "chair": is_chair, "left": left_on is not None})
    return member


def _contact_fields(name: str, title: str, phone: str, email: str) -> dict[str, str]:
    fields = {"name": name.strip(), "title": title.strip(), "phone": phone.strip(), "email": email.strip()}
    if not fields["name"]:
        raise ValidationError(_("Give the contact person's name."))
    if not (fields["phone"] or fields["email"]):
        raise ValidationError(_("Give a phone number or an e-mail address, so the person can be reached."))
    if fields["email"]:
        validate_email(fields["email"])
    if fields["phone"] and not PHONE.fullmatch(fields["phone"]):
        raise ValidationError(_("Write the phone number with digits, spaces, +, -, ( and ) only."))
    for key, limit in (("name", 200), ("title", 200), ("phone", 40), ("email", 254)):
        if len(fields[key]) > limit:
            raise ValidationError(_("%(field)s is too long (at most %(limit)d characters).")
                                  % {"field": key, "limit": limit})
    return fields


def contact_save(*, by: Actor, member: Member, name: str, title: str = "", phone: str = "", email: str = "",
                 contact: ContactPerson | None = None) -> ContactPerson:
    """Add a contact person to a member, or correct one; the details are encrypted, the audit holds ids only."""
    _require_coordinator(by, "coalition.contact", contact or member)
    if contact is not None and contact.member_id != member.pk:
        raise ValidationError(_("This contact person belongs to another member."))
    fields = _contact_fields(name, title, phone, email)
    with transaction.atomic():
        if contact is None:
            contact = ContactPerson(member=member, data_key=DataKey.create())
            changed = sorted(k for k, v in fields.items() if v)
        else:
            changed = sorted(k for k, v in fields.items() if getattr(contact, k) != v)
        for key, value in fields.items():
            setattr(contact, key, value)
        contact.save()
        audit.record("coalition.contact", obj=contact, actor=by, details={"member": member.pk, "fields": changed})
    return contact


def contact_delete(*, by: Actor, contact: ContactPerson) -> None:
    _require_coordinator(by, "coalition.contact_delete", contact)
    with transaction.atomic():
        audit.record("coalition.contact_delete", obj=contact, actor=by, details={"member": contact.member_id})
        data_key = contact.data_key
        contact.delete()
        # The contact's own key goes too: a copy of the row in a backup can no longer be opened.
        keys.shred(data_key=data_key, by=by, reason="coalition.contact_delete")


# --- meetings ----------------------------------------------------------------------------------
def meeting_create(*, by: Actor, title: str, held_on: dt.date, organiser: Organisation, place: str = "",
                   agenda: Iterable[str] = (), minutes: str = "", summary: str = "") -> Meeting:
    _require_coordinator(by, "meeting.create")
    if not title.strip():
        raise ValidationError(_("Give the meeting a title."))
    with transaction.atomic():
        meeting = Meeting.objects.create(title=title.strip(), held_on=held_on, organiser=organiser, place=place,
                                         minutes=minutes, summary=summary, created_by=user_of(by))
        AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, order=i, text=t.strip())
                                        for i, t in enumerate(agenda) if t.strip()])
        audit.record("meeting.create", obj=meeting, actor=by)
    return meeting


def meeting_update(*, by: Actor, meeting: Meeting, **fields: Any) -> Meeting:
    """Correct a meeting: title, date, place, organiser, minutes, public summary (any of them)."""
    _require_coordinator(by, "meeting.update", meeting)
    allowed = {"title", "held_on", "place", "organiser", "minutes", "summary"}
    if set(fields) - allowed:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(set(fields) - allowed))})
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        if not fields["title"]:
            raise ValidationError(_("Give the meeting a title."))
    if "place" in fields:
        fields["place"] = (fields["place"] or "").strip()
    with transaction.atomic():
        for name, value in fields.items():
            setattr(meeting, name, value)
        meeting.save(update_fields=list(fields))
        audit.record("meeting.update", obj=meeting, actor=by, details={"fields": sorted(fields)})
    return meeting


def agenda_add(*, by: Actor, meeting: Meeting, text: str) -> AgendaItem:
    _require_coordinator(by, "meeting.agenda", meeting)
    if not text.strip():
        raise ValidationError(_("The agenda item is empty."))
    with transaction.atomic():
        last = meeting.agenda.order_by("-order").values_list("order", flat=True).first()
        item = AgendaItem.objects.create(meeting=meeting, text=text.strip(), order=0 if last is None else last + 1)
        audit.record("meeting.agenda", obj=meeting, actor=by)
    return item


def agenda_update(*, by: Actor, item: AgendaItem, text: str) -> AgendaItem:
    _require_coordinator(by, "meeting.agenda_update", item.meeting)
    if not text.strip():
        raise ValidationError(_("The agenda item is empty."))
    with transaction.atomic():
        item.text = text.strip()[:500]
        item.save(update_fields=["text"])
        audit.record("meeting.agenda_update", obj=item.meeting, actor=by, details={"item": item.pk})
    return item


def agenda_remove(*, by: Actor, item: AgendaItem) -> None:
    _require_coordinator(by, "meeting.agenda_remove", item.meeting)
    with transaction.atomic():
        audit.record("meeting.agenda_remove", obj=item.meeting, actor=by, details={"item": item.pk})
        item.delete()


def _participant_fields(organisation: Organisation | None, person_name: str, person_title: str,
                        guest_affiliation: str) -> dict[str, Any]:
    if organisation is None and not (person_name.strip() and guest_affiliation.strip()):
        raise ValidationError(_("Choose an organisation, or name an external guest and their affiliation."))
    return {"organisation": organisation, "person_name": person_name.strip(), "person_title": person_title.strip(),
            "is_guest": organisation is None,
            "guest_affiliation": guest_affiliation.strip() if organisation is None else ""}


def participant_add(*, by: Actor, meeting: Meeting, organisation: Organisation | None = None, person_name: str = "",
                    person_title: str = "", guest_affiliation: str = "") -> Participant:
    _require_coordinator(by, "meeting.participant", meeting)
    fields = _participant_fields(organisation, person_name, person_title, guest_affiliation)
    with transaction.atomic():
        participant = Participant.objects.create(meeting=meeting, **fields)
        audit.record("meeting.participant", obj=meeting, actor=by)
    return participant


def participant_update(*, by: Actor, participant: Participant, organisation: Organisation | None = None,
                       person_name: str = "", person_title: str = "", guest_affiliation: str = "") -> Participant:
    _require_coordinator(by, "meeting.participant_update", participant.meeting)
    fields = _participant_fields(organisation, person_name, person_title, guest_affiliation)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(participant, name, value)
        participant.save(update_fields=list(fields))
        audit.record("meeting.participant_update", obj=participant.meeting, actor=by,
                     details={"participant": participant.pk})
    return participant


def participant_remove(*, by: Actor, participant: Participant) -> None:
    _require_coordinator(by, "meeting.participant_remove", participant.meeting)
    with transaction.atomic():
        audit.record("meeting.participant_remove", obj=participant.meeting, actor=by,
                     details={"participant": participant.pk})
        participant.delete()


def decision_add(*, by: Actor, meeting: Meeting, text: str, responsible: Organisation, due_on: dt.date) -> Decision:
    _require_coordinator(by, "meeting.decision", meeting)
    if not text.strip():
        raise ValidationError(_("The decision is empty."))
    with transaction.atomic():
        decision = Decision.objects.create(meeting=meeting, text=text.strip(), responsible=responsible, due_on=due_on)
        audit.record("meeting.decision", obj=decision, actor=by)
    return decision


def decision_update(*, by: Actor, decision: Decision, text: str, responsible: Organisation,
                    due_on: dt.date) -> Decision:
    _require_coordinator(by, "meeting.decision_update", decision)
    if not text.strip():
        raise ValidationError(_("The decision is empty."))
    with transaction.atomic():
        changed = [name for name, value in (("text", text.strip()), ("responsible", responsible), ("due_on", due_on))
                   if getattr(decision, name) != value]
        decision.text, decision.responsible, decision.due_on = text.strip(), responsible, due_on
        decision.save(update_fields=["text", "responsible", "due_on"])
        audit.record("meeting.decision_update", obj=decision, actor=by, details={"fields": changed})
    return decision


def decision_remove(*, by: Actor, decision: Decision) -> None:
    _require_coordinator(by, "meeting.decision_remove", decision)
    with transaction.atomic():
        audit.record("meeting.decision_remove", obj=decision, actor=by, details={"meeting": decision.meeting_id})
        decision.delete()


def decision_done(*, by: Actor, decision: Decision, done_on: dt.date | None = None) -> Decision:
    if not (access.can_manage_engagement(by) or access.member_of(by, decision.responsible_id)):
        audit.denied("meeting.decision_done", obj=decision, actor=by)
        raise ValidationError(_("Only the responsible organisation or the coalition coordinator may do this."))
    with transaction.atomic():
        decision.done_on = done_on or timezone.localdate()
        decision.save(update_fields=["done_on"])
        audit.record("meeting.decision_done", obj=decision, actor=by)
    return decision


def photo_add(*, by: Actor, meeting: Meeting, data: bytes, alt_text: str, is_public: bool = False) -> Photo:
    _require_coordinator(by, "meeting.photo", meeting)
    if not alt_text.strip():
        raise ValidationError(_("Describe the photo for people who cannot see it (alt text)."))
    image, thumbnail, content_type, extension, width, height = photos.clean_image(data)
    with transaction.atomic():
        image_name = photos.store(image, extension)
        thumb_name = photos.store(thumbnail, "jpg")
        try:
            photo = Photo.objects.create(meeting=meeting, image=image_name, thumbnail=thumb_name,
                                         content_type=content_type, width=width, height=height,
                                         alt_text=alt_text.strip(), is_public=is_public, uploaded_by=user_of(by))
            audit.record("meeting.photo", obj=photo, actor=by)
        except Exception:
            _delete_files([image_name, thumb_name])
            raise
    return photo


def photo_update(*, by: Actor, photo: Photo, alt_text: str) -> Photo:
    """Correct a photo's description (its alt text)."""
    _require_coordinator(by, "meeting.photo_update", photo)
    if not alt_text.strip():
        raise ValidationError(_("Describe the photo for people who cannot see it (alt text)."))
    with transaction.atomic():
        photo.alt_text = alt_text.strip()[:300]
        photo.save(update_fields=["alt_text"])
        audit.record("meeting.photo_update", obj=photo, actor=by, details={"meeting": photo.meeting_id})
    return photo


def photo_delete(*, by: Actor, photo: Photo) -> None:
    _require_coordinator(by, "meeting.photo_delete", photo)
    with transaction.atomic():
        names = [photo.image, photo.thumbnail]
        audit.record("meeting.photo_delete", obj=photo, actor=by, details={"meeting": photo.meeting_id})
        photo.delete()
        transaction.on_commit(partial(_delete_files, names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def attachment_add(*, by: Actor, meeting: Meeting, filename: str, data: bytes, kind: str = MeetingAttachment.Kind.OTHER,
                   title: str = "", is_public: bool = False) -> MeetingAttachment:
    """Attach a file to a meeting: type judged from the content, name sanitised, content sealed."""
    _require_coordinator(by, "meeting.attachment", meeting)
    if kind not in MeetingAttachment.Kind.values:
        raise ValidationError(_("Choose what kind of document this is."))
    safe_name, content_type = checked_file(filename, data)
    with transaction.atomic():
        key = DataKey.create()
        sealed = crypto.seal_bytes(data, key_uuid=key.pk, context=ATTACHMENT_CONTEXT)
        stored = default_storage.save(f"engagement/files/{secrets.token_hex(16)}.bin", ContentFile(sealed))
        try:
            attachment = MeetingAttachment.objects.create(
                meeting=meeting, kind=kind, title=title.strip()[:300], filename=safe_name, content_type=content_type,
                size=len(data), storage_name=stored, data_key=key, is_public=is_public, uploaded_by=user_of(by))
            audit.record("meeting.attachment", obj=attachment, actor=by, details={
                "meeting": meeting.pk, "kind": kind, "size": len(data), "public": is_public})
        except Exception:
            default_storage.delete(stored)
            raise
    return attachment


def attachment_delete(*, by: Actor, attachment: MeetingAttachment) -> None:
    _require_coordinator(by, "meeting.attachment_delete", attachment)
    with transaction.atomic():
        audit.record("meeting.attachment_delete", obj=attachment, actor=by, details={"meeting": attachment.meeting_id})
        name, data_key = attachment.storage_name, attachment.data_key
        attachment.delete()
        keys.shred(data_key=data_key, by=by, reason="meeting.attachment_delete")  # backups of the file stay sealed
        transaction.on_commit(partial(_delete_files, [name]))


def publish(*, by: Actor, obj: Meeting | Photo | Campaign | MeetingAttachment, public: bool) -> Any:
    """Show an item on the public portal, or take it off. A photo or a file shows only with its meeting."""
    _require_coordinator(by, "engagement.publish", obj)
    with transaction.atomic():
        obj.is_public = public
        obj.save(update_fields=["is_public"])
        audit.record("engagement.publish" if public else "engagement.unpublish", obj=obj, actor=by)
    return obj


# --- proposals ---------------------------------------------------------------------------------
def proposal_create(*, by: Actor, from_organisation: Organisation, addressed_to: Organisation, title: str, text: str,
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
                                           meeting=meeting, title=title.strip(), text=text.strip(),
                                           created_by=user_of(by))
        ProposalEvent.objects.create(proposal=proposal, status=Proposal.Status.RECEIVED, by=user_of(by))
        audit.record("proposal.create", obj=proposal, actor=by)
    return proposal


def proposal_respond(*, by: Actor, proposal: Proposal, status: str, response: str = "",
                     measures: Iterable[Any] | None = None) -> Proposal:
    """The addressed body (or the coordinator recording its answer) moves the proposal on.

    ``measures`` replaces the plan measures the proposal feeds (an empty list unlinks them all);
    ``None`` leaves them as they are. Where a proposal may go is ``Proposal.next_statuses``.
    """
    if not access.can_answer_proposal(by, proposal.addressed_to_id):
        audit.denied("proposal.respond", obj=proposal, actor=by)
        raise ValidationError(_("Only the addressed body or the coalition coordinator may answer."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if status not in locked.next_statuses():
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
        details: dict[str, Any] = {"status": status}
        if measures is not None:
            details["measures"] = _set_measures(locked, measures)
        ProposalEvent.objects.create(proposal=locked, status=status, note=response.strip(), by=user_of(by))
        audit.record("proposal.respond", obj=locked, actor=by, details=details)
    return locked


def _set_measures(proposal: Proposal, measures: Iterable[Any]) -> list[int]:
    chosen = list(measures)
    proposal.measures.set(chosen)
    return sorted(m.pk for m in chosen)


def proposal_link_measures(*, by: Actor, proposal: Proposal, measures: Iterable[Any]) -> Proposal:
    """Change the plan measures a proposal feeds without moving it on (also once it is final)."""
    if not access.can_answer_proposal(by, proposal.addressed_to_id):
        audit.denied("proposal.measures", obj=proposal, actor=by)
        raise ValidationError(_("Only the addressed body or the coalition coordinator may answer."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        linked = _set_measures(locked, measures)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])
        audit.record("proposal.measures", obj=locked, actor=by, details={"measures": linked})
    return locked


# --- campaigns ---------------------------------------------------------------------------------
def _campaign_fields(title: str, starts_on: dt.date, ends_on: dt.date, organisers: Iterable[Organisation],
                     target_groups: Iterable[str], channels: Iterable[str], regions: Iterable[str],
                     description: str, materials: str) -> tuple[dict[str, Any], list[Organisation]]:
    if not title.strip():
        raise ValidationError(_("Give the campaign a title."))
    if ends_on < starts_on:
        raise ValidationError(_("A campaign cannot end before it starts."))
    chosen = list(organisers)
    if not chosen:
        raise ValidationError(_("Name at least one organiser."))
    return {
        "title": title.strip(), "starts_on": starts_on, "ends_on": ends_on, "description": description.strip(),
        "materials": materials.strip(),
        "target_groups": _codes(target_groups, set(TargetGroup.values), _("Target groups")),
        "channels": _codes(channels, set(Channel.values), _("Channels")),
        "regions": _codes(regions, REGION_CODES, _("Regions")),
    }, chosen


def campaign_create(*, by: Actor, title: str, starts_on: dt.date, ends_on: dt.date, organisers: Iterable[Organisation],
                    target_groups: Iterable[str] = (), channels: Iterable[str] = (), regions: Iterable[str] = (),
                    description: str = "", materials: str = "") -> Campaign:
    """A new campaign; it stays off the public portal until it is published."""
    _require_coordinator(by, "campaign.create")
    fields, chosen = _campaign_fields(title, starts_on, ends_on, organisers, target_groups, channels, regions,
                                      description, materials)
    with transaction.atomic():
        campaign = Campaign.objects.create(**fields, is_public=False, created_by=user_of(by))
        campaign.organisers.set(chosen)
        audit.record("campaign.create", obj=campaign, actor=by)
    return campaign


def campaign_update(*, by: Actor, campaign: Campaign, title: str, starts_on: dt.date, ends_on: dt.date,
                    organisers: Iterable[Organisation], target_groups: Iterable[str] = (), channels: Iterable[str] = (),
                    regions: Iterable[str] = (), description: str = "", materials: str = "") -> Campaign:
    """Correct a campaign. Its events must still fall within its dates."""
    _require_coordinator(by, "campaign.update", campaign)
    fields, chosen = _campaign_fields(title, starts_on, ends_on, organisers, target_groups, channels, regions,
                                      description, materials)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.events.exclude(held_on__range=(starts_on, ends_on)).exists():
            raise ValidationError(_("Some events of this campaign fall outside these dates: change or delete them "
                                    "first."))
        changed = sorted(name for name, value in fields.items() if getattr(locked, name) != value)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        if {o.pk for o in chosen} != set(locked.organisers.values_list("pk", flat=True)):
            locked.organisers.set(chosen)
            changed.append("organisers")
        audit.record("campaign.update", obj=locked, actor=by, details={"fields": changed})
    return locked


def _event_fields(campaign: Campaign, held_on: dt.date, place: str, region: str, target_group: str, channel: str,
                  people_reached: int) -> dict[str, Any]:
    if not campaign.starts_on <= held_on <= campaign.ends_on:
        raise ValidationError(_("The event must fall within the campaign's dates."))
    _codes([region], REGION_CODES, _("Region"))
    _codes([target_group], set(TargetGroup.values), _("Target group"))
    _codes([channel], set(Channel.values), _("Channel"))
    if people_reached < 0:
        raise ValidationError(_("People reached cannot be negative."))
    if not place.strip():
        raise ValidationError(_("Say where the event took place."))
    return {"held_on": held_on, "place": place.strip(), "region": region, "target_group": target_group,
            "channel": channel, "people_reached": people_reached}


def campaign_event_add(*, by: Actor, campaign: Campaign, held_on: dt.date, place: str, region: str, target_group: str,
                       channel: str, people_reached: int) -> CampaignEvent:
    _require_coordinator(by, "campaign.event", campaign)
    fields = _event_fields(campaign, held_on, place, region, target_group, channel, people_reached)
    with transaction.atomic():
        event = CampaignEvent.objects.create(campaign=campaign, **fields)
        audit.record("campaign.event", obj=event, actor=by, details={"people": people_reached})
    return event


def campaign_event_update(*, by: Actor, event: CampaignEvent, held_on: dt.date, place: str, region: str,
                          target_group: str, channel: str, people_reached: int) -> CampaignEvent:
    _require_coordinator(by, "campaign.event_update", event)
    fields = _event_fields(event.campaign, held_on, place, region, target_group, channel, people_reached)
    with transaction.atomic():
        changed = sorted(name for name, value in fields.items() if getattr(event, name) != value)
        for name, value in fields.items():
            setattr(event, name, value)
        event.save(update_fields=list(fields))
        audit.record("campaign.event_update", obj=event, actor=by, details={"fields": changed,
                                                                            "people": people_reached})
    return event


def campaign_event_delete(*, by: Actor, event: CampaignEvent) -> None:
    _require_coordinator(by, "campaign.event_delete", event)
    with transaction.atomic():
        audit.record("campaign.event_delete", obj=event, actor=by, details={"campaign": event.campaign_id,
                                                                            "people": event.people_reached})
        event.delete()
