"""Facilities and admissions. Admission locks the capacity row, so concurrent requests never
take more beds than there are (``SELECT … FOR UPDATE`` on PostgreSQL; IMMEDIATE on SQLite). A change
of capacity locks the same row, so it cannot slip below the beds being taken at that moment.

Facilities are run by the shelter managers of the operating organisation (ADR 0017): they create
them, change their name, region, confidential address and beds, and close or reopen them. A system
administrator cannot: the address is as confidential as the people living there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, user_of
from korpu.cases import queries as case_queries
from korpu.cases.models import Case, Section
from korpu.core import access, audit
from korpu.core.access import Actor
from korpu.core.models import DataKey
from korpu.shelters.models import Admission, BedCategory, Capacity, Facility

MAX_BEDS = 1000


def _clean_capacities(capacities: Mapping[str, Any] | None) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    for category, beds in (capacities or {}).items():
        if category not in BedCategory.values:
            raise ValidationError(_("Unknown bed category."))
        if isinstance(beds, bool) or not isinstance(beds, int) or not 0 <= beds <= MAX_BEDS:
            raise ValidationError(_("The number of beds must be a whole number from 0 to %(max)d.")
                                  % {"max": MAX_BEDS})
        cleaned[category] = beds
    return cleaned


def _clean_text(name: str | None, region: str | None, address: str | None) -> None:
    if name is not None and not name.strip():
        raise ValidationError(_("Give the facility's name."))
    if name is not None and len(name.strip()) > 200:
        raise ValidationError(_("The name is too long (at most 200 characters)."))
    if region is not None and len(region.strip()) > 60:
        raise ValidationError(_("The region is too long (at most 60 characters)."))
    if address is not None and not address.strip():
        raise ValidationError(_("Give the facility's address."))


def facility_create(*, by: Actor, operator: Organisation, name: str, region: str = "", address: str = "",
                    capacities: Mapping[str, int] | None = None) -> Facility:
    """Open a facility for ``operator`` with its beds per category. Only the operator's shelter managers."""
    if not access.can_run_facilities_of(by, operator.pk):
        audit.denied("facility.create", obj=operator, actor=by)
        raise PermissionDenied
    _clean_text(name, region, address)
    beds = {category: count for category, count in _clean_capacities(capacities).items() if count}
    with transaction.atomic():
        facility = Facility.objects.create(operator=operator, data_key=DataKey.create(), name=name.strip(),
                                           region=region.strip(), address=address.strip())
        for category, count in beds.items():
            Capacity.objects.create(facility=facility, category=category, beds=count)
        audit.record("facility.create", obj=facility, actor=by,
                     details={"operator": operator.pk, "beds": beds})
    return facility


def _require_operator(by: Actor, facility: Facility, action: str) -> None:
    if not access.can_run_facilities_of(by, facility.operator_id):
        audit.denied(action, obj=facility, actor=by)
        raise PermissionDenied


def facility_update(*, by: Actor, facility: Facility, name: str | None = None, region: str | None = None,
                    address: str | None = None, capacities: Mapping[str, int] | None = None) -> Facility:
    """Change what is given (``None`` leaves a field as it is). A category's beds cannot go below the
    people staying in them now; categories not named keep their beds."""
    _require_operator(by, facility, "facility.update")
    _clean_text(name, region, address)
    beds = _clean_capacities(capacities)
    with transaction.atomic():
        locked = Facility.objects.select_for_update().get(pk=facility.pk)
        changed = []
        for attr, value in (("name", name), ("region", region), ("address", address)):
            if value is not None and getattr(locked, attr) != value.strip():
                setattr(locked, attr, value.strip())
                changed.append(attr)
        existing = {c.category: c for c in Capacity.objects.select_for_update().filter(facility=locked)}
        too_low = []
        for category, count in beds.items():
            capacity = existing.get(category)
            if capacity is not None and count < capacity.beds:
                occupied = Admission.objects.filter(capacity=capacity, discharged_on__isnull=True).count()
                if count < occupied:
                    too_low.append((category, occupied))
        if too_low:
            raise ValidationError([
                _("%(category)s: beds occupied now: %(occupied)d. The beds cannot be fewer than that; "
                  "discharge residents first.") % {"category": BedCategory(c).label, "occupied": n}
                for c, n in too_low])
        if changed:
            locked.save(update_fields=changed)
        bed_changes: dict[str, list[int]] = {}
        for category, count in beds.items():
            capacity = existing.get(category)
            if capacity is None:
                if count:
                    Capacity.objects.create(facility=locked, category=category, beds=count)
                    bed_changes[category] = [0, count]
            elif capacity.beds != count:
                bed_changes[category] = [capacity.beds, count]
                capacity.beds = count
                capacity.save(update_fields=["beds"])
        if changed or bed_changes:
            audit.record("facility.update", obj=locked, actor=by,
                         details={"fields": changed, "beds": bed_changes})
    locked.refresh_from_db()
    return locked


def facility_set_active(*, by: Actor, facility: Facility, active: bool) -> Facility:
    """Close a facility (it leaves the bed board and takes no admissions) or reopen it.
    A facility with residents cannot be closed."""
    action = "facility.reopen" if active else "facility.close"
    _require_operator(by, facility, action)
    with transaction.atomic():
        locked = Facility.objects.select_for_update().get(pk=facility.pk)
        if locked.is_active == active:
            raise ValidationError(_("The facility is already open.") if active else
                                  _("The facility is already closed."))
        if not active:
            residents = Admission.objects.filter(facility=locked, discharged_on__isnull=True).count()
            if residents:
                raise ValidationError(_("Residents staying in this facility: %(n)d. Discharge them before "
                                        "closing it.") % {"n": residents})
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        audit.record(action, obj=locked, actor=by)
    return locked


def _manages(by: Actor, facility: Facility) -> bool:
    """A shelter manager of the operator (not the system actor: an admission is a person's act)."""
    return facility.operator_id in access.facility_operator_ids(by)


def admission_create(*, by: Actor, case: Case, facility: Facility, category: str,
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
            # Lock order everywhere: the facility, then its capacity (as facility_update and
            # facility_set_active), so a closure or a cut in beds cannot cross an admission.
            if not list(Facility.objects.select_for_update().filter(pk=facility.pk, is_active=True)
                        .values_list("pk", flat=True)):
                raise ValidationError(_("This facility is closed: it takes no admissions."))
            capacity = Capacity.objects.select_for_update().filter(facility=facility, category=category).first()
            if capacity is None or capacity.beds == 0:
                raise ValidationError(_("This facility has no beds of that category."))
            occupied = Admission.objects.filter(capacity=capacity, discharged_on__isnull=True).count()
            if occupied >= capacity.beds:
                audit.record("admission.create", obj=case, actor=by, outcome="failed",
                             details={"facility": facility.pk, "reason": "full"})
                raise ValidationError(_("No free bed of that category in this facility."))
            admission = Admission.objects.create(facility=facility, capacity=capacity, case=case,
                                                 admitted_on=admitted_on, admitted_by=user_of(by))
            audit.record("admission.create", obj=admission, actor=by,
                         details={"case": case.pk, "facility": facility.pk, "category": category})
    except IntegrityError:
        raise ValidationError(_("This person is already admitted to a shelter.")) from None
    return admission


def admission_discharge(*, by: Actor, admission: Admission, discharged_on: dt.date | None = None) -> Admission:
    if not _manages(by, admission.facility):
        audit.denied("admission.discharge", obj=admission, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    discharged_on = discharged_on or timezone.localdate()
    if discharged_on < admission.admitted_on:
        raise ValidationError(_("Discharge cannot be before admission."))
    if discharged_on > timezone.localdate():
        raise ValidationError(_("The discharge date cannot be in the future."))
    with transaction.atomic():
        locked = Admission.objects.select_for_update().get(pk=admission.pk)
        if locked.discharged_on is not None:
            raise ValidationError(_("Already discharged."))
        locked.discharged_on = discharged_on
        locked.discharged_by = user_of(by)
        locked.save(update_fields=["discharged_on", "discharged_by"])
        audit.record("admission.discharge", obj=locked, actor=by, details={"case": locked.case_id})
    return locked
