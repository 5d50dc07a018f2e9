"""Helpers shared by the shelter and justice tests: the state of their tables, the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client

from korpu.core.models import AuditEvent

APPS = ("cases", "shelters", "justice")


def snapshot() -> dict[str, Any]:
    """Every row of every cases/shelters/justice table, as stored, and the number of mails sent."""
    state: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for label in APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                cursor.execute(f'SELECT * FROM "{model._meta.db_table}" ORDER BY 1')
                state[model._meta.db_table] = [tuple(map(str, row)) for row in cursor.fetchall()]
    state["mail"] = len(mail.outbox)
    return state


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def events_since(seq: int, **filters: Any) -> list[tuple[str, str, str, str]]:
    return list(AuditEvent.objects.filter(seq__gt=seq, **filters).order_by("seq")
                .values_list("action", "outcome", "object_type", "object_id"))


def denied_since(seq: int, user: Any) -> list[tuple[str, str, str]]:
    """(action, object type, object id) of the denied events of ``user`` after ``seq``."""
    return [(a, t, i) for a, _o, t, i in events_since(seq, actor=user, outcome=AuditEvent.Outcome.DENIED)]


@contextmanager
def refused(user: Any) -> Iterator[dict[str, Any]]:
    """Around a request that must be refused: afterwards nothing has changed, and ``result["denied"]``
    holds the denied events it left."""
    before, seq = snapshot(), last_seq()
    result: dict[str, Any] = {}
    yield result
    changed = [table for table, rows in before.items() if snapshot()[table] != rows]
    assert changed == [], f"changed: {changed}"
    result["denied"] = denied_since(seq, user)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
