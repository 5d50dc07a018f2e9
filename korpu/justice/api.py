"""API for criminal proceedings (law enforcement) and their aggregate figures (analysts).

The same queries and actions as the pages: an investigation outside the user's body, a victim's case
the user cannot see, or a prosecution of another investigation answers 404 with a ``denied`` audit
event; a refusal on a visible investigation answers 422 with the message.
"""


import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from korpu.cases import queries as case_queries
from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.justice import actions, queries
from korpu.justice.filters import InvestigationFilter, InvestigationFilterIn

router = Router(tags=["justice"])


class InvestigationIn(Schema):
    number: str
    article: str
    opened_on: dt.date
    suspects: int = 0
    victim_case_ids: list[int] = []


class OutcomeOut(Schema):
    id: int
    decided_on: dt.date
    result: str
    persons: int
    sentence_months: int | None
    sentence_text: str


class ProsecutionOut(Schema):
    id: int
    filed_on: dt.date
    court: str
    defendants: int
    outcomes: list[OutcomeOut]


class InvestigationOut(Schema):
    id: int
    number: str
    article: str
    opened_on: dt.date
    status: str
    suspects: int
    investigating_body_id: int
    victim_case_ids: list[int]
    prosecutions: list[ProsecutionOut]


def _outcome(o: Any) -> dict[str, Any]:
    return {"id": o.pk, "decided_on": o.decided_on, "result": o.result, "persons": o.persons,
            "sentence_months": o.sentence_months, "sentence_text": o.sentence_text}


def _prosecution(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "filed_on": p.filed_on, "court": p.court, "defendants": p.defendants,
            "outcomes": [_outcome(o) for o in p.outcomes.all()]}


def _out(i: Any) -> dict[str, Any]:
    return {"id": i.pk, "number": i.number, "article": i.article, "opened_on": i.opened_on, "status": i.status,
            "suspects": i.suspects, "investigating_body_id": i.investigating_body_id,
            "victim_case_ids": sorted(c.pk for c in i.victims.all()),
            "prosecutions": [_prosecution(p) for p in i.prosecutions.all()]}


def _fresh(request: HttpRequest, investigation_id: int) -> dict[str, Any]:
    """The investigation as it is now (after an action), read without a second audit event."""
    return _out(queries.with_proceedings(queries.investigations_visible_to(request.user)).get(pk=investigation_id))


@router.get("/investigations", response=list[InvestigationOut], summary="Investigations of my body")
@paginate(BoundedLimitOffsetPagination)
def investigation_list(request: HttpRequest, filters: Query[InvestigationFilterIn]) -> Any:
    """Filtered and sorted as the page is (``korpu.justice.filters.InvestigationFilter``)."""
    access.require(access.can_record_proceedings(request.user), action="investigation.list", user=request.user)
    listed = core_filters.bound(InvestigationFilter, filters.dict(),
                                queryset=queries.investigations_visible_to(request.user), strict=True)
    return MappedRows(queries.with_proceedings(listed.qs), _out)


@router.post("/investigations", response={201: InvestigationOut}, summary="Open an investigation")
def investigation_create(request: HttpRequest, payload: InvestigationIn) -> Any:
    access.require(access.can_record_proceedings(request.user), action="investigation.create", user=request.user)
    victims = [case_queries.case_for(request.user, case_id, purpose="investigation.link")
               for case_id in dict.fromkeys(payload.victim_case_ids)]
    investigation = actions.investigation_open(by=request.user, number=payload.number, article=payload.article,
                                               opened_on=payload.opened_on, suspects=payload.suspects,
                                               victims=victims)
    return Status(201, _fresh(request, investigation.pk))


@router.get("/investigations/{investigation_id}", response=InvestigationOut,
            summary="One investigation, with its prosecutions and court outcomes")
def investigation_detail(request: HttpRequest, investigation_id: int) -> Any:
    return _out(queries.investigation_for(request.user, investigation_id))


class StatusIn(Schema):
    status: str


@router.post("/investigations/{investigation_id}/status", response=InvestigationOut,
             summary="Change the status of an investigation")
def investigation_status(request: HttpRequest, investigation_id: int, payload: StatusIn) -> Any:
    investigation = queries.investigation_for(request.user, investigation_id, purpose="investigation.update")
    actions.investigation_set_status(by=request.user, investigation=investigation, status=payload.status)
    return _fresh(request, investigation_id)


@router.post("/investigations/{investigation_id}/victims/{case_id}", response=InvestigationOut,
             summary="Link a victim's case to the investigation")
def investigation_link(request: HttpRequest, investigation_id: int, case_id: int) -> Any:
    investigation = queries.investigation_for(request.user, investigation_id, purpose="investigation.update")
    case = case_queries.case_for(request.user, case_id, purpose="investigation.link")
    actions.investigation_link_victim(by=request.user, investigation=investigation, case=case)
    return _fresh(request, investigation_id)


@router.post("/investigations/{investigation_id}/victims/{case_id}/unlink", response=InvestigationOut,
             summary="Unlink a victim's case from the investigation")
def investigation_unlink(request: HttpRequest, investigation_id: int, case_id: int) -> Any:
    investigation = queries.investigation_for(request.user, investigation_id, purpose="investigation.update")
    case = case_queries.case_for(request.user, case_id, purpose="investigation.unlink")
    actions.investigation_unlink_victim(by=request.user, investigation=investigation, case=case)
    return _fresh(request, investigation_id)


class ProsecutionIn(Schema):
    filed_on: dt.date
    court: str
    defendants: int = 1


@router.post("/investigations/{investigation_id}/prosecutions", response={201: ProsecutionOut},
             summary="Record a prosecution (an open investigation moves to sent to court)")
def prosecution_create(request: HttpRequest, investigation_id: int, payload: ProsecutionIn) -> Any:
    investigation = queries.investigation_for(request.user, investigation_id, purpose="investigation.update")
    prosecution = actions.prosecution_add(by=request.user, investigation=investigation, filed_on=payload.filed_on,
                                          court=payload.court, defendants=payload.defendants)
    return Status(201, {**_prosecution(prosecution), "outcomes": []})


class OutcomeIn(Schema):
    prosecution_id: int
    decided_on: dt.date
    result: str
    persons: int = 1
    sentence_months: int | None = None
    sentence_text: str = ""


@router.post("/investigations/{investigation_id}/outcomes", response={201: OutcomeOut},
             summary="Record a court outcome (conviction or acquittal) of one of the investigation's prosecutions")
def outcome_create(request: HttpRequest, investigation_id: int, payload: OutcomeIn) -> Any:
    investigation = queries.investigation_for(request.user, investigation_id, purpose="investigation.update")
    prosecution = queries.prosecution_of(request.user, investigation, payload.prosecution_id)
    outcome = actions.outcome_add(by=request.user, prosecution=prosecution, decided_on=payload.decided_on,
                                  result=payload.result, persons=payload.persons,
                                  sentence_months=payload.sentence_months, sentence_text=payload.sentence_text)
    return Status(201, _outcome(outcome))


class SentenceBandOut(Schema):
    band: str
    label: str
    persons: int | str


class FiguresOut(Schema):
    year: int | None
    exact: bool
    threshold: int | None
    investigations: int | str
    investigations_144_1: int | str
    investigations_144_2: int | str
    investigations_other: int | str
    prosecutions: int | str
    defendants_prosecuted: int | str
    persons_convicted: int | str
    persons_acquitted: int | str
    sentences: list[SentenceBandOut]


@router.get("/justice/figures", response=FiguresOut,
            summary="Aggregate criminal justice figures: exact for law enforcement, per year and "
                    "disclosure-controlled (\"<5\", \"x\") for analysts")
def figures(request: HttpRequest, year: int | None = None) -> Any:
    f = queries.figures_for(request.user, year=year)
    return {"year": f.year, "exact": f.exact, "threshold": f.threshold, **f.counts, "sentences": f.sentences}
