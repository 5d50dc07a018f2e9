"""Facilities: opened, changed, closed and reopened by the operator's shelter managers, through the
pages and the API; the confidential address stays with them; admissions and discharges stay within
the operator's own facilities."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from korpu.core.access import SYSTEM
from korpu.core.models import AuditEvent
from korpu.shelters import actions
from korpu.shelters.models import Admission, BedCategory, Capacity, Facility
from tests.cases.conftest import FULL_CONSENT, recognised_case, register
from tests.shelters.helpers import events_since, last_seq, messages_of, refused

FORM = {"name": "Nur Evi", "region": "Sumqayıt", "address": "Sumqayıt, 9-cu mkr., ev 14, mənzil 3",
        "beds_women": "4", "beds_men": "0", "beds_children": "2", "beds_mother_children": "0"}


def beds_of(facility: Facility) -> dict[str, int]:
    return dict(Capacity.objects.filter(facility=facility).values_list("category", "beds"))


def raw_address(facility: Facility) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT address FROM "{Facility._meta.db_table}" WHERE id = %s', [facility.pk])
        return str(cursor.fetchone()[0])


# --- opening a facility -------------------------------------------------------------------------------
def test_shelter_manager_registers_a_facility(cast, world, login_en):
    client = login_en("siginacaq1")
    form_page = client.get(reverse("shelters:facility_create"))
    assert form_page.status_code == 200
    assert f'<option value="{cast["ngo1"].pk}" selected>' in form_page.content.decode()  # the only operator
    seq = last_seq()
    response = client.post(reverse("shelters:facility_create"), {**FORM, "operator": cast["ngo1"].pk})
    facility = Facility.objects.get(name="Nur Evi")
    assert response.status_code == 302 and response["Location"] == reverse("shelters:facility", args=[facility.pk])
    assert (facility.operator_id, facility.region, facility.is_active) == (cast["ngo1"].pk, "Sumqayıt", True)
    assert beds_of(facility) == {"women": 4, "children": 2}
    # The address is stored encrypted, and the audit trail carries only ids and counts.
    assert facility.address == FORM["address"]
    assert "Sumqayıt" not in raw_address(facility) and "mənzil" not in raw_address(facility)
    event = AuditEvent.objects.get(seq__gt=seq, action="facility.create")
    assert event.details == {"operator": cast["ngo1"].pk, "beds": {"women": 4, "children": 2}}
    page = client.get(response["Location"]).content.decode()
    assert "mənzil 3" in page and 'data-category="women"' in page
    assert "Nur Evi" in client.get(reverse("shelters:facility_list")).content.decode()
    # It is on the bed board at once, without its address.
    board = login_en("qht3").get(reverse("shelters:bed_board")).content.decode()
    assert "Nur Evi" in board and "mənzil" not in board


def test_shelter_manager_registers_a_facility_through_the_api(cast, world, login_as):
    client = login_as("siginacaq2")
    response = client.post("/api/v1/facilities", json.dumps({
        "operator_id": cast["ngo2"].pk, "name": "Günəş", "address": "Gəncə, gizli küçə 5",
        "capacities": {"mother_children": 3, "men": 2}}), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    facility = Facility.objects.get(pk=body["id"])
    assert body == {"id": facility.pk, "operator_id": cast["ngo2"].pk, "name": "Günəş", "region": "",
                    "is_active": True, "address": "Gəncə, gizli küçə 5",
                    "capacities": [{"category": "men", "beds": 2, "occupied": 0, "free": 2},
                                   {"category": "mother_children", "beds": 3, "occupied": 0, "free": 3}]}
    listed = client.get("/api/v1/facilities").json()
    assert [f["name"] for f in listed] == ["Günəş", "Həyat Evi"]
    assert all("address" not in f for f in listed)  # the list leaves addresses out


@pytest.mark.parametrize("username", ["admin", "qht1", "polis", "analitik", "auditor"])
def test_only_shelter_managers_open_facilities(username, cast, world, login_as):
    """The system administrator included: a facility's address is victims' data (ADR 0017)."""
    client = login_as(username)
    with refused(cast[username]) as page:
        assert client.get(reverse("shelters:facility_create")).status_code == 404
        assert client.post(reverse("shelters:facility_create"),
                           {**FORM, "operator": cast["ngo1"].pk}).status_code == 404
    assert page["denied"] == [("facility.create", "", "")] * 2
    with refused(cast[username]) as api:
        response = client.post("/api/v1/facilities", json.dumps({
            "operator_id": cast["ngo1"].pk, "name": "X", "address": "Y"}), content_type="application/json")
        assert response.status_code == 404
    assert api["denied"] == [("facility.create", "accounts.Organisation", str(cast["ngo1"].pk))]
    with refused(cast[username]) as action, pytest.raises(PermissionDenied):
        actions.facility_create(by=cast[username], operator=cast["ngo1"], name="X", address="Y")
    assert action["denied"] == [("facility.create", "accounts.Organisation", str(cast["ngo1"].pk))]


def test_a_manager_cannot_open_a_facility_for_another_organisation(cast, world, login_en):
    client = login_en("siginacaq2")
    with refused(cast["siginacaq2"]) as page:
        response = client.post(reverse("shelters:facility_create"), {**FORM, "operator": cast["ngo1"].pk})
        assert response.status_code == 404
    assert page["denied"] == [("facility.create", "accounts.Organisation", str(cast["ngo1"].pk))]
    with refused(cast["siginacaq2"]) as api:
        response = client.post("/api/v1/facilities", json.dumps({
            "operator_id": cast["ngo1"].pk, "name": "X", "address": "Y"}), content_type="application/json")
        assert response.status_code == 404
    assert api["denied"] == [("facility.create", "accounts.Organisation", str(cast["ngo1"].pk))]


def test_bad_facility_input_changes_nothing(cast, world, login_en):
    client = login_en("siginacaq1")
    with refused(cast["siginacaq1"]):
        page = client.post(reverse("shelters:facility_create"),
                           {**FORM, "operator": cast["ngo1"].pk, "name": " ", "beds_women": "-1"})
        assert page.status_code == 200
    html = page.content.decode()
    assert "This field is required." in html and "greater than or equal to 0" in html
    for capacities, message in (({"dogs": 2}, "Unknown bed category."),
                                ({"women": -1}, "The number of beds must be a whole number from 0 to 1000."),
                                ({"women": 5000}, "The number of beds must be a whole number from 0 to 1000.")):
        with refused(cast["siginacaq1"]):
            response = client.post("/api/v1/facilities", json.dumps({
                "operator_id": cast["ngo1"].pk, "name": "X", "address": "Y", "capacities": capacities}),
                content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 422
            assert response.json() == {"detail": message}
    with refused(cast["siginacaq1"]):
        response = client.post("/api/v1/facilities", json.dumps({
            "operator_id": cast["ngo1"].pk, "name": "X", "address": "  "}), content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en")
        assert response.json() == {"detail": "Give the facility's address."}


# --- the address is for the operator's shelter managers only -----------------------------------------
@pytest.mark.parametrize("username", ["siginacaq2", "qht1", "polis", "admin", "auditor", "analitik"])
def test_nobody_else_sees_a_facility_or_its_address(username, cast, world, login_as):
    facility = world["facility_ngo1"]
    client = login_as(username)
    seq = last_seq()
    for url in (reverse("shelters:facility", args=[facility.pk]),
                reverse("shelters:facility_edit", args=[facility.pk]),
                f"/api/v1/facilities/{facility.pk}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"secret street 1" not in response.content
    assert [e[0] for e in events_since(seq, actor=cast[username], outcome="denied")] == [
        "facility.view", "facility.view", "facility.view"]
    for url in ("/beds/", "/api/v1/beds"):
        assert b"secret street" not in client.get(url).content


def test_the_operator_sees_the_address_and_each_read_is_audited(cast, world, login_as):
    facility = world["facility_ngo1"]
    seq = last_seq()
    body = login_as("siginacaq1").get(f"/api/v1/facilities/{facility.pk}").json()
    assert body["address"] == "secret street 1"
    assert events_since(seq) == [("facility.view", "ok", "shelters.Facility", str(facility.pk))]


# --- changing beds, name and address ------------------------------------------------------------------
def test_manager_changes_a_facility(cast, world, login_en):
    facility = world["facility_ngo2"]  # women 3 (one taken by case A), men 1
    client = login_en("siginacaq2")
    edit = client.get(reverse("shelters:facility_edit", args=[facility.pk])).content.decode()
    assert 'name="beds_women" value="3"' in edit and "secret street 2" in edit
    seq = last_seq()
    response = client.post(reverse("shelters:facility_edit", args=[facility.pk]), {
        "name": "Həyat Evi", "region": "Gəncə", "address": "new secret place 7", "beds_women": "1",
        "beds_men": "1", "beds_children": "3", "beds_mother_children": "0"})
    assert response.status_code == 302
    facility.refresh_from_db()
    assert facility.address == "new secret place 7" and "new secret" not in raw_address(facility)
    assert beds_of(facility) == {"women": 1, "men": 1, "children": 3}
    event = AuditEvent.objects.get(seq__gt=seq, action="facility.update", actor=cast["siginacaq2"],
                                   object_type="shelters.Facility", details__has_key="beds")
    assert event.details == {"fields": ["address"], "beds": {"women": [3, 1], "children": [0, 3]}}
    # The API changes only what it is given.
    response = client.post(f"/api/v1/facilities/{facility.pk}", json.dumps({"capacities": {"men": 4}}),
                           content_type="application/json")
    assert response.status_code == 200
    assert [(c["category"], c["beds"], c["occupied"], c["free"]) for c in response.json()["capacities"]] == [
        ("children", 3, 0, 3), ("men", 4, 0, 4), ("women", 1, 1, 0)]
    assert response.json()["address"] == "new secret place 7"


def test_beds_cannot_go_below_the_people_in_them(cast, world, login_en):
    facility = world["facility_ngo2"]  # one woman admitted (case A)
    client = login_en("siginacaq2")
    with refused(cast["siginacaq2"]):
        page = client.post(reverse("shelters:facility_edit", args=[facility.pk]), {
            "name": "Renamed", "region": "Gəncə", "address": "secret street 2", "beds_women": "0",
            "beds_men": "1", "beds_children": "0", "beds_mother_children": "0"})
        assert page.status_code == 200
    assert ("Women: beds occupied now: 1. The beds cannot be fewer than that; discharge residents first."
            in page.content.decode())
    with refused(cast["siginacaq2"]):
        response = client.post(f"/api/v1/facilities/{facility.pk}",
                               json.dumps({"name": "Renamed", "capacities": {"women": 0}}),
                               content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 422
    assert response.json() == {
        "detail": "Women: beds occupied now: 1. The beds cannot be fewer than that; discharge residents first."}
    assert Facility.objects.get(pk=facility.pk).name == "Həyat Evi"
    # Down to exactly the beds in use is allowed: the women's beds are then full.
    actions.facility_update(by=cast["siginacaq2"], facility=facility, capacities={"women": 1})
    case = register(cast["qht2"], "Lalə", "Sınaq", consent=FULL_CONSENT)  # NGO 2's own case
    with translation.override("en"), pytest.raises(ValidationError, match="No free bed of that category"):
        actions.admission_create(by=cast["siginacaq2"], case=case, facility=facility, category=BedCategory.WOMEN)


@pytest.mark.parametrize("username", ["siginacaq1", "qht2", "polis", "admin"])
def test_changing_another_operators_facility_is_refused(username, cast, world, login_as):
    facility = world["facility_ngo2"]
    client = login_as(username)
    with refused(cast[username]) as result:
        assert client.post(reverse("shelters:facility_edit", args=[facility.pk]), {
            "name": "X", "address": "Y", "beds_women": "9"}).status_code == 404
        assert client.post(f"/api/v1/facilities/{facility.pk}", json.dumps({"capacities": {"women": 9}}),
                           content_type="application/json").status_code == 404
        assert client.post(reverse("shelters:facility_close", args=[facility.pk])).status_code == 404
        assert client.post(f"/api/v1/facilities/{facility.pk}/close").status_code == 404
    target = ("shelters.Facility", str(facility.pk))
    assert result["denied"] == [("facility.update", *target)] * 2 + [("facility.close", *target)] * 2


# --- closing and reopening ----------------------------------------------------------------------------
def test_close_and_reopen_a_facility(cast, world, login_en):
    full, empty = world["facility_ngo2"], world["facility_ngo1"]
    client = login_en("siginacaq2")
    with refused(cast["siginacaq2"]):
        response = client.post(reverse("shelters:facility_close", args=[full.pk]), follow=True)
    assert messages_of(response) == ["Residents staying in this facility: 1. Discharge them before closing it."]

    manager = login_en("siginacaq1")
    response = manager.post(reverse("shelters:facility_close", args=[empty.pk]), follow=True)
    assert messages_of(response) == ["The facility is closed."]
    empty.refresh_from_db()
    assert empty.is_active is False
    assert f'data-facility="{empty.pk}"' not in manager.get("/beds/").content.decode()
    assert empty.pk not in {b["facility_id"] for b in manager.get("/api/v1/beds").json()}
    # Still listed for its managers, marked closed; no admissions while closed.
    assert manager.get("/api/v1/facilities").json()[0]["is_active"] is False
    case = recognised_case(cast)  # owned by NGO 1
    response = manager.post(reverse("shelters:admit", args=[case.pk]), {
        "facility": empty.pk, "category": "women", "admitted_on": timezone.localdate().isoformat()}, follow=True)
    assert messages_of(response) == ["This facility is closed: it takes no admissions."]
    assert not Admission.objects.filter(case=case).exists()
    response = manager.post(f"/api/v1/facilities/{empty.pk}/close", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and response.json() == {"detail": "The facility is already closed."}

    response = manager.post(f"/api/v1/facilities/{empty.pk}/reopen")
    assert response.status_code == 200 and response.json()["is_active"] is True
    actions.admission_create(by=cast["siginacaq1"], case=case, facility=empty, category=BedCategory.WOMEN)
    assert [e[:2] for e in events_since(0, action__in=["facility.close", "facility.reopen"],
                                        outcome="ok")] == [("facility.close", "ok"), ("facility.reopen", "ok")]


# --- admissions and discharges stay within the operator's facilities ---------------------------------
def test_web_admission_into_another_operators_facility_is_refused(cast, world, login_as):
    """The facility id travels in the form body: someone else's answers 404, like a missing one."""
    case = recognised_case(cast)  # owned by NGO 1: siginacaq1 may admit it, but only to NGO 1's shelter
    client = login_as("siginacaq1")
    today = timezone.localdate().isoformat()
    for facility_id in (world["facility_ngo2"].pk, 987654321):
        with refused(cast["siginacaq1"]) as result:
            response = client.post(reverse("shelters:admit", args=[case.pk]),
                                   {"facility": facility_id, "category": "women", "admitted_on": today})
            assert response.status_code == 404
        assert result["denied"] == [("admission.create", "shelters.Facility", str(facility_id))]
    with refused(cast["siginacaq1"]) as result:
        response = client.post("/api/v1/admissions", json.dumps({
            "case_id": case.pk, "facility_id": world["facility_ngo2"].pk, "category": "women"}),
            content_type="application/json")
        assert response.status_code == 404
    assert result["denied"] == [("admission.create", "shelters.Facility", str(world["facility_ngo2"].pk))]
    # The same form with the manager's own facility admits.
    response = client.post(reverse("shelters:admit", args=[case.pk]),
                           {"facility": world["facility_ngo1"].pk, "category": "women", "admitted_on": today})
    assert response.status_code == 302
    assert Admission.objects.get(case=case, discharged_on__isnull=True).facility == world["facility_ngo1"]


@pytest.mark.parametrize("username", ["siginacaq1", "qht2", "polis", "admin"])
def test_discharging_someone_elses_admission_is_refused(username, cast, world, login_as):
    admission = world["admission_a"]  # in NGO 2's facility
    client = login_as(username)
    today = timezone.localdate().isoformat()
    with refused(cast[username]) as result:
        assert client.post(reverse("shelters:discharge", args=[admission.pk]),
                           {"discharged_on": today}).status_code == 404
        assert client.post(f"/api/v1/admissions/{admission.pk}/discharge", json.dumps({"discharged_on": today}),
                           content_type="application/json").status_code == 404
    assert result["denied"] == [("admission.view", "shelters.Admission", str(admission.pk))] * 2
    assert Admission.objects.get(pk=admission.pk).discharged_on is None


def test_discharge_dates_are_checked(cast, world, login_as):
    admission = world["admission_a"]
    client = login_as("siginacaq2")
    for day in (admission.admitted_on - dt.timedelta(days=1), timezone.localdate() + dt.timedelta(days=1)):
        with refused(cast["siginacaq2"]):
            response = client.post(f"/api/v1/admissions/{admission.pk}/discharge",
                                   json.dumps({"discharged_on": day.isoformat()}), content_type="application/json")
            assert response.status_code == 422


def test_system_actor_still_seeds_facilities(cast):
    """The demo and the CLI open facilities as ``SYSTEM``."""
    facility = actions.facility_create(by=SYSTEM, operator=cast["ngo3"], name="Demo", address="A",
                                       capacities={"men": 2})
    assert beds_of(facility) == {"men": 2}


def test_facility_list_queries(cast, world, login_as, django_assert_num_queries):
    for i in range(4):
        actions.facility_create(by=cast["siginacaq2"], operator=cast["ngo2"], name=f"Ev {i}", address="A",
                                capacities={"women": 2, "men": 1})
    client = login_as("siginacaq2")
    client.get("/api/v1/facilities")  # warm the session
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/facilities").json()) == 5
    with django_assert_num_queries(6):
        assert client.get(reverse("shelters:facility_list")).status_code == 200
