"""Facilities and admissions. Admission locks the capacity row, so concurrent requests never
take more beds than there are (``SELECT … FOR UPDATE`` on PostgreSQL; IMMEDIATE on SQLite)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role
from korpu.cases import queries as case_queries
from korpu.cases.models import Case, Section
from korpu.core import access, audit
from korpu.core.models import DataKey
from korpu.shelters.models import Admission, BedCategory, Capacity, Facility

MANAGER_ROLES = {Role.SHELTER_MANAGER}


def facility_create(*, by: Any, operator: Organisation, name: str, region: str = "", address: str = "",
                    capacities: dict[str, int] | None = None) -> Facility:
    if not (access.can_manage_accounts(by) or (access.has_role(by, Role.SHELTER_MANAGER)
            and access.member_of(by, operator.pk))):
        audit.denied("facility.create", actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    with transaction.atomic():
        facility = Facility.objects.create(operator=operator, data_key=DataKey.create(), name=name, region=region,
                                           address=address)
        for category, beds in (capacities or {}).items():
            if category not in BedCategory.values:
                raise ValidationError(_("Unknown bed category."))
            Capacity.objects.create(facility=facility, category=category, beds=beds)
        audit.record("facility.create", obj=facility, actor=by)
    return facility


def _manages(by: Any, facility: Facility) -> bool:
    return any(m.role in MANAGER_ROLES and m.organisation_id == facility.operator_id for m in by.active_memberships()) \
        if access.is_staff_user(by) else False


def admission_create(*, by: Any, case: Case, facility: Facility, category: str,
                     admitted_on: dt.date | None = None) -> Admission:
    """Admit a person to a free bed of a category; refuses when no bed is free."""
    if not _manages(by, facility) or Section.ADMISSION not in case_queries.sections_for(by, case):
        audit.denied("admission.create", obj=case, actor=by, details={"facility": facility.pk})
        raise ValidationError(_("You are not allowed to do this."))
    admitted_on = admitted_on or timezone.localdate()
    if admitted_on > timezone.localdate():
        raise ValidationError(_("The admission date cannot be in the future."))
    try:
        with transaction.atomic():
            capacity = Capacity.objects.select_for_update().filter(facility=facility, category=category).first()
            if capacity is None:
                raise ValidationError(_("This facility has no beds of that category."))
            occupied = Admission.objects.filter(capacity=capacity, discharged_on__isnull=True).count()
            if occupied >= capacity.beds:
                audit.record("admission.create", obj=case, actor=by, outcome="failed",
                             details={"facility": facility.pk, "reason": "full"})
                raise ValidationError(_("No free bed of that category in this facility."))
            admission = Admission.objects.create(facility=facility, capacity=capacity, case=case,
                                                 admitted_on=admitted_on, admitted_by=by)
            audit.record("admission.create", obj=admission, actor=by,
                         details={"case": case.pk, "facility": facility.pk, "category": category})
    except IntegrityError:
        raise ValidationError(_("This person is already admitted to a shelter.")) from None
    return admission


def admission_discharge(*, by: Any, admission: Admission, discharged_on: dt.date | None = None) -> Admission:
    if not _manages(by, admission.facility):
        audit.denied("admission.discharge", obj=admission, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    discharged_on = discharged_on or timezone.localdate()
    if discharged_on < admission.admitted_on:
        raise ValidationError(_("Discharge cannot be before admission."))
    with transaction.atomic():
        locked = Admission.objects.select_for_update().get(pk=admission.pk)
        if locked.discharged_on is not None:
            raise ValidationError(_("Already discharged."))
        locked.discharged_on = discharged_on
        locked.discharged_by = by
        locked.save(update_fields=["discharged_on", "discharged_by"])
        audit.record("admission.discharge", obj=locked, actor=by, details={"case": locked.case_id})
    return locked
