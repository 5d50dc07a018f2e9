"""Template helpers: ``{{ obj|tr:"title" }}`` shows a multilingual field in the current language."""

from __future__ import annotations

from typing import Any

from django import template

from korpu.core.i18n import localized

register = template.Library()


@register.filter
def tr(obj: Any, field: str) -> str:
    return localized(obj, field)


@register.filter
def percent(part: Any, whole: Any) -> int:
    try:
        return round(100 * float(part) / float(whole)) if float(whole) else 0
    except (TypeError, ValueError):
        return 0
