"""Bed board and facilities, scoped: free-bed counts for every victim-data role (no addresses);
the facilities themselves (address, residents) only for the shelter managers of the operator."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from korpu.accounts.models import Organisation
from korpu.core import access, audit
from korpu.shelters.models import Admission, BedCategory, Capacity, Facility


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


@dataclass
class BoardFacility:
    """One facility on the bed board: its rows by category, in the order of ``BedCategory``."""

    facility: Facility
    rows: dict[str, BoardRow] = field(default_factory=dict)

    @property
    def cells(self) -> list[tuple[str, str, BoardRow | None]]:
        return [(value, str(label), self.rows.get(value)) for value, label in BedCategory.choices]

    @property
    def free(self) -> int:
        return sum(r.free for r in self.rows.values())

    @property
    def beds(self) -> int:
        return sum(r.beds for r in self.rows.values())


def _open_admissions() -> Coalesce:
    # Open admissions per capacity, counted through the (capacity, discharged_on) index: a join
    # with every admission ever made would aggregate the whole history on each view.
    counts = (Admission.objects.filter(capacity=OuterRef("pk"), discharged_on__isnull=True).order_by()
              .values("capacity").annotate(n=Count("pk")).values("n")[:1])
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def bed_board(user: Any) -> list[BoardRow]:
    """Beds, occupied and free per category of every active facility; a category with no beds is left out."""
    if not access.can_see_victim_data(user):
        return []
    capacities = (Capacity.objects.filter(facility__is_active=True).exclude(beds=0)
                  .select_related("facility", "facility__operator")
                  .annotate(occupied=_open_admissions())
                  .order_by("facility__name", "facility_id", "category")
                  .defer("facility__address"))  # the board shows no address: never open one for it
    return [BoardRow(c.facility, c.category, str(c.get_category_display()), c.beds, c.occupied)
            for c in capacities]


def board_by_facility(rows: Iterable[BoardRow]) -> list[BoardFacility]:
    """The board's rows grouped per facility (one line per shelter, a cell per category)."""
    grouped: dict[int, BoardFacility] = {}
    for row in rows:
        grouped.setdefault(row.facility.pk, BoardFacility(row.facility)).rows[row.category] = row
    return list(grouped.values())


def operated_facilities(user: Any) -> QuerySet[Facility]:
    """Every facility, open or closed, of the organisations where the user is a shelter manager."""
    org_ids = access.facility_operator_ids(user)
    if not org_ids:
        return Facility.objects.none()
    return Facility.objects.filter(operator_id__in=org_ids).select_related("operator").order_by("name", "pk")


def managed_facilities(user: Any) -> QuerySet[Facility]:
    """The user's open facilities: those that take admissions."""
    return operated_facilities(user).filter(is_active=True)


def facility_list(user: Any) -> QuerySet[Facility]:
    """The user's facilities with their capacities (and open admissions per capacity), without addresses."""
    capacities = Capacity.objects.annotate(occupied=_open_admissions()).order_by("category")
    return operated_facilities(user).defer("address").prefetch_related(Prefetch("capacities", queryset=capacities))


def facility_for_manager(user: Any, facility_id: int, *, purpose: str = "facility.view") -> Facility:
    """One facility the user runs, its read audited as ``facility.view``; else 404, audited as a denied
    ``purpose`` (the action the request was for: ``facility.update``, ``admission.create``…)."""
    capacities = Capacity.objects.annotate(occupied=_open_admissions()).order_by("category")
    facility = (operated_facilities(user).filter(pk=facility_id)
                .prefetch_related(Prefetch("capacities", queryset=capacities)).first())
    if facility is None:
        audit.denied(purpose, object_type="shelters.Facility", object_id=str(facility_id), actor=user)
        raise Http404
    audit.record("facility.view", obj=facility, actor=user)
    return facility


def capacity_counts(facility: Facility) -> list[dict[str, Any]]:
    """Beds, occupied and free per category of a facility from ``facility_list``/``facility_for_manager``."""
    rows = []
    for c in facility.capacities.all():
        occupied = int(getattr(c, "occupied", 0))
        rows.append({"category": c.category, "label": str(c.get_category_display()), "beds": c.beds,
                     "occupied": occupied, "free": max(c.beds - occupied, 0)})
    return rows


def operators_of(user: Any) -> QuerySet[Organisation]:
    """The organisations for which the user may open a facility."""
    return Organisation.objects.filter(pk__in=access.facility_operator_ids(user), is_active=True).order_by("name")


def operator_for(user: Any, organisation_id: int, *, purpose: str = "facility.create") -> Organisation:
    """An organisation whose facilities the user runs; else 404, audited as denied."""
    organisation = operators_of(user).filter(pk=organisation_id).first()
    if organisation is None:
        audit.denied(purpose, object_type="accounts.Organisation", object_id=str(organisation_id), actor=user)
        raise Http404
    return organisation


def current_admissions(user: Any, facility: Facility) -> QuerySet[Admission]:
    if not operated_facilities(user).filter(pk=facility.pk).exists():
        return Admission.objects.none()
    return (Admission.objects.filter(facility=facility, discharged_on__isnull=True)
            .select_related("case", "capacity").order_by("admitted_on", "pk"))


def admission_for(user: Any, admission_id: int) -> Admission:
    admission = Admission.objects.filter(pk=admission_id, facility__in=operated_facilities(user)) \
        .select_related("facility", "case", "capacity").first()
    if admission is None:
        audit.denied("admission.view", object_type="shelters.Admission", object_id=str(admission_id), actor=user)
        raise Http404
    return admission
