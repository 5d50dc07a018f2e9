"""Criminal proceedings pages, for law enforcement; analysts see aggregate figures only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from korpu.cases import queries as case_queries
from korpu.core import access
from korpu.justice import actions, forms, queries
from korpu.justice.models import Prosecution


def _victims(user: Any, numbers: str) -> list[Any]:
    wanted = [n.strip() for n in numbers.split(",") if n.strip()]
    found = list(case_queries.cases_visible_to(user).filter(number__in=wanted))
    missing = set(wanted) - {c.number for c in found}
    if missing:
        raise ValidationError(_("No case you can see has the number %(n)s.") % {"n": ", ".join(sorted(missing))})
    return found


@login_required
@require_http_methods(["GET", "POST"])
def investigation_list_view(request: HttpRequest) -> HttpResponse:
    investigations = queries.investigations_visible_to(request.user)
    if not access.can_decide_status(request.user):
        if access.can_view_statistics(request.user):
            return redirect("justice:figures")
        access.require(False, action="investigation.list", user=request.user)
    form = forms.InvestigationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            investigation = actions.investigation_open(by=request.user, number=d["number"], article=d["article"],
                                                       opened_on=d["opened_on"], suspects=d["suspects"],
                                                       victims=_victims(request.user, d["victim_numbers"]))
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return redirect("justice:detail", investigation_id=investigation.pk)
    return render(request, "justice/investigation_list.html", {"investigations": investigations[:200], "form": form})


@login_required
def investigation_detail_view(request: HttpRequest, investigation_id: int) -> HttpResponse:
    investigation = queries.investigation_for(request.user, investigation_id)
    return render(request, "justice/investigation_detail.html", {
        "investigation": investigation,
        "victims": investigation.victims.select_related("person").order_by("number"),
        "prosecutions": investigation.prosecutions.prefetch_related("outcomes"),
        "status_form": forms.StatusForm(initial={"status": investigation.status}),
        "link_form": forms.LinkVictimForm(), "prosecution_form": forms.ProsecutionForm(),
        "outcome_form": forms.OutcomeForm(),
    })


@login_required
@require_POST
def investigation_command_view(request: HttpRequest, investigation_id: int, command: str) -> HttpResponse:
    investigation = queries.investigation_for(request.user, investigation_id)
    try:
        if command == "status":
            form: Any = forms.StatusForm(request.POST)
            if form.is_valid():
                actions.investigation_set_status(by=request.user, investigation=investigation, **form.cleaned_data)
        elif command == "link":
            form = forms.LinkVictimForm(request.POST)
            if form.is_valid():
                for case in _victims(request.user, form.cleaned_data["case_number"]):
                    actions.investigation_link_victim(by=request.user, investigation=investigation, case=case)
        elif command == "prosecution":
            form = forms.ProsecutionForm(request.POST)
            if form.is_valid():
                actions.prosecution_add(by=request.user, investigation=investigation, **form.cleaned_data)
        elif command == "outcome":
            prosecution_id = request.POST.get("prosecution", "")
            prosecution = Prosecution.objects.filter(investigation=investigation,
                                                     pk=int(prosecution_id) if prosecution_id.isdigit() else 0).first()
            if prosecution is None:
                raise Http404
            form = forms.OutcomeForm(request.POST)
            if form.is_valid():
                actions.outcome_add(by=request.user, prosecution=prosecution, **form.cleaned_data)
        else:
            raise Http404
        if not form.is_valid():
            raise ValidationError(_("Check the form: %(errors)s") % {
                "errors": "; ".join(" ".join(e) for e in form.errors.values())})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("justice:detail", investigation_id=investigation.pk)


@login_required
def figures_view(request: HttpRequest) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    try:
        figures = queries.aggregate_figures(request.user, year=year)
    except Http404:
        access.require(False, action="justice.figures", user=request.user)
        raise
    years = list(range(timezone.localdate().year, timezone.localdate().year - 8, -1))
    return render(request, "justice/figures.html", {"figures": figures, "year": year, "years": years})
