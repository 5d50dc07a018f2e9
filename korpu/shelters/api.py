"""API for the bed board and admissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from korpu.cases import queries as case_queries
from korpu.core import access
from korpu.shelters import actions, queries
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
    facility = Facility.objects.filter(pk=payload.facility_id).first()
    if facility is None:
        raise Http404
    admission = actions.admission_create(by=request.user, case=case, facility=facility, category=payload.category,
                                         admitted_on=payload.admitted_on)
    return 201, _out(admission)


class DischargeIn(Schema):
    discharged_on: dt.date | None = None


@router.post("/admissions/{admission_id}/discharge", response=AdmissionOut, summary="Discharge")
def admission_discharge(request: HttpRequest, admission_id: int, payload: DischargeIn) -> Any:
    admission = queries.admission_for(request.user, admission_id)
    return _out(actions.admission_discharge(by=request.user, admission=admission, discharged_on=payload.discharged_on))
