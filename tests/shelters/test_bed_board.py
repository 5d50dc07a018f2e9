"""The bed board: free beds by category per facility, no addresses, refreshed by htmx."""

from __future__ import annotations

import re

from django.urls import reverse

from korpu.shelters import actions
from korpu.shelters.models import BedCategory
from tests.cases.conftest import FULL_CONSENT, register
from tests.shelters.helpers import refused


def board_cells(html: str) -> dict[str, dict[str, str]]:
    """{facility id: {category: "free / beds", "free": total}} read from the board's table."""
    cells: dict[str, dict[str, str]] = {}
    for facility_id, row in re.findall(r'<tr data-facility="(\d+)">(.*?)</tr>', html, re.S):
        found = {category: f"{free} / {beds}" for category, free, beds in
                 re.findall(r'data-category="([a-z_]+)"[^>]*><span><strong>(\d+)</strong> / (\d+)<', row)}
        total = re.search(r'<td class="free"[^>]*><strong>(\d+)</strong>', row)
        assert total is not None
        found["free"] = total.group(1)
        cells[facility_id] = found
    return cells


def test_board_shows_free_beds_by_category_per_facility(cast, world, login_en):
    ngo1, ngo2 = world["facility_ngo1"], world["facility_ngo2"]
    page = login_en("qht3").get(reverse("shelters:bed_board"))  # any victim-data role sees the board
    html = page.content.decode()
    assert board_cells(html) == {
        str(ngo2.pk): {"women": "2 / 3", "men": "1 / 1", "free": "3"},
        str(ngo1.pk): {"women": "2 / 2", "free": "2"},
    }
    assert 'data-testid="free-total">5 / 6<' in html
    assert "secret street" not in html
    # Names link to the facility page only for its own managers.
    assert reverse("shelters:facility", args=[ngo1.pk]) not in html
    manager = login_en("siginacaq2").get(reverse("shelters:bed_board")).content.decode()
    assert reverse("shelters:facility", args=[ngo2.pk]) in manager
    assert reverse("shelters:facility", args=[ngo1.pk]) not in manager
    assert reverse("shelters:facility_list") in manager  # "My facilities"


def test_board_refreshes_itself_and_the_fragment_follows_admissions(cast, world, login_en):
    client = login_en("siginacaq2")
    page = client.get(reverse("shelters:bed_board")).content.decode()
    assert 'hx-get="/beds/" hx-trigger="every 30s" hx-swap="innerHTML"' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    fragment = client.get(reverse("shelters:bed_board"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'data-testid="free-total">5 / 6<' in fragment
    case = register(cast["qht2"], "Aynur", "Sınaqlı", consent=FULL_CONSENT)
    actions.admission_create(by=cast["siginacaq2"], case=case, facility=world["facility_ngo2"],
                             category=BedCategory.MEN)
    fragment = client.get(reverse("shelters:bed_board"), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="free-total">4 / 6<' in fragment
    assert board_cells(fragment)[str(world["facility_ngo2"].pk)] == {"women": "2 / 3", "men": "0 / 1", "free": "2"}
    assert 'class="cell full"' in fragment  # a full category is marked
    api = {(b["facility_id"], b["category"]): (b["beds"], b["occupied"], b["free"])
           for b in client.get("/api/v1/beds").json()}
    assert api[(world["facility_ngo2"].pk, "men")] == (1, 1, 0)


def test_closed_facilities_and_empty_categories_leave_the_board(cast, world, login_en):
    actions.facility_update(by=cast["siginacaq2"], facility=world["facility_ngo2"], capacities={"men": 0})
    actions.facility_set_active(by=cast["siginacaq1"], facility=world["facility_ngo1"], active=False)
    html = login_en("qht1").get(reverse("shelters:bed_board")).content.decode()
    assert board_cells(html) == {str(world["facility_ngo2"].pk): {"women": "2 / 3", "free": "2"}}
    assert 'data-testid="free-total">2 / 3<' in html
    assert [(b["category"], b["free"]) for b in login_en("qht1").get("/api/v1/beds").json()] == [("women", 2)]


def test_board_is_for_victim_data_roles_only(cast, world, login_as):
    for username in ("admin", "analitik", "auditor", "fokal", "koalisiya"):
        client = login_as(username)
        with refused(cast[username]) as result:
            assert client.get(reverse("shelters:bed_board")).status_code == 404
            assert client.get("/api/v1/beds").status_code == 404
        assert result["denied"] == [("beds.view", "", "")] * 2


def test_board_queries(cast, world, login_as, django_assert_num_queries):
    for i in range(5):
        actions.facility_create(by=cast["siginacaq1"], operator=cast["ngo1"], name=f"Ev {i}", address="A",
                                capacities={"women": 3, "children": 2, "mother_children": 1})
    client = login_as("qht1")
    client.get(reverse("shelters:bed_board"))
    with django_assert_num_queries(5):
        assert client.get(reverse("shelters:bed_board")).status_code == 200
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/beds").json()) == 18
