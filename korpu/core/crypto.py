"""Envelope encryption, blind indexes and crypto-shredding (see docs/adr/0003-encryption.md).

* A **master key** (32 bytes, from ``KORPU_MASTER_KEY`` or ``KORPU_MASTER_KEY_FILE``) never touches
  the database. Older master keys may be listed in ``KORPU_MASTER_KEY_PREVIOUS`` while a rotation
  is under way.
* Each record owner (a person) has a **data key** (:class:`korpu.core.models.DataKey`), random 32
  bytes, stored only wrapped (AES-256-GCM) by the master key. Rotating the master key re-wraps data
  keys; the personal data itself is never re-encrypted.
* Values are sealed with AES-256-GCM under the owner's data key. The token names the data key so it
  can be opened without the row that holds it, and the column and key id are bound in as associated
  data, so a ciphertext copied into another column does not open (copied into another row of the same
  column it still opens, under its original owner's key — the database's own integrity protects rows).
* **Shredding** a data key erases its wrapped bytes; every value sealed under it becomes noise.
* **Blind indexes** are keyed HMAC-SHA256 of a normalised value under an index key that is itself a
  wrapped data key, so exact search works without plaintext in the database.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import hmac
import os
import secrets
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from korpu.core.models import DataKey

TOKEN_PREFIX = "k1"
NONCE_BYTES = 12
KEY_BYTES = 32


class CryptoError(Exception):
    """A value could not be sealed or opened."""


class KeyShredded(CryptoError):
    """The data key was destroyed: the value is gone for good."""


class MasterKeyMissing(CryptoError):
    """No master key can open this wrapped data key."""


@dataclass(frozen=True)
class MasterKey:
    key: bytes

    @property
    def key_id(self) -> str:
        """A short public fingerprint, stored beside wrapped keys to say which master key wraps them."""
        return hashlib.sha256(b"korpu-master-key-id" + self.key).hexdigest()[:16]


def decode_master_key(text: str, *, source: str) -> MasterKey:
    """A master key from its base64 text; refuses what is not 32 bytes or is plainly not random."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise CryptoError(f"{source} is not base64 (generate a key with `korpu keys generate`)") from None
    if len(raw) != KEY_BYTES:
        raise CryptoError(f"{source} must be base64 of 32 bytes, not {len(raw)}")
    if len(set(raw)) < 16:  # 32 random bytes have ~25 distinct values; all zeros or a short pattern have few
        raise CryptoError(f"{source} is not random (generate a key with `korpu keys generate`)")
    return MasterKey(raw)


def read_master_key(text: str, file_name: str) -> MasterKey:
    """The master key from ``KORPU_MASTER_KEY`` (``text``), else from the file ``KORPU_MASTER_KEY_FILE``."""
    if text:
        return decode_master_key(text, source="KORPU_MASTER_KEY")
    source = f"KORPU_MASTER_KEY_FILE ({file_name})"
    try:
        content = Path(file_name).read_text()
    except OSError as exc:
        raise CryptoError(f"{source} cannot be read: {exc.strerror}") from None
    return decode_master_key(content, source=source)


def generate_master_key_text() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


@dataclass(frozen=True)
class Keyring:
    """The current master key (wraps new keys) and earlier ones (only unwrap, during rotation)."""

    current: MasterKey
    previous: tuple[MasterKey, ...] = ()

    def by_id(self, key_id: str) -> MasterKey:
        for key in (self.current, *self.previous):
            if key.key_id == key_id:
                return key
        raise MasterKeyMissing(f"no configured master key has id {key_id}")

    def wrap(self, data_key: bytes, *, key_uuid: uuid.UUID) -> tuple[str, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.current.key).encrypt(nonce, data_key, b"korpu-data-key:" + key_uuid.bytes)
        return self.current.key_id, nonce + sealed

    def unwrap(self, key_id: str, wrapped: bytes, *, key_uuid: uuid.UUID) -> bytes:
        master = self.by_id(key_id)
        try:
            return AESGCM(master.key).decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], b"korpu-data-key:" + key_uuid.bytes
            )
        except InvalidTag:
            raise CryptoError("a wrapped data key failed authentication") from None


def keyring_from_settings() -> Keyring:
    from django.conf import settings

    if not settings.MASTER_KEY and not settings.MASTER_KEY_FILE:
        raise CryptoError("no master key configured (KORPU_MASTER_KEY or KORPU_MASTER_KEY_FILE)")
    current = read_master_key(settings.MASTER_KEY, settings.MASTER_KEY_FILE)
    previous = tuple(
        decode_master_key(text, source="KORPU_MASTER_KEY_PREVIOUS") for text in settings.MASTER_KEY_PREVIOUS
    )
    return Keyring(current, previous)


_keyring_override: contextvars.ContextVar[Keyring | None] = contextvars.ContextVar("keyring", default=None)


def get_keyring() -> Keyring:
    override = _keyring_override.get()
    return override if override is not None else _cached_keyring()


@lru_cache(maxsize=1)
def _cached_keyring() -> Keyring:
    return keyring_from_settings()


@contextmanager
def use_keyring(keyring: Keyring) -> Iterator[None]:
    """Run a block (a rotation, a test) under an explicit keyring."""
    token = _keyring_override.set(keyring)
    clear_key_cache()
    try:
        yield
    finally:
        _keyring_override.reset(token)
        clear_key_cache()


# --- unwrapped data keys, cached for one unit of work ------------------------------------------
# The cache lives only as long as one request, command or test (cleared by the request_finished
# signal and by shredding), so a key shredded by one process stops opening in every other process
# from its next request on.
_key_cache: contextvars.ContextVar[dict[uuid.UUID, bytes] | None] = contextvars.ContextVar(
    "key_cache", default=None
)


def clear_key_cache(**_: object) -> None:
    _key_cache.set(None)


def _cache() -> dict[uuid.UUID, bytes]:
    cache = _key_cache.get()
    if cache is None:
        cache = {}
        _key_cache.set(cache)
    return cache


def new_data_key_material() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def data_key_bytes(key_uuid: uuid.UUID, *, data_key: DataKey | None = None) -> bytes:
    cache = _cache()
    if key_uuid in cache:
        return cache[key_uuid]
    from korpu.core.models import DataKey

    if data_key is None:
        try:
            data_key = DataKey.objects.get(pk=key_uuid)
        except DataKey.DoesNotExist:
            raise KeyShredded(f"data key {key_uuid} does not exist") from None
    if data_key.is_shredded:
        raise KeyShredded(f"data key {key_uuid} was shredded")
    raw = get_keyring().unwrap(data_key.master_key_id, bytes(data_key.wrapped_key), key_uuid=key_uuid)
    cache[key_uuid] = raw
    return raw


def remember_data_key(key_uuid: uuid.UUID, raw: bytes) -> None:
    _cache()[key_uuid] = raw


def preload_data_keys(key_uuids: Iterator[uuid.UUID] | list[uuid.UUID]) -> None:
    """Unwrap many data keys with one query, before reading rows that each have their own key (the
    decryption of each row would otherwise look its key up alone). Shredded keys are left out: reading
    their rows fails as before."""
    from korpu.core.models import DataKey

    cache = _cache()
    missing = {k for k in key_uuids if k not in cache}
    if missing:
        for data_key in DataKey.objects.filter(pk__in=missing, shredded_at__isnull=True):
            data_key_bytes(data_key.pk, data_key=data_key)


def forget_data_key(key_uuid: uuid.UUID) -> None:
    _cache().pop(key_uuid, None)


# --- sealing values ------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(plaintext: str, *, key_uuid: uuid.UUID, context: str, data_key: DataKey | None = None) -> str:
    """Encrypt ``plaintext`` under a data key; ``context`` (e.g. ``cases.Person.given_name``) is bound in."""
    key = data_key_bytes(key_uuid, data_key=data_key)
    nonce = os.urandom(NONCE_BYTES)
    aad = f"{context}|{key_uuid}".encode()
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), aad)
    return f"{TOKEN_PREFIX}:{key_uuid.hex}:{_b64(nonce + sealed)}"


def token_key_uuid(token: str) -> uuid.UUID:
    try:
        prefix, key_hex, _body = token.split(":", 2)
        if prefix != TOKEN_PREFIX:
            raise ValueError
        return uuid.UUID(hex=key_hex)
    except ValueError:
        raise CryptoError("not a Körpü ciphertext") from None


def open_sealed(token: str, *, context: str) -> str:
    key_uuid = token_key_uuid(token)
    key = data_key_bytes(key_uuid)
    aad = f"{context}|{key_uuid}".encode()
    try:
        blob = _unb64(token.split(":", 2)[2])
        if len(blob) < NONCE_BYTES + 16:  # nonce + GCM tag: anything shorter was cut off
            raise InvalidTag
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad).decode("utf-8")
    except (InvalidTag, ValueError):  # binascii.Error is a ValueError
        raise CryptoError(f"ciphertext for {context} failed authentication") from None


def seal_bytes(data: bytes, *, key_uuid: uuid.UUID, context: str) -> bytes:
    """Encrypt a file's bytes: ``nonce || ciphertext+tag``; the key id is stored beside it by the caller."""
    key = data_key_bytes(key_uuid)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, f"{context}|{key_uuid}".encode())


def open_bytes(blob: bytes, *, key_uuid: uuid.UUID, context: str) -> bytes:
    key = data_key_bytes(key_uuid)
    if len(blob) < NONCE_BYTES + 16:
        raise CryptoError(f"encrypted file for {context} is truncated")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], f"{context}|{key_uuid}".encode())
    except InvalidTag:
        raise CryptoError(f"encrypted file for {context} failed authentication") from None


# --- blind indexes -----------------------------------------------------------------------------
AZ_FOLD = str.maketrans(
    {
        "ı": "i",
        "ə": "e",
        "ä": "e",
        "ğ": "g",
        "ö": "o",
        "ü": "u",
        "ç": "c",
        "ş": "s",
    }
)


def normalise(value: str) -> str:
    """Fold a value so that spellings a person would call the same give the same blind index.

    Azerbaijani casing first (``İ`` → ``i``, ``I`` → ``ı``), then the Azerbaijani letters are folded to
    their plain Latin base (ə→e, ı→i, ş→s …) so "Əliyev", "ƏLİYEV" and "Eliyev" match; spaces
    collapse, punctuation other than letters and digits is dropped. Transliteration between
    scripts (Алиев ↔ Aliyev) belongs to record linkage, not to exact search.
    """
    text = unicodedata.normalize("NFKC", value).replace("İ", "i").replace("I", "ı").lower()
    text = text.translate(AZ_FOLD)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    return " ".join(words)


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed HMAC of the normalised value; equal for equal inputs, meaningless without the key."""
    from korpu.core.models import DataKey

    key = data_key_bytes(DataKey.index_key().pk)
    digest = hmac.new(key, f"{purpose}\x00{normalise(value)}".encode(), hashlib.sha256).digest()
    return digest[:20].hex()


def blind_indexer() -> Callable[[str, str], str]:
    """:func:`blind_index` with the index key fetched once: ``index(value, purpose)``, for many values
    (an import, record linkage's blocking keys), where one query per value would dominate."""
    from korpu.core.models import DataKey

    key = data_key_bytes(DataKey.index_key().pk)

    def index(value: str, purpose: str) -> str:
        message = f"{purpose}\x00{normalise(value)}".encode()
        return hmac.new(key, message, hashlib.sha256).digest()[:20].hex()

    return index

