"""Reads of coalition data. Staff see everything here (none of it is victim data); the public sees
public meetings, public photos of public meetings and public campaigns; contact people only staff."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from korpu.core import access
from korpu.engagement.models import (
    REGIONS,
    Campaign,
    CampaignEvent,
    Decision,
    Meeting,
    Member,
    Photo,
    Proposal,
    TargetGroup,
)


def _staff(user: Any) -> bool:
    return access.is_staff_user(user)


def members(user: Any) -> QuerySet[Member]:
    qs = Member.objects.filter(left_on__isnull=True).select_related("organisation")
    return qs.prefetch_related("contacts") if _staff(user) else qs


def meetings_visible_to(user: Any, *, public: bool = False) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("organiser")
    if public:
        return qs.filter(is_public=True)
    return qs if _staff(user) else Meeting.objects.none()


def meeting_for(user: Any, meeting_id: int, *, public: bool = False) -> Meeting:
    photos = Photo.objects.filter(is_public=True) if public else Photo.objects.all()
    meeting = (meetings_visible_to(user, public=public)
               .prefetch_related("agenda", "participants__organisation", "decisions__responsible",
                                 Prefetch("photos", queryset=photos), "proposals__from_organisation")
               .filter(pk=meeting_id).first())
    if meeting is None:
        raise Http404
    return meeting


def photo_for(user: Any, photo_id: int, *, public: bool = False) -> Photo:
    qs = Photo.objects.select_related("meeting")
    if public:
        qs = qs.filter(is_public=True, meeting__is_public=True)
    elif not _staff(user):
        raise Http404
    photo = qs.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def proposals_visible_to(user: Any, *, status: str = "") -> QuerySet[Proposal]:
    if not _staff(user):
        return Proposal.objects.none()
    qs = Proposal.objects.select_related("from_organisation", "addressed_to", "meeting")
    return qs.filter(status=status) if status else qs


def proposal_for(user: Any, proposal_id: int) -> Proposal:
    proposal = proposals_visible_to(user).prefetch_related("events__by", "measures__section__plan").filter(
        pk=proposal_id).first()
    if proposal is None:
        raise Http404
    return proposal


def open_decisions(user: Any) -> QuerySet[Decision]:
    if not _staff(user):
        return Decision.objects.none()
    return Decision.objects.filter(done_on__isnull=True).select_related("meeting", "responsible").order_by("due_on")


def campaigns_visible_to(user: Any, *, public: bool = False) -> QuerySet[Campaign]:
    qs = Campaign.objects.prefetch_related("organisers").annotate(reached=Sum("events__people_reached"))
    if public:
        return qs.filter(is_public=True)
    return qs if _staff(user) else Campaign.objects.none()


def campaign_for(user: Any, campaign_id: int, *, public: bool = False) -> Campaign:
    campaign = campaigns_visible_to(user, public=public).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


def reach_totals(campaigns: QuerySet[Campaign] | None = None, *, year: int | None = None) -> dict[str, Any]:
    """People reached by region and by target group (sums over campaign events), for the charts."""
    events = CampaignEvent.objects.all()
    if campaigns is not None:
        events = events.filter(campaign__in=campaigns)
    if year:
        events = events.filter(held_on__year=year)
    by_region: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    for region, group, people in events.values_list("region", "target_group", "people_reached"):
        by_region[region] += people
        by_group[group] += people
    region_labels = dict(REGIONS)
    group_labels = dict(TargetGroup.choices)
    top = max([*by_region.values(), *by_group.values(), 1])
    return {
        "total": sum(by_region.values()),
        "regions": [{"code": c, "label": region_labels[c], "people": n, "width": round(100 * n / top)}
                    for c, n in by_region.most_common()],
        "groups": [{"code": c, "label": group_labels[c], "people": n, "width": round(100 * n / top)}
                   for c, n in by_group.most_common()],
    }


def upcoming_campaigns(*, public: bool = True) -> QuerySet[Campaign]:
    today = timezone.localdate()
    return campaigns_visible_to(None, public=public).filter(ends_on__gte=today).order_by("starts_on")
