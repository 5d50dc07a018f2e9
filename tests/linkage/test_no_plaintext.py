"""Record linkage keeps no readable trace of a name: not in the SQLite file, not in a pg_dump.

Two women are registered through the real action, one in Latin and one in Cyrillic, and their duplicate
check is run. Neither their names, nor the folded forms the matcher compares (``korpu.linkage.names``),
nor the texts of their blocking keys (``korpu.linkage.matching.blocking_keys``) may be in the stored
bytes: only the keyed HMACs of ``linkage_blockingkey`` (which must be there, so the search is not
looking at an empty copy).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from korpu.core import crypto
from korpu.linkage import matching, queries
from korpu.linkage.models import BlockingKey
from tests.cases.conftest import FULL_CONSENT, register

WOMEN = {
    "qht1": {"given_name": "Zəminəxanım", "family_name": "Qafarzadəliyeva", "patronymic": "Şəmsixanımqızı",
             "birth_date": dt.date(1988, 7, 23), "document_number": "AZE55667788"},
    "qht3": {"given_name": "Севинджгюльнур", "family_name": "Гаджимурадова", "patronymic": "Исмаиловна",
             "birth_date": dt.date(1991, 11, 4), "document_number": "C04455667"},
}
# Shorter texts could turn up in any stored bytes by chance (they are inside the key texts anyway).
SHORTEST = 6
HAVE_NAMES = importlib.util.find_spec("korpu.linkage.names") is not None


def _register_and_check(cast: dict[str, Any]) -> list[Any]:
    cases = []
    for username, woman in WOMEN.items():
        fields = dict(woman)
        case = register(cast[username], fields.pop("given_name"), fields.pop("family_name"), age=None,
                        consent=FULL_CONSENT, **fields)
        queries.case_matches(cast[username], case)  # the check decrypts, scores and audits
        queries.check_fields(cast[username], {**woman, "gender": "Feminine"})
        cases.append(case)
    return cases


def _forbidden(cases: list[Any]) -> list[str]:
    """Every text of the women that must not be stored: names, dates, folded forms and key texts."""
    texts: set[str] = set()
    for woman in WOMEN.values():
        names = [woman["given_name"], woman["family_name"], woman["patronymic"]]
        texts.update(names)
        texts.update(crypto.normalise(n) for n in names)
        texts.add(woman["birth_date"].isoformat())
        texts.add(woman["document_number"])
    for case in cases:
        for _purpose, text in matching.blocking_keys(queries.record_of(case.person)):
            texts.add(text)
    return sorted(texts)


def _folded(cases: list[Any]) -> list[str]:
    from korpu.linkage import names as folding

    texts: set[str] = set()
    folders = [folding.fold, folding.skeleton, folding.fold_surname,
               *(getattr(folding, f) for f in ("fold_given", "fold_patronymic") if hasattr(folding, f))]
    for woman in WOMEN.values():
        for name in (woman["given_name"], woman["family_name"], woman["patronymic"]):
            texts.update(fold(name) for fold in folders)
    return sorted(texts)


def _hmacs(cases: list[Any]) -> list[str]:
    keys = list(BlockingKey.objects.filter(person__in=[c.person for c in cases]).values_list("key", flat=True))
    assert len(keys) >= 2 * 4, keys
    return keys


def _assert_nothing_readable(data: bytes, cases: list[Any], where: str) -> None:
    for text in _forbidden(cases):
        if len(text) >= SHORTEST:
            assert text.encode() not in data, f"{text!r} is readable in {where}"
    # Nor in another case (an ASCII key text upper-cased, say).
    upper = [t for t in _forbidden(cases) if len(t) >= SHORTEST and t.isascii() and t.lower().encode() in data.lower()]
    assert not upper, f"{upper} readable in {where}"
    for key in _hmacs(cases):
        assert key.encode() in data, f"the blocking key {key} is not in {where}: the copy is not the database"
    for case in cases:
        assert case.number.encode() in data


def _assert_no_folded_form(data: bytes, cases: list[Any], where: str) -> None:
    folded = _folded(cases)
    assert len([t for t in folded if len(t) >= SHORTEST]) >= 10, folded
    for text in folded:
        if len(text) >= SHORTEST:
            assert text.encode() not in data, f"the folded form {text!r} is readable in {where}"
    assert all(key.encode() in data for key in _hmacs(cases)), f"the blocking keys are not in {where}"


def _sqlite_copy(tmp_path: Path) -> bytes:
    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    return copy.read_bytes()


def _dump() -> bytes:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
    from tests.core.test_crypto import _pg_dump

    return _pg_dump()


@pytest.mark.django_db(transaction=True)
def test_no_name_nor_blocking_key_text_reaches_the_sqlite_file(cast: dict[str, Any], tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only; the PostgreSQL variant uses pg_dump")
    cases = _register_and_check(cast)
    _assert_nothing_readable(_sqlite_copy(tmp_path), cases, "the SQLite file")


@pytest.mark.skipif(not HAVE_NAMES, reason="korpu.linkage.names (the real matcher) has not landed")
@pytest.mark.django_db(transaction=True)
def test_no_folded_name_reaches_the_sqlite_file(cast: dict[str, Any], tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only; the PostgreSQL variant uses pg_dump")
    cases = _register_and_check(cast)
    _assert_no_folded_form(_sqlite_copy(tmp_path), cases, "the SQLite file")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_name_nor_blocking_key_text_reaches_a_pg_dump(cast: dict[str, Any]) -> None:
    cases = _register_and_check(cast)
    _assert_nothing_readable(_dump(), cases, "the pg_dump")


@pytest.mark.postgres
@pytest.mark.skipif(not HAVE_NAMES, reason="korpu.linkage.names (the real matcher) has not landed")
@pytest.mark.django_db(transaction=True)
def test_no_folded_name_reaches_a_pg_dump(cast: dict[str, Any]) -> None:
    cases = _register_and_check(cast)
    _assert_no_folded_form(_dump(), cases, "the pg_dump")
