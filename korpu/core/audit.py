"""The append-only audit chain (see docs/adr/0004-audit-chain.md).

Every event carries the SHA-256 of its own fields and of the previous event's hash. Appending
locks the single :class:`~korpu.core.models.AuditHead` row (``SELECT … FOR UPDATE`` on PostgreSQL,
an IMMEDIATE transaction on SQLite), so concurrent writers queue instead of forking the chain.
:func:`verify` recomputes every link and names the first one that does not hold.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from korpu.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class RequestContext:
    """Who is acting and from where; set per request by middleware, per command by the CLI."""

    actor: Any = None
    ip_address: str | None = None


_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "audit_context", default=RequestContext()  # noqa: B039 - a frozen dataclass, never mutated
)


def set_context(context: RequestContext) -> contextvars.Token[RequestContext]:
    return _context.set(context)


def reset_context(token: contextvars.Token[RequestContext]) -> None:
    _context.reset(token)


def current_context() -> RequestContext:
    return _context.get()


def _label(actor: Any) -> tuple[str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "", ""
    organisation = actor.primary_organisation() if hasattr(actor, "primary_organisation") else None
    return actor.get_username(), (organisation.name if organisation else "")


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "organisation_label": event.organisation_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
        "ip_address": event.ip_address or "",
        "details": event.details,
    }


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label, str(obj.pk)


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    actor: Any = None,
    outcome: str = AuditEvent.Outcome.OK,
    details: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event. Joins the caller's transaction, so a rolled-back action leaves no event.

    ``details`` must never carry personal identifiers: ids, field names and counts only.
    """
    context = current_context()
    actor = actor if actor is not None else context.actor
    ip_address = ip_address if ip_address is not None else context.ip_address
    if obj is not None:
        object_type, object_id = _object_ref(obj)
    actor_label, organisation_label = _label(actor)
    actor_pk = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head = _locked_head()
        event = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor_id=actor_pk,
            actor_label=actor_label,
            organisation_label=organisation_label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome=outcome,
            ip_address=ip_address or None,
            details=details or {},
            prev_hash=head.hash,
        )
        # Round-trip the JSON so the hash covers exactly what the database will hand back.
        event.details = json.loads(json.dumps(event.details, default=str))
        event.hash = event_hash(_hashed_fields(event), head.hash)
        event.save(force_insert=True)
        AuditHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def denied(action: str, *, obj: models.Model | None = None, object_type: str = "", object_id: str = "",
           actor: Any = None, details: dict[str, Any] | None = None) -> AuditEvent:
    """Record a refusal. Callers record it before raising and outside their own transaction (views and
    actions check permission first), so it survives the error response that follows; a denial recorded
    inside an outer transaction that is then rolled back is lost with it."""
    return record(action, obj=obj, object_type=object_type, object_id=object_id, actor=actor,
                  outcome=AuditEvent.Outcome.DENIED, details=details)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(*, progress: Callable[[int], None] | None = None, batch: int = 2000) -> VerifyResult:
    """Recompute every link in order; stop at the first event whose hash or back-link is wrong."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event in _iter_events(batch):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.seq, "its link to the previous event does not match")
        if event_hash(_hashed_fields(event), event.prev_hash) != event.hash:
            return VerifyResult(False, checked, event.seq, "its content does not match its hash")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
        if progress is not None:
            progress(1)
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return VerifyResult(
            False, checked, checked + 1 if head.seq > checked else head.seq,
            "the chain head does not match the last event (events removed or added at the end)",
        )
    return VerifyResult(True, checked)


def _iter_events(batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        chunk = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def count() -> int:
    return AuditEvent.objects.count()
