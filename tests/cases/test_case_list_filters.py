"""The case list's one filter (``korpu.cases.filters.CaseFilter``) through every interface that lists
cases: the HTML list, ``GET /api/v1/cases``, the HTCDS export and the CLI; and its sortable columns.

The filter narrows what the scoping query lets the user see, never more.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from korpu.cases import actions, choices, queries
from korpu.cases.filters import CaseFilter
from korpu.core.models import AuditEvent
from tests.cases.conftest import FULL_CONSENT, register


@pytest.fixture
def listed(cast: dict[str, Any]) -> dict[str, Any]:
    """Four cases NGO 1 sees (three of its own, one referred by the police) and one it never sees."""
    today = timezone.localdate()
    qht1 = cast["qht1"]
    cases = {
        "b": register(qht1, "Aygün", "Məmmədova", age=29, identified_on=today - dt.timedelta(days=40)),
        "c": register(qht1, "Elvin", "Həsənov", gender=choices.Gender.MASCULINE, age=41,
                      identified_on=today - dt.timedelta(days=20), exploitation=(choices.Exploitation.FORCED_LABOUR,)),
        "a": register(qht1, "Lalə", "Rüstəmova", age=19, identified_on=today - dt.timedelta(days=5)),
    }
    police = register(cast["polis"], "Ramil", "Qasımov", gender=choices.Gender.MASCULINE, age=37,
                      consent=FULL_CONSENT, identified_on=today - dt.timedelta(days=60),
                      channel=choices.IdentificationChannel.POLICE_OPERATION)
    referral = actions.referral_create(by=cast["polis"], case=police, to_organisation=cast["ngo1"],
                                       reason="AdditionalServicesRequired")
    actions.referral_accept(by=qht1, referral=referral)
    cases["police"] = police
    actions.case_close(by=qht1, case=cases["c"], status=choices.CaseStatus.CLOSED, reason="Back home.")
    cases["hidden"] = register(cast["qht3"], "Aygün", "Məmmədova", age=29)  # NGO 3's: never listed for NGO 1
    return cases


def _html_numbers(client: Any, params: dict[str, Any]) -> list[str]:
    response = client.get(reverse("cases:list"), params)
    assert response.status_code == 200
    table = re.search(r'data-testid="case-table">(.*?)</table>', response.content.decode(), re.S).group(1)
    return re.findall(r'<a href="/cases/\d+/">([^<]+)</a>', table)


def _api_numbers(client: Any, params: dict[str, Any]) -> list[str]:
    response = client.get("/api/v1/cases", {**params, "limit": 100})
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def _numbers(cases: dict[str, Any], *keys: str) -> list[str]:
    return [cases[k].number for k in keys]


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["a", "c", "b", "police"]),  # the list's own order: newest identified first
    ({"status": "Closed"}, ["c"]),
    ({"gender": "Masculine"}, ["c", "police"]),
    ({"exploitation": "ForcedLabour"}, ["c"]),
    ({"age_group": "18-24"}, ["a"]),
    ({"sort": "opened"}, ["police", "b", "c", "a"]),
    ({"sort": "-opened"}, ["a", "c", "b", "police"]),
    ({"sort": "status", "gender": "Masculine"}, ["police", "c"]),  # Active before Closed
    ({"sort": "-status", "gender": "Masculine"}, ["c", "police"]),
])
def test_html_and_api_filter_and_sort_alike(cast, listed, login_as, params, expected):
    client = login_as("qht1")
    want = _numbers(listed, *expected)
    assert _html_numbers(client, params) == want
    assert _api_numbers(client, params) == want


def test_sort_by_number_and_last_activity(cast, listed, login_as):
    client = login_as("qht1")
    visible = [listed[k] for k in ("a", "b", "c", "police")]
    by_number = sorted(c.number for c in visible)
    assert _html_numbers(client, {"sort": "number"}) == by_number
    assert _api_numbers(client, {"sort": "-number"}) == by_number[::-1]
    # Closing case c was the last change: it comes first when the latest activity is asked for.
    assert _api_numbers(client, {"sort": "-last_activity"})[0] == listed["c"].number
    assert _html_numbers(client, {"sort": "-last_activity"})[0] == listed["c"].number


def test_filters_never_widen_the_scope(cast, listed, login_as):
    client = login_as("qht1")
    hidden = listed["hidden"].number
    for params in ({}, {"q": hidden}, {"organisation": cast["ngo3"].pk}, {"q": "Aygün Məmmədova"}):
        assert hidden not in _html_numbers(client, params)
        assert hidden not in _api_numbers(client, params)
    # The same name at NGO 1 is found by exact name; NGO 3's namesake is not.
    assert _api_numbers(client, {"q": "Aygün Məmmədova"}) == [listed["b"].number]
    # A user without a victim-data role sees no list at all, whatever the filter.
    assert login_as("analitik").get(reverse("cases:list"), {"status": "Active"}).status_code == 404
    assert login_as("analitik").get("/api/v1/cases", {"status": "Active"}).status_code == 404


def test_column_headers_toggle_the_sort_and_keep_the_filters(cast, listed, login_as):
    client = login_as("qht1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("cases:list"), {"status": "Active", "page": "1"}).content.decode()
    heads = dict(re.findall(r'<a href="\?([^"]*)" data-sort-link>([^<▲▼]+)', html))
    links = {label.strip(): query.replace("&amp;", "&") for query, label in heads.items()}
    assert links["Case number"] == "status=Active&sort=number"  # the page is dropped: a new order starts at 1
    assert set(links) == {"Case number", "Identified on", "Trafficking status", "Case status", "Last activity"}
    html = client.get(reverse("cases:list"), {"status": "Active", "sort": "number"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="?status=Active&amp;sort=-number"' in html  # clicking again sorts descending
    assert '<input type="hidden" name="sort" value="number">' in html  # the filter bar keeps the sort
    html = client.get(reverse("cases:list"), {"sort": "-number"}).content.decode()
    assert 'aria-sort="descending"' in html and 'href="?sort=number"' in html


def test_invalid_values(cast, listed, login_as):
    client = login_as("qht1")
    # The API names the parameter it cannot use; nothing is listed or audited as listed.
    before = AuditEvent.objects.filter(action="case.list").count()
    for params in ({"sort": "person__given_name"}, {"status": "Bogus"}, {"age_group": "99+"},
                   {"organisation": 987654321}):
        response = client.get("/api/v1/cases", params)
        assert response.status_code == 422, params
        assert next(iter(params)) in response.json()["detail"], response.json()
    response = client.get("/api/v1/cases", {"identified_from": "not-a-date"})
    assert response.status_code == 422
    assert AuditEvent.objects.filter(action="case.list").count() == before
    # The page leaves an invalid filter out and applies the others.
    assert _html_numbers(client, {"sort": "person__given_name", "gender": "Masculine"}) == _numbers(
        listed, "c", "police")


def test_the_audit_event_names_the_filters_and_sort(cast, listed, login_as):
    client = login_as("qht1")
    client.get(reverse("cases:list"), {"gender": "Masculine", "sort": "-number", "q": "Elvin Həsənov",
                                       "organisation": cast["ngo1"].pk})
    event = AuditEvent.objects.filter(action="case.list", actor=cast["qht1"]).latest("seq")
    assert event.details == {"gender": "Masculine", "sort": "-number", "organisation": str(cast["ngo1"].pk),
                             "searched": "yes", "shown": "1"}


def test_openapi_documents_the_filter_parameters(cast, login_as):
    schema = login_as("qht1").get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert set(CaseFilter.base_filters) <= set(params)
    assert {"status", "trafficking_status", "exploitation", "gender", "age_group", "organisation",
            "identified_from", "identified_to", "q", "sort", "limit", "offset"} == set(params)
    assert "last_activity" in params["sort"]["description"]
    assert "Closed" in params["status"]["description"]


def test_export_and_cli_use_the_same_filter(cast, listed, login_as, tmp_path):
    client = login_as("qht1")
    response = client.get(reverse("cases:export_htcds"), {"gender": "Masculine", "sort": "number"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                              if response.streaming else response.content)).active
    exported = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]]
    assert len(exported) == 2
    from korpu import cli

    target = tmp_path / "men.xlsx"
    assert cli.main(["export", "htcds", str(target), "--as", "qht1", "--gender", "Masculine"]) == 0
    rows = list(openpyxl.load_workbook(target).active.iter_rows(min_row=3, values_only=True))
    assert len([r for r in rows if r[0]]) == 2
    assert cli.main(["export", "htcds", str(tmp_path / "x.xlsx"), "--as", "qht1", "--sort", "given_name"]) == 2
    assert cli.main(["export", "htcds", str(tmp_path / "y.xlsx"), "--as", "qht1", "--age-group", "99+"]) == 2


def test_case_list_query_takes_the_filter_parameters(cast, listed):
    found = queries.case_list(cast["qht1"], {"gender": "Masculine", "sort": "-opened"})
    assert [c.number for c in found] == _numbers(listed, "c", "police")
    assert list(queries.case_list(cast["qht3"], {"gender": "Masculine"})) == []


def test_referral_lists_filter_and_sort(cast, listed, login_as):
    qht1 = cast["qht1"]
    for key, name in (("a", "Sevda"), ("b", "Könül")):
        listed[key] = register(qht1, name, "Kərimova", consent=FULL_CONSENT)
        actions.referral_create(by=qht1, case=listed[key], to_organisation=cast["ngo2"],
                                reason="AdditionalServicesRequired")
    client = login_as("qht1")

    def api(box: str, params: dict[str, Any]) -> list[str]:
        response = client.get(f"/api/v1/referrals/{box}", params)
        assert response.status_code == 200, response.content
        return [r["case_number"] for r in response.json()["items"]]

    def html(box: str, params: dict[str, Any]) -> list[str]:
        page = client.get(reverse(f"cases:referral_{box}"), params).content.decode()
        table = re.search(r'data-testid="referral-table">(.*?)</table>', page, re.S).group(1)
        return re.findall(r'<a href="/referrals/\d+/">([^<]+)</a>', table)

    sent = sorted(listed[k].number for k in ("a", "b"))
    for params, box, expected in (
        ({"status": "accepted"}, "inbox", [listed["police"].number]),
        ({"status": "pending"}, "inbox", []),
        ({"status": "pending", "sort": "case"}, "outbox", sent),
        ({"sort": "-case"}, "outbox", sent[::-1]),
        ({"status": "declined"}, "outbox", []),
    ):
        assert api(box, params) == expected, params
        assert html(box, params) == expected, params
    assert client.get("/api/v1/referrals/outbox", {"status": "bogus"}).status_code == 422
    # The police see their own outbox only: NGO 1's referrals to NGO 2 are not theirs to list.
    assert login_as("polis").get("/api/v1/referrals/outbox", {"status": "pending"}).json()["items"] == []
