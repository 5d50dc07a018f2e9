"""What every list's filter shares: a whitelisted ``sort``, the JSON API's query schema, sort links.

Each app declares its lists' filters once, as a ``django_filters.FilterSet`` in ``<app>/filters.py``
(docs/adr/0025-one-filter-per-list.md). The FilterSet only narrows: the queryset it is given comes
from the app's scoping query (``cases_visible_to(user)``…), so which rows a user may see is never the
filter's decision. The same FilterSet serves the HTML list (its form renders the filter bar), the
JSON list (:func:`query_schema` documents its parameters in OpenAPI), the exports and the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import translation
from ninja import Field, Schema
from pydantic import create_model

SORT_PARAM = "sort"


class SortFilter(django_filters.OrderingFilter):
    """``?sort=number`` / ``?sort=-number``: one column, ascending or descending, from a whitelist.

    The primary key follows as a tie-breaker in the same direction, so pages never repeat or skip a row
    when many rows share a value (a status, a date). Pages show it as column headers, not as a field.
    """

    def filter(self, qs: Any, value: Any) -> Any:
        if not value:
            return qs
        param = value[0]
        ordering = self.get_ordering_value(param)
        tie = "-pk" if ordering.startswith("-") else "pk"
        return qs.order_by(ordering, tie)

    @property
    def params(self) -> list[str]:
        """The exposed sort keys (without direction)."""
        return list(self.param_map)


def sort_key(filterset: django_filters.FilterSet) -> str:
    """The sort the list is shown in (``"-number"``), or ``""`` for the list's own order."""
    form = filterset.form
    if not form.is_valid():
        return ""
    value = form.cleaned_data.get(SORT_PARAM) or []
    return str(value[0]) if value else ""


def sort_links(filterset: django_filters.FilterSet, query: QueryDict) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that toggles it and its state, for the column headers.

    ``{"number": {"url": "?status=Active&sort=-number", "state": "ascending"}, ...}``; the state is
    ``""`` for a column the list is not sorted by. The page number is dropped: a new order starts at 1.
    """
    sorter = filterset.filters[SORT_PARAM]
    current = sort_key(filterset)
    links: dict[str, dict[str, str]] = {}
    for key in sorter.params:
        params = query.copy()
        params.pop("page", None)
        if current == key:
            params[SORT_PARAM], state = f"-{key}", "ascending"
        elif current == f"-{key}":
            params[SORT_PARAM], state = key, "descending"
        else:
            params[SORT_PARAM], state = key, ""
        links[key] = {"url": "?" + params.urlencode(), "state": state}
    return links


def _annotation(flt: django_filters.Filter) -> tuple[Any, Any]:
    if isinstance(flt, django_filters.DateFilter):
        return dt.date | None, None
    if isinstance(flt, django_filters.ModelChoiceFilter | django_filters.NumberFilter):
        return int | None, None
    return str, ""


def _description(flt: django_filters.Filter) -> str:
    with translation.override("en"):
        if isinstance(flt, SortFilter):
            keys = ", ".join(flt.params)
            return f"Sort by one of {keys}; a leading '-' sorts descending"
        text = str(flt.label or flt.field_name)
        choices = flt.extra.get("choices")
        if isinstance(flt, django_filters.ChoiceFilter) and choices:
            values = [str(value) for value, _label in (choices() if callable(choices) else choices) if value != ""]
            return f"{text}: one of {', '.join(values)}"
        return text


def query_schema(filterset_class: type[django_filters.FilterSet], name: str) -> type[Schema]:
    """A ninja ``Schema`` of the FilterSet's parameters, for ``Query[...]``: names, types and
    descriptions come from the FilterSet, so the OpenAPI document lists exactly what the list takes."""
    fields: dict[str, Any] = {}
    for param, flt in filterset_class.base_filters.items():
        annotation, default = _annotation(flt)
        fields[param] = (annotation, Field(default, description=_description(flt)))
    model: type[Schema] = create_model(name, __base__=Schema, **fields)
    return model


def bound(filterset_class: type[django_filters.FilterSet], params: Mapping[str, Any] | None, *,
          queryset: Any, strict: bool = False, request: Any = None) -> django_filters.FilterSet:
    """The FilterSet bound to ``params`` over an already scoped ``queryset``.

    Empty values are dropped (an unset API parameter arrives as ``""`` or ``None``). With ``strict``
    (the JSON API, the CLI) an invalid value is a ``ValidationError`` naming the parameter; without it
    (the HTML list) the invalid filter is left out and its error shown next to the field.
    """
    data: Any = None
    if params:
        data = params if isinstance(params, QueryDict) else {k: _param(v) for k, v in params.items()}
    filterset = filterset_class(data, queryset=queryset, request=request)
    if strict and data is not None and not filterset.is_valid():
        raise ValidationError("; ".join(f"{field}: {' '.join(str(m) for m in messages)}"
                                        for field, messages in filterset.errors.items()))
    return filterset


def _param(value: Any) -> str:
    """A cleaned value back as the query-string text the FilterSet's form reads."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return str(getattr(value, "pk", value))


def applied(filterset: django_filters.FilterSet) -> dict[str, Any]:
    """The filters in effect (valid and not empty), as cleaned values, for audit details."""
    if not filterset.is_bound or not filterset.form.is_valid():
        return {}
    return {k: v for k, v in filterset.form.cleaned_data.items() if v not in ("", None, [])}
