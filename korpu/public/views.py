"""The public portal: no login; only published items, never internal comments or personal data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from korpu.plan import charts as plan_charts
from korpu.plan import queries as plan_queries


def home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html", {"plans": plan_queries.plans_visible_to(None, public=True)})


def plan_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_queries.plan_for(None, plan_id, public=True)
    tree = plan_queries.plan_tree(plan, public=True)
    return render(request, "public/plan.html", {"plan": plan, "tree": tree,
                                                "chart": plan_charts.section_progress(tree)})


def measure_view(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = plan_queries.measure_for(None, measure_id, public=True)
    reports = [r for r in plan_queries.measure_reports(None, measure)]
    return render(request, "public/measure.html", {
        "measure": measure, "status": plan_queries.measure_status(measure, reports, timezone.localdate()),
        "recommendations": measure.recommendations.filter(is_published=True)})


def recommendations_view(request: HttpRequest) -> HttpResponse:
    recommendations = plan_queries.recommendations_visible_to(None, public=True)
    matrix = plan_queries.recommendation_matrix(recommendations)
    return render(request, "public/recommendations.html", {
        "matrix": matrix, "chart": plan_charts.recommendation_matrix(matrix),
        "rows": [(r, plan_queries.current_level(r)) for r in recommendations]})


def recommendation_view(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = plan_queries.recommendation_for(None, recommendation_id, public=True)
    return render(request, "public/recommendation.html", {
        "recommendation": recommendation, "level": plan_queries.current_level(recommendation),
        "history": plan_queries.recommendation_history(recommendation, public=True),
        "measures": recommendation.measures.filter(is_published=True, section__plan__is_published=True)})
