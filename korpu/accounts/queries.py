"""Reads of organisations, users and tokens, scoped by who asks."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from korpu.accounts.models import ApiToken, Organisation, User
from korpu.core import access


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """The directory: every active organisation is visible to every logged-in user (and the inactive
    ones to account administrators). ``filters.OrganisationFilter`` narrows it for the list."""
    if not access.is_staff_user(user):
        return Organisation.objects.none()
    qs = Organisation.objects.all() if access.can_manage_accounts(user) else Organisation.objects.filter(is_active=True)
    return qs.annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True),
                                          distinct=True)).order_by("name")


def organisation_for(user: Any, organisation_id: int) -> Organisation:
    organisation = organisations_visible_to(user).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    return organisation


def members_visible_to(user: Any, organisation: Organisation) -> QuerySet[User]:
    """Colleagues' names and roles: visible to logged-in users; contact details only to admins."""
    if not access.is_staff_user(user):
        return User.objects.none()
    return (User.objects.filter(memberships__organisation=organisation, memberships__is_active=True, is_active=True)
            .distinct().order_by("full_name", "username"))


def users_managed_by(user: Any) -> QuerySet[User]:
    """Every account, for an account administrator; ``filters.UserFilter`` narrows it for the list."""
    if not access.can_manage_accounts(user):
        return User.objects.none()
    qs = User.objects.all()
    return qs.prefetch_related("memberships__organisation").order_by("username")


def managed_user(user: Any, user_id: int) -> User:
    found = users_managed_by(user).filter(pk=user_id).first()
    if found is None:
        raise Http404
    return found


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    if not access.is_staff_user(user):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)
