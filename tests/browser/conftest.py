"""Real-browser fixtures: one Chromium per session, a fresh context (locale az) per test.

Tests here use pytest-django's ``live_server`` and a transactional database, because the server
thread must see the rows the test writes. Playwright's sync API keeps an event loop running in the
main thread, so Django's "async unsafe" guard is switched off for the ORM calls the tests make.

On failure the page is screenshotted into ``test-artifacts/`` at the repository root. Every page
also reports Content-Security-Policy violations to the console (through an init script, which the
page's CSP does not govern), so a test can assert that none happened.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from korpu.testing.pytest_plugin import CHROMIUM
from tests.conftest import PASSWORD, current_code

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000

# Chromium prints "Refused to ... because it violates the following Content Security Policy directive";
# the init script below adds "CSP violation: ..." for every securitypolicyviolation event.
CSP_PATTERN = re.compile(r"Content Security Policy|CSP violation", re.IGNORECASE)
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


class ConsoleLog:
    """Console messages and uncaught page errors of every page in one browser context."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []  # (type, text, url)

    def attach(self, page: Any) -> None:
        page.on("console", lambda msg: self.entries.append((msg.type, msg.text, page.url)))
        page.on("pageerror", lambda exc: self.entries.append(("pageerror", str(exc), page.url)))

    @property
    def errors(self) -> list[tuple[str, str, str]]:
        return [e for e in self.entries if e[0] in ("error", "pageerror")]

    @property
    def csp_violations(self) -> list[tuple[str, str, str]]:
        return [e for e in self.entries if CSP_PATTERN.search(e[1])]


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Any, console: ConsoleLog) -> Iterator[Any]:
    context = browser.new_context(locale="az", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_REPORTER)
    context.on("page", console.attach)
    page = context.new_page()
    yield page
    failed = any(getattr(request.node, f"rep_{when}", None) is not None
                 and getattr(request.node, f"rep_{when}").failed for when in ("setup", "call"))
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        try:
            page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True)
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"could not save a failure screenshot: {exc}")
    context.close()


@pytest.fixture(autouse=True)
def _clear_login_throttle() -> None:
    """The per-address login throttle lives in the locmem cache, shared with the server thread."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def log_in(live_server: Any, page: Any) -> Callable[..., None]:
    """Pass the password step and, unless ``totp=False``, the TOTP step as ``user``."""

    def do(user: Any, *, totp: bool = True) -> None:
        page.goto(live_server.url + "/account/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(re.compile(r"/account/two-factor/"))
        if totp:
            page.fill("#id_token", current_code(user))
            page.click("button[type=submit].primary")
            page.wait_for_url(live_server.url + "/")

    return do
