"""Reads of coalition data: every page and API operation of the engagement room reads through here.

Who may read what (none of it is victim data; see ``korpu.core.access``):

* **the coalition coordinator** (``access.can_manage_engagement``): everything below, and also the
  members that have left the coalition (``members(former=True)``, a former member's record);
* **staff of a member organisation and other staff** (any logged-in partner): the current members with
  their contact people, every meeting with its agenda, participants, decisions, photos and files,
  every proposal and its history, every campaign with its events and reach, the open decisions. What
  sets a member organisation's staff apart is what they may *do* (answer a proposal addressed to their
  organisation, ``access.can_answer_proposal``; mark done a decision their organisation is responsible
  for; make proposals for their own organisation), and the ``mine`` filters below, which narrow a list
  to the proposals from or to their organisations and the decisions their organisations carry;
* **the public** (no login, ``public=True``): published meetings (organisations, agenda, public
  summary; no minutes, no named people), the public photos and files of published meetings, published
  campaigns and their reach. Never contact people.

Something a user may not read is a 404, the same as something that does not exist.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation
from korpu.core import access, audit, charts, crypto
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
    Service,
    TargetGroup,
)

PHOTO_KINDS = ("full", "thumb")


def _staff(user: Any) -> bool:
    return access.is_staff_user(user)


def labels(codes: list[str], choices: Any) -> list[str]:
    """The labels of ``codes`` in the active language, in the order of the choices."""
    names = dict(choices)
    return [str(names[code]) for code, _label in choices if code in codes] + [c for c in codes if c not in names]


def members(user: Any, *, former: bool = False) -> QuerySet[Member]:
    """Current members (or, with ``former``, those that have left: the coordinator's only); contact
    people for staff only."""
    if former and not access.can_manage_engagement(user):
        return Member.objects.none()
    qs = Member.objects.filter(left_on__isnull=not former).select_related("organisation")
    if not _staff(user):
        return qs
    # Each contact has a data key of its own: unwrap them together, not one query per contact.
    crypto.preload_data_keys(list(ContactPerson.objects.filter(member__in=qs).values_list("data_key_id", flat=True)))
    return qs.prefetch_related("contacts")


def member_rows(user: Any, *, former: bool = False) -> list[dict[str, Any]]:
    """The coalition list: each member with its services and regions as labels, contacts for staff."""
    return [{"member": m, "services": labels(m.services, Service.choices), "regions": labels(m.regions, REGIONS),
             "contacts": list(m.contacts.all()) if _staff(user) else []} for m in members(user, former=former)]


def _staff_row(user: Any, model: Any, queryset: Any, pk: int, *, action: str) -> Any:
    """A row of a staff-only page (its contact people are personal data); else 404 with a ``denied`` event."""
    found = queryset.filter(pk=pk).first() if _staff(user) else None
    access.require(found is not None, action=action, user=user, object_type=model._meta.label, object_id=str(pk))
    return found


def member_for(user: Any, member_id: int) -> Member:
    """One member with its contact people: a current member for staff, any member for the coordinator."""
    qs = Member.objects.select_related("organisation").prefetch_related("contacts")
    if not access.can_manage_engagement(user):
        qs = qs.filter(left_on__isnull=True)
    member = _staff_row(user, Member, qs, member_id, action="coalition.member_view")
    crypto.preload_data_keys([c.data_key_id for c in member.contacts.all()])
    return member


def contacts_of(user: Any, member: Member) -> list[ContactPerson]:
    """A member's contact people (personal data): staff only, never the public."""
    return list(member.contacts.all()) if _staff(user) else []


def organisation_for(user: Any, organisation_id: int, *, new_member: bool = False) -> Organisation:
    """An active organisation named by id (the directory every partner sees); ``new_member``: only one
    that is not yet in the coalition, as the new-member form offers. Else 404."""
    qs = Organisation.objects.filter(is_active=True) if _staff(user) else Organisation.objects.none()
    if new_member:
        qs = qs.filter(coalition_member__isnull=True)
    found = qs.filter(pk=organisation_id).first()
    if found is None:
        raise Http404
    return found


def contact_for(user: Any, member: Member, contact_id: int) -> ContactPerson:
    return _staff_row(user, ContactPerson, ContactPerson.objects.filter(member=member), contact_id,
                      action="coalition.contact_view")


def meetings_visible_to(user: Any, *, public: bool = False) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("organiser")
    if public:
        return qs.filter(is_public=True)
    return qs if _staff(user) else Meeting.objects.none()


def meeting_for(user: Any, meeting_id: int, *, public: bool = False) -> Meeting:
    photos = Photo.objects.filter(is_public=True) if public else Photo.objects.all()
    files = MeetingAttachment.objects.filter(is_public=True) if public else MeetingAttachment.objects.all()
    meeting = (meetings_visible_to(user, public=public)
               .prefetch_related("agenda", "participants__organisation", "decisions__responsible",
                                 Prefetch("photos", queryset=photos), Prefetch("attachments", queryset=files),
                                 "proposals__from_organisation")
               .filter(pk=meeting_id).first())
    if meeting is None:
        raise Http404
    return meeting


def _part(model: Any, user: Any, meeting: Meeting, part_id: int) -> Any:
    """One agenda item, participant or decision of a meeting the user manages (404 otherwise)."""
    return _staff_row(user, model, model.objects.filter(meeting=meeting), part_id, action="meeting.part_view")


def agenda_item_for(user: Any, meeting: Meeting, item_id: int) -> AgendaItem:
    return _part(AgendaItem, user, meeting, item_id)


def participant_for(user: Any, meeting: Meeting, participant_id: int) -> Participant:
    return _part(Participant, user, meeting, participant_id)


def decision_for(user: Any, meeting: Meeting, decision_id: int) -> Decision:
    return _part(Decision, user, meeting, decision_id)


def _meeting_file(model: Any, user: Any, meeting: Meeting, pk: int) -> Any:
    """A photo or file of ``meeting`` for staff (404 otherwise, as for one of another meeting)."""
    found = model.objects.filter(pk=pk, meeting=meeting).first() if _staff(user) else None
    if found is None:
        raise Http404
    return found


def meeting_photo_for(user: Any, meeting: Meeting, photo_id: int) -> Photo:
    return _meeting_file(Photo, user, meeting, photo_id)


def meeting_attachment_for(user: Any, meeting: Meeting, attachment_id: int) -> MeetingAttachment:
    return _meeting_file(MeetingAttachment, user, meeting, attachment_id)


def photo_for(user: Any, photo_id: int, *, public: bool = False, kind: str = "full") -> Photo:
    """A photo the user (or, with ``public``, anyone) may see; an unknown ``kind`` is a 404 too."""
    if kind not in PHOTO_KINDS:
        raise Http404
    qs = Photo.objects.select_related("meeting")
    if public:
        qs = qs.filter(is_public=True, meeting__is_public=True)
    elif not _staff(user):
        raise Http404
    photo = qs.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def photo_content(photo: Photo, kind: str) -> tuple[bytes, str]:
    """The bytes and content type of a photo the caller has already found (``full`` or the ``thumb``)."""
    if kind not in PHOTO_KINDS:
        raise Http404
    name = photo.thumbnail if kind == "thumb" else photo.image
    with default_storage.open(name, "rb") as handle:
        content = bytes(handle.read())
    return content, "image/jpeg" if kind == "thumb" else photo.content_type


def attachment_for(user: Any, attachment_id: int, *, public: bool = False) -> MeetingAttachment:
    """A meeting's file: any logged-in partner; the public only a public file of a public meeting."""
    qs = MeetingAttachment.objects.select_related("meeting")
    if public:
        qs = qs.filter(is_public=True, meeting__is_public=True)
    elif not _staff(user):
        raise Http404
    attachment = qs.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment


def attachment_content(user: Any, attachment: MeetingAttachment, *, public: bool = False) -> bytes:
    """The file's bytes, opened from its sealed copy. A partner's download is audited."""
    with default_storage.open(attachment.storage_name, "rb") as handle:
        blob = handle.read()
    content = crypto.open_bytes(blob, key_uuid=attachment.data_key_id, context="engagement.MeetingAttachment.content")
    if not public:
        audit.record("meeting.attachment_download", obj=attachment, actor=user,
                     details={"meeting": attachment.meeting_id})
    return content


def proposals_visible_to(user: Any, *, status: str = "", mine: bool = False) -> QuerySet[Proposal]:
    """Every proposal, for staff (the coalition's shared record); ``mine``: only those from or addressed
    to the user's organisations."""
    if not _staff(user):
        return Proposal.objects.none()
    qs = Proposal.objects.select_related("from_organisation", "addressed_to", "meeting")
    if mine:
        ids = access.organisation_ids(user)
        qs = qs.filter(Q(from_organisation__in=ids) | Q(addressed_to__in=ids))
    return qs.filter(status=status) if status else qs


def proposal_for(user: Any, proposal_id: int) -> Proposal:
    proposal = proposals_visible_to(user).prefetch_related("events__by", "measures__section__plan").filter(
        pk=proposal_id).first()
    if proposal is None:
        raise Http404
    return proposal


def open_decisions(user: Any, *, mine: bool = False) -> QuerySet[Decision]:
    """Decisions not yet done, soonest due first; ``mine``: those the user's organisations carry."""
    if not _staff(user):
        return Decision.objects.none()
    qs = Decision.objects.filter(done_on__isnull=True).select_related("meeting", "responsible")
    if mine:
        qs = qs.filter(responsible__in=access.organisation_ids(user))
    return qs.order_by("due_on")


def measures_for(user: Any, measure_ids: list[int]) -> list[Any]:
    """The plan measures a proposal may feed, by id (as the answer form offers them); an unknown id is a 404."""
    from korpu.plan.models import Measure

    wanted = set(measure_ids)
    found = list(Measure.objects.filter(pk__in=wanted)) if _staff(user) else []
    if len(found) != len(wanted):
        raise Http404
    return found


def _campaigns(user: Any, *, public: bool) -> QuerySet[Campaign]:
    if public:
        return Campaign.objects.filter(is_public=True)
    return Campaign.objects.all() if _staff(user) else Campaign.objects.none()


def campaigns_visible_to(user: Any, *, public: bool = False, year: int | None = None) -> QuerySet[Campaign]:
    """Campaigns with their organisers and people reached; ``year``: those running in that year."""
    qs = _campaigns(user, public=public).prefetch_related("organisers").annotate(reached=Sum("events__people_reached"))
    if year:
        qs = qs.filter(starts_on__year__lte=year, ends_on__year__gte=year)
    return qs


def campaign_years(user: Any, *, public: bool = False) -> list[int]:
    """Every year in which a visible campaign ran, latest first (for the year filter)."""
    spans = campaigns_visible_to(user, public=public).order_by().values_list("starts_on__year", "ends_on__year")
    return sorted({year for first, last in spans for year in range(first, last + 1)}, reverse=True)


def campaign_for(user: Any, campaign_id: int, *, public: bool = False) -> Campaign:
    campaign = (campaigns_visible_to(user, public=public).prefetch_related("events")
                .filter(pk=campaign_id).first())
    if campaign is None:
        raise Http404
    return campaign


def campaign_event_for(user: Any, campaign: Campaign, event_id: int) -> CampaignEvent:
    return _staff_row(user, CampaignEvent, CampaignEvent.objects.filter(campaign=campaign), event_id,
                      action="campaign.event_view")


def campaign_labels(campaign: Campaign) -> dict[str, list[str]]:
    """A campaign's target groups, channels and regions as labels in the active language."""
    return {"target_groups": labels(campaign.target_groups, TargetGroup.choices),
            "channels": labels(campaign.channels, Channel.choices), "regions": labels(campaign.regions, REGIONS)}


def _reach_chart(chart_id: str, title: str, rows: list[dict[str, Any]]) -> charts.Chart:
    """People reached per region or target group: one bar each, largest first (numbers in the table beside)."""
    people = charts.Series("people", _("People reached"), "#2f7d6d")
    return charts.stacked_bars(chart_id, title, _("The number of people reached by each; the same numbers are in "
                                                  "the table beside the chart."),
                               [people], [(row["label"], [row["people"]]) for row in rows], legend=False)


def reach_totals(campaigns: QuerySet[Campaign] | None = None, *, year: int | None = None) -> dict[str, Any]:
    """People reached by region and by target group (sums over campaign events), with their charts.

    ``year`` counts only the events held in that year. Largest first; ties by label.
    """
    events = CampaignEvent.objects.all()
    if campaigns is not None:
        events = events.filter(campaign__in=campaigns.values("pk"))
    if year:
        events = events.filter(held_on__year=year)
    by_region: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    for region, group, people in events.order_by().values_list("region", "target_group", "people_reached"):
        by_region[region] += people
        by_group[group] += people

    def rows(counter: Counter[str], choices: Any) -> list[dict[str, Any]]:
        names = dict(choices)
        items = [{"code": c, "label": str(names.get(c, c)), "people": n} for c, n in counter.items()]
        return sorted(items, key=lambda item: (-item["people"], item["label"]))

    regions, groups = rows(by_region, REGIONS), rows(by_group, TargetGroup.choices)
    return {"total": sum(by_region.values()), "regions": regions, "groups": groups,
            "region_chart": _reach_chart("regions", _("People reached by region"), regions),
            "group_chart": _reach_chart("groups", _("People reached by target group"), groups)}


def reach_visible_to(user: Any, *, public: bool = False, year: int | None = None,
                     campaign: Campaign | None = None) -> dict[str, Any]:
    """``reach_totals`` over the campaigns the user may see (or over one of them)."""
    campaigns = _campaigns(user, public=public)
    if campaign is not None:
        campaigns = campaigns.filter(pk=campaign.pk)
    return reach_totals(campaigns, year=year)


def upcoming_campaigns(*, public: bool = True) -> QuerySet[Campaign]:
    today = timezone.localdate()
    return (campaigns_visible_to(None, public=public).filter(ends_on__gte=today).order_by("starts_on")
            .prefetch_related("events"))
