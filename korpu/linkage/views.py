"""Record linkage pages: the case page's panel (linked records, the duplicate check, requests), the
link requests (list, one request with its answer) and the card of "My tasks".

The panel and the tasks card are htmx fragments the cases app's pages load by URL, as the case page
loads its admission form from the shelters app: the cases app does not import this one (ADR 0023).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from korpu.cases import queries as case_queries
from korpu.linkage import actions, queries
from korpu.linkage.forms import CheckForm, LinkRequestForm
from korpu.linkage.models import LinkRequest


def _messages_of(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _panel(request: HttpRequest, case_id: int, *, check: bool) -> HttpResponse:
    case = queries.case_with_identity(request.user, case_id, action="linkage.panel")
    context: dict[str, Any] = {
        "case": case, "linked": queries.linked_records(request.user, case),
        "requests": queries.requests_of_case(request.user, case), "checked": check,
    }
    if check:
        context["candidates"] = queries.public_candidates(queries.case_matches(request.user, case))
        waiting = {r.to_organisation_id for r in context["requests"]
                   if r.status == LinkRequest.Status.PENDING and r.from_case_id == case.pk}
        context["waiting"] = waiting
    return render(request, "linkage/_case_panel.html", context)


@login_required
@require_GET
def case_panel_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page's record-linkage card; ``?check=1`` runs the duplicate check (an audited read)."""
    return _panel(request, case_id, check=request.GET.get("check") == "1")


@login_required
@require_POST
def request_create_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.case_with_identity(request.user, case_id, action="linkage.request")
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the organisation to ask."))
    else:
        try:
            made = actions.link_request(by=request.user, case=case, organisation=form.cleaned_data["organisation"])
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(request, _("The link request was sent to %(organisation)s.")
                             % {"organisation": made[0].to_organisation.name})
    return redirect(reverse("cases:detail", args=[case.pk]))


@login_required
@require_POST
def unlink_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.case_with_identity(request.user, case_id, action="linkage.unlink")
    try:
        actions.unlink(by=request.user, case=case)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("This record is no longer linked to the others."))
    return redirect(reverse("cases:detail", args=[case.pk]))


@login_required
@require_GET
def request_list_view(request: HttpRequest) -> HttpResponse:
    queries.require_victim_data(request.user, "linkage.request.list")
    return render(request, "linkage/request_list.html", {
        "inbox": list(queries.requests_inbox(request.user)[:100]),
        "outbox": list(queries.requests_outbox(request.user)[:100]),
    })


@login_required
@require_GET
def request_detail_view(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request. The asked organisation sees its own case and the reasons; never the asker's record."""
    link = queries.request_for(request.user, request_id)
    org_ids = case_queries.victim_data_organisation_ids(request.user)
    return render(request, "linkage/request_detail.html", {
        "link": link, "reasons": queries.reason_labels(link.reasons),
        "is_receiver": link.to_organisation_id in org_ids, "is_sender": link.from_organisation_id in org_ids,
    })


def _answer(request: HttpRequest, request_id: int, perform: Any, done: str) -> HttpResponse:
    link = queries.request_for(request.user, request_id, action="linkage.answer")
    try:
        perform(by=request.user, request=link)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, done)
    return redirect(reverse("linkage:request_detail", args=[link.pk]))


@login_required
@require_POST
def request_confirm_view(request: HttpRequest, request_id: int) -> HttpResponse:
    return _answer(request, request_id, actions.link_confirm, _("Confirmed: the two records are now one person."))


@login_required
@require_POST
def request_reject_view(request: HttpRequest, request_id: int) -> HttpResponse:
    return _answer(request, request_id, actions.link_reject, _("Rejected: the records stay apart."))


@login_required
@require_POST
def request_withdraw_view(request: HttpRequest, request_id: int) -> HttpResponse:
    return _answer(request, request_id, actions.link_withdraw, _("The request was withdrawn."))


@login_required
@require_GET
def tasks_view(request: HttpRequest) -> HttpResponse:
    """The "Link requests waiting for us" card of "My tasks" (an htmx fragment)."""
    if not case_queries.victim_data_organisation_ids(request.user):
        return HttpResponse("")
    return render(request, "linkage/_tasks.html", {"pending": queries.pending_for(request.user)})


@login_required
@require_POST
def check_form_view(request: HttpRequest) -> HttpResponse:
    """The registration form's live duplicate check (htmx, on a change of the identity fields).

    Nothing is saved; the check is an audited read like any other. A possible match held elsewhere is
    named by its organisation only; the link request is sent from the case page once it is registered.
    """
    queries.require_victim_data(request.user, "linkage.check")
    form = CheckForm(request.POST)
    if not form.is_valid() or not form.has_identity():
        return HttpResponse("")
    candidates = queries.check_fields(request.user, form.cleaned_data)
    return render(request, "linkage/_check.html", {"candidates": candidates})
