"""Aggregate criminal-justice figures: exact for law enforcement; per year and disclosure-controlled
for the National Coordinator's analysts; nothing for anyone else."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from korpu.justice import actions
from tests.cases.conftest import INVESTIGATION_NUMBER
from tests.shelters.helpers import events_since, last_seq, refused

BANDS = ["no_prison_term", "under_1_year", "1_to_5_years", "5_to_10_years", "10_years_or_more", "not_recorded"]


@pytest.fixture
def proceedings(cast, world):
    """This year, beyond the world's investigation (144-1, a prosecution of 2 defendants): seven more
    144-1 investigations and two 144-2; convictions of 1 + 6 + 1 persons and an acquittal of 2."""
    polis, today = cast["polis"], timezone.localdate()
    opened = [actions.investigation_open(by=polis, number=f"CR-F-{i}", article="144-1", opened_on=today)
              for i in range(7)]
    opened += [actions.investigation_open(by=polis, number=f"CR-G-{i}", article="144-2", opened_on=today)
               for i in range(2)]
    prosecution = actions.prosecution_add(by=polis, investigation=opened[0], filed_on=today, court="C",
                                          defendants=10)
    for persons, months in ((1, 0), (6, 72), (1, 150)):
        actions.outcome_add(by=polis, prosecution=prosecution, decided_on=today, result="conviction",
                            persons=persons, sentence_months=months)
    actions.outcome_add(by=polis, prosecution=prosecution, decided_on=today, result="acquittal", persons=2)
    # Last year: one conviction, which must not count in this year's figures.
    last_year = today.replace(year=today.year - 1, day=1)
    old = actions.investigation_open(by=polis, number="CR-OLD", article="other", opened_on=last_year)
    old_prosecution = actions.prosecution_add(by=polis, investigation=old, filed_on=last_year, court="C")
    actions.outcome_add(by=polis, prosecution=old_prosecution, decided_on=last_year + dt.timedelta(days=1),
                        result="conviction", sentence_months=5)
    return today.year


def sentences(body):
    return {s["band"]: s["persons"] for s in body["sentences"]}


def test_law_enforcement_sees_exact_figures_with_sentences(cast, proceedings, login_as):
    client = login_as("polis")
    this_year = client.get(f"/api/v1/justice/figures?year={proceedings}").json()
    assert {k: v for k, v in this_year.items() if k != "sentences"} == {
        "year": proceedings, "exact": True, "threshold": None,
        "investigations": 10, "investigations_144_1": 8, "investigations_144_2": 2, "investigations_other": 0,
        "prosecutions": 2, "defendants_prosecuted": 12, "persons_convicted": 8, "persons_acquitted": 2}
    assert sentences(this_year) == {"no_prison_term": 1, "under_1_year": 0, "1_to_5_years": 0, "5_to_10_years": 6,
                                    "10_years_or_more": 1, "not_recorded": 0}
    assert [s["band"] for s in this_year["sentences"]] == BANDS
    every_year = client.get("/api/v1/justice/figures").json()
    assert (every_year["year"], every_year["investigations"], every_year["persons_convicted"]) == (None, 11, 9)
    assert sentences(every_year)["under_1_year"] == 1
    page = client.get(reverse("justice:figures")).content.decode()
    assert '<option value="">' in page  # all years: for law enforcement only
    assert 'data-band="5_to_10_years"><td>' in page and 'data-testid="disclosure-note"' not in page


def test_analysts_get_yearly_figures_under_disclosure_control(cast, proceedings, login_as):
    client = login_as("analitik")
    seq = last_seq()
    body = client.get("/api/v1/justice/figures").json()  # no year: the current one
    assert {k: v for k, v in body.items() if k != "sentences"} == {
        "year": proceedings, "exact": False, "threshold": 5,
        "investigations": 10,
        # 144-2 (2) is below the threshold; alone it could be worked out as 10 − 8 − 0, so 144-1 is hidden too.
        "investigations_144_1": "x", "investigations_144_2": "<5", "investigations_other": 0,
        "prosecutions": "<5", "defendants_prosecuted": 12, "persons_convicted": 8, "persons_acquitted": "<5"}
    # Bands 1 (no prison term) and 1 (10 years or more) are hidden; with two hidden cells the total
    # gives away only their sum, so 6 stays.
    assert sentences(body) == {"no_prison_term": "<5", "under_1_year": 0, "1_to_5_years": 0, "5_to_10_years": 6,
                               "10_years_or_more": "<5", "not_recorded": 0}
    assert events_since(seq, action="justice.figures") == [("justice.figures", "ok", "", "")]
    last_year = client.get(f"/api/v1/justice/figures?year={proceedings - 1}").json()
    assert (last_year["investigations"], last_year["investigations_other"], last_year["persons_convicted"]) == (
        "<5", "<5", "<5")
    assert sentences(last_year)["under_1_year"] == "<5"
    page = client.get(reverse("justice:figures")).content.decode()
    assert '<option value="">' not in page  # no all-years total: it would give a hidden year back
    assert f'<option value="{proceedings}" selected>' in page
    assert re.search(r'data-key="investigations_144_2">&lt;5<', page)
    assert re.search(r'data-band="10_years_or_more"><td>[^<]*</td><td>&lt;5<', page)
    assert 'data-testid="disclosure-note"' in page
    assert INVESTIGATION_NUMBER not in page and "CR-F-" not in page


@override_settings(DISCLOSURE_THRESHOLD=2)
def test_the_threshold_is_the_setting(cast, proceedings, login_as):
    body = login_as("analitik").get("/api/v1/justice/figures").json()
    assert body["threshold"] == 2
    assert (body["investigations_144_2"], body["prosecutions"], body["persons_acquitted"]) == (2, 2, 2)
    assert sentences(body)["no_prison_term"] == "<2"


@pytest.mark.parametrize("username", ["qht1", "siginacaq1", "admin", "auditor", "fokal", "koalisiya"])
def test_nobody_else_gets_figures(username, cast, world, login_as):
    client = login_as(username)
    with refused(cast[username]) as result:
        assert client.get(reverse("justice:figures")).status_code == 404
        assert client.get("/api/v1/justice/figures").status_code == 404
    assert result["denied"] == [("justice.figures", "", "")] * 2


def test_a_year_out_of_range_is_refused(cast, world, login_as):
    response = login_as("analitik").get("/api/v1/justice/figures?year=99999", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json() == {"detail": "Choose a year from 1990 to 2100."}
    assert login_as("analitik").get(reverse("justice:figures"), {"year": "99999"}).status_code == 200
