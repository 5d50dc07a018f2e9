"""Bed board; facilities (list, open, page, edit, close, reopen); admit and discharge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from korpu.cases import queries as case_queries
from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.views import form_page
from korpu.shelters import actions, filters, queries
from korpu.shelters.forms import AdmissionForm, DischargeForm, FacilityForm, beds_field_name
from korpu.shelters.models import BedCategory


@login_required
def bed_board_view(request: HttpRequest) -> HttpResponse:
    """Free beds per category of every open facility, without addresses. One URL, two renderings: the
    page, and the fragment htmx fetches every 30 seconds (``HX-Request``)."""
    access.require(access.can_see_victim_data(request.user), action="beds.view", user=request.user)
    rows = queries.bed_board(request.user)
    context = {
        "facilities": queries.board_by_facility(rows), "categories": BedCategory.choices,
        "managed": access.facility_operator_ids(request.user),
        "runs_facilities": bool(access.facility_operator_ids(request.user)),
        "total_free": sum(r.free for r in rows), "total_beds": sum(r.beds for r in rows),
        "updated_at": timezone.localtime(),
    }
    template = "shelters/_board.html" if request.headers.get("HX-Request") else "shelters/bed_board.html"
    return render(request, template, context)


def _require_facility_manager(request: HttpRequest, action: str) -> None:
    access.require(bool(access.facility_operator_ids(request.user)), action=action, user=request.user)


@login_required
def facility_list_view(request: HttpRequest) -> HttpResponse:
    _require_facility_manager(request, "facility.list")
    listed = core_filters.bound(filters.FacilityFilter, request.GET, queryset=queries.facility_list(request.user))
    return render(request, "shelters/facility_list.html", {
        "facilities": listed.qs, "filter_form": listed.form, "sort": core_filters.sort_links(listed, request.GET),
        "sort_value": core_filters.sort_key(listed)})


@login_required
@require_http_methods(["GET", "POST"])
def facility_create_view(request: HttpRequest) -> HttpResponse:
    _require_facility_manager(request, "facility.create")
    operators = queries.operators_of(request.user)
    if request.method == "POST":
        raw = request.POST.get("operator", "")
        if raw.isdigit():  # another organisation's id is refused like a missing one: 404, audited
            queries.operator_for(request.user, int(raw))
    only = operators.first() if operators.count() == 1 else None
    form = FacilityForm(request.POST or None, operators=operators, initial={"operator": only})
    return form_page(request, form, lambda: actions.facility_create(
        by=request.user, operator=form.cleaned_data["operator"], **form.facility_fields()),
        template="shelters/facility_form.html", success=_("The facility is registered."),
        then=lambda facility: reverse("shelters:facility", args=[facility.pk]), extra={"facility": None},
        invalid_status=200)


@login_required
def facility_view(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = queries.facility_for_manager(request.user, facility_id)
    return render(request, "shelters/facility.html", {
        "facility": facility,
        "capacities": [c for c in queries.capacity_counts(facility) if c["beds"] or c["occupied"]],
        "admissions": queries.current_admissions(request.user, facility), "discharge_form": DischargeForm(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit_view(request: HttpRequest, facility_id: int) -> HttpResponse:
    purpose = "facility.update" if request.method == "POST" else "facility.view"
    facility = queries.facility_for_manager(request.user, facility_id, purpose=purpose)
    initial: dict[str, Any] = {"name": facility.name, "region": facility.region, "address": facility.address}
    initial.update({beds_field_name(c.category): c.beds for c in facility.capacities.all()})
    form = FacilityForm(request.POST or None, initial=initial)
    return form_page(request, form, lambda: actions.facility_update(
        by=request.user, facility=facility, **form.facility_fields()),
        template="shelters/facility_form.html", success=_("The facility is saved."),
        then=reverse("shelters:facility", args=[facility.pk]), extra={"facility": facility}, invalid_status=200)


def _set_active(request: HttpRequest, facility_id: int, *, active: bool) -> HttpResponse:
    action = "facility.reopen" if active else "facility.close"
    facility = queries.facility_for_manager(request.user, facility_id, purpose=action)
    try:
        actions.facility_set_active(by=request.user, facility=facility, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The facility is open again.") if active else _("The facility is closed."))
    return redirect("shelters:facility", facility_id=facility.pk)


@login_required
@require_POST
def facility_close_view(request: HttpRequest, facility_id: int) -> HttpResponse:
    return _set_active(request, facility_id, active=False)


@login_required
@require_POST
def facility_reopen_view(request: HttpRequest, facility_id: int) -> HttpResponse:
    return _set_active(request, facility_id, active=True)


@login_required
@require_GET
def admission_form_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """The blank admission form of a case's page, fetched by htmx when the page loads (ADR 0022).

    Shown to a shelter manager with an open facility, for a case whose shelter-admission part they
    see and whose person is not in a shelter now; anyone else gets an empty fragment. It holds no case
    data, so the case is checked for visibility without a read being recorded; a case the user may
    not see is a 404 with a ``denied`` event.
    """
    access.require(access.can_see_victim_data(request.user), action="admission.form", user=request.user)
    case = case_queries.visible_case(request.user, case_id, action="admission.form")
    facilities = list(queries.managed_facilities(request.user))
    open_admission = case.admissions.filter(discharged_on__isnull=True).exists()
    if not facilities or open_admission or "admission" not in case_queries.sections_for(request.user, case):
        return HttpResponse("")
    form = AdmissionForm(facilities=queries.managed_facilities(request.user), auto_id="admission_%s",
                         initial={"facility": facilities[0] if len(facilities) == 1 else None})
    return render(request, "shelters/_admission_form.html", {"form": form, "case_id": case.pk})


@login_required
@require_POST
def admit_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_queries.case_for(request.user, case_id, purpose="admission.create")
    raw = request.POST.get("facility", "")
    if raw.isdigit():  # a facility of another operator is refused like a missing one: 404, audited
        queries.facility_for_manager(request.user, int(raw), purpose="admission.create")
    form = AdmissionForm(request.POST, facilities=queries.operated_facilities(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a facility, a bed category and a date."))
        return redirect("cases:detail", case_id=case.pk)
    try:
        actions.admission_create(by=request.user, case=case, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The person is admitted."))
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def discharge_view(request: HttpRequest, admission_id: int) -> HttpResponse:
    admission = queries.admission_for(request.user, admission_id)
    form = DischargeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the discharge date."))
        actions.admission_discharge(by=request.user, admission=admission, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The person is discharged."))
    return redirect("shelters:facility", facility_id=admission.facility_id)
