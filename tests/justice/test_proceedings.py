"""Criminal proceedings through the pages and the API: the same actions, the same refusals."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from korpu.justice import actions
from korpu.justice.models import CourtOutcome, Investigation, Prosecution
from tests.cases.conftest import INVESTIGATION_NUMBER, NAMES
from tests.shelters.helpers import events_since, messages_of, refused


def post_json(client, url, data=None):
    return client.post(url, json.dumps(data) if data is not None else None, content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="en")


def test_the_api_follows_an_investigation_from_opening_to_sentence(cast, world, login_en):
    today = timezone.localdate()
    client = login_en("polis")
    case_a, case_b = world["case_a"], world["case_b"]
    response = post_json(client, "/api/v1/investigations", {
        "number": "CR-144-2025-0100", "article": "144-2", "opened_on": today.isoformat(), "suspects": 3,
        "victim_case_ids": [case_b.pk]})
    assert response.status_code == 201, response.content
    investigation = Investigation.objects.get(number="CR-144-2025-0100")
    base = f"/api/v1/investigations/{investigation.pk}"
    assert response.json() == {
        "id": investigation.pk, "number": "CR-144-2025-0100", "article": "144-2", "opened_on": today.isoformat(),
        "status": "open", "suspects": 3, "investigating_body_id": cast["police"].pk,
        "victim_case_ids": [case_b.pk], "prosecutions": []}

    assert post_json(client, f"{base}/victims/{case_a.pk}").json()["victim_case_ids"] == sorted([case_a.pk,
                                                                                                 case_b.pk])
    assert post_json(client, f"{base}/victims/{case_b.pk}/unlink").json()["victim_case_ids"] == [case_a.pk]
    assert post_json(client, f"{base}/status", {"status": "suspended"}).json()["status"] == "suspended"
    response = post_json(client, f"{base}/prosecutions", {"filed_on": today.isoformat(), "court": " Bakı Məhkəməsi ",
                                                          "defendants": 2})
    assert response.status_code == 201
    prosecution = Prosecution.objects.get(investigation=investigation)
    assert response.json() == {"id": prosecution.pk, "filed_on": today.isoformat(), "court": "Bakı Məhkəməsi",
                               "defendants": 2, "outcomes": []}
    response = post_json(client, f"{base}/outcomes", {
        "prosecution_id": prosecution.pk, "decided_on": today.isoformat(), "result": "conviction", "persons": 2,
        "sentence_months": 96, "sentence_text": "8 years"})
    assert response.status_code == 201
    outcome = CourtOutcome.objects.get(prosecution=prosecution)
    assert response.json() == {"id": outcome.pk, "decided_on": today.isoformat(), "result": "conviction",
                               "persons": 2, "sentence_months": 96, "sentence_text": "8 years"}
    detail = client.get(base).json()
    assert detail["status"] == "suspended"  # a prosecution moves only an *open* investigation to court
    assert detail["prosecutions"] == [{
        "id": prosecution.pk, "filed_on": today.isoformat(), "court": "Bakı Məhkəməsi", "defendants": 2,
        "outcomes": [{"id": outcome.pk, "decided_on": today.isoformat(), "result": "conviction", "persons": 2,
                      "sentence_months": 96, "sentence_text": "8 years"}]}]
    actions_done = [e[0] for e in events_since(0, outcome="ok", object_type__startswith="justice.")
                    if not e[0].endswith((".view", ".update"))]
    assert actions_done[-6:] == ["investigation.create", "investigation.link", "investigation.unlink",
                                 "investigation.status", "prosecution.create", "court_outcome.create"]


def test_opening_with_a_case_the_user_cannot_see_is_denied(cast, world, login_en):
    """Naming a victim's case one cannot see answers like a missing case, and is audited."""
    client = login_en("polis")
    hidden = world["case_c"]  # NGO 3's own case
    for case_id in (hidden.pk, 987654321):
        with refused(cast["polis"]) as result:
            response = post_json(client, "/api/v1/investigations", {
                "number": "CR-X", "article": "144-1", "opened_on": timezone.localdate().isoformat(),
                "victim_case_ids": [world["case_a"].pk, case_id]})
            assert response.status_code == 404 and response.json() == {"detail": "Not found."}
        assert result["denied"] == [("investigation.link", "cases.Case", str(case_id))]
    # The page: the number is refused with a message, audited the same way, nothing saved.
    with refused(cast["polis"]) as result:
        page = client.post(reverse("justice:list"), {
            "number": "CR-X", "article": "144-1", "opened_on": timezone.localdate().isoformat(), "suspects": "1",
            "victim_numbers": f"{world['case_a'].number}, {hidden.number}"}, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
    assert f"No case you can see has the number {hidden.number}." in page.content.decode()
    assert NAMES["C"][0] not in page.content.decode()
    assert result["denied"] == [("investigation.link", "cases.Case", hidden.number)]


def test_analysts_cannot_open_investigations(cast, world, login_en):
    client = login_en("analitik")
    data = {"number": "CR-A", "article": "144-1", "opened_on": timezone.localdate().isoformat(), "suspects": "1"}
    with refused(cast["analitik"]) as result:
        assert client.post(reverse("justice:list"), data).status_code == 404
        assert post_json(client, "/api/v1/investigations", {**data, "suspects": 1}).status_code == 404
    assert result["denied"] == [("investigation.create", "", "")] * 2
    response = client.get(reverse("justice:list"))  # reading the list sends them to the figures
    assert response.status_code == 302 and response["Location"] == reverse("justice:figures")


@pytest.mark.parametrize("username", ["qht1", "siginacaq2", "analitik", "admin", "auditor"])
def test_nobody_outside_the_body_changes_an_investigation(username, cast, world, login_en):
    investigation, case_a, prosecution = world["investigation"], world["case_a"], world["prosecution"]
    client = login_en(username)
    base = f"/api/v1/investigations/{investigation.pk}"
    today = timezone.localdate().isoformat()
    with refused(cast[username]) as result:
        for url, data in ((f"{base}/status", {"status": "closed"}), (f"{base}/victims/{case_a.pk}", None),
                          (f"{base}/victims/{case_a.pk}/unlink", None),
                          (f"{base}/prosecutions", {"filed_on": today, "court": "C", "defendants": 1}),
                          (f"{base}/outcomes", {"prosecution_id": prosecution.pk, "decided_on": today,
                                                "result": "acquittal"})):
            assert post_json(client, url, data).status_code == 404, url
        assert client.post(reverse("justice:unlink", args=[investigation.pk, case_a.pk])).status_code == 404
        assert client.get(base).status_code == 404
    target = ("justice.Investigation", str(investigation.pk))
    assert result["denied"] == [("investigation.update", *target)] * 6 + [("investigation.view", *target)]


def test_links_need_a_case_the_investigator_can_see(cast, world, login_en):
    client = login_en("polis")
    investigation, hidden = world["investigation"], world["case_c"]
    base = f"/api/v1/investigations/{investigation.pk}"
    with refused(cast["polis"]) as result:
        assert post_json(client, f"{base}/victims/{hidden.pk}").status_code == 404
        assert post_json(client, f"{base}/victims/{hidden.pk}/unlink").status_code == 404
        assert client.post(reverse("justice:unlink", args=[investigation.pk, hidden.pk])).status_code == 404
        page = client.post(reverse("justice:command", args=[investigation.pk, "link"]),
                           {"case_number": hidden.number}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert messages_of(page) == [f"No case you can see has the number {hidden.number}."]
    assert result["denied"] == [("investigation.link", "cases.Case", str(hidden.pk)),
                                ("investigation.unlink", "cases.Case", str(hidden.pk)),
                                ("investigation.unlink", "cases.Case", str(hidden.pk)),
                                ("investigation.link", "cases.Case", hidden.number)]
    # A visible case that is not linked, or already linked: a message, nothing changed.
    with refused(cast["polis"]):
        response = post_json(client, f"{base}/victims/{world['case_b'].pk}/unlink")
        assert response.status_code == 422
        assert response.json() == {"detail": "This case is not linked to the investigation."}
        response = post_json(client, f"{base}/victims/{world['case_a'].pk}")
        assert response.json() == {"detail": "This case is already linked to the investigation."}


def test_unlinking_on_the_page(cast, world, login_en):
    investigation, case_a = world["investigation"], world["case_a"]
    client = login_en("polis")
    page = client.get(reverse("justice:detail", args=[investigation.pk])).content.decode()
    assert reverse("justice:unlink", args=[investigation.pk, case_a.pk]) in page
    response = client.post(reverse("justice:unlink", args=[investigation.pk, case_a.pk]), follow=True)
    assert messages_of(response) == ["The case is no longer linked to the investigation."]
    assert list(investigation.victims.all()) == []


def test_outcomes_belong_to_the_investigations_prosecutions(cast, world, login_en):
    today = timezone.localdate()
    other = actions.investigation_open(by=cast["polis2"], number="CR-OTHER", article="other", opened_on=today)
    foreign = actions.prosecution_add(by=cast["polis2"], investigation=other, filed_on=today, court="C")
    client = login_en("polis")
    base = f"/api/v1/investigations/{world['investigation'].pk}"
    with refused(cast["polis"]) as result:
        response = post_json(client, f"{base}/outcomes", {"prosecution_id": foreign.pk,
                                                          "decided_on": today.isoformat(), "result": "acquittal"})
        assert response.status_code == 404
        page = client.post(reverse("justice:command", args=[world["investigation"].pk, "outcome"]), {
            "prosecution": foreign.pk, "decided_on": today.isoformat(), "result": "acquittal", "persons": "1"})
        assert page.status_code == 404
    assert result["denied"] == [("court_outcome.create", "justice.Prosecution", str(foreign.pk))] * 2


@pytest.mark.parametrize(("data", "message"), [
    ({"result": "acquittal", "sentence_months": 12}, "An acquittal carries no sentence."),
    ({"result": "conviction", "persons": 0}, "A court outcome concerns at least one person."),
    ({"result": "conviction", "sentence_months": -3}, "The sentence cannot be negative."),
    ({"result": "conviction", "decided_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()},
     "The decision date cannot be in the future."),
    ({"result": "pardon"}, "Choose the result."),
])
def test_bad_outcomes_change_nothing(data, message, cast, world, login_en):
    client = login_en("polis")
    with refused(cast["polis"]):
        response = post_json(client, f"/api/v1/investigations/{world['investigation'].pk}/outcomes", {
            "prosecution_id": world["prosecution"].pk, "decided_on": timezone.localdate().isoformat(), **data})
        assert response.status_code == 422
    assert response.json() == {"detail": message}


def test_investigation_list_queries(cast, world, login_en, django_assert_num_queries):
    today = timezone.localdate()
    for i in range(6):
        investigation = actions.investigation_open(by=cast["polis"], number=f"CR-Q-{i}", article="144-1",
                                                   opened_on=today, victims=[world["case_a"]])
        prosecution = actions.prosecution_add(by=cast["polis"], investigation=investigation, filed_on=today,
                                              court="C")
        actions.outcome_add(by=cast["polis"], prosecution=prosecution, decided_on=today, result="conviction",
                            sentence_months=30)
    client = login_en("polis")
    client.get("/api/v1/investigations")
    with django_assert_num_queries(9):  # + the bounded count of the paginated list
        page = client.get("/api/v1/investigations").json()
    body = page["items"]
    assert (page["count"], page["count_capped"]) == (7, False)
    assert len(body) == 7 and INVESTIGATION_NUMBER in {i["number"] for i in body}
    assert body[0]["prosecutions"][0]["outcomes"][0]["sentence_months"] == 30
    assert [i["number"] for i in client.get("/api/v1/investigations?limit=2&offset=2").json()["items"]] == [
        i["number"] for i in body[2:4]]
