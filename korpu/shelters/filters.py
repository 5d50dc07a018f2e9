"""The facility list's filter and sort, declared once for the page and ``GET /api/v1/facilities``.

``FacilityFilter`` narrows ``queries.facility_list(user)`` (the facilities of the user's operators):
it never shows a facility of another operator. The bed board is not filtered: one screen, every
shelter's free beds, refreshed in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from ninja import Schema

from korpu.core.filters import SortFilter, query_schema
from korpu.shelters.models import Facility

FACILITY_STATES = [("open", pgettext_lazy("facility", "Open")), ("closed", pgettext_lazy("facility", "Closed"))]
FACILITY_SORTS = (("name", "name"), ("region", "region"), ("is_active", "status"))


class FacilityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")
    state = django_filters.ChoiceFilter(label=_("Status"), choices=FACILITY_STATES, empty_label=_("All"),
                                        method="in_state")
    sort = SortFilter(fields=FACILITY_SORTS)

    class Meta:
        model = Facility
        fields: list[str] = []

    def in_state(self, queryset: QuerySet[Facility], name: str, value: str) -> QuerySet[Facility]:
        return queryset.filter(is_active=value == "open")


if TYPE_CHECKING:  # a class for the type checker; at run time generated from the FilterSet
    class FacilityFilterIn(Schema): ...
else:
    FacilityFilterIn = query_schema(FacilityFilter, "FacilityFilterIn")
