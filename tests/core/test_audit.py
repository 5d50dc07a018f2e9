"""The append-only audit chain: verification, tamper detection, the CLI and concurrent writers."""

from __future__ import annotations

import http.cookiejar
import itertools
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from korpu import cli
from korpu.accounts import actions
from korpu.accounts.demo import ORGANISATIONS, USERS
from korpu.accounts.models import Role, User
from korpu.core import audit
from korpu.core.access import SYSTEM
from korpu.core.models import AuditEvent, AuditHead


def drop_append_only_guard() -> None:
    """What someone who owns the database can do first (undone when the test's transaction rolls back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before ALTER TABLE
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER korpu_audit_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS korpu_audit_append_only")


def raw_update(column: str, value: str, seq: int) -> None:
    """Change one stored audit row behind the application's back."""
    drop_append_only_guard()
    placeholder = "CAST(%s AS jsonb)" if column == "details" and connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_auditevent SET {column} = {placeholder} WHERE seq = %s", [value, seq])
        assert cursor.rowcount == 1


def raw_delete(seq: int) -> None:
    if connection.vendor == "postgresql":
        drop_append_only_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [seq])
        assert cursor.rowcount == 1


@pytest.fixture
def history(cast: dict[str, Any]) -> int:
    """The cast's creation plus a few more actions; returns the number of events."""
    admin, polis = cast["admin"], cast["polis"]
    actions.membership_add(by=admin, user=polis, organisation=cast["coordinator"], role=Role.COORDINATOR_ANALYST)
    with pytest.raises(PermissionDenied):
        actions.user_set_active(by=polis, user=admin, active=False)  # denied, and recorded
    actions.user_unlock(by=admin, user=cast["qht1"])
    audit.record("test.unicode", actor=polis, details={"note": "Əliyev — Алиев", "n": [1, 2.5, None]},
                 ip_address="10.0.0.7")
    total = AuditEvent.objects.count()
    assert total == len(ORGANISATIONS) + len(USERS) + 4
    return total


def test_an_empty_chain_verifies(db: Any) -> None:
    assert audit.verify() == audit.VerifyResult(True, 0)


def test_the_chain_verifies_after_a_series_of_actions(history: int) -> None:
    assert audit.verify() == audit.VerifyResult(True, history)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, history + 1))
    assert events[0].prev_hash == audit.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (history, events[-1].hash)
    unicode_event = AuditEvent.objects.get(action="test.unicode")
    assert unicode_event.details == {"note": "Əliyev — Алиев", "n": [1, 2.5, None]}
    assert (unicode_event.ip_address, unicode_event.actor_label) == ("10.0.0.7", "polis")
    denied = AuditEvent.objects.get(action="user.deactivate")
    assert (denied.outcome, denied.actor_label) == ("denied", "polis")


def test_progress_is_reported_once_per_event(history: int) -> None:
    seen: list[int] = []
    assert audit.verify(progress=seen.append, batch=4).ok
    assert seen == [1] * history


def test_a_rolled_back_action_leaves_no_event(history: int) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.rolled-back")
        raise RuntimeError
    event = audit.record("test.after")
    assert event.seq == history + 1
    assert not AuditEvent.objects.filter(action="test.rolled-back").exists()
    assert audit.verify() == audit.VerifyResult(True, history + 1)


def test_the_database_refuses_to_change_an_event(history: int) -> None:
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'forged' WHERE seq = 3")
    assert AuditEvent.objects.get(seq=3).action != "forged"
    if connection.vendor == "postgresql":  # SQLite keeps DELETE: Django empties its test tables with it
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE seq = 3")
    assert AuditEvent.objects.filter(seq=3).exists()
    assert audit.verify().ok


@pytest.mark.parametrize(
    ("column", "value"),
    [("details", '{"organisation": 999}'), ("action", "user.view"), ("outcome", "ok"),
     ("actor_label", "someone-else"), ("object_id", "1")],
)
def test_editing_one_row_breaks_the_chain_at_that_row(history: int, column: str, value: str) -> None:
    target = AuditEvent.objects.get(action="user.deactivate").seq
    assert target == history - 2
    before = AuditEvent.objects.get(seq=target)
    assert str(getattr(before, column)) != value
    raw_update(column, value, target)
    result = audit.verify()
    assert result == audit.VerifyResult(False, target - 1, target, "its content does not match its hash")


def test_rehashing_an_edited_row_breaks_the_next_link(history: int) -> None:
    target = 5
    event = AuditEvent.objects.get(seq=target)
    event.action = "forged"
    forged_hash = audit.event_hash(audit._hashed_fields(event), event.prev_hash)
    raw_update("action", "forged", target)
    raw_update("hash", forged_hash, target)
    assert audit.verify() == audit.VerifyResult(
        False, target, target + 1, "its link to the previous event does not match")


def test_deleting_a_middle_row_names_the_missing_event(history: int) -> None:
    raw_delete(7)
    assert audit.verify() == audit.VerifyResult(False, 6, 7, "event #7 is missing")


def test_deleting_the_last_row_is_caught_by_the_head(history: int) -> None:
    raw_delete(history)
    assert audit.verify() == audit.VerifyResult(
        False, history - 1, history,
        "the chain head does not match the last event (events removed or added at the end)")


def test_cli_verify_on_a_good_chain(history: int, capsys: Any) -> None:
    assert cli.main(["audit", "verify"]) == 0
    out, err = capsys.readouterr()
    assert out == f"audit chain OK: {history} events verified\n"
    assert err == ""


def test_cli_verify_on_a_tampered_chain(history: int, capsys: Any) -> None:
    raw_update("details", '{"reason": "edited"}', 9)
    assert cli.main(["audit", "verify"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("audit chain BROKEN at event #9: its content does not match its hash "
                   "(8 events verified before it)\n")


# --- concurrency -------------------------------------------------------------------------------
LOGIN_ATTEMPTS = 36
DIRECT_RECORDS = 24


def _wrong_password_over_http(base_url: str) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = base_url + "/account/login/"
    page = opener.open(url, timeout=30).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1), "username": "polis",
                                   "password": "not-the-password"}).encode()
    try:
        return opener.open(url, body, timeout=30).status
    except urllib.error.HTTPError as exc:
        return exc.code


def _direct_record(i: int) -> int:
    try:
        return audit.record("test.concurrent", details={"i": i}).seq
    finally:
        connection.close()


@pytest.mark.postgres
def test_concurrent_writers_do_not_fork_the_chain(transactional_db: Any, live_server: Any, settings: Any) -> None:
    settings.ADDRESS_THROTTLE_LIMIT = 10_000
    settings.LOCKOUT_THRESHOLD = 10_000
    actions.user_create(by=SYSTEM, username="polis", email="", full_name="Rəşad Əliyev",
                        organisation=actions.organisation_create(by=SYSTEM, name="Polis", org_type="LawEnforcement"),
                        role=Role.POLICE_INVESTIGATOR, password="Correct-Horse-Battery-9", send_invitation=False)
    with connection.cursor() as cursor:  # the events refuse DELETE (append-only); the table's owner may TRUNCATE
        cursor.execute("TRUNCATE core_auditevent")
    AuditHead.objects.all().delete()  # start the race at an empty chain, head row included

    with ThreadPoolExecutor(max_workers=12) as pool:
        logins, records = [], []
        for i in range(max(LOGIN_ATTEMPTS, DIRECT_RECORDS)):
            if i < LOGIN_ATTEMPTS:
                logins.append(pool.submit(_wrong_password_over_http, live_server.url))
            if i < DIRECT_RECORDS:
                records.append(pool.submit(_direct_record, i))
        statuses = [job.result(timeout=120) for job in logins]
        seqs = [job.result(timeout=120) for job in records]

    total = LOGIN_ATTEMPTS + DIRECT_RECORDS
    assert statuses == [400] * LOGIN_ATTEMPTS
    assert len(set(seqs)) == DIRECT_RECORDS
    assert set(seqs) <= set(range(1, total + 1))
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, total + 1))
    assert len({e.hash for e in events}) == total
    assert sum(e.action == "login.failed" for e in events) == LOGIN_ATTEMPTS
    assert sorted(e.details["i"] for e in events if e.action == "test.concurrent") == list(range(DIRECT_RECORDS))
    assert User.objects.get(username="polis").failed_login_count == LOGIN_ATTEMPTS
    assert audit.verify() == audit.VerifyResult(True, total)
