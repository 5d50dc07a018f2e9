"""A paginator for large lists that never counts the whole result.

``Paginator`` runs ``SELECT COUNT(*)`` over everything that matches, which for a police
investigator at a million cases reads hundreds of thousands of rows on every page view, only to
print "Page 1 of 17 000". :class:`BoundedPaginator` counts at most a window of pages past the one
asked for (``COUNT(*)`` over a ``LIMIT``ed subquery); when more rows exist, ``capped`` is true and
the pager says "Page 1 of 11+". Next and Previous work as before, and the window moves with the
page, so every page stays reachable.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class BoundedPaginator(Paginator[Any]):
    """Counts up to ``ahead`` pages beyond the requested page; ``capped`` says there are more."""

    def __init__(self, object_list: Any, per_page: int, *, ahead: int = 10, late_rows_from: int = 250,
                 **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.ahead = ahead
        self.late_rows_from = late_rows_from
        self.capped = False
        self._limit = (1 + ahead) * int(per_page)

    def _widen(self, number: Any) -> None:
        """Make the counting window reach ``ahead`` pages past ``number``."""
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            wanted = 1
        limit = (wanted + self.ahead) * int(self.per_page)
        if limit > self._limit:
            self._limit = limit
            self.__dict__.pop("count", None)
            self.__dict__.pop("num_pages", None)

    def get_page(self, number: Any) -> Page[Any]:
        self._widen(number)
        return super().get_page(number)

    def page(self, number: Any) -> Page[Any]:
        self._widen(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if bottom >= self.late_rows_from and isinstance(rows, QuerySet):
            # Deep pages: find the page's ids first (the database skips the OFFSET rows in its
            # indexes), then load only those rows, in the list's own order.
            ids = list(rows.values_list("pk", flat=True)[bottom:top])
            page: Page[Any] = self._get_page(rows.filter(pk__in=ids), number, self)  # type: ignore[attr-defined]
            return page
        page = self._get_page(rows[bottom:top], number, self)  # type: ignore[attr-defined]
        return page

    @cached_property
    def count(self) -> int:
        counter = getattr(self.object_list, "order_by", None)
        if counter is None:  # a plain sequence: its length is cheap
            return len(self.object_list)
        found = int(self.object_list.order_by().values("pk")[: self._limit + 1].count())  # type: ignore[attr-defined]
        self.capped = found > self._limit
        return min(found, self._limit)
