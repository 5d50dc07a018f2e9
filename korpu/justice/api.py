"""API for criminal proceedings (law enforcement) and their aggregate figures (analysts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from korpu.cases import queries as case_queries
from korpu.core import access
from korpu.justice import actions, queries

router = Router(tags=["justice"])


class InvestigationIn(Schema):
    number: str
    article: str
    opened_on: dt.date
    suspects: int = 0
    victim_case_ids: list[int] = []


class InvestigationOut(Schema):
    id: int
    number: str
    article: str
    opened_on: dt.date
    status: str
    suspects: int
    victim_case_ids: list[int]


def _out(i: Any) -> dict[str, Any]:
    return {"id": i.pk, "number": i.number, "article": i.article, "opened_on": i.opened_on, "status": i.status,
            "suspects": i.suspects, "victim_case_ids": sorted(i.victims.values_list("pk", flat=True))}


@router.get("/investigations", response=list[InvestigationOut], summary="Investigations of my body")
def investigation_list(request: HttpRequest) -> Any:
    access.require(access.can_decide_status(request.user), action="investigation.list", user=request.user)
    return [_out(i) for i in queries.investigations_visible_to(request.user)[:500]]


@router.post("/investigations", response={201: InvestigationOut}, summary="Open an investigation")
def investigation_create(request: HttpRequest, payload: InvestigationIn) -> Any:
    victims = list(case_queries.cases_visible_to(request.user).filter(pk__in=payload.victim_case_ids))
    if len(victims) != len(set(payload.victim_case_ids)):
        raise Http404  # answered as the translated JSON "Not found." by korpu.api
    investigation = actions.investigation_open(by=request.user, number=payload.number, article=payload.article,
                                               opened_on=payload.opened_on, suspects=payload.suspects,
                                               victims=victims)
    return 201, _out(investigation)


@router.get("/investigations/{investigation_id}", response=InvestigationOut, summary="One investigation")
def investigation_detail(request: HttpRequest, investigation_id: int) -> Any:
    return _out(queries.investigation_for(request.user, investigation_id))


@router.get("/justice/figures", response=dict[str, int], summary="Aggregate criminal justice figures")
def figures(request: HttpRequest, year: int | None = None) -> Any:
    try:
        return queries.aggregate_figures(request.user, year=year)
    except Http404:
        access.require(False, action="justice.figures", user=request.user)
        raise
