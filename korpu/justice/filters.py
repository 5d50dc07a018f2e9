"""The investigation list's filters and sort, declared once for the page and ``GET /api/v1/investigations``.

``InvestigationFilter`` narrows ``queries.investigations_visible_to(user)``: it never widens what the
user's investigating body holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from korpu.core.filters import SortFilter, query_schema
from korpu.justice.models import Article, Investigation

INVESTIGATION_SORTS = (("number", "number"), ("opened_on", "opened"), ("article", "article"),
                       ("victim_count", "victims"), ("status", "status"))


class InvestigationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Criminal case number"), field_name="number", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Investigation.Status.choices,
                                         empty_label=_("All"))
    article = django_filters.ChoiceFilter(label=_("Article"), choices=Article.choices, empty_label=_("All"))
    year = django_filters.NumberFilter(label=_("Year"), field_name="opened_on", method="opened_in")
    sort = SortFilter(fields=INVESTIGATION_SORTS)

    class Meta:
        model = Investigation
        fields: list[str] = []

    def opened_in(self, queryset: QuerySet[Investigation], name: str, value: float) -> QuerySet[Investigation]:
        return queryset.filter(opened_on__year=int(value))


if TYPE_CHECKING:  # a class for the type checker; at run time generated from the FilterSet
    class InvestigationFilterIn(Schema): ...
else:
    InvestigationFilterIn = query_schema(InvestigationFilter, "InvestigationFilterIn")
