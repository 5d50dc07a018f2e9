"""The case list's filters and sort, declared once (docs/adr/0025-one-filter-per-list.md).

``CaseFilter`` narrows a queryset that ``queries.case_list`` has already scoped to the user: the HTML
list (its form is the filter bar), ``GET /api/v1/cases`` (parameters from :func:`query_schema`), the
HTCDS export and ``korpu export htcds`` all bind it to their parameters. Search is by case number or
by exact name through blind indexes, never by plaintext.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from korpu.accounts.models import Organisation
from korpu.cases import choices
from korpu.cases.models import Case, CaseExploitation, Referral
from korpu.core import crypto
from korpu.core.filters import SortFilter, query_schema

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

AGE_GROUPS: dict[str, tuple[int, int]] = {"child": (0, 17), "18-24": (18, 24), "25-34": (25, 34),
                                          "35-49": (35, 49), "50+": (50, 200)}
AGE_GROUP_CHOICES = [("child", _("Children (under 18)")), ("18-24", "18–24"), ("25-34", "25–34"),
                     ("35-49", "35–49"), ("50+", "50+")]

# The sortable columns: parameter -> model field. ``opened`` is the date of identification (the list's
# own order, newest first, when no sort is asked for); ``last_activity`` the case's last change.
CASE_SORTS = (("number", "number"), ("identified_on", "opened"), ("trafficking_status", "trafficking_status"),
              ("status", "status"), ("updated_at", "last_activity"))


def _choice(label: Any, options: Any, **kwargs: Any) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(label=label, choices=options, empty_label=_("All"), **kwargs)


class CaseFilter(django_filters.FilterSet):
    """Filters of the case list; every one optional, all of them combined with AND."""

    q = django_filters.CharFilter(label=_("Case number or exact name"), method="search")
    status = _choice(_("Case status"), choices.CaseStatus.choices)
    trafficking_status = _choice(_("Trafficking status"), choices.TraffickingStatus.choices)
    exploitation = _choice(_("Exploitation"), choices.Exploitation.choices, method="with_exploitation")
    gender = _choice(_("Gender"), choices.Gender.choices, field_name="person__gender")
    age_group = _choice(_("Age group"), AGE_GROUP_CHOICES, method="in_age_group")
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), field_name="owner_organisation",
                                                    queryset=Organisation.objects.filter(is_active=True))
    identified_from = django_filters.DateFilter(label=_("Identified from"), field_name="identified_on",
                                                lookup_expr="gte", widget=DATE)
    identified_to = django_filters.DateFilter(label=_("Identified until"), field_name="identified_on",
                                              lookup_expr="lte", widget=DATE)
    sort = SortFilter(fields=CASE_SORTS)

    class Meta:
        model = Case
        fields: list[str] = []

    def search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        term = value.strip()
        if not term:
            return queryset
        name_index = crypto.blind_index(term, purpose="person.name")
        return queryset.filter(Q(number__iexact=term) | Q(person__name_index=name_index)
                               | Q(person__family_name_index=name_index))

    def with_exploitation(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(Exists(CaseExploitation.objects.filter(case=OuterRef("pk"), exploitation=value)))

    def in_age_group(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        low, high = AGE_GROUPS[value]
        return queryset.filter(person__age_at_identification__gte=low, person__age_at_identification__lte=high)


if TYPE_CHECKING:  # a class for the type checker; at run time generated from the FilterSet
    class CaseFilterIn(Schema): ...
else:
    CaseFilterIn = query_schema(CaseFilter, "CaseFilterIn")


REFERRAL_SORTS = (("case__number", "case"), ("urgency", "urgency"), ("created_at", "sent"), ("status", "status"))


class ReferralFilter(django_filters.FilterSet):
    """The referral inbox's and outbox's filter and sort (page and API): narrows ``queries.referral_inbox``
    or ``referral_outbox``, newest first when no sort is asked for."""

    status = _choice(_("Status"), Referral.Status.choices)
    sort = SortFilter(fields=REFERRAL_SORTS)

    class Meta:
        model = Referral
        fields: list[str] = []


if TYPE_CHECKING:
    class ReferralFilterIn(Schema): ...
else:
    ReferralFilterIn = query_schema(ReferralFilter, "ReferralFilterIn")
