"""The shelter tests use the shared case world of ``tests/cases/conftest.py`` (facility_ngo1 with
2 women's beds; facility_ngo2 with 3 women's beds, one taken by case A, and 1 man's bed)."""

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
