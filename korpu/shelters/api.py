"""API for the bed board, facilities and admissions: the same queries and actions as the pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from korpu.cases import queries as case_queries
from korpu.core import access
from korpu.core import filters as core_filters
from korpu.shelters import actions, queries
from korpu.shelters.filters import FacilityFilter, FacilityFilterIn
from korpu.shelters.models import Facility

router = Router(tags=["shelters"])


class BedOut(Schema):
    facility_id: int
    facility: str
    region: str
    category: str
    beds: int
    occupied: int
    free: int


@router.get("/beds", response=list[BedOut], summary="Free beds in every shelter (no addresses)")
def bed_board(request: HttpRequest) -> Any:
    access.require(access.can_see_victim_data(request.user), action="beds.view", user=request.user)
    return [{"facility_id": r.facility.pk, "facility": r.facility.name, "region": r.facility.region,
             "category": r.category, "beds": r.beds, "occupied": r.occupied, "free": r.free}
            for r in queries.bed_board(request.user)]


# --- facilities (shelter managers of the operating organisation) -----------------------------------
class CapacityOut(Schema):
    category: str
    beds: int
    occupied: int
    free: int


class FacilitySummaryOut(Schema):
    id: int
    operator_id: int
    name: str
    region: str
    is_active: bool
    capacities: list[CapacityOut]


class FacilityOut(FacilitySummaryOut):
    address: str = Field(description="Confidential: shown only to the operator's shelter managers.")


class FacilityIn(Schema):
    operator_id: int
    name: str
    region: str = ""
    address: str
    capacities: dict[str, int] = Field(default_factory=dict,
                                       description="Beds per category: women, men, children, mother_children.")


class FacilityUpdateIn(Schema):
    name: str | None = None
    region: str | None = None
    address: str | None = None
    capacities: dict[str, int] = Field(default_factory=dict,
                                       description="Beds per category to change; categories left out keep theirs.")


def _capacities(facility: Facility) -> list[dict[str, Any]]:
    return [{k: row[k] for k in ("category", "beds", "occupied", "free")} for row in queries.capacity_counts(facility)]


def _summary(facility: Facility) -> dict[str, Any]:
    return {"id": facility.pk, "operator_id": facility.operator_id, "name": facility.name,
            "region": facility.region, "is_active": facility.is_active, "capacities": _capacities(facility)}


def _facility(request: HttpRequest, facility_id: int, *, purpose: str = "facility.view") -> dict[str, Any]:
    facility = queries.facility_for_manager(request.user, facility_id, purpose=purpose)
    return {**_summary(facility), "address": facility.address}


@router.get("/facilities", response=list[FacilitySummaryOut], summary="My organisations' facilities (no addresses)")
def facility_list(request: HttpRequest, filters: Query[FacilityFilterIn]) -> Any:
    """Filtered and sorted as the page is (``korpu.shelters.filters.FacilityFilter``)."""
    access.require(bool(access.facility_operator_ids(request.user)), action="facility.list", user=request.user)
    listed = core_filters.bound(FacilityFilter, filters.dict(), queryset=queries.facility_list(request.user),
                                strict=True)
    return [_summary(f) for f in listed.qs]


@router.post("/facilities", response={201: FacilityOut}, summary="Register a facility of my organisation")
def facility_create(request: HttpRequest, payload: FacilityIn) -> Any:
    operator = queries.operator_for(request.user, payload.operator_id)
    facility = actions.facility_create(by=request.user, operator=operator, name=payload.name, region=payload.region,
                                       address=payload.address, capacities=payload.capacities)
    return Status(201, _facility(request, facility.pk))


@router.get("/facilities/{facility_id}", response=FacilityOut, summary="One facility, with its confidential address")
def facility_detail(request: HttpRequest, facility_id: int) -> Any:
    return _facility(request, facility_id)


@router.post("/facilities/{facility_id}", response=FacilityOut,
             summary="Change a facility: name, region, address, beds per category")
def facility_update(request: HttpRequest, facility_id: int, payload: FacilityUpdateIn) -> Any:
    facility = queries.facility_for_manager(request.user, facility_id, purpose="facility.update")
    actions.facility_update(by=request.user, facility=facility, name=payload.name, region=payload.region,
                            address=payload.address, capacities=payload.capacities)
    return _facility(request, facility_id)


@router.post("/facilities/{facility_id}/close", response=FacilityOut,
             summary="Close (deactivate) a facility: off the bed board, no admissions")
def facility_close(request: HttpRequest, facility_id: int) -> Any:
    facility = queries.facility_for_manager(request.user, facility_id, purpose="facility.close")
    actions.facility_set_active(by=request.user, facility=facility, active=False)
    return _facility(request, facility_id)


@router.post("/facilities/{facility_id}/reopen", response=FacilityOut, summary="Reopen a closed facility")
def facility_reopen(request: HttpRequest, facility_id: int) -> Any:
    facility = queries.facility_for_manager(request.user, facility_id, purpose="facility.reopen")
    actions.facility_set_active(by=request.user, facility=facility, active=True)
    return _facility(request, facility_id)


# --- admissions -------------------------------------------------------------------------------------
class AdmissionIn(Schema):
    case_id: int
    facility_id: int
    category: str
    admitted_on: dt.date | None = None


class AdmissionOut(Schema):
    id: int
    case_id: int
    facility_id: int
    category: str
    admitted_on: dt.date
    discharged_on: dt.date | None


def _out(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "case_id": a.case_id, "facility_id": a.facility_id, "category": a.capacity.category,
            "admitted_on": a.admitted_on, "discharged_on": a.discharged_on}


@router.post("/admissions", response={201: AdmissionOut}, summary="Admit a person to a free bed")
def admission_create(request: HttpRequest, payload: AdmissionIn) -> Any:
    case = case_queries.case_for(request.user, payload.case_id, purpose="admission.create")
    facility = queries.facility_for_manager(request.user, payload.facility_id, purpose="admission.create")
    admission = actions.admission_create(by=request.user, case=case, facility=facility, category=payload.category,
                                         admitted_on=payload.admitted_on)
    return Status(201, _out(admission))


class DischargeIn(Schema):
    discharged_on: dt.date | None = None


@router.post("/admissions/{admission_id}/discharge", response=AdmissionOut, summary="Discharge")
def admission_discharge(request: HttpRequest, admission_id: int, payload: DischargeIn) -> Any:
    admission = queries.admission_for(request.user, admission_id)
    return _out(actions.admission_discharge(by=request.user, admission=admission, discharged_on=payload.discharged_on))
