"""The kernel's list-filter helpers (``korpu.core.filters``) and the plan and engagement FilterSets
(their pages and API bind them: tests/plan/test_list_filters.py, tests/engagement/test_list_filters.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from korpu.core import filters as core_filters
from korpu.engagement.filters import CampaignFilter, CampaignFilterIn, ProposalFilter
from korpu.engagement.models import Campaign, Proposal
from korpu.justice.filters import InvestigationFilter
from korpu.justice.models import Investigation
from korpu.plan.filters import RecommendationFilter, RecommendationFilterIn
from korpu.plan.models import Recommendation


def test_sort_links_toggle_and_drop_the_page(db):
    query = QueryDict("status=open&page=3&sort=-number")
    listed = core_filters.bound(InvestigationFilter, query, queryset=Investigation.objects.all())
    links = core_filters.sort_links(listed, query)
    assert links["number"] == {"url": "?status=open&sort=number", "state": "descending"}
    assert links["opened"] == {"url": "?status=open&sort=opened", "state": ""}
    assert core_filters.sort_key(listed) == "-number"
    assert str(listed.qs.query).count("ORDER BY") == 1


def test_strict_binding_names_the_parameter(db):
    with pytest.raises(ValidationError) as raised:
        core_filters.bound(InvestigationFilter, {"status": "bogus", "year": None}, queryset=Investigation.objects.all(),
                           strict=True)
    assert raised.value.messages[0].startswith("status:")
    lenient = core_filters.bound(InvestigationFilter, {"status": "bogus", "article": "144-1"},
                                 queryset=Investigation.objects.all())
    assert core_filters.applied(lenient) == {}  # the page shows the error, and filters by the valid ones
    assert "article" in str(lenient.qs.query).lower()


def test_query_schemas_follow_the_filtersets():
    assert set(RecommendationFilterIn.model_fields) == set(RecommendationFilter.base_filters)
    assert set(CampaignFilterIn.model_fields) == {"year", "sort"}
    assert RecommendationFilterIn.model_fields["year"].annotation == int | None


@pytest.mark.parametrize(("filterset", "model", "params"), [
    (RecommendationFilter, Recommendation, {"source": "greta", "level": "not_started", "year": "2024",
                                            "sort": "-cycle"}),
    (ProposalFilter, Proposal, {"status": "accepted", "sort": "-received"}),
    (CampaignFilter, Campaign, {"year": "2025", "sort": "starts"}),
])
def test_plan_and_engagement_filtersets_apply(db, filterset, model, params):
    listed = core_filters.bound(filterset, params, queryset=model.objects.all(), strict=True)
    assert list(listed.qs) == []
    assert core_filters.applied(listed).keys() == params.keys()


def test_campaign_year_is_bounded(db):
    with pytest.raises(ValidationError):
        core_filters.bound(CampaignFilter, {"year": "20250"}, queryset=Campaign.objects.all(), strict=True)
