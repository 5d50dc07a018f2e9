"""The organisation directory and the account list: one filter and sort for the page and the API."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import verified_client


def _names(html: str) -> list[str]:
    return re.findall(r'organisations/\d+/">([^<]+)</a>', html)


def test_the_directory_page_filters_by_type_and_sorts_by_city(cast: dict[str, Any]) -> None:
    client = verified_client(cast["qht1"])
    ngos = _names(client.get("/organisations/", {"org_type": "NGO"}).content.decode())
    assert sorted(ngos) == sorted(["Ümid Körpüsü İctimai Birliyi", "Həyat İşığı Reabilitasiya Mərkəzi",
                                   "Gələcək Naminə Gənclər Birliyi"])
    by_city = _names(client.get("/organisations/", {"org_type": "NGO", "sort": "-city"}).content.decode())
    assert by_city == ["Gələcək Naminə Gənclər Birliyi", "Həyat İşığı Reabilitasiya Mərkəzi",
                       "Ümid Körpüsü İctimai Birliyi"]  # Lənkəran, Gəncə, Bakı
    page = client.get("/organisations/", {"q": "  Həyat "}).content.decode()
    assert _names(page) == ["Həyat İşığı Reabilitasiya Mərkəzi"]
    # The column header toggles the sort and keeps the filter.
    assert 'href="?org_type=NGO&amp;sort=city"' in client.get("/organisations/", {"org_type": "NGO",
                                                                                   "sort": "-city"}).content.decode()


def test_an_invalid_value_is_left_out_on_the_page(cast: dict[str, Any]) -> None:
    response = verified_client(cast["qht1"]).get("/organisations/", {"org_type": "Bogus", "q": "Körpüsü"})
    assert response.status_code == 200
    assert _names(response.content.decode()) == ["Ümid Körpüsü İctimai Birliyi"]


def test_the_api_takes_the_same_filter_and_refuses_a_bad_value(cast: dict[str, Any]) -> None:
    client = verified_client(cast["qht1"])
    rows = client.get("/api/v1/organisations", {"org_type": "NGO", "sort": "-city"}).json()
    assert [r["name"] for r in rows] == ["Gələcək Naminə Gənclər Birliyi", "Həyat İşığı Reabilitasiya Mərkəzi",
                                         "Ümid Körpüsü İctimai Birliyi"]
    refused = client.get("/api/v1/organisations", {"org_type": "Bogus"}, HTTP_ACCEPT_LANGUAGE="az")
    assert refused.status_code == 422
    params = {p["name"] for p in client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/organisations"]["get"]
              ["parameters"]}
    assert params == {"q", "org_type", "sort"}


def test_the_account_list_searches_and_sorts(cast: dict[str, Any]) -> None:
    client = verified_client(cast["admin"])
    page = client.get("/users/", {"q": "siginacaq", "sort": "-username"}).content.decode()
    assert re.findall(r'users/\d+/">([^<]+)</a>', page) == ["siginacaq2", "siginacaq1"]
    assert verified_client(cast["qht1"]).get("/users/").status_code == 404
