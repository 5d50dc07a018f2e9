"""Referrals (send, the inbox and outbox, one referral, the commands) and the owner's grants."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from korpu.cases import actions, queries
from korpu.cases.api._common import _organisation, _scoped, _sub, _victim_role, router
from korpu.cases.api.schemas import GrantOut, ReferralDetailOut, ReferralOut, _grant, _referral
from korpu.cases.filters import ReferralFilter, ReferralFilterIn
from korpu.cases.models import AccessGrant, Referral
from korpu.core import filters as core_filters
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows


# --- referrals -------------------------------------------------------------------------------------
class ReferralIn(Schema):
    to_organisation_id: int
    reason: str
    services: list[str] = []
    urgency: str = "routine"
    sections: list[str] | None = Field(None, description="Parts shared; empty: the usual for the receiver's kind")
    details: str = ""
    override_basis: str = ""


@router.post("/cases/{case_id}/referrals", response={201: ReferralOut}, summary="Refer the case",
             operation_id="korpu_cases_api_referral_create")
def referral_create(request: HttpRequest, case_id: int, payload: ReferralIn) -> Any:
    case = _scoped(request, case_id, "referral.create")
    to_org = _organisation(payload.to_organisation_id)
    assert to_org is not None
    referral = actions.referral_create(by=request.user, case=case, to_organisation=to_org, reason=payload.reason,
                                       services=payload.services, urgency=payload.urgency, details=payload.details,
                                       override_basis=payload.override_basis, sections=payload.sections or None)
    return Status(201, _referral(referral))


@router.get("/referrals/inbox", response=list[ReferralOut], summary="Referrals to my organisations",
            operation_id="korpu_cases_api_referral_inbox")
@paginate(BoundedLimitOffsetPagination)
def referral_inbox(request: HttpRequest, filters: Query[ReferralFilterIn]) -> Any:
    _victim_role(request, "referral.list")
    listed = core_filters.bound(ReferralFilter, filters.dict(), queryset=queries.referral_inbox(request.user),
                                strict=True)
    return MappedRows(listed.qs, _referral)


@router.get("/referrals/outbox", response=list[ReferralOut], summary="Referrals from my organisations",
            operation_id="korpu_cases_api_referral_outbox")
@paginate(BoundedLimitOffsetPagination)
def referral_outbox(request: HttpRequest, filters: Query[ReferralFilterIn]) -> Any:
    _victim_role(request, "referral.list")
    listed = core_filters.bound(ReferralFilter, filters.dict(), queryset=queries.referral_outbox(request.user),
                                strict=True)
    return MappedRows(listed.qs, _referral)


@router.get("/referrals/{referral_id}", response=ReferralDetailOut, summary="One referral sent or received by me",
            operation_id="korpu_cases_api_referral_detail")
def referral_detail(request: HttpRequest, referral_id: int) -> Any:
    _victim_role(request, "referral.view")
    referral = queries.referral_for(request.user, referral_id)
    visible = queries.cases_visible_to(request.user).filter(pk=referral.case_id).exists()
    return {**_referral(referral), "details": referral.details if visible else None,
            "decision_reason": referral.decision_reason or "",
            "consent_override": bool(referral.consent_override_basis), "case_visible": visible}


class DeclineIn(Schema):
    reason: str = ""


@router.post("/referrals/{referral_id}/{command}", response=ReferralOut,
             summary="Accept, decline, revoke or complete a referral", operation_id="korpu_cases_api_referral_command")
def referral_command(request: HttpRequest, referral_id: int, command: str, payload: DeclineIn | None = None) -> Any:
    _victim_role(request, f"referral.{command}")
    referral = queries.referral_for(request.user, referral_id)
    try:
        referral = actions.referral_command(by=request.user, referral=referral, command=command,
                                            reason=payload.reason if payload else "")
    except LookupError:
        raise Http404 from None
    return _referral(Referral.objects.select_related("case").get(pk=referral.pk))


# --- grants ----------------------------------------------------------------------------------------
class GrantIn(Schema):
    organisation_id: int
    reason: str = Field(..., max_length=300)
    days: int = Field(14, ge=1, le=90)
    sections: list[str] | None = Field(None, description="Parts opened; empty: the usual for the organisation's kind")


@router.post("/cases/{case_id}/grants", response={201: GrantOut}, summary="Grant an organisation time-limited access",
             operation_id="korpu_cases_api_grant_create")
def grant_create(request: HttpRequest, case_id: int, payload: GrantIn) -> Any:
    case = _scoped(request, case_id, "grant.create")
    organisation = _organisation(payload.organisation_id)
    assert organisation is not None
    grant = actions.grant_create(by=request.user, case=case, organisation=organisation, reason=payload.reason,
                                 days=payload.days, sections=payload.sections or None)
    return Status(201, _grant(grant))


@router.post("/cases/{case_id}/grants/{grant_id}/revoke", response=GrantOut, summary="Revoke a grant (owner)",
             operation_id="korpu_cases_api_grant_revoke")
def grant_revoke(request: HttpRequest, case_id: int, grant_id: int) -> Any:
    case = _scoped(request, case_id, "grant.revoke")
    grant = actions.grant_revoke(by=request.user, grant=_sub(request, AccessGrant, case, grant_id, "grant.revoke"))
    return _grant(grant)
