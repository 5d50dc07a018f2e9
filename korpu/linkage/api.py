"""Record linkage API at /api/v1/linkage/: the duplicate check, a case's linked records, link requests.

The same actions and scoping queries as the pages. A candidate in a case the caller may not see
carries only the organisation that holds it, the score and the reason codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from korpu.cases import queries as case_queries
from korpu.core.linking import Candidate
from korpu.linkage import actions, queries
from korpu.linkage.models import LinkRequest


class LinkageRouter(Router):
    """Operation ids ``korpu_linkage_api_<function>``, as every app's."""

    def add_api_operation(self, path: str, methods: list[str], view_func: Callable[..., Any], **kwargs: Any) -> None:
        if kwargs.get("operation_id") is None:
            kwargs["operation_id"] = "korpu_linkage_api_" + view_func.__name__
        super().add_api_operation(path, methods, view_func, **kwargs)


router = LinkageRouter(tags=["linkage"])


class CheckIn(Schema):
    """The person's identifiers as in registration (``person`` of ``POST /cases``); blank ones are ignored."""

    given_name: str = Field("", max_length=200)
    family_name: str = Field("", max_length=200)
    patronymic: str = Field("", max_length=200)
    birth_date: dt.date | None = None
    gender: str = Field("", max_length=24)
    citizenships: list[str] = Field([], max_length=10)
    document_number: str = Field("", max_length=100)


class CandidateOut(Schema):
    score: float
    reasons: list[str]
    reason_labels: list[str]
    organisation_id: int
    organisation_name: str
    case_id: int | None = Field(description="Only for a case you may see")
    case_number: str | None = Field(description="Only for a case you may see")


class LinkedOut(Schema):
    organisation_id: int
    organisation_name: str
    case_id: int | None = Field(description="Only for a case you may see")
    case_number: str | None
    linked_at: dt.datetime


class RequestIn(Schema):
    organisation_id: int = Field(description="The organisation that holds the possible match (from the check)")


class RequestOut(Schema):
    id: int
    status: str
    score: float
    reasons: list[str]
    reason_labels: list[str]
    from_organisation_id: int
    from_organisation_name: str
    to_organisation_id: int
    to_organisation_name: str
    case_id: int = Field(description="Your organisation's case in this request")
    case_number: str
    proposed_by_batch: bool
    requested_at: dt.datetime
    decided_at: dt.datetime | None


def _candidate(c: Candidate) -> dict[str, Any]:
    return {"score": c.score, "reasons": list(c.reasons), "reason_labels": list(c.reason_labels),
            "organisation_id": c.organisation_id, "organisation_name": c.organisation_name, "case_id": c.case_id,
            "case_number": c.case_number}


def _request(user: Any, r: LinkRequest) -> dict[str, Any]:
    mine = r.to_case if r.to_organisation_id in case_queries.victim_data_organisation_ids(user) else r.from_case
    return {"id": r.pk, "status": r.status, "score": r.score, "reasons": list(r.reasons),
            "reason_labels": queries.reason_labels(r.reasons), "from_organisation_id": r.from_organisation_id,
            "from_organisation_name": r.from_organisation.name, "to_organisation_id": r.to_organisation_id,
            "to_organisation_name": r.to_organisation.name, "case_id": mine.pk, "case_number": mine.number,
            "proposed_by_batch": r.requested_by_id is None, "requested_at": r.requested_at,
            "decided_at": r.decided_at}


@router.post("/check", response=list[CandidateOut], summary="Possible duplicates of a person not yet registered")
def check(request: HttpRequest, payload: CheckIn) -> Any:
    return [_candidate(c) for c in queries.check_fields(request.user, payload.dict())]


@router.get("/cases/{case_id}/candidates", response=list[CandidateOut],
            summary="Possible duplicates of a case's person across all organisations")
def case_candidates(request: HttpRequest, case_id: int) -> Any:
    case = queries.case_with_identity(request.user, case_id, action="linkage.check")
    return [_candidate(c) for c in queries.public_candidates(queries.case_matches(request.user, case))]


@router.get("/cases/{case_id}/links", response=list[LinkedOut], summary="The records linked to a case's person")
def case_links(request: HttpRequest, case_id: int) -> Any:
    case = queries.case_with_identity(request.user, case_id, action="linkage.panel")
    return [{"organisation_id": r.organisation.pk, "organisation_name": r.organisation.name, "case_id": r.case_id,
             "case_number": r.case_number, "linked_at": r.linked_at}
            for r in queries.linked_records(request.user, case)]


@router.post("/cases/{case_id}/requests", response={201: list[RequestOut]},
             summary="Ask the organisation holding a possible match to confirm the link")
def request_create(request: HttpRequest, case_id: int, payload: RequestIn) -> Any:
    case = queries.case_with_identity(request.user, case_id, action="linkage.request")
    made = actions.link_request(by=request.user, case=case, organisation=payload.organisation_id)
    return Status(201, [_request(request.user, r) for r in made])


@router.post("/cases/{case_id}/unlink", response={204: None}, summary="Take the case's person out of its identity")
def case_unlink(request: HttpRequest, case_id: int) -> Any:
    case = queries.case_with_identity(request.user, case_id, action="linkage.unlink")
    actions.unlink(by=request.user, case=case)
    return HttpResponse(status=204)


@router.get("/requests", response=list[RequestOut], summary="Link requests received or sent")
def request_list(request: HttpRequest, box: Literal["received", "sent"] = "received",
                 status: str = "") -> Any:
    queries.require_victim_data(request.user, "linkage.request.list")
    rows = queries.requests_inbox(request.user) if box == "received" else queries.requests_outbox(request.user)
    if status:
        rows = rows.filter(status=status)
    return [_request(request.user, r) for r in rows.select_related("from_case", "to_case")[:200]]


@router.get("/requests/{request_id}", response=RequestOut, summary="One link request")
def request_detail(request: HttpRequest, request_id: int) -> Any:
    return _request(request.user, queries.request_for(request.user, request_id))


def _answer(request: HttpRequest, request_id: int, perform: Callable[..., Any]) -> dict[str, Any]:
    link = queries.request_for(request.user, request_id, action="linkage.answer")
    perform(by=request.user, request=link)
    link.refresh_from_db()
    return _request(request.user, link)


@router.post("/requests/{request_id}/confirm", response=RequestOut, summary="Confirm: the same person")
def request_confirm(request: HttpRequest, request_id: int) -> Any:
    return _answer(request, request_id, actions.link_confirm)


@router.post("/requests/{request_id}/reject", response=RequestOut, summary="Reject: different persons")
def request_reject(request: HttpRequest, request_id: int) -> Any:
    return _answer(request, request_id, actions.link_reject)


@router.post("/requests/{request_id}/withdraw", response=RequestOut, summary="Withdraw a request you sent")
def request_withdraw(request: HttpRequest, request_id: int) -> Any:
    return _answer(request, request_id, actions.link_withdraw)
