import pytest

from korpu.plan import demo as plan_demo
from korpu.plan.models import Measure


@pytest.fixture
def plan_world(cast):
    plan_demo.load()
    from korpu.plan.models import Plan

    return Plan.objects.get(start_year=2020)


def demo_measure(number: str) -> Measure:
    """A measure of the demo's 2020–2024 plan (its 2025–2029 successor numbers its measures alike)."""
    return Measure.objects.get(section__plan__start_year=2020, number=number)
