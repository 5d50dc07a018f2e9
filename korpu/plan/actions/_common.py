"""What the plan actions share: the coordinator's office check and the helpers of the edit actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from korpu.core import access, audit
from korpu.core.access import Actor


def _require_manager(by: Actor, action: str, obj: Any = None) -> None:
    if not access.can_manage_plan(by):
        audit.denied(action, obj=obj, actor=by)
        raise ValidationError(_("Only the National Coordinator's office may do this."))


def _strip(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _changed(obj: Any, fields: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in fields.items() if getattr(obj, name) != value)
