"""Beds are never overbooked: concurrent admissions queue on the capacity row.

The concurrent test needs PostgreSQL (real row locks, real parallel connections); on SQLite a
sequential variant checks the same arithmetic.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from korpu.accounts.models import User
from korpu.cases import actions, choices
from korpu.cases.models import Case
from korpu.core import audit
from korpu.core.access import SYSTEM
from korpu.shelters import actions as shelter_actions
from korpu.shelters import queries as shelter_queries
from korpu.shelters.models import Admission, BedCategory, Facility
from tests.cases.conftest import FULL_CONSENT, register

NO_FREE_BED = "No free bed of that category in this facility."


def recognised_cases(cast: dict[str, Any], count: int) -> list[Case]:
    """Cases owned by NGO 2 (so its shelter manager sees them), each recognised by the police."""
    cases = []
    for i in range(count):
        case = register(cast["qht2"], f"Qadın{i}", f"Sınaq{i}", consent=FULL_CONSENT)
        referral = actions.referral_create(by=cast["qht2"], case=case, to_organisation=cast["police"],
                                           reason=choices.ReferralReason.IDENTIFICATION)
        actions.referral_accept(by=cast["polis"], referral=referral)
        actions.status_decision_record(by=cast["polis"], case=case, decision="recognised",
                                       decided_on=timezone.localdate(), basis="Indicators.")
        cases.append(case)
    return cases


def shelter(cast: dict[str, Any], beds: int) -> Facility:
    return shelter_actions.facility_create(by=SYSTEM, operator=cast["ngo2"], name="Həyat Evi", region="Gəncə",
                                           address="secret", capacities={BedCategory.WOMEN: beds})


def women_free(user: Any, facility: Facility) -> int:
    rows = [r for r in shelter_queries.bed_board(user) if r.facility.pk == facility.pk and r.category == "women"]
    assert len(rows) == 1
    return rows[0].free


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_admissions_take_five_beds(cast, login_as):
    facility = shelter(cast, 5)
    cases = recognised_cases(cast, 50)
    manager_id, facility_id = cast["siginacaq2"].pk, facility.pk
    barrier = threading.Barrier(len(cases))
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def admit(case_id: int) -> None:
        try:
            # Each thread loads its own objects on its own connection.
            manager = User.objects.get(pk=manager_id)
            case = Case.objects.get(pk=case_id)
            target = Facility.objects.get(pk=facility_id)
            barrier.wait(timeout=60)
            with translation.override("en"):
                try:
                    shelter_actions.admission_create(by=manager, case=case, facility=target,
                                                     category=BedCategory.WOMEN)
                except ValidationError as exc:
                    result = ("refused", " ".join(exc.messages))
                else:
                    result = ("admitted", str(case_id))
        except Exception as exc:
            result = ("error", repr(exc))
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=admit, args=(case.pk,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    errors = [detail for kind, detail in outcomes if kind == "error"]
    assert not errors, errors[:3]
    admitted = [detail for kind, detail in outcomes if kind == "admitted"]
    refused = [detail for kind, detail in outcomes if kind == "refused"]
    assert len(admitted) == 5 and len(refused) == 45
    assert set(refused) == {NO_FREE_BED}
    assert Admission.objects.filter(facility=facility).count() == 5
    assert Admission.objects.filter(facility=facility, discharged_on__isnull=True).values("case").distinct().count() \
        == 5
    assert women_free(cast["siginacaq2"], facility) == 0
    beds = login_as("siginacaq2").get("/api/v1/beds").json()
    assert [(b["beds"], b["occupied"], b["free"]) for b in beds if b["facility_id"] == facility.pk] == [(5, 5, 0)]
    assert 'data-testid="free-total">0 / 5<' in login_as("qht2").get("/beds/").content.decode()
    # Fifty writers on the audit chain left it whole.
    assert audit.verify().ok


def test_sequential_admissions_stop_at_capacity(cast):
    facility = shelter(cast, 3)
    cases = recognised_cases(cast, 10)
    manager = cast["siginacaq2"]
    admitted, refused = [], []
    for case in cases:
        with translation.override("en"):
            try:
                shelter_actions.admission_create(by=manager, case=case, facility=facility, category=BedCategory.WOMEN)
            except ValidationError as exc:
                refused.append(" ".join(exc.messages))
            else:
                admitted.append(case.pk)
    assert admitted == [c.pk for c in cases[:3]]
    assert refused == [NO_FREE_BED] * 7
    assert Admission.objects.filter(facility=facility).count() == 3
    assert women_free(manager, facility) == 0
    # A discharge frees exactly one bed, and the next person takes it.
    first = Admission.objects.get(case=cases[0])
    shelter_actions.admission_discharge(by=manager, admission=first)
    assert women_free(manager, facility) == 1
    shelter_actions.admission_create(by=manager, case=cases[3], facility=facility, category=BedCategory.WOMEN)
    assert women_free(manager, facility) == 0
    with pytest.raises(ValidationError):
        shelter_actions.admission_create(by=manager, case=cases[4], facility=facility, category=BedCategory.WOMEN)
    # One person holds one bed at a time, whatever facility.
    other = shelter(cast, 2)
    with pytest.raises(ValidationError):
        shelter_actions.admission_create(by=manager, case=cases[1], facility=other, category=BedCategory.WOMEN)
