"""The engagement app's list filters, one FilterSet per list (docs/adr/0025-one-filter-per-list.md).

``ProposalFilter`` narrows ``queries.proposals_visible_to(user)`` by status; ``CampaignFilter``
narrows ``queries.campaigns_visible_to(user)`` to the campaigns running in a year (started in or
before it, ended in or after it), as the campaign list's year filter does.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from korpu.core.filters import SortFilter, query_schema
from korpu.engagement.models import Campaign, Proposal

MIN_YEAR, MAX_YEAR = 1900, 2999


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Proposal.Status.choices, empty_label=_("All"))
    sort = SortFilter(fields=(("created_at", "received"), ("updated_at", "updated"), ("status", "status"),
                              ("title", "title")))

    class Meta:
        model = Proposal
        fields: list[str] = []


class CampaignFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"), method="running_in", min_value=MIN_YEAR, max_value=MAX_YEAR)
    sort = SortFilter(fields=(("starts_on", "starts"), ("ends_on", "ends"), ("title", "title")))

    class Meta:
        model = Campaign
        fields: list[str] = []

    def running_in(self, queryset: QuerySet[Campaign], name: str, value: float) -> QuerySet[Campaign]:
        year = int(value)
        return queryset.filter(starts_on__year__lte=year, ends_on__year__gte=year)


ProposalFilterIn = query_schema(ProposalFilter, "ProposalFilterIn")
CampaignFilterIn = query_schema(CampaignFilter, "CampaignFilterIn")
