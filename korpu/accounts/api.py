"""API operations for the current user, organisations and personal tokens."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from korpu.accounts import actions, queries
from korpu.accounts.filters import OrganisationFilter, OrganisationFilterIn
from korpu.core import filters as core_filters

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    role: str
    role_label: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    language: str
    memberships: list[MembershipOut]


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    org_type: str
    org_type_label: str
    country: str
    city: str
    email: str
    phone: str
    website: str
    is_active: bool


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    days: int = Field(90, ge=1)


class TokenOut(Schema):
    id: int
    name: str
    token_prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str


def _organisation_out(o: object) -> dict[str, object]:
    return {**{f: getattr(o, f) for f in OrganisationOut.model_fields if f != "org_type_label"},
            "org_type_label": str(o.get_org_type_display())}  # type: ignore[attr-defined]


@router.get("/me", response=MeOut, summary="The current user and their roles")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "id": user.pk, "username": user.username, "full_name": user.full_name,  # type: ignore[union-attr]
        "email": user.email, "language": user.language,  # type: ignore[union-attr]
        "memberships": [
            {"organisation_id": m.organisation_id, "organisation": m.organisation.name, "role": m.role,
             "role_label": str(m.get_role_display())}
            for m in user.active_memberships()  # type: ignore[union-attr]
        ],
    }


@router.get("/organisations", response=list[OrganisationOut], summary="The organisation directory")
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilterIn]) -> list[dict[str, object]]:
    """Filtered and sorted as the directory page is (``korpu.accounts.filters.OrganisationFilter``)."""
    listed = core_filters.bound(OrganisationFilter, filters.dict(), strict=True,
                                queryset=queries.organisations_visible_to(request.user))
    return [_organisation_out(o) for o in listed.qs]


@router.get("/organisations/{organisation_id}", response=OrganisationOut, summary="One organisation")
def organisation_detail(request: HttpRequest, organisation_id: int) -> dict[str, object]:
    return _organisation_out(queries.organisation_for(request.user, organisation_id))


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def token_list(request: HttpRequest) -> list[object]:
    return list(queries.tokens_of(request.user))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token (shown once)")
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    token, plaintext = actions.api_token_create(user=request.user, name=payload.name, days=payload.days)  # type: ignore[arg-type]
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": plaintext})


@router.post("/tokens/{token_id}/revoke", response=TokenOut, summary="Revoke one of my API tokens")
def token_revoke(request: HttpRequest, token_id: int) -> object:
    token = get_object_or_404(queries.tokens_of(request.user), pk=token_id)
    return actions.api_token_revoke(user=request.user, token=token)  # type: ignore[arg-type]
