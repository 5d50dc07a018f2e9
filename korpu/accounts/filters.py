"""The organisation directory's and the account list's filters and sort, declared once for the pages
and ``GET /api/v1/organisations`` (ADR 0025).

They narrow ``queries.organisations_visible_to(user)`` and ``queries.users_managed_by(user)``; who
sees which organisations and accounts is decided there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from korpu.accounts.models import Organisation, User
from korpu.core.filters import SortFilter, query_schema

ORGANISATION_SORTS = (("name", "name"), ("org_type", "type"), ("city", "city"), ("member_count", "members"))
USER_SORTS = (("username", "username"), ("full_name", "name"))


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    org_type = django_filters.ChoiceFilter(label=_("Type"), choices=Organisation.Type.choices,
                                           empty_label=_("All types"))
    sort = SortFilter(fields=ORGANISATION_SORTS)

    class Meta:
        model = Organisation
        fields: list[str] = []

    def search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(city__icontains=value))


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    sort = SortFilter(fields=USER_SORTS)

    class Meta:
        model = User
        fields: list[str] = []

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value)
                               | Q(email__icontains=value))


if TYPE_CHECKING:  # a class for the type checker; at run time generated from the FilterSet
    class OrganisationFilterIn(Schema): ...
else:
    OrganisationFilterIn = query_schema(OrganisationFilter, "OrganisationFilterIn")
