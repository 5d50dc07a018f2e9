"""The plan app's list filters, one FilterSet per list (docs/adr/0025-one-filter-per-list.md).

``RecommendationFilter`` narrows ``queries.recommendations_visible_to(user)`` for the recommendation
list, its JSON list and its exports: by source, by current assessment level (the latest assessment,
``not_started`` when there is none, as ``queries.current_level`` reads it) and by year (the cycle
names the year: "2024", "2023–2024", "GRETA 3rd round (2023)"…).
"""

from __future__ import annotations

import django_filters
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from korpu.core.filters import SortFilter, query_schema
from korpu.plan.models import Assessment, Recommendation

RECOMMENDATION_SORTS = (("source", "source"), ("cycle", "cycle"), ("reference", "reference"),
                        ("created_at", "added"))


class RecommendationFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Recommendation.Source.choices,
                                         empty_label=_("All"))
    level = django_filters.ChoiceFilter(label=_("Assessment"), choices=Assessment.Level.choices,
                                        empty_label=_("All"), method="at_level")
    year = django_filters.NumberFilter(label=_("Year"), method="in_year")
    sort = SortFilter(fields=RECOMMENDATION_SORTS)

    class Meta:
        model = Recommendation
        fields: list[str] = []

    def at_level(self, queryset: QuerySet[Recommendation], name: str, value: str) -> QuerySet[Recommendation]:
        latest = (Assessment.objects.filter(recommendation=OuterRef("pk")).order_by("-assessed_on", "-id")
                  .values("level")[:1])
        return queryset.annotate(current_level=Coalesce(Subquery(latest), Value(Assessment.Level.NOT_STARTED))) \
            .filter(current_level=value)

    def in_year(self, queryset: QuerySet[Recommendation], name: str, value: float) -> QuerySet[Recommendation]:
        return queryset.filter(cycle__contains=str(int(value)))


RecommendationFilterIn = query_schema(RecommendationFilter, "RecommendationFilterIn")
