"""Reads of the audit log, for auditors only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from korpu.core import access
from korpu.core.models import AuditEvent


def audit_events_visible_to(user: Any, *, action: str = "", outcome: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    if not access.can_view_audit(user):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if action:
        qs = qs.filter(action__startswith=action)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    return qs.order_by("-seq")
