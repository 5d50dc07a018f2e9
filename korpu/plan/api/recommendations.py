"""Recommendations with their history across cycles and their assessments."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from korpu.core import filters as core_filters
from korpu.core.api_pagination import BoundedLimitOffsetPagination, MappedRows
from korpu.plan import actions, queries
from korpu.plan.api.base import LONG, _manager, router
from korpu.plan.filters import RecommendationFilter, RecommendationFilterIn
from korpu.plan.models import Recommendation


# --- recommendations ---------------------------------------------------------------------------
class RecommendationIn(Schema):
    source: str = Field(..., description="us_tip, greta, cedaw, crc, hrc, upr, osce or other")
    cycle: str = Field(..., min_length=1, max_length=40)
    reference: str = Field("", max_length=60)
    text_az: str = Field(..., min_length=1, max_length=LONG)
    text_ru: str = Field("", max_length=LONG)
    text_en: str = Field("", max_length=LONG)
    priority: str = Field("", description="prioritized, urges, considers, invites or empty")
    theme: str = Field("", max_length=100)
    measure_ids: list[int] = Field([], max_length=500, description="The measures answering it")
    previous_id: int | None = Field(None, description="The same recommendation in an earlier cycle")
    response_az: str = Field("", max_length=LONG)
    response_ru: str = Field("", max_length=LONG)
    response_en: str = Field("", max_length=LONG)


class RecommendationOut(Schema):
    id: int
    source: str
    cycle: str
    reference: str
    text_az: str
    text_ru: str
    text_en: str
    priority: str
    theme: str
    measure_ids: list[int]
    previous_id: int | None
    response_az: str
    response_ru: str
    response_en: str
    is_published: bool
    level: str = Field(description="The current (newest) assessment")


class AssessmentOut(Schema):
    id: int
    level: str
    comment: str
    assessed_on: dt.date
    by: str


class HistoryOut(Schema):
    id: int
    source: str
    cycle: str
    reference: str
    generation: int
    level: str
    is_published: bool


class RecommendationDetailOut(RecommendationOut):
    assessments: list[AssessmentOut]
    history: list[HistoryOut] = Field(description="The same recommendation across cycles, oldest first")


REC_TEXTS = ("source", "cycle", "reference", "text_az", "text_ru", "text_en", "priority", "theme", "response_az",
             "response_ru", "response_en")


def _recommendation(r: Recommendation) -> dict[str, Any]:
    return {"id": r.pk, **{f: getattr(r, f) for f in REC_TEXTS}, "measure_ids": [m.pk for m in r.measures.all()],
            "previous_id": r.previous_id, "is_published": r.is_published, "level": queries.current_level(r)}


def _recommendation_detail(request: HttpRequest, recommendation_id: int) -> dict[str, Any]:
    r = queries.recommendation_for(request.user, recommendation_id)
    return {**_recommendation(r),
            "assessments": [{"id": a.pk, "level": a.level, "comment": a.comment, "assessed_on": a.assessed_on,
                             "by": str(a.by)} for a in r.assessments.select_related("by")],
            "history": [{"id": h.pk, "source": h.source, "cycle": h.cycle, "reference": h.reference,
                         "generation": h.generation, "level": h.level,  # type: ignore[attr-defined]
                         "is_published": h.is_published} for h in queries.recommendation_history(r)]}


if TYPE_CHECKING:  # a class for the type checker; at run time generated from the FilterSet
    class RecommendationQuery(Schema): ...
else:
    RecommendationQuery = RecommendationFilterIn


@router.get("/recommendations", response=list[RecommendationOut], summary="Recommendations, filtered")
@paginate(BoundedLimitOffsetPagination)
def recommendation_list(request: HttpRequest, filters: Query[RecommendationQuery]) -> Any:
    """The filters and ``sort`` of the recommendations page (``korpu.plan.filters.RecommendationFilter``);
    an invalid value is a 422 naming the parameter."""
    listed = core_filters.bound(RecommendationFilter, filters.dict(),
                                queryset=queries.recommendations_visible_to(request.user), strict=True)
    return MappedRows(listed.qs, _recommendation)


def _recommendation_fields(request: HttpRequest, payload: RecommendationIn,
                           recommendation: Recommendation | None = None) -> dict[str, Any]:
    data = payload.dict()
    previous = None
    if payload.previous_id is not None:
        if recommendation is not None and payload.previous_id == recommendation.pk:
            raise ValidationError(_("A recommendation cannot repeat itself or a later one."))
        previous = queries.recommendation_for(request.user, payload.previous_id)
    return {**{f: data[f] for f in REC_TEXTS}, "previous": previous,
            "measures": queries.measures_named(request.user, payload.measure_ids)}


@router.post("/recommendations", response={201: RecommendationDetailOut},
             summary="Add a recommendation (unpublished)")
def recommendation_create(request: HttpRequest, payload: RecommendationIn) -> Any:
    _manager(request, "recommendation.save", "plan.Recommendation")
    saved = actions.recommendation_save(by=request.user, **_recommendation_fields(request, payload))
    return Status(201, _recommendation_detail(request, saved.pk))


@router.get("/recommendations/{recommendation_id}", response=RecommendationDetailOut,
            summary="One recommendation with its history across cycles and its assessments")
def recommendation_detail(request: HttpRequest, recommendation_id: int) -> Any:
    return _recommendation_detail(request, recommendation_id)


@router.post("/recommendations/{recommendation_id}", response=RecommendationDetailOut,
             summary="Change a recommendation (every field, as the form)")
def recommendation_update(request: HttpRequest, recommendation_id: int, payload: RecommendationIn) -> Any:
    _manager(request, "recommendation.save", "plan.Recommendation", recommendation_id)
    recommendation = queries.recommendation_for(request.user, recommendation_id, action="recommendation.save")
    actions.recommendation_save(by=request.user, recommendation=recommendation,
                                **_recommendation_fields(request, payload, recommendation))
    return _recommendation_detail(request, recommendation_id)


def _set_recommendation_published(request: HttpRequest, recommendation_id: int, published: bool) -> Any:
    recommendation = queries.recommendation_for(request.user, recommendation_id, action="recommendation.publish")
    actions.recommendation_set_published(by=request.user, recommendation=recommendation, published=published)
    return _recommendation_detail(request, recommendation_id)


@router.post("/recommendations/{recommendation_id}/publish", response=RecommendationDetailOut,
             summary="Publish a recommendation")
def recommendation_publish(request: HttpRequest, recommendation_id: int) -> Any:
    return _set_recommendation_published(request, recommendation_id, True)


@router.post("/recommendations/{recommendation_id}/unpublish", response=RecommendationDetailOut,
             summary="Take a recommendation off the portal")
def recommendation_unpublish(request: HttpRequest, recommendation_id: int) -> Any:
    return _set_recommendation_published(request, recommendation_id, False)


class AssessmentIn(Schema):
    level: str = Field(..., description="not_started, in_progress, partial or full")
    comment: str = Field("", max_length=5000, description="Internal")


@router.post("/recommendations/{recommendation_id}/assessments", response={201: RecommendationDetailOut},
             summary="Record an assessment of how far a recommendation is implemented")
def assessment_create(request: HttpRequest, recommendation_id: int, payload: AssessmentIn) -> Any:
    recommendation = queries.recommendation_for(request.user, recommendation_id, action="recommendation.assess")
    actions.assessment_record(by=request.user, recommendation=recommendation, level=payload.level,
                              comment=payload.comment)
    return Status(201, _recommendation_detail(request, recommendation_id))
