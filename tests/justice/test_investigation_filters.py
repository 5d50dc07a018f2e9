"""The investigation list's one filter (``korpu.justice.filters.InvestigationFilter``): page and API alike."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils import timezone

from korpu.justice import actions


def _opened(cast: dict[str, Any]) -> dict[str, Any]:
    today = timezone.localdate()
    last_year = today.replace(year=today.year - 1, day=1)
    return {
        "old": actions.investigation_open(by=cast["polis"], number="CR-F-1", article="144-2", opened_on=last_year),
        "new": actions.investigation_open(by=cast["polis"], number="CR-F-2", article="144-1", opened_on=today),
    }


def _api(client: Any, params: dict[str, Any]) -> list[str]:
    response = client.get("/api/v1/investigations", params)
    assert response.status_code == 200, response.content
    return [i["number"] for i in response.json()["items"]]


def _html(client: Any, params: dict[str, Any]) -> list[str]:
    html = client.get(reverse("justice:list"), params).content.decode()
    table = re.search(r'data-testid="investigation-table">(.*?)</table>', html, re.S).group(1)
    return re.findall(r'<a href="/investigations/\d+/">([^<]+)</a>', table)


def test_filter_and_sort_the_investigations(cast, world, login_en):
    found = _opened(cast)
    client = login_en("polis")
    year = found["old"].opened_on.year
    for params, expected in (
        ({"article": "144-2"}, ["CR-F-1"]),
        ({"year": year}, ["CR-F-1"]),
        ({"q": "cr-f", "sort": "number"}, ["CR-F-1", "CR-F-2"]),
        ({"q": "CR-F", "sort": "-number"}, ["CR-F-2", "CR-F-1"]),
        ({"q": "CR-F", "sort": "opened"}, ["CR-F-1", "CR-F-2"]),
        ({"q": "CR-F", "status": "closed"}, []),
    ):
        assert _api(client, params) == expected, params
        assert _html(client, params) == expected, params
    assert client.get("/api/v1/investigations", {"sort": "created_by"}).status_code == 422
    html = client.get(reverse("justice:list"), {"sort": "number"}).content.decode()
    assert 'aria-sort="ascending"' in html and 'href="?sort=-number"' in html


def test_the_filter_never_shows_another_body(cast, world, login_en):
    _opened(cast)
    assert login_en("qht1").get("/api/v1/investigations", {"q": "CR"}).status_code == 404
