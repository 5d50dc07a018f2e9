"""The shared test world: the named cast from ``korpu.accounts.demo`` built through real actions.

``cast["polis"]`` is a police investigator, ``cast["qht1"]`` an NGO case worker in NGO 1,
``cast["qht2"]`` one in NGO 2, and so on (see ``korpu/accounts/demo.py``). ``login_as(username)``
returns a Django test client whose session has passed password and TOTP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from korpu.accounts.demo import build_cast, totp_device
from korpu.core import audit, crypto

PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> Any:
    crypto.clear_key_cache()
    yield
    crypto.clear_key_cache()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Login-failure counters live in the cache; one test's failures must not throttle the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_audit_context() -> Any:
    """`korpu` verbs called in-process set the audit actor to "system"; keep that inside the test."""
    token = audit.set_context(audit.RequestContext())
    yield
    audit.reset_context(token)


@pytest.fixture
def cast(db: Any) -> dict[str, Any]:
    return build_cast(password=PASSWORD)


def verified_client(user: Any, **client_options: Any) -> Client:
    client = Client(**client_options)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return client


@pytest.fixture
def login_as(cast: dict[str, Any]) -> Callable[[str], Client]:
    def make(username: str) -> Client:
        return verified_client(cast[username])

    return make


def current_code(user: Any) -> str:
    from django_otp.oath import totp

    device = totp_device(user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
