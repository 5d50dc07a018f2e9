"""The login story in a real Chromium: password, TOTP, enrolment, lockout, language, htmx under CSP, phone.

Run with ``pytest tests/browser``; skipped (with the reason) where Chromium or playwright is missing.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from korpu.core.models import AuditEvent
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEPARTMENT = "İnsan Alverinə Qarşı Mübarizə Baş İdarəsi"
LOCK_MESSAGE = ("This account is locked after repeated failed attempts. "
                "Try again later or ask an administrator to unlock it.")


def in_language(language: str, message: str, **values: Any) -> str:
    """A message as Django renders it in ``language`` (the msgid itself where no catalogue has it)."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def chain_holds(language: str, n: int) -> str:
    with translation.override(language):
        return translation.ngettext("The chain holds: %(n)s event checked.",
                                    "The chain holds: %(n)s events checked.", n) % {"n": n}


def path_of(page: Any) -> str:
    return urlparse(page.url).path


def html_lang(page: Any) -> str | None:
    return page.locator("html").get_attribute("lang")


def assert_no_csp_violations(console: Any) -> None:
    assert console.csp_violations == [], f"CSP violations: {console.csp_violations}"


def is_verify_post(response: Any) -> bool:
    return response.url.endswith("/audit/verify/") and response.request.method == "POST"


def submit(page: Any) -> None:
    """Click the page's primary submit button and wait for the response page to load."""
    with page.expect_navigation():
        page.click("button[type=submit].primary")


def test_investigator_logs_in_and_switches_language(live_server, page, cast, console, log_in):
    polis = cast["polis"]
    page.goto(live_server.url + "/account/login/")
    assert html_lang(page) == "az"
    assert page.get_by_test_id("lang-az").get_attribute("aria-current") == "true"

    page.fill("#id_username", "polis")
    page.fill("#id_password", PASSWORD)
    submit(page)
    assert path_of(page) == "/account/two-factor/"
    page.fill("#id_token", current_code(polis))
    submit(page)

    assert path_of(page) == "/"
    expect(page.locator("main")).to_contain_text(DEPARTMENT)
    expect(page.locator("h1")).to_contain_text(polis.full_name)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    heading_az = page.locator("h1").inner_text()
    nav_az = page.locator("nav.mainnav").inner_text()
    with page.expect_navigation():
        page.get_by_test_id("lang-ru").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert path_of(page) == "/"
    assert page.get_by_test_id("lang-ru").get_attribute("aria-current") == "true"
    welcome_ru = in_language("ru", "Welcome, %(name)s", name=polis.full_name)
    welcome_az = in_language("az", "Welcome, %(name)s", name=polis.full_name)
    if welcome_ru != welcome_az:  # korpu/locale/ru translates the heading: the page must show it
        expect(page.locator("h1")).to_have_text(welcome_ru)
        assert page.locator("h1").inner_text() != heading_az
    home_ru, home_az = in_language("ru", "Home"), in_language("az", "Home")
    if home_ru != home_az:
        assert page.locator("nav.mainnav").inner_text() != nav_az
        expect(page.locator("nav.mainnav")).to_contain_text(home_ru)
    polis.refresh_from_db()
    assert polis.language == "ru"  # the choice is kept in the profile, not just the cookie

    with page.expect_navigation():
        page.get_by_test_id("lang-az").click()
    expect(page.locator("html")).to_have_attribute("lang", "az")
    expect(page.locator("h1")).to_have_text(heading_az)
    expect(page.locator("main")).to_contain_text(DEPARTMENT)
    assert_no_csp_violations(console)


def test_without_totp_every_page_leads_to_two_factor(live_server, page, cast, log_in):
    log_in(cast["polis"], totp=False)
    for path in ("/", "/organisations/", "/account/", "/audit/", "/users/"):
        page.goto(live_server.url + path)
        assert path_of(page) == "/account/two-factor/", f"{path} reached {page.url}"
        assert parse_qs(urlparse(page.url).query).get("next") == [path]
        expect(page.locator("#id_token")).to_be_visible()
        expect(page.locator("nav.mainnav")).to_have_count(0)
        expect(page.locator("main")).not_to_contain_text(DEPARTMENT)


def test_first_login_enrols_a_totp_device(live_server, page, cast, log_in):
    polis = cast["polis"]
    TOTPDevice.objects.filter(user=polis).delete()
    log_in(polis, totp=False)

    qr = page.get_by_test_id("totp-qr")
    expect(qr.locator("svg")).to_be_visible()
    secret_text = page.get_by_test_id("totp-secret").inner_text()
    device = TOTPDevice.objects.get(user=polis, confirmed=False)
    assert secret_text.replace(" ", "") == base64.b32encode(device.bin_key).decode().rstrip("=")

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.fill("#id_token", f"{code:06d}")
    submit(page)

    assert path_of(page) == "/"
    expect(page.locator("main")).to_contain_text(DEPARTMENT)
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="two_factor.enrolled", object_id=str(polis.pk)).exists()


def test_ten_wrong_passwords_lock_the_account(live_server, page, cast, settings):
    polis = cast["polis"]
    threshold = settings.LOCKOUT_THRESHOLD  # ten by default
    page.goto(live_server.url + "/account/login/")
    wrong = in_language("az", "Wrong username or password.")
    locked = in_language("az", LOCK_MESSAGE)
    for attempt in range(1, threshold + 1):
        page.fill("#id_username", "polis")
        page.fill("#id_password", f"not-the-password-{attempt}")
        submit(page)
        assert path_of(page) == "/account/login/"
        expect(page.locator(".errors")).to_contain_text(locked if attempt == threshold else wrong)

    page.fill("#id_username", "polis")
    page.fill("#id_password", PASSWORD)
    submit(page)
    assert path_of(page) == "/account/login/"
    expect(page.locator(".errors")).to_have_text(locked)
    polis.refresh_from_db()
    assert polis.is_locked()
    assert AuditEvent.objects.filter(action="account.locked", object_id=str(polis.pk)).exists()
    assert AuditEvent.objects.filter(action="login.locked", object_id=str(polis.pk)).exists()
    assert not AuditEvent.objects.filter(action="login.password_ok", object_id=str(polis.pk)).exists()


def test_auditor_verifies_the_chain_with_htmx_under_csp(live_server, page, cast, console, log_in):
    log_in(cast["auditor"])
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("login.succeeded")
    expect(table.locator("tbody tr").first).to_be_visible()
    assert table.locator("tbody tr").count() > 1

    scripts = page.eval_on_selector_all("script", "els => els.map(e => ({src: e.src, inline: !e.src}))")
    assert scripts, "no scripts on the page"
    static = live_server.url + "/static/"
    assert all(not s["inline"] and s["src"].startswith(static) for s in scripts), scripts
    page.wait_for_function("() => typeof window.htmx === 'object' && typeof window.htmx.ajax === 'function'")

    page.evaluate("() => { window.__sameDocument = true; }")
    events_before = AuditEvent.objects.count()
    result = page.locator("#verify-result")
    expect(result).to_be_empty()
    with page.expect_response(is_verify_post) as info:
        page.get_by_role("button", name=in_language("az", "Verify the chain")).click()
    assert info.value.status == 200
    expect(result.locator("p.ok")).to_have_text(chain_holds("az", events_before))
    assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded"
    assert AuditEvent.objects.filter(action="audit.verify", outcome=AuditEvent.Outcome.OK).exists()

    # The audit log page (htmx filters) and the directory under the same CSP.
    page.goto(live_server.url + "/audit/")
    expect(page.get_by_test_id("audit-table")).to_contain_text("audit.verify")
    page.goto(live_server.url + "/organisations/")
    expect(page.locator("main")).to_contain_text(DEPARTMENT)
    assert_no_csp_violations(console)
    assert console.errors == [], f"console errors: {console.errors}"


@pytest.mark.parametrize("username", ["polis", "auditor", "admin"])
def test_phone_layout_has_no_horizontal_scroll(live_server, page, cast, console, log_in, username):
    page.set_viewport_size({"width": 390, "height": 844})
    fits = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
    widths = "() => [document.documentElement.scrollWidth, window.innerWidth]"

    page.goto(live_server.url + "/account/login/")
    assert page.evaluate(fits), f"login page scrolls sideways: {page.evaluate(widths)}"

    log_in(cast[username])
    expect(page.locator("main")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-phone-{username}.png"), full_page=True)
    assert page.evaluate(fits), f"home page of {username} scrolls sideways: {page.evaluate(widths)}"
    assert_no_csp_violations(console)



def test_the_api_docs_page_runs_under_the_csp(live_server: Any, page: Any, console: Any) -> None:
    """Swagger UI is served from the package (no CDN) and renders the schema without a CSP violation."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Körpü API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/me").count() >= 1
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested
    assert console.csp_violations == []
    assert console.errors == []
