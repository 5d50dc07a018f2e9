"""``korpu demo`` seeds the shelters from the shelters app, before the cases that are referred to them."""

from __future__ import annotations

from korpu.cases import demo as cases_demo
from korpu.cases.models import Case
from korpu.shelters import demo as shelters_demo
from korpu.shelters.models import Facility


def test_shelters_then_cases(cast):
    shelters_demo.load()
    cases_demo.load(persons=5)
    assert sorted(Facility.objects.values_list("name", flat=True)) == ["Həyat Reabilitasiya Evi", "Ümid Evi"]
    assert Case.objects.count() >= 5
