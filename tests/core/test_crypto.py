"""Envelope encryption, encrypted model fields, blind indexes, key rotation and crypto-shredding."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from korpu import cli
from korpu.core import crypto, keys
from korpu.core.models import AuditEvent, DataKey
from tests.testapp.models import Secret

CONTEXT = "cases.Person.given_name"
PURPOSE = "testapp.Secret.name"
AZ_TEXT = "Əliyev Rəşad ğ ı İ ö ü ç ş Ə Ğ I Ö Ü Ç Ş"
RU_TEXT = "Алиев Рашад Ёё Щщ Ъъ"
MARKER = "Şükürova-Ğ-zzq-7781-Марк"

db_examples = hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def data_key(db: Any) -> DataKey:
    return DataKey.create()


def raw_column(pk: int, column: str) -> Any:
    """The stored value, read past the field's from_db_value."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM testapp_secret WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def flip(token: str, position: int) -> str:
    """Flip one bit of the token's sealed bytes (nonce, ciphertext or tag)."""
    head, body = token.rsplit(":", 1)
    blob = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    blob[position % len(blob)] ^= 1 << (position % 8)
    return f"{head}:{base64.urlsafe_b64encode(bytes(blob)).decode().rstrip('=')}"


# --- seal / open ------------------------------------------------------------------------------
@db_examples
@given(text=st.text())
@example(text="")
@example(text=AZ_TEXT)
@example(text=AZ_TEXT.upper())
@example(text=RU_TEXT)
@example(text="Ə" * 5000)
@example(text="\x00 null \ud7ff \U0001f600")
def test_seal_then_open_gives_the_same_text(data_key: DataKey, text: str) -> None:
    token = crypto.seal(text, key_uuid=data_key.pk, context=CONTEXT)
    assert token.startswith(f"k1:{data_key.pk.hex}:")
    assert crypto.open_sealed(token, context=CONTEXT) == text


@db_examples
@given(text=st.text(min_size=1))
@example(text=AZ_TEXT)
def test_sealing_twice_gives_different_tokens(data_key: DataKey, text: str) -> None:
    first = crypto.seal(text, key_uuid=data_key.pk, context=CONTEXT)
    second = crypto.seal(text, key_uuid=data_key.pk, context=CONTEXT)
    assert first != second
    assert crypto.open_sealed(first, context=CONTEXT) == crypto.open_sealed(second, context=CONTEXT) == text


@db_examples
@given(text=st.text(), other=st.text(min_size=1))
@example(text=AZ_TEXT, other="cases.Person.family_name")
def test_a_token_does_not_open_under_another_context(data_key: DataKey, text: str, other: str) -> None:
    token = crypto.seal(text, key_uuid=data_key.pk, context=CONTEXT)
    with pytest.raises(crypto.CryptoError, match="failed authentication"):
        crypto.open_sealed(token, context=CONTEXT + other)


def test_a_token_pointed_at_another_data_key_does_not_open(data_key: DataKey) -> None:
    other = DataKey.create()
    token = crypto.seal(RU_TEXT, key_uuid=data_key.pk, context=CONTEXT)
    moved = token.replace(data_key.pk.hex, other.pk.hex)
    with pytest.raises(crypto.CryptoError, match="failed authentication"):
        crypto.open_sealed(moved, context=CONTEXT)


@db_examples
@given(text=st.text(), position=st.integers(min_value=0, max_value=10_000))
@example(text=AZ_TEXT, position=0)
@example(text=AZ_TEXT, position=10_000)
def test_a_tampered_token_does_not_open(data_key: DataKey, text: str, position: int) -> None:
    token = crypto.seal(text, key_uuid=data_key.pk, context=CONTEXT)
    tampered = flip(token, position)
    assert tampered != token
    with pytest.raises(crypto.CryptoError):
        crypto.open_sealed(tampered, context=CONTEXT)


@db_examples
@given(text=st.text(), cut=st.integers(min_value=0, max_value=200))
@example(text="", cut=35)
@example(text="", cut=36)
@example(text="", cut=40)
@example(text=AZ_TEXT, cut=70)
def test_a_truncated_token_does_not_open(data_key: DataKey, text: str, cut: int) -> None:
    token = crypto.seal(text, key_uuid=data_key.pk, context=CONTEXT)
    truncated = token[: min(cut, len(token) - 1)]
    with pytest.raises(crypto.CryptoError):
        crypto.open_sealed(truncated, context=CONTEXT)


def test_truncated_and_foreign_tokens_do_not_open(data_key: DataKey) -> None:
    token = crypto.seal(AZ_TEXT, key_uuid=data_key.pk, context=CONTEXT)
    with pytest.raises(crypto.CryptoError, match="failed authentication"):
        crypto.open_sealed(token[:-4], context=CONTEXT)
    for foreign in ("Əliyev", "k2:" + token[3:], "k1:not-a-uuid:abc", ""):
        with pytest.raises(crypto.CryptoError, match="not a Körpü ciphertext"):
            crypto.open_sealed(foreign, context=CONTEXT)
    with pytest.raises(crypto.KeyShredded, match="does not exist"):
        crypto.open_sealed(f"k1:{uuid.uuid4().hex}:{token.rsplit(':', 1)[1]}", context=CONTEXT)


def test_a_data_key_is_stored_only_wrapped(data_key: DataKey) -> None:
    raw = crypto.data_key_bytes(data_key.pk)
    stored = bytes(DataKey.objects.get(pk=data_key.pk).wrapped_key)
    assert len(raw) == 32
    assert raw not in stored
    assert len(stored) == 12 + 32 + 16
    assert data_key.master_key_id == crypto.get_keyring().current.key_id


# --- encrypted model fields ---------------------------------------------------------------------
@db_examples
@given(name=st.text(min_size=1), born=st.dates())
@example(name=AZ_TEXT, born=dt.date(1, 1, 1))
@example(name=RU_TEXT, born=dt.date(9999, 12, 31))
def test_encrypted_fields_round_trip_through_the_database(data_key: DataKey, name: str,
                                                          born: dt.date) -> None:
    secret = Secret.objects.create(data_key=data_key, name=name, born=born)
    crypto.clear_key_cache()
    loaded = Secret.objects.get(pk=secret.pk)
    assert loaded.name == name
    assert loaded.born == born
    stored_name, stored_born = raw_column(secret.pk, "name"), raw_column(secret.pk, "born")
    assert stored_name.startswith(f"k1:{data_key.pk.hex}:")
    assert stored_born.startswith(f"k1:{data_key.pk.hex}:")
    assert crypto.open_sealed(stored_name, context="testapp.Secret.name") == name
    assert crypto.open_sealed(stored_born, context="testapp.Secret.born") == born.isoformat()


def test_empty_and_missing_values_stay_empty(data_key: DataKey) -> None:
    secret = Secret.objects.create(data_key=data_key, name="", born=None)
    loaded = Secret.objects.get(pk=secret.pk)
    assert (loaded.name, loaded.born) == ("", None)
    assert (raw_column(secret.pk, "name"), raw_column(secret.pk, "born")) == ("", None)


def test_a_date_given_as_text_is_stored_as_a_date(data_key: DataKey) -> None:
    secret = Secret.objects.create(data_key=data_key, name="x", born="2001-02-03")
    assert Secret.objects.get(pk=secret.pk).born == dt.date(2001, 2, 3)


def test_a_value_moved_to_another_column_does_not_open(data_key: DataKey) -> None:
    secret = Secret.objects.create(data_key=data_key, name="2001-02-03", born=dt.date(1990, 5, 6))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE testapp_secret SET born = name WHERE id = %s", [secret.pk])
    with pytest.raises(crypto.CryptoError, match=r"testapp\.Secret\.born failed authentication"):
        Secret.objects.get(pk=secret.pk)


def test_filtering_on_an_encrypted_field_is_refused(data_key: DataKey) -> None:
    Secret.objects.create(data_key=data_key, name=MARKER)
    with pytest.raises(crypto.CryptoError, match="cannot be filtered on; use a blind index"):
        list(Secret.objects.filter(name=MARKER))


def test_saving_without_a_data_key_is_refused(db: Any) -> None:
    with pytest.raises(crypto.CryptoError, match="the record has no data key"), transaction.atomic():
        Secret(name=MARKER).save()
    assert Secret.objects.count() == 0


def _store_marker(data_key: DataKey) -> Secret:
    return Secret.objects.create(
        data_key=data_key, name=MARKER, born=dt.date(1911, 11, 11),
        name_index=crypto.blind_index(MARKER, purpose=PURPOSE),
    )


@pytest.mark.django_db(transaction=True)
def test_plaintext_never_reaches_the_sqlite_file(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only; the PostgreSQL variant uses pg_dump")
    secret = _store_marker(DataKey.create())
    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    data = copy.read_bytes()
    assert MARKER.encode() not in data
    assert "Şükürova".encode() not in data
    assert b"1911-11-11" not in data
    # The row is in the copy: its ciphertext and blind index are there, only the plaintext is not.
    assert raw_column(secret.pk, "name").encode() in data
    assert secret.name_index.encode() in data


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_plaintext_never_reaches_a_pg_dump() -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
    secret = _store_marker(DataKey.create())
    dump = _pg_dump()
    assert MARKER.encode() not in dump
    assert "Şükürova".encode() not in dump
    assert b"1911-11-11" not in dump
    assert raw_column(secret.pk, "name").encode() in dump
    assert secret.name_index.encode() in dump


# A victim's identifiers, registered through the real action into a real on-disk SQLite database
# (its file, and any journal or WAL beside it) and into a real PostgreSQL database (pg_dump).
VICTIM = {"given_name": "Zümrüdxanımqz", "family_name": "Qəhrəmanlıxyz", "patronymic": "Əbülfəzqızıxq",
          "document_number": "AZE99887766Q", "phone": "+994509988776", "address": "Gizliküçə 1717"}
NOTE = "Sığınacaqdakı gizli qeyd 4242"
REGISTER_VICTIM = """
import datetime as dt, json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "korpu.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from korpu.accounts.demo import build_cast
from korpu.cases import actions
cast = build_cast(password="Correct-Horse-Battery-9", totp=False)
person = json.loads(sys.argv[1])
person.update(birth_date=dt.date(1987, 3, 14), gender="Feminine", age_at_identification=38)
case = actions.case_register(by=cast["qht1"], person=person,
                             case={"identification_channel": "ngo_outreach", "identified_on": dt.date.today()},
                             exploitation=["SexualExploitation"],
                             consent={"data_processing": True, "share_ngo": True})
actions.note_add(by=cast["qht1"], case=case, text=sys.argv[2])
print(case.number)
"""


def _assert_no_victim_plaintext(data: bytes, where: str) -> None:
    for value in [*VICTIM.values(), NOTE, "1987-03-14"]:
        assert value.encode() not in data, f"{value!r} is readable in {where}"


def test_a_victims_identifiers_never_reach_the_sqlite_file(tmp_path: Path) -> None:
    import json
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("KORPU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(KORPU_MODE="development", KORPU_DEBUG="false", KORPU_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run([sys.executable, "-c", REGISTER_VICTIM, json.dumps(VICTIM), NOTE], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "var").glob("korpu.sqlite3*"))
    assert files and files[0].name == "korpu.sqlite3"
    data = b"".join(path.read_bytes() for path in files)
    assert result.stdout.strip().encode() in data  # the case is stored (its pseudonymous number is clear)
    _assert_no_victim_plaintext(data, ", ".join(path.name for path in files))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_victims_identifiers_never_reach_a_pg_dump(cast: dict[str, Any]) -> None:
    from korpu.cases import actions

    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
    case = actions.case_register(
        by=cast["qht1"], person={**VICTIM, "birth_date": dt.date(1987, 3, 14), "gender": "Feminine"},
        case={"identification_channel": "ngo_outreach", "identified_on": dt.date.today()},
        exploitation=["SexualExploitation"], consent={"data_processing": True, "share_ngo": True})
    actions.note_add(by=cast["qht1"], case=case, text=NOTE)
    dump = _pg_dump()
    assert case.number.encode() in dump
    _assert_no_victim_plaintext(dump, "the pg_dump")


def _pg_dump() -> bytes:
    import os

    settings_dict = connection.settings_dict
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return subprocess.run(
        ["pg_dump", "-h", settings_dict["HOST"] or "127.0.0.1", "-p", str(settings_dict["PORT"] or 5432),
         "-U", settings_dict["USER"] or "postgres", settings_dict["NAME"]],
        capture_output=True, check=True, timeout=60, env=env,
    ).stdout


# --- blind indexes -------------------------------------------------------------------------------
def test_the_blind_index_finds_the_record_by_exact_search(data_key: DataKey) -> None:
    secret = _store_marker(data_key)
    Secret.objects.create(data_key=DataKey.create(), name="Başqa",
                          name_index=crypto.blind_index("Başqa", purpose=PURPOSE))
    assert len(secret.name_index) == 40
    found = Secret.objects.filter(name_index=crypto.blind_index(MARKER.upper(), purpose=PURPOSE))
    assert list(found.values_list("pk", flat=True)) == [secret.pk]
    assert found.get().name == MARKER
    miss = Secret.objects.filter(name_index=crypto.blind_index(MARKER + "x", purpose=PURPOSE))
    assert not miss.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Əliyev", "eliyev"),
        ("ƏLİYEV", "eliyev"),
        ("Eliyev", "eliyev"),
        ("  Rəşad   ƏLİYEV ", "resad eliyev"),
        ("İLKİN", "ilkin"),
        ("ILKIN", "ilkin"),
        ("Çələbiyeva-Şükürova", "celebiyeva sukurova"),
        ("Ağayev, Fərid.", "agayev ferid"),
        ("Ülviyyə Öztürk", "ulviyye ozturk"),
        ("Алиев", "алиев"),
    ],
)
def test_normalise(value: str, expected: str) -> None:
    assert crypto.normalise(value) == expected


def test_blind_index_equal_for_spellings_of_one_name_and_different_otherwise(db: Any) -> None:
    same = {crypto.blind_index(v, purpose=PURPOSE) for v in ("Əliyev", "ƏLİYEV", "Eliyev", " əliyev ")}
    assert len(same) == 1
    index = same.pop()
    assert index != crypto.blind_index("Əliyeva", purpose=PURPOSE)
    assert index != crypto.blind_index("Quliyev", purpose=PURPOSE)
    assert index != crypto.blind_index("Алиев", purpose=PURPOSE)
    assert index != crypto.blind_index("Əliyev", purpose="testapp.Secret.other")
    assert DataKey.objects.filter(purpose=DataKey.Purpose.BLIND_INDEX).count() == 1


# --- master-key rotation -------------------------------------------------------------------------
def _master() -> crypto.MasterKey:
    return crypto.decode_master_key(crypto.generate_master_key_text(), source="test")


def test_rotation_rewraps_every_live_key_and_shredded_keys_stay_shredded(db: Any) -> None:
    old, new = _master(), _master()
    with crypto.use_keyring(crypto.Keyring(old)):
        owners = [DataKey.create() for _ in range(3)]
        secrets = [Secret.objects.create(data_key=k, name=f"{AZ_TEXT} {i}", born=dt.date(1990, 1, i + 1),
                                         name_index=crypto.blind_index(f"ad {i}", purpose=PURPOSE))
                   for i, k in enumerate(owners)]
        keys.shred(data_key=owners[2], reason="test")
    index_key = DataKey.index_key()
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {old.key_id}

    rotating = crypto.Keyring(new, (old,))
    with crypto.use_keyring(rotating):
        assert keys.pending_rotation_count(rotating) == 3
        assert keys.rotate(keyring=rotating, batch=2) == 3
        assert keys.pending_rotation_count(rotating) == 0
        assert keys.rotate(keyring=rotating) == 0

    live = DataKey.objects.filter(pk__in=[owners[0].pk, owners[1].pk, index_key.pk])
    assert {(k.master_key_id, k.rotated_at is not None) for k in live} == {(new.key_id, True)}
    shredded = DataKey.objects.get(pk=owners[2].pk)
    assert (shredded.master_key_id, bytes(shredded.wrapped_key), shredded.rotated_at) == (
        old.key_id, b"", None)
    assert list(AuditEvent.objects.filter(action="keys.rotate").values_list("details", flat=True)) == [
        {"rewrapped": 3, "master_key_id": new.key_id},
        {"rewrapped": 0, "master_key_id": new.key_id},
    ]

    with crypto.use_keyring(crypto.Keyring(new)):
        loaded = {s.pk: s for s in Secret.objects.all()}
        assert [(loaded[s.pk].name, loaded[s.pk].born) for s in secrets] == [
            (f"{AZ_TEXT} 0", dt.date(1990, 1, 1)), (f"{AZ_TEXT} 1", dt.date(1990, 1, 2)), (None, None)]
        assert Secret.objects.get(name_index=crypto.blind_index("AD 1", purpose=PURPOSE)).pk == secrets[1].pk
        with pytest.raises(crypto.KeyShredded):
            crypto.open_sealed(raw_column(secrets[2].pk, "name"), context="testapp.Secret.name")
    with crypto.use_keyring(crypto.Keyring(old)), pytest.raises(crypto.MasterKeyMissing):
        Secret.objects.get(pk=secrets[0].pk)


def test_rotation_without_the_old_key_changes_nothing(db: Any) -> None:
    old, new = _master(), _master()
    with crypto.use_keyring(crypto.Keyring(old)):
        owner = DataKey.create()
    wrapped = bytes(DataKey.objects.get(pk=owner.pk).wrapped_key)
    with crypto.use_keyring(crypto.Keyring(new)), pytest.raises(crypto.MasterKeyMissing):
        keys.rotate(keyring=crypto.Keyring(new))
    owner.refresh_from_db()
    assert (owner.master_key_id, bytes(owner.wrapped_key), owner.rotated_at) == (old.key_id, wrapped, None)
    assert not AuditEvent.objects.filter(action="keys.rotate").exists()


@pytest.fixture
def key_file(tmp_path: Path) -> Any:
    path = tmp_path / "master.key"
    path.write_text(crypto.generate_master_key_text() + "\n")
    path.chmod(0o600)
    crypto._cached_keyring.cache_clear()
    with override_settings(MASTER_KEY="", MASTER_KEY_FILE=str(path), MASTER_KEY_PREVIOUS=[]):
        yield path
    crypto._cached_keyring.cache_clear()


def test_cli_rotate_generate_installs_a_new_key_file(db: Any, key_file: Path, capsys: Any) -> None:
    old_text = key_file.read_text()
    old = crypto.decode_master_key(old_text, source="old")
    assert crypto.get_keyring().current == old
    owners = [DataKey.create() for _ in range(2)]
    secrets = [Secret.objects.create(data_key=k, name=RU_TEXT, born=dt.date(2000, 2, 29)) for k in owners]
    keys.shred(data_key=owners[1])

    assert cli.main(["keys", "rotate", "--generate"]) == 0

    new = crypto.decode_master_key(key_file.read_text(), source="new")
    assert new != old
    kept = list(key_file.parent.glob("master.key.previous-*"))
    assert len(kept) == 1
    assert kept[0].read_text() == old_text
    assert not (key_file.parent / "master.key.new").exists()
    assert key_file.stat().st_mode & 0o777 == 0o600
    out = capsys.readouterr().out
    assert f"rotated: 1 data keys re-wrapped under a new master key in {key_file}" in out
    assert f"the previous master key is kept in {kept[0]}" in out
    assert DataKey.objects.get(pk=owners[0].pk).master_key_id == new.key_id
    assert DataKey.objects.get(pk=owners[1].pk).master_key_id == old.key_id

    crypto.clear_key_cache()
    assert crypto.get_keyring() == crypto.Keyring(new)
    loaded = Secret.objects.filter(pk__in=[s.pk for s in secrets]).order_by("pk")
    assert [(s.name, s.born) for s in loaded] == [(RU_TEXT, dt.date(2000, 2, 29)), (None, None)]


def test_cli_rotate_generate_refuses_an_inline_master_key(db: Any, capsys: Any) -> None:
    with override_settings(MASTER_KEY=crypto.generate_master_key_text(), MASTER_KEY_FILE=""):
        assert cli.main(["keys", "rotate", "--generate"]) == 2
    err = capsys.readouterr().err
    assert "--generate works only when the master key comes from KORPU_MASTER_KEY_FILE" in err


# --- crypto-shredding ---------------------------------------------------------------------------
def test_shredding_makes_the_values_unreadable_for_good(data_key: DataKey) -> None:
    secret = Secret.objects.create(data_key=data_key, name=MARKER, born=dt.date(1985, 7, 8))
    other = Secret.objects.create(data_key=DataKey.create(), name=AZ_TEXT)
    token = raw_column(secret.pk, "name")
    assert Secret.objects.get(pk=secret.pk).name == MARKER  # the key is now in this unit's cache

    keys.shred(data_key=data_key, reason="erasure request")

    stored = DataKey.objects.get(pk=data_key.pk)
    assert (bytes(stored.wrapped_key), stored.is_shredded) == (b"", True)
    loaded = Secret.objects.get(pk=secret.pk)
    assert (loaded.name, loaded.born) == (None, None)
    crypto.clear_key_cache()
    loaded = Secret.objects.get(pk=secret.pk)
    assert (loaded.name, loaded.born) == (None, None)
    assert raw_column(secret.pk, "name") == token
    with pytest.raises(crypto.KeyShredded, match="was shredded"):
        crypto.open_sealed(token, context="testapp.Secret.name")
    assert Secret.objects.get(pk=other.pk).name == AZ_TEXT
    event = AuditEvent.objects.get(action="keys.shred")
    assert (event.object_type, event.object_id, event.details) == ("core.DataKey", str(data_key.pk),
                                                                    {"reason": "erasure request"})

    data_key.refresh_from_db()
    with pytest.raises(crypto.KeyShredded, match="the owner's data key was shredded"), transaction.atomic():
        Secret.objects.create(data_key=data_key, name="new value")
    assert Secret.objects.filter(data_key=data_key).count() == 1


def test_the_blind_index_key_cannot_be_shredded(db: Any) -> None:
    index_key = DataKey.index_key()
    with pytest.raises(crypto.CryptoError, match="cannot be shredded"):
        keys.shred(data_key=index_key)
    index_key.refresh_from_db()
    assert not index_key.is_shredded
    assert not AuditEvent.objects.filter(action="keys.shred").exists()
