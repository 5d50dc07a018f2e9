"""Limit/offset pagination for the JSON API that never counts a whole large list.

django-ninja's ``LimitOffsetPagination`` answers an exact ``count``: ``SELECT COUNT(*)`` over every
matching row. For a police investigator at a million cases that reads hundreds of thousands of rows on
every call (about 100 ms of PostgreSQL) to print one number. This paginator counts at most ``AHEAD``
pages past the requested one, as the web pager does (:mod:`korpu.core.paginator`): ``count`` is exact
when ``count_capped`` is false; when it is true, more rows exist than ``count`` says, and a later
``offset`` counts further. Clients page on until ``items`` comes back shorter than ``limit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

AHEAD = 10  # pages counted beyond the requested one
MAX_LIMIT = 100


class MappedRows:
    """A queryset whose rows are turned into API dicts only after the paginator has sliced it."""

    def __init__(self, queryset: QuerySet[Any] | list[Any], convert: Callable[[Any], Any]) -> None:
        self.queryset = queryset
        self.convert = convert

    def count_up_to(self, limit: int) -> int:
        head = self.queryset[:limit]
        return int(head.count()) if isinstance(head, QuerySet) else len(head)

    def slice(self, start: int, stop: int) -> list[Any]:
        return [self.convert(row) for row in self.queryset[start:stop]]


class BoundedLimitOffsetPagination(PaginationBase):
    class Input(Schema):
        limit: int = Field(25, ge=1, le=MAX_LIMIT, description="Rows per page (at most 100).")
        offset: int = Field(0, ge=0, description="Rows to skip.")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Rows counted: exact unless count_capped is true.")
        count_capped: bool = Field(
            description=f"True when more rows exist than count says (counting stops {AHEAD} pages past this one).")

    items_attribute = "items"

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        rows = queryset if isinstance(queryset, MappedRows) else MappedRows(queryset, lambda row: row)
        offset, limit = pagination.offset, min(pagination.limit, MAX_LIMIT)
        window = offset + limit * (1 + AHEAD)
        counted = rows.count_up_to(window + 1)
        return {"items": rows.slice(offset, offset + limit), "count": min(counted, window),
                "count_capped": counted > window}
