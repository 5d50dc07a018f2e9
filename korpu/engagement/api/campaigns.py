"""Awareness campaigns, their events and the people reached."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from korpu.core import filters as core_filters
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.engagement import actions, queries
from korpu.engagement.api.base import TEXT_MAX, _changes, router
from korpu.engagement.api.meetings import PublishIn
from korpu.engagement.api.schemas import (
    CampaignEventOut,
    CampaignOut,
    CampaignSummaryOut,
    ReachOut,
    _campaign_answer,
    _campaign_summary,
    _event,
    _reach,
)
from korpu.engagement.filters import CampaignFilter, CampaignFilterIn


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
