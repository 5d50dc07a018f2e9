"""Proposals of the members, their answers and the measures they feed."""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from korpu.core import filters as core_filters
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.engagement import actions, queries
from korpu.engagement.api.base import TEXT_MAX, router
from korpu.engagement.api.schemas import ProposalOut, ProposalSummaryOut, _proposal_answer, _proposal_summary
from korpu.engagement.filters import ProposalFilter, ProposalFilterIn
from korpu.engagement.models import Proposal

# --- proposals -------------------------------------------------------------------------------------
if TYPE_CHECKING:  # a class for the type checker; at run time generated from the FilterSet
    class ProposalQuery(Schema):
        status: str
        mine: bool
else:
    class ProposalQuery(ProposalFilterIn):
        mine: bool = Field(False, description="Only the proposals from or addressed to my organisations")


class ProposalIn(Schema):
    from_organisation_id: int = Field(description="A current member (my own organisation, unless I coordinate)")
    addressed_to_id: int
    title: str = Field(..., max_length=300)
    text: str = Field(..., max_length=TEXT_MAX)
    meeting_id: int | None = Field(None, description="The meeting where it was raised")


class RespondIn(Schema):
    status: str = Field(description="One of the proposal's next_statuses")
    response: str = Field("", max_length=TEXT_MAX, description="Required to decline or accept in part")
    measure_ids: list[int] | None = Field(None, description="The plan measures it feeds (replaces them); "
                                                            "null leaves them as they are")


class MeasuresIn(Schema):
    measure_ids: list[int] = Field([], description="The plan measures it feeds (replaces them; [] unlinks all)")


@router.get("/proposals", response=list[ProposalSummaryOut], summary="Proposals, latest first")
@paginate(BoundedLimitOffsetPagination)
def proposal_list(request: HttpRequest, filters: Query[ProposalQuery]) -> Any:
    """The filters and ``sort`` of the proposals page (``korpu.engagement.filters.ProposalFilter``), and
    ``mine``. An unknown status lists nothing, as it always has; another invalid value is a 422."""
    params = filters.dict()
    rows = queries.proposals_visible_to(request.user, mine=params.pop("mine"))
    if params["status"] and params["status"] not in Proposal.Status.values:
        return MappedRows(rows.none(), _proposal_summary)
    listed = core_filters.bound(ProposalFilter, params, queryset=rows, strict=True)
    return MappedRows(listed.qs, _proposal_summary)


@router.post("/proposals", response={201: ProposalOut}, summary="Make a proposal on behalf of a member")
def proposal_create(request: HttpRequest, payload: ProposalIn) -> Any:
    meeting = (queries.meeting_for(request.user, payload.meeting_id) if payload.meeting_id is not None else None)
    proposal = actions.proposal_create(
        by=request.user, from_organisation=queries.organisation_for(request.user, payload.from_organisation_id),
        addressed_to=queries.organisation_for(request.user, payload.addressed_to_id), title=payload.title,
        text=payload.text, meeting=meeting)
    return Status(201, _proposal_answer(request, proposal.pk))


@router.get("/proposals/{proposal_id}", response=ProposalOut, summary="One proposal with its history and measures")
def proposal_detail(request: HttpRequest, proposal_id: int) -> Any:
    return _proposal_answer(request, proposal_id)


@router.post("/proposals/{proposal_id}/respond", response=ProposalOut,
             summary="Answer a proposal: move it on (the addressed body or the coordinator)")
def proposal_respond(request: HttpRequest, proposal_id: int, payload: RespondIn) -> Any:
    proposal = queries.proposal_for(request.user, proposal_id)
    measures = None if payload.measure_ids is None else queries.measures_for(request.user, payload.measure_ids)
    actions.proposal_respond(by=request.user, proposal=proposal, status=payload.status, response=payload.response,
                             measures=measures)
    return _proposal_answer(request, proposal_id)


@router.post("/proposals/{proposal_id}/measures", response=ProposalOut,
             summary="Change the plan measures a proposal feeds, without moving it on")
def proposal_measures(request: HttpRequest, proposal_id: int, payload: MeasuresIn) -> Any:
    proposal = queries.proposal_for(request.user, proposal_id)
    actions.proposal_link_measures(by=request.user, proposal=proposal,
                                   measures=queries.measures_for(request.user, payload.measure_ids))
    return _proposal_answer(request, proposal_id)
