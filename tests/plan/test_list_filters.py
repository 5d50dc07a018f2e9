"""The recommendations page and ``GET /api/v1/plan/recommendations`` bind one FilterSet
(``korpu.plan.filters.RecommendationFilter``): the same parameters filter and sort both, the page
shows the sort as column headers, and the API refuses an invalid value with a 422 naming it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from korpu.plan import actions
from tests.plan.test_api import get, ok, token_client


@pytest.fixture
def recommendations(cast: dict[str, Any]) -> dict[str, Any]:
    office = cast["analitik"]

    def save(source: str, cycle: str) -> Any:
        return actions.recommendation_save(by=office, source=source, cycle=cycle, text_az=f"Tövsiyə {source} {cycle}")

    found = {"greta_2023": save("greta", "2023"), "cedaw_2021": save("cedaw", "2021"),
             "greta_2019": save("greta", "GRETA 2nd round (2019)")}
    actions.assessment_record(by=office, recommendation=found["greta_2019"], level="full")
    return found


def listed(response: Any) -> list[int]:
    """The recommendations the page's list shows, in its order (the matrix above it links no row)."""
    assert response.status_code == 200
    table = response.content.decode().split('data-testid="recommendation-list"', 1)[1].split("</table>", 1)[0]
    return [int(pk) for pk in re.findall(r'href="/recommendations/(\d+)/"', table)]


def test_the_page_filters_and_sorts_by_the_filterset(recommendations, login_as):
    client = login_as("analitik")
    url = reverse("plan:recommendations")
    r = {name: obj.pk for name, obj in recommendations.items()}
    assert set(listed(client.get(url))) == set(r.values())
    assert set(listed(client.get(url, {"source": "greta"}))) == {r["greta_2023"], r["greta_2019"]}
    assert listed(client.get(url, {"level": "full"})) == [r["greta_2019"]]
    assert listed(client.get(url, {"level": "not_started", "source": "greta"})) == [r["greta_2023"]]
    assert listed(client.get(url, {"year": "2021"})) == [r["cedaw_2021"]]
    assert listed(client.get(url, {"sort": "cycle"})) == [r["cedaw_2021"], r["greta_2023"], r["greta_2019"]]
    assert listed(client.get(url, {"sort": "-cycle"})) == [r["greta_2019"], r["greta_2023"], r["cedaw_2021"]]
    # An invalid value is left out (the page shows the error by the field), the valid ones still apply.
    assert set(listed(client.get(url, {"level": "bogus", "source": "cedaw"}))) == {r["cedaw_2021"]}


def test_the_page_shows_the_sort_as_column_headers(recommendations, login_as):
    text = login_as("analitik").get(reverse("plan:recommendations"), {"source": "greta", "sort": "cycle"}
                                    ).content.decode()
    headers = text.split('data-testid="recommendation-list"', 1)[1].split("</thead>", 1)[0]
    assert 'aria-sort="ascending"><a href="?source=greta&amp;sort=-cycle"' in headers
    assert '<a href="?source=greta&amp;sort=source"' in headers
    # The filter bar keeps the sort; it offers no sort field of its own.
    assert '<input type="hidden" name="sort" value="cycle">' in text
    assert '<select name="sort"' not in text


def test_the_api_takes_the_same_parameters(recommendations, cast):
    client = token_client(cast["analitik"])
    r = {name: obj.pk for name, obj in recommendations.items()}

    def ids(**params: Any) -> list[int]:
        return [row["id"] for row in ok(get(client, "/recommendations", limit=100, **params))["items"]]

    assert ids(source="greta", sort="cycle") == [r["greta_2023"], r["greta_2019"]]
    assert ids(sort="-cycle") == [r["greta_2019"], r["greta_2023"], r["cedaw_2021"]]
    assert ids(level="full") == [r["greta_2019"]]
    assert ids(year=2021) == [r["cedaw_2021"]]
    for param, value in (("sort", "text_az"), ("level", "bogus"), ("source", "nowhere")):
        response = get(client, "/recommendations", **{param: value})
        assert response.status_code == 422, (param, response.content)
        assert response.json()["detail"].startswith(f"{param}:")


def test_the_api_documents_the_filterset_parameters(db):
    from django.test import Client

    operation = Client().get("/api/v1/openapi.json").json()["paths"]["/api/v1/plan/recommendations"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"source", "level", "year", "sort", "limit", "offset"} <= names
