"""Fixtures of the engagement tests: English-speaking clients (new texts are asserted in English,
whatever the catalogues hold yet) and a coalition of two members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from korpu.engagement import actions


@pytest.fixture
def login_en(login_as: Callable[[str], Client]) -> Callable[[str], Client]:
    """``login_as`` with the interface in English (the language cookie)."""

    def make(username: str) -> Client:
        client = login_as(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def anonymous_en(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def coalition(cast: dict[str, Any]) -> dict[str, Any]:
    """NGO 1 (the chair) and NGO 2 are members; NGO 3 is not."""
    coordinator = cast["koalisiya"]
    actions.member_save(by=coordinator, organisation=cast["ngo1"], joined_on=dt.date(2010, 3, 1), is_chair=True,
                        services=["shelter", "legal_aid"], regions=["baku", "absheron_khizi"])
    actions.member_save(by=coordinator, organisation=cast["ngo2"], joined_on=dt.date(2012, 6, 15),
                        services=["vocational"], regions=["ganja_dashkasan"])
    return cast
