"""Master-key rotation and crypto-shredding of data keys (actions of the kernel)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from korpu.core import audit, crypto, linking
from korpu.core.access import Actor
from korpu.core.models import DataKey


def rotate(*, keyring: crypto.Keyring, progress: Callable[[int], None] | None = None, batch: int = 500) -> int:
    """Re-wrap every live data key not yet under ``keyring.current``. Personal data is not touched.

    Idempotent and resumable: a key already under the current master key is skipped, so an
    interrupted rotation is finished by running it again.
    """
    rewrapped = 0
    current_id = keyring.current.key_id
    while True:
        with transaction.atomic():
            keys = list(
                DataKey.objects.select_for_update()
                .filter(shredded_at__isnull=True)
                .exclude(master_key_id=current_id)
                .order_by("pk")[:batch]
            )
            if not keys:
                break
            now = timezone.now()
            for data_key in keys:
                raw = keyring.unwrap(data_key.master_key_id, bytes(data_key.wrapped_key), key_uuid=data_key.pk)
                data_key.master_key_id, data_key.wrapped_key = keyring.wrap(raw, key_uuid=data_key.pk)
                data_key.rotated_at = now
            DataKey.objects.bulk_update(keys, ["master_key_id", "wrapped_key", "rotated_at"])
        rewrapped += len(keys)
        if progress is not None:
            progress(len(keys))
    audit.record("keys.rotate", details={"rewrapped": rewrapped, "master_key_id": current_id})
    return rewrapped


def pending_rotation_count(keyring: crypto.Keyring) -> int:
    return DataKey.objects.filter(shredded_at__isnull=True).exclude(master_key_id=keyring.current.key_id).count()


def rotate_key_file(*, key_file: Path, progress: Callable[[int], None] | None = None) -> tuple[int, Path]:
    """Generate a new master key for a key-file deployment, re-wrap, then install the new file.

    The new key is written to ``<file>.new`` before the database changes, and the old key is kept
    as ``<file>.previous-<timestamp>`` afterwards (backups taken before today still need it).
    """
    old = crypto.decode_master_key(key_file.read_text(), source=str(key_file))
    staged = key_file.with_name(key_file.name + ".new")
    if staged.exists():
        # An earlier run stopped after staging (some data keys may already be wrapped by it): resume
        # with the same new key instead of generating another and losing the staged one.
        new_text = staged.read_text().strip()
    else:
        new_text = crypto.generate_master_key_text()
        _write_secret(staged, new_text)
    new = crypto.decode_master_key(new_text, source=str(staged))
    keyring = crypto.Keyring(new, (old, *crypto.get_keyring().previous))
    with crypto.use_keyring(keyring):
        count = rotate(keyring=keyring, progress=progress)
    kept = key_file.with_name(f"{key_file.name}.previous-{timezone.now():%Y%m%d%H%M%S}")
    os.replace(key_file, kept)
    os.replace(staged, key_file)
    crypto._cached_keyring.cache_clear()
    return count, kept


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def shred(*, data_key: DataKey, by: Actor | None = None, reason: str = "") -> DataKey:
    """Destroy a data key: every value sealed under it becomes unreadable, for good."""
    with transaction.atomic():
        locked = DataKey.objects.select_for_update().get(pk=data_key.pk)
        if locked.purpose == DataKey.Purpose.BLIND_INDEX:
            raise crypto.CryptoError("the blind-index key cannot be shredded")
        locked.wrapped_key = b""
        locked.shredded_at = timezone.now()
        locked.save(update_fields=["wrapped_key", "shredded_at"])
        audit.record("keys.shred", obj=locked, actor=by, details={"reason": reason[:200]})
        linking.forget([locked.pk])  # record linkage's blocking keys of the person go with the key
    crypto.forget_data_key(locked.pk)
    return locked
