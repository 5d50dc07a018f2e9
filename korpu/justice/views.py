"""Criminal proceedings pages, for law enforcement; analysts see aggregate figures only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from korpu.cases import queries as case_queries
from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.views import form_page
from korpu.justice import actions, filters, forms, queries


def _victims(user: Any, numbers: str, *, purpose: str) -> list[Any]:
    """The cases named by number. Each must be visible to the user: a missing or invisible number is
    audited as denied (by ``case_for``) and reported as one the user cannot see, either way alike."""
    wanted = list(dict.fromkeys(n.strip() for n in numbers.split(",") if n.strip()))
    found, missing = [], []
    for number in wanted:
        try:
            found.append(case_queries.case_for(user, number, purpose=purpose))
        except Http404:
            missing.append(number)
    if missing:
        raise ValidationError(_("No case you can see has the number %(n)s.") % {"n": ", ".join(missing)})
    return found


@login_required
@require_http_methods(["GET", "POST"])
def investigation_list_view(request: HttpRequest) -> HttpResponse:
    if not access.can_record_proceedings(request.user):
        if request.method == "GET" and access.can_view_statistics(request.user):
            return redirect("justice:figures")  # analysts: figures only
        access.require(False, action="investigation.create" if request.method == "POST" else "investigation.list",
                       user=request.user)
    listed = core_filters.bound(filters.InvestigationFilter, request.GET,
                                queryset=queries.investigations_visible_to(request.user))
    form = forms.InvestigationForm(request.POST or None)

    def perform() -> Any:
        d = form.cleaned_data
        victims = _victims(request.user, d["victim_numbers"], purpose="investigation.link")
        return actions.investigation_open(by=request.user, number=d["number"], article=d["article"],
                                          opened_on=d["opened_on"], suspects=d["suspects"], victims=victims)

    return form_page(request, form, perform, template="justice/investigation_list.html",
                     then=lambda investigation: reverse("justice:detail", args=[investigation.pk]),
                     extra={"investigations": listed.qs[:200], "filter_form": listed.form,
                            "sort": core_filters.sort_links(listed, request.GET),
                            "sort_value": core_filters.sort_key(listed)},
                     invalid_status=200)


@login_required
def investigation_detail_view(request: HttpRequest, investigation_id: int) -> HttpResponse:
    investigation = queries.investigation_for(request.user, investigation_id)
    victims = sorted(investigation.victims.all(), key=lambda c: c.number)
    visible = set(case_queries.cases_visible_to(request.user).filter(pk__in=[c.pk for c in victims])
                  .values_list("pk", flat=True))
    return render(request, "justice/investigation_detail.html", {
        "investigation": investigation,
        "victims": [(c, c.pk in visible) for c in victims],
        "prosecutions": investigation.prosecutions.all(),
        "status_form": forms.StatusForm(initial={"status": investigation.status}),
        "link_form": forms.LinkVictimForm(), "prosecution_form": forms.ProsecutionForm(),
        "outcome_form": forms.OutcomeForm(),
    })


@login_required
@require_POST
def investigation_command_view(request: HttpRequest, investigation_id: int, command: str) -> HttpResponse:
    if command not in ("status", "link", "prosecution", "outcome"):
        access.require(False, action="investigation.update", user=request.user,
                       object_type="justice.Investigation", object_id=str(investigation_id))
    investigation = queries.investigation_for(request.user, investigation_id, purpose="investigation.update")
    try:
        if command == "status":
            form: Any = forms.StatusForm(request.POST)
            if form.is_valid():
                actions.investigation_set_status(by=request.user, investigation=investigation, **form.cleaned_data)
        elif command == "link":
            form = forms.LinkVictimForm(request.POST)
            if form.is_valid():
                for case in _victims(request.user, form.cleaned_data["case_number"], purpose="investigation.link"):
                    actions.investigation_link_victim(by=request.user, investigation=investigation, case=case)
        elif command == "prosecution":
            form = forms.ProsecutionForm(request.POST)
            if form.is_valid():
                actions.prosecution_add(by=request.user, investigation=investigation, **form.cleaned_data)
        else:
            prosecution = queries.prosecution_of(request.user, investigation, request.POST.get("prosecution", ""))
            form = forms.OutcomeForm(request.POST)
            if form.is_valid():
                actions.outcome_add(by=request.user, prosecution=prosecution, **form.cleaned_data)
        if not form.is_valid():
            raise ValidationError(_("Check the form: %(errors)s") % {
                "errors": "; ".join(" ".join(e) for e in form.errors.values())})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("justice:detail", investigation_id=investigation.pk)


@login_required
@require_POST
def investigation_unlink_view(request: HttpRequest, investigation_id: int, case_id: int) -> HttpResponse:
    investigation = queries.investigation_for(request.user, investigation_id, purpose="investigation.update")
    case = case_queries.case_for(request.user, case_id, purpose="investigation.unlink")
    try:
        actions.investigation_unlink_victim(by=request.user, investigation=investigation, case=case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The case is no longer linked to the investigation."))
    return redirect("justice:detail", investigation_id=investigation.pk)


@login_required
def figures_view(request: HttpRequest) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    try:
        figures = queries.figures_for(request.user, year=year)
    except ValidationError:
        figures = queries.figures_for(request.user)
    this_year = timezone.localdate().year
    return render(request, "justice/figures.html", {
        "figures": figures, "counts": figures.counts, "upper": (figures.threshold or 1) - 1,
        "small_mark": f"<{figures.threshold}", "years": list(range(this_year, this_year - 8, -1))})
