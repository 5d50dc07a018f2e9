"""BoundedPaginator: counts only a window of pages ahead, every page stays reachable."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from korpu.accounts.models import Organisation
from korpu.core.paginator import BoundedPaginator


@pytest.fixture
def organisations(db: Any) -> Any:
    Organisation.objects.bulk_create(
        [Organisation(name=f"Org {i:03d}", org_type=Organisation.Type.NGO) for i in range(60)])
    return Organisation.objects.order_by("name")


def test_small_lists_count_exactly(organisations: Any) -> None:
    page = BoundedPaginator(organisations, 25, ahead=5).get_page(1)
    assert not page.paginator.capped
    assert page.paginator.count == 60 and page.paginator.num_pages == 3
    assert [o.name for o in page.object_list][:2] == ["Org 000", "Org 001"]


def test_large_lists_count_a_window(organisations: Any) -> None:
    paginator = BoundedPaginator(organisations, 5, ahead=2)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.get_page(1)
    assert paginator.capped and paginator.count == 15 and paginator.num_pages == 3
    assert page.has_next() and "LIMIT 16" in ctx.captured_queries[0]["sql"]
    # The window moves with the page, so the next page is never out of reach.
    far = BoundedPaginator(organisations, 5, ahead=2).get_page(11)
    assert far.number == 11 and far.has_next() and far.object_list[0].name == "Org 050"
    last = BoundedPaginator(organisations, 5, ahead=2).get_page(12)
    assert last.number == 12 and not last.has_next() and not last.paginator.capped
    # Beyond the end: the last page, as with Django's paginator.
    assert BoundedPaginator(organisations, 5, ahead=2).get_page(99).number == 12
    assert BoundedPaginator(organisations, 5, ahead=2).get_page("x").number == 1
    assert BoundedPaginator(organisations, 5, ahead=2).page(11).number == 11


def test_pager_marks_a_capped_total(organisations: Any) -> None:
    request = RequestFactory().get("/cases/", {"status": "Active"})
    capped = render_to_string("core/_pager.html", {"page": BoundedPaginator(organisations, 5, ahead=2).get_page(1),
                                                   "request": request})
    assert "3+" in capped and "status=Active&amp;page=2" in capped
    exact = render_to_string("core/_pager.html", {"page": BoundedPaginator(organisations, 25).get_page(1),
                                                  "request": request})
    assert "3+" not in exact and "3" in exact


def test_deep_pages_read_ids_first(organisations: Any) -> None:
    plain = BoundedPaginator(organisations, 5, ahead=2, late_rows_from=10_000).get_page(11)
    with CaptureQueriesContext(connection) as ctx:
        late = BoundedPaginator(organisations, 5, ahead=2, late_rows_from=0).get_page(11)
        names = [o.name for o in late.object_list]
    assert names == [o.name for o in plain.object_list] == [f"Org {i:03d}" for i in range(50, 55)]
    assert len(ctx.captured_queries) == 3  # the bounded count, the page's ids, its rows
