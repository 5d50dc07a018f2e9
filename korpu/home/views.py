"""The home page: what each role needs first, from real data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from korpu.accounts import queries as account_queries
from korpu.cases import queries as case_queries
from korpu.core import access, queries
from korpu.core.models import AuditEvent


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {
        "memberships": user.active_memberships(),  # type: ignore[union-attr]
        "organisation_count": account_queries.organisations_visible_to(user).count(),
        "sees_victim_data": access.can_see_victim_data(user),
    }
    organisation = user.primary_organisation()  # type: ignore[union-attr]
    if organisation is not None:
        context["colleagues"] = account_queries.members_visible_to(user, organisation).exclude(
            pk=getattr(user, "pk", None) or 0)[:12]
    if access.can_manage_accounts(user):
        managed = account_queries.users_managed_by(user)
        context["admin"] = {
            "users": managed.count(),
            "locked": sum(1 for u in managed.filter(locked_until__isnull=False) if u.is_locked()),
            "recent_users": managed.order_by("-date_joined")[:5],
        }
    if access.can_see_victim_data(user):
        context["tasks"] = case_queries.tasks_for(user, limit=10)
    if access.can_view_audit(user):
        context["audit_events"] = queries.audit_events_visible_to(user)[:15]
        context["audit_denied"] = queries.audit_events_visible_to(user, outcome=AuditEvent.Outcome.DENIED)[:5]
    return render(request, "home/home.html", context)
