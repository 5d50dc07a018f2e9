"""Multilingual content fields: ``title_az``, ``title_ru``, ``title_en`` and the one to show now.

Content written by people (plan texts, recommendations) is stored in each language side by side;
the interface language picks one, falling back to Azerbaijani, then to any language that is filled.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def localized(obj: Any, field: str, language: str | None = None) -> str:
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    order = [language, settings.LANGUAGE_CODE, *LANGUAGE_CODES]
    for code in order:
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return str(value)
    return ""

