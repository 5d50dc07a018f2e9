"""Home page per role, the audit log, health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from korpu.core import access, audit, queries
from korpu.core.models import AuditEvent


@login_required
def audit_list_view(request: HttpRequest) -> HttpResponse:
    access.require(access.can_view_audit(request.user), action="audit.list", user=request.user)
    action = request.GET.get("action", "").strip()
    outcome = request.GET.get("outcome", "").strip()
    actor = request.GET.get("actor", "").strip()
    events = queries.audit_events_visible_to(request.user, action=action, outcome=outcome, actor=actor)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    audit.record("audit.list", actor=request.user, details={"action": action, "outcome": outcome, "page": page.number})
    template = "core/_audit_rows.html" if request.headers.get("HX-Request") else "core/audit_list.html"
    return render(request, template, {"page": page, "action": action, "outcome": outcome, "actor": actor,
                                      "outcomes": AuditEvent.Outcome.choices})


@login_required
@require_POST
def audit_verify_view(request: HttpRequest) -> HttpResponse:
    access.require(access.can_view_audit(request.user), action="audit.verify", user=request.user)
    result = audit.verify()
    audit.record("audit.verify", actor=request.user,
                 outcome=AuditEvent.Outcome.OK if result.ok else AuditEvent.Outcome.FAILED,
                 details={"checked": result.checked, "broken": result.broken_seq})
    return render(request, "core/_audit_verify.html", {"result": result})


def healthz_view(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
