"""System checks: the master key must be readable before anything is served."""

from __future__ import annotations

from typing import Any

from django.core import checks


def register() -> None:
    checks.register(check_master_key, "korpu")


def check_master_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from korpu.core import crypto

    try:
        crypto.keyring_from_settings()
    except crypto.CryptoError as exc:
        return [checks.Error(str(exc), id="korpu.E001", hint="See docs/deployment.md, 'Keys'.")]
    return []
