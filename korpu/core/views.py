"""The audit log, the health check, and ``form_page``: the shape every app's one-form pages share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
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


def form_page(request: HttpRequest, form: forms.BaseForm, perform: Callable[[], Any], *, template: str,
              title: Any = "", back: tuple[str, Any] | None = None, success: Any = "",
              then: str | Callable[[Any], str] | None = None, extra: dict[str, Any] | None = None,
              invalid_status: int = 400, method: str = "POST") -> HttpResponse:
    """One form on its own page: GET shows it; a valid POST runs ``perform`` (one action) and goes on.

    On success ``success`` is flashed (a text, or a function of what ``perform`` returned) and the user
    is sent to ``then`` (a URL, or a function of the result). A ``ValidationError`` from the action is
    shown on the form, like an invalid field, and the page answers ``invalid_status``. The template
    gets ``form``, ``title``, ``back_url``/``back_label`` (and ``back``, the URL) and ``extra``.

    A form that asks for a document (a report's period) is submitted with ``method="GET"``: a valid
    one runs ``perform``, and a response it returns (the download) is the answer as it is.
    """
    if request.method == method and form.is_bound and form.is_valid():
        try:
            result = perform()
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            if isinstance(result, HttpResponse):
                return result
            text = success(result) if callable(success) else success
            if text:
                messages.success(request, text)
            target = then(result) if callable(then) else then
            return redirect(target or request.get_full_path())
    back_url, back_label = back if back else ("", "")
    context = {"form": form, "title": title, "back_url": back_url, "back_label": back_label, "back": back_url,
               **(extra or {})}
    return render(request, template, context, status=invalid_status if form.errors else 200)
