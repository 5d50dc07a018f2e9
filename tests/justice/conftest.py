"""The justice tests use the shared case world of ``tests/cases/conftest.py`` (investigation
CR-144-2025-0077 of the police, article 144-1, linked to case A, with one prosecution of 2 defendants)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.cases.conftest import world  # noqa: F401 - the shared world fixture
from tests.shelters.helpers import english


@pytest.fixture
def login_en(login_as: Callable[[str], Client]) -> Callable[[str], Client]:
    """``login_as`` with the interface in English (new strings are not translated yet in tests)."""
    return lambda username: english(login_as(username))
