import pytest

from korpu.plan import demo as plan_demo


@pytest.fixture
def plan_world(cast):
    plan_demo.load()
    from korpu.plan.models import Plan

    return Plan.objects.get(start_year=2020)
