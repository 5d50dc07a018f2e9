"""The API's lists count at most ten pages past the one asked for (korpu.core.api_pagination)."""

from typing import Any

from korpu.core.models import AuditEvent
from tests.cases.conftest import register


def test_case_list_counts_a_bounded_window(cast: dict[str, Any], login_as: Any) -> None:
    numbers = [register(cast["qht1"], "Ayşən", f"Nəbiyeva{i}").number for i in range(13)]
    client = login_as("qht1")

    first = client.get("/api/v1/cases?limit=1").json()
    assert (first["count"], first["count_capped"]) == (11, True)  # page 1 + 10 pages counted
    assert [row["number"] for row in first["items"]] == [numbers[-1]]

    later = client.get("/api/v1/cases?limit=1&offset=5").json()
    assert (later["count"], later["count_capped"]) == (13, False)  # the window now reaches the end

    whole = client.get("/api/v1/cases?limit=100").json()
    assert (whole["count"], whole["count_capped"]) == (13, False)
    assert sorted(row["number"] for row in whole["items"]) == sorted(numbers)
    # Each call is one audited list read.
    assert AuditEvent.objects.filter(action="case.list", actor=cast["qht1"]).count() == 3


def test_limit_above_the_maximum_is_refused(cast: dict[str, Any], login_as: Any) -> None:
    response = login_as("qht1").get("/api/v1/cases?limit=101")
    assert response.status_code == 422
