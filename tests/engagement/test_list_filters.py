"""The proposals and campaigns pages and ``GET /api/v1/engagement/proposals`` and ``/campaigns`` bind
one FilterSet each (``korpu.engagement.filters``): the same parameters filter and sort the page and
the API; the page shows the sort as column headers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from korpu.engagement import actions
from korpu.engagement.models import Proposal
from tests.engagement.helpers import by_testid, html
from tests.engagement.test_api import Api, ok
from tests.engagement.test_campaigns import make_campaign

S = Proposal.Status


@pytest.fixture
def proposals(coalition: dict[str, Any]) -> list[Proposal]:
    """Three proposals, received in this order; the second is under review."""
    made = [actions.proposal_create(by=coalition["koalisiya"], from_organisation=coalition["ngo1"],
                                    addressed_to=coalition["coordinator"], title=f"Təklif {n}", text="Mətn")
            for n in (1, 2, 3)]
    actions.proposal_respond(by=coalition["koalisiya"], proposal=made[1], status=S.UNDER_REVIEW)
    return made


def page_ids(response: Any, testid: str, link: str) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(rf'href="/{link}/(\d+)/"', by_testid(html(response), testid, "</table>"))]


def test_the_proposals_page_filters_and_sorts(proposals, login_en):
    client = login_en("qht2")
    url = reverse("engagement:proposals")
    first, second, third = (p.pk for p in proposals)
    assert page_ids(client.get(url), "proposal-list", "proposals") == [third, second, first]  # newest first
    assert page_ids(client.get(url, {"sort": "received"}), "proposal-list", "proposals") == [first, second, third]
    assert page_ids(client.get(url, {"status": S.UNDER_REVIEW}), "proposal-list", "proposals") == [second]
    by_status = page_ids(client.get(url, {"sort": "-status"}), "proposal-list", "proposals")
    assert by_status == [second, third, first]  # "under_review" after "received"; ties by id, descending
    assert len(page_ids(client.get(url, {"status": "nonsense"}), "proposal-list", "proposals")) == 3

    text = html(client.get(url, {"status": S.RECEIVED, "sort": "received"}))
    headers = by_testid(text, "proposal-list", "</thead>")
    assert 'aria-sort="ascending"><a href="?status=received&amp;sort=-received"' in headers
    assert '<a href="?status=received&amp;sort=status"' in headers
    assert '<input type="hidden" name="sort" value="received">' in text


def test_the_proposals_api_takes_the_same_parameters(proposals, coalition):
    api = Api(coalition["qht2"])
    first, second, third = (p.pk for p in proposals)

    def ids(**params: Any) -> list[int]:
        return [row["id"] for row in ok(api.get("/proposals", **params))["items"]]

    assert ids() == [third, second, first]
    assert ids(sort="received") == [first, second, third]
    assert ids(sort="-status") == [second, third, first]
    assert ids(status=S.RECEIVED, sort="received") == [first, third]
    assert ids(status="nonsense") == []  # as it always was
    response = api.get("/proposals", sort="from_organisation")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("sort:")


def test_the_campaigns_page_and_api_filter_by_year_and_sort(coalition, login_en):
    spring = make_campaign(coalition, title="Bahar", starts=dt.date(2025, 3, 1), ends=dt.date(2025, 5, 31))
    autumn = make_campaign(coalition, title="Payız", starts=dt.date(2024, 9, 1), ends=dt.date(2025, 1, 31))
    later = make_campaign(coalition, title="Ağ", starts=dt.date(2026, 3, 1), ends=dt.date(2026, 4, 30))
    client = login_en("qht2")
    url = reverse("engagement:campaigns")
    assert page_ids(client.get(url, {"sort": "starts"}), "campaign-list", "campaigns") == [
        autumn.pk, spring.pk, later.pk]
    assert page_ids(client.get(url, {"sort": "title"}), "campaign-list", "campaigns") == [
        later.pk, spring.pk, autumn.pk]
    assert set(page_ids(client.get(url, {"year": "2025"}), "campaign-list", "campaigns")) == {spring.pk, autumn.pk}
    headers = by_testid(html(client.get(url, {"year": "2025", "sort": "-starts"})), "campaign-list", "</thead>")
    assert 'aria-sort="descending"><a href="?year=2025&amp;sort=starts"' in headers

    api = Api(coalition["qht2"])
    assert [c["id"] for c in ok(api.get("/campaigns", year=2025, sort="starts"))["items"]] == [autumn.pk, spring.pk]
    assert [c["id"] for c in ok(api.get("/campaigns", sort="-title"))["items"]] == [autumn.pk, spring.pk, later.pk]
    response = api.get("/campaigns", year=20250)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("year:")
