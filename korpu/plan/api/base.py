"""The plan API's router and the gate of the coordinator's operations."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja import Router

from korpu.plan import queries


class PlanRouter(Router):
    """The one router of the plan's operations, whichever module declares them. Each keeps the OpenAPI
    id it had when the API was one module (``korpu_plan_api_<function>``), so clients generated from
    the schema keep their method names."""

    def add_api_operation(self, path: str, methods: list[str], view_func: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["operation_id"] = kwargs.get("operation_id") or f"korpu_plan_api_{view_func.__name__}"
        super().add_api_operation(path, methods, view_func, **kwargs)


router = PlanRouter(tags=["plan"])

PDF = "application/pdf"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
LANGUAGES = [code for code, _name in settings.LANGUAGES]
LONG = 20000


def _manager(request: HttpRequest, action: str, object_type: str = "", object_id: Any = "") -> None:
    """The coordinator's pages' gate (``queries.require_manager``)."""
    queries.require_manager(request.user, action, object_type, object_id)


def _language(lang: str) -> str:
    if lang in LANGUAGES:
        return lang
    current = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return current if current in LANGUAGES else settings.LANGUAGE_CODE
