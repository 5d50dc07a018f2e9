"""Coalition members and their contact people."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.engagement import actions, queries
from korpu.engagement.api.base import _changes, router
from korpu.engagement.api.schemas import ContactOut, MemberOut, _contact, _member_out
from korpu.engagement.models import Member


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
