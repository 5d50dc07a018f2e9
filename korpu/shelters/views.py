"""Bed board, facility page (admissions), admit and discharge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from korpu.cases import queries as case_queries
from korpu.core import access
from korpu.shelters import actions, queries
from korpu.shelters.forms import AdmissionForm, DischargeForm


@login_required
def bed_board_view(request: HttpRequest) -> HttpResponse:
    access.require(access.can_see_victim_data(request.user), action="beds.view", user=request.user)
    rows = queries.bed_board(request.user)
    managed = set(queries.managed_facilities(request.user).values_list("pk", flat=True))
    template = "shelters/_board.html" if request.headers.get("HX-Request") else "shelters/bed_board.html"
    return render(request, template, {"rows": rows, "managed": managed,
                                      "total_free": sum(r.free for r in rows), "total_beds": sum(r.beds for r in rows)})


@login_required
def facility_view(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = queries.facility_for_manager(request.user, facility_id)
    return render(request, "shelters/facility.html", {
        "facility": facility, "admissions": queries.current_admissions(request.user, facility),
        "discharge_form": DischargeForm(),
    })


@login_required
@require_POST
def admit_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_queries.case_for(request.user, case_id, purpose="admission.create")
    form = AdmissionForm(request.POST, facilities=queries.managed_facilities(request.user))
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
