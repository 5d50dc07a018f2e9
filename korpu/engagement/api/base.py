"""The coalition API's router and what its operations share."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from korpu.engagement import queries


class CoalitionRouter(Router):
    """Every coalition operation, from whichever module, joins this router under the tag "engagement";
    its OpenAPI id stays ``korpu_engagement_api_<function>``, the id it had in the single ``api.py``,
    so that generated clients keep their names."""

    def add_api_operation(self, path: str, methods: list[str], view_func: Callable[..., Any], **kwargs: Any) -> None:
        if kwargs.get("operation_id") is None:
            kwargs["operation_id"] = "korpu_engagement_api_" + view_func.__name__
        super().add_api_operation(path, methods, view_func, **kwargs)


router = CoalitionRouter(tags=["engagement"])

TEXT_MAX = 20000


def _changes(payload: Schema) -> dict[str, Any]:
    """The fields the caller sent (a correction changes only those)."""
    return dict(payload.dict(exclude_unset=True))


def _organisation(request: HttpRequest, organisation_id: int | None) -> Any:
    return None if organisation_id is None else queries.organisation_for(request.user, organisation_id)


def _with_organisations(request: HttpRequest, data: dict[str, Any], **names: str) -> dict[str, Any]:
    """``data`` with each ``<name>_id`` it holds replaced by the organisation (``names``: id key → key)."""
    for id_key, key in names.items():
        if id_key in data:
            data[key] = _organisation(request, data.pop(id_key))
    return data
