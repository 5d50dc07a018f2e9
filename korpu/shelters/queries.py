"""Bed board and admissions, scoped: free-bed counts for every victim-data role (no addresses),
occupants only for the managers of the facility's operator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from korpu.accounts.models import Role
from korpu.core import access, audit
from korpu.shelters.models import Admission, Capacity, Facility


@dataclass(frozen=True)
class BoardRow:
    facility: Facility
    category: str
    category_label: str
    beds: int
    occupied: int

    @property
    def free(self) -> int:
        return max(self.beds - self.occupied, 0)


def bed_board(user: Any) -> list[BoardRow]:
    if not access.can_see_victim_data(user):
        return []
    # Open admissions per capacity, counted through the (capacity, discharged_on) index: a join
    # with every admission ever made would aggregate the whole history on each view.
    open_admissions = (Admission.objects.filter(capacity=OuterRef("pk"), discharged_on__isnull=True).order_by()
                       .values("capacity").annotate(n=Count("pk")).values("n")[:1])
    capacities = (Capacity.objects.filter(facility__is_active=True)
                  .select_related("facility", "facility__operator")
                  .annotate(occupied=Coalesce(Subquery(open_admissions, output_field=IntegerField()), Value(0)))
                  .order_by("facility__name", "category")
                  .defer("facility__address"))  # the board shows no address: never open one for it
    return [BoardRow(c.facility, c.category, str(c.get_category_display()), c.beds, c.occupied)
            for c in capacities]


def managed_facilities(user: Any) -> QuerySet[Facility]:
    if not access.is_staff_user(user):
        return Facility.objects.none()
    org_ids = {m.organisation_id for m in user.active_memberships() if m.role == Role.SHELTER_MANAGER}
    return Facility.objects.filter(operator_id__in=org_ids, is_active=True).order_by("name")


def facility_for_manager(user: Any, facility_id: int) -> Facility:
    facility = managed_facilities(user).filter(pk=facility_id).first()
    if facility is None:
        audit.denied("facility.view", object_type="shelters.Facility", object_id=str(facility_id), actor=user)
        raise Http404
    audit.record("facility.view", obj=facility, actor=user)
    return facility


def current_admissions(user: Any, facility: Facility) -> QuerySet[Admission]:
    if facility not in managed_facilities(user):
        return Admission.objects.none()
    return (Admission.objects.filter(facility=facility, discharged_on__isnull=True)
            .select_related("case", "capacity").order_by("admitted_on"))


def admission_for(user: Any, admission_id: int) -> Admission:
    admission = Admission.objects.filter(pk=admission_id, facility__in=managed_facilities(user)) \
        .select_related("facility", "case").first()
    if admission is None:
        audit.denied("admission.view", object_type="shelters.Admission", object_id=str(admission_id), actor=user)
        raise Http404
    return admission
