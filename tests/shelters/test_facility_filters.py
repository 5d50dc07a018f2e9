"""The facility list's one filter (``korpu.shelters.filters.FacilityFilter``), and the case page's
admission form served by the shelters app as a fragment."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from korpu.core.access import SYSTEM
from korpu.core.models import AuditEvent
from korpu.shelters import actions


def _api(client: Any, params: dict[str, Any]) -> list[str]:
    response = client.get("/api/v1/facilities", params)
    assert response.status_code == 200, response.content
    return [f["name"] for f in response.json()]


def _html(client: Any, params: dict[str, Any]) -> list[str]:
    html = client.get(reverse("shelters:facility_list"), params).content.decode()
    table = re.search(r'data-testid="facility-list">(.*?)</table>', html, re.S).group(1)
    return re.findall(r'<a href="/facilities/\d+/">([^<]+)</a>', table)


def test_filter_and_sort_the_facilities(cast, world, login_en):
    extra = actions.facility_create(by=SYSTEM, operator=cast["ngo2"], name="Ana Evi", region="Bakı", address="A",
                                    capacities={"women": 1})
    actions.facility_set_active(by=SYSTEM, facility=extra, active=False)
    client = login_en("siginacaq2")
    for params, expected in (
        ({}, ["Ana Evi", "Həyat Evi"]),
        ({"state": "open"}, ["Həyat Evi"]),
        ({"state": "closed"}, ["Ana Evi"]),
        ({"q": "həyat"}, ["Həyat Evi"]),
        ({"sort": "-name"}, ["Həyat Evi", "Ana Evi"]),
        ({"sort": "region"}, ["Ana Evi", "Həyat Evi"]),  # Bakı before Gəncə
        ({"q": "Ümid"}, []),  # NGO 1's facility is never listed for NGO 2
    ):
        assert _api(client, params) == expected, params
        assert _html(client, params) == expected, params
    assert client.get("/api/v1/facilities", {"state": "bogus"}).status_code == 422


def test_admission_form_fragment(cast, world, login_en):
    case_b = world["case_b"]  # the police's own case: NGO 1's shelter manager does not see it
    client = login_en("siginacaq1")
    seq = AuditEvent.objects.order_by("-seq").first().seq
    assert client.get(reverse("shelters:admission_form", args=[case_b.pk])).status_code == 404
    assert AuditEvent.objects.filter(seq__gt=seq, action="admission.form", outcome="denied").exists()
    assert client.post(reverse("shelters:admission_form", args=[case_b.pk])).status_code == 405
    # Case A is in NGO 2's shelter now: its manager gets no form (the person is admitted), but the page
    # loads the fragment only when it is worth asking.
    manager = login_en("siginacaq2")
    case_a = world["case_a"]
    fragment = manager.get(reverse("shelters:admission_form", args=[case_a.pk]))
    assert fragment.status_code == 200 and fragment.content == b""
    page = manager.get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    assert reverse("shelters:admission_form", args=[case_a.pk]) not in page
    # Discharged, the person may be admitted again: the page asks, the fragment holds the form.
    actions.admission_discharge(by=cast["siginacaq2"], admission=world["admission_a"])
    page = manager.get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    assert f'hx-get="{reverse("shelters:admission_form", args=[case_a.pk])}"' in page
    fragment = manager.get(reverse("shelters:admission_form", args=[case_a.pk])).content.decode()
    assert 'data-testid="admission-form"' in fragment and "Həyat Evi" in fragment
    assert f'action="{reverse("shelters:admit", args=[case_a.pk])}"' in fragment
