"""The bed board on a phone, in a real Chromium: one card per shelter, no sideways scrolling, and the
numbers follow an admission by themselves (htmx polling, under the CSP)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from korpu.core.access import SYSTEM
from korpu.shelters import actions
from korpu.shelters.models import BedCategory
from tests.browser.conftest import ARTIFACTS, CSP_REPORTER, ConsoleLog
from tests.cases.conftest import FULL_CONSENT, register
from tests.conftest import PASSWORD, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Any:
    """A phone-sized page (390 × 844, touch), with its console recorded."""
    context = browser.new_context(locale="az", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_REPORTER)
    console = ConsoleLog()
    context.on("page", console.attach)
    page = context.new_page()
    yield page, console
    context.close()


def log_in(page: Any, base: str, user: Any) -> None:
    page.goto(base + "/account/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/account/two-factor/"))
    page.fill("#id_token", current_code(user))
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")


def test_bed_board_on_a_phone_follows_admissions(cast, live_server, phone):
    page, console = phone
    facility = actions.facility_create(by=SYSTEM, operator=cast["ngo2"], name="Həyat Evi", region="Gəncə",
                                       address="secret street 2",
                                       capacities={BedCategory.WOMEN: 2, BedCategory.MEN: 1})
    log_in(page, live_server.url, cast["siginacaq2"])
    page.goto(live_server.url + "/beds/")
    board = page.get_by_test_id("bed-board")
    row = board.locator(f'tr[data-facility="{facility.pk}"]')
    women = row.locator('td[data-category="women"]')
    expect(women).to_have_text("2 / 2")
    expect(page.get_by_test_id("free-total")).to_have_text("3 / 3")
    # A card per shelter: the header row is hidden, each cell is labelled, nothing scrolls sideways.
    expect(board.locator("thead")).to_be_hidden()
    label = women.get_attribute("data-label")  # "Women" in the manager's language
    assert label and page.evaluate("e => getComputedStyle(e, '::before').content",
                                   women.element_handle()) == f'"{label}"'
    expect(row.locator("td.none").first).to_be_hidden()  # categories this shelter does not have
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert "secret street" not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "bed-board-phone.png"), full_page=True)

    # Someone admits a woman elsewhere; the open board shows it at its next refresh (every 30 s).
    case = register(cast["qht2"], "Aynur", "Sınaqlı", consent=FULL_CONSENT)
    actions.admission_create(by=cast["siginacaq2"], case=case, facility=facility, category=BedCategory.WOMEN)
    expect(women).to_have_text("1 / 2", timeout=40_000)
    expect(page.get_by_test_id("free-total")).to_have_text("2 / 3")
    assert console.csp_violations == [] and console.errors == []
