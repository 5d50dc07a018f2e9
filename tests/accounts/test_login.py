"""Login over HTTP: password, TOTP, enrolment, lockout, throttling, idle timeout, reset, headers."""

from __future__ import annotations

import base64
import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from korpu.accounts import actions
from korpu.accounts.demo import totp_device
from korpu.accounts.models import Role, User
from korpu.core.access import SYSTEM
from korpu.core.models import AuditEvent
from tests.conftest import PASSWORD, current_code, verified_client

LOCALE = Path(settings.BASE_DIR) / "locale"
LOCKED = ("This account is locked after repeated failed attempts. "
          "Try again later or ask an administrator to unlock it.")
WRONG = "Wrong username or password."
RESET_SENT = "If an account uses that address, a link to set a new password is on its way."


def translated(message: str, language: str = "az") -> str:
    with translation.override(language):
        return gettext(message)


def in_page(message: str, response: Any, language: str = "az") -> bool:
    return escape(translated(message, language)) in response.content.decode()


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """A six-digit code valid for no time step near now (so never accepted within the drift window)."""
    near = {f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=d):06d}"
            for d in range(-5, 6)} | {code_for(device)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def events(action: str, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("seq"))


def password_login(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/account/login/", {"username": username, "password": password}, **extra)


# --- the happy path ----------------------------------------------------------------------------
def test_password_then_totp_reaches_home(cast: dict[str, Any]) -> None:
    client = Client()
    response = password_login(client, "polis")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/?next=/"
    assert client.get("/").status_code == 302  # not yet past TOTP

    page = client.get("/account/two-factor/?next=/")
    assert page.status_code == 200
    assert b"totp-qr" not in page.content

    response = client.post("/account/two-factor/", {"token": current_code(cast["polis"]), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "İnsan Alverinə Qarşı Mübarizə Baş İdarəsi" in home.content.decode()
    polis = User.objects.get(username="polis")
    assert [e.actor_id for e in events("login.password_ok")] == [polis.pk]
    assert [e.actor_id for e in events("login.succeeded")] == [polis.pk]
    assert polis.last_login is not None


def test_the_user_language_is_set_as_a_cookie_at_login(cast: dict[str, Any]) -> None:
    client = Client()
    password_login(client, "qht2")
    assert client.cookies["korpu_language"].value == "ru"


def test_an_outside_next_url_is_ignored(cast: dict[str, Any]) -> None:
    client = Client()
    response = client.post("/account/login/?next=https://evil.example/", {"username": "polis", "password": PASSWORD})
    assert response["Location"] == "/account/two-factor/?next=/"
    response = client.post("/account/two-factor/?next=//evil.example/", {"token": current_code(cast["polis"])})
    assert response["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/organisations/", "/users/", "/audit/", "/account/",
                                  "/organisations/1/"])
def test_a_session_without_totp_is_sent_to_two_factor_from_every_page(cast: dict[str, Any], path: str) -> None:
    client = Client()
    assert password_login(client, "polis").status_code == 302
    before = AuditEvent.objects.count()
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/account/two-factor/?next={path}"
    assert AuditEvent.objects.count() == before


def test_a_session_without_totp_gets_401_from_the_api(cast: dict[str, Any]) -> None:
    client = Client()
    password_login(client, "polis")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


# --- lockout and throttling ----------------------------------------------------------------------
def test_ten_wrong_passwords_lock_the_account(cast: dict[str, Any]) -> None:
    client = Client()
    polis = cast["polis"]
    for attempt in range(1, 10):
        response = password_login(client, "polis", "wrong-password")
        assert response.status_code == 400
        assert in_page(WRONG, response)
        assert User.objects.get(pk=polis.pk).failed_login_count == attempt
    assert not events("account.locked")

    tenth = password_login(client, "polis", "wrong-password")
    assert tenth.status_code == 400
    assert in_page(LOCKED, tenth)

    started = timezone.now()
    eleventh = password_login(client, "polis", PASSWORD)
    assert eleventh.status_code == 400
    assert in_page(LOCKED, eleventh)
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302

    polis.refresh_from_db()
    assert polis.is_locked()
    expected_until = started + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
    assert abs(polis.locked_until - expected_until) < dt.timedelta(seconds=30)
    assert polis.failed_login_count == 0
    [locked] = events("account.locked")
    assert (locked.object_type, locked.object_id, locked.outcome) == ("accounts.User", str(polis.pk), "denied")
    assert locked.details == {"until": polis.locked_until.isoformat(), "reason": "password"}
    assert [e.details["failures"] for e in events("login.failed", object_id=str(polis.pk))] == list(range(1, 11))
    [refused] = events("login.locked")
    assert (refused.object_id, refused.outcome) == (str(polis.pk), "denied")
    assert not events("login.password_ok")


def test_only_a_full_login_resets_the_failure_count(cast: dict[str, Any]) -> None:
    """A right password alone does not clear earlier failures: wrong TOTP codes must still add up."""
    client = Client()
    for _ in range(8):
        password_login(client, "polis", "wrong-password")
    assert password_login(client, "polis").status_code == 302
    assert User.objects.get(username="polis").failed_login_count == 8
    client.post(reverse("accounts:two_factor"), {"token": current_code(cast["polis"])})
    assert User.objects.get(username="polis").failed_login_count == 0
    password_login(Client(), "polis", "wrong-password")
    assert not User.objects.get(username="polis").is_locked()


def test_the_address_throttle(cast: dict[str, Any], settings: Any) -> None:
    settings.ADDRESS_THROTTLE_LIMIT = 5
    client = Client(REMOTE_ADDR="10.1.2.3")
    for i in range(5):
        response = password_login(client, f"nobody{i}", "wrong-password")
        assert response.status_code == 400
        assert in_page(WRONG, response)
    assert not events("login.throttled")

    response = password_login(client, "polis", PASSWORD)
    assert response.status_code == 400
    with translation.override("az"):
        message = gettext("Too many failed attempts from your address. Try again in %(minutes)d minutes.") % {
            "minutes": settings.ADDRESS_THROTTLE_MINUTES}
    assert escape(message) in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A forged X-Forwarded-For does not get round it: the header is trusted only behind a proxy.
    assert password_login(client, "polis", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 400

    throttled = events("login.throttled")
    assert [(e.ip_address, e.outcome, e.details) for e in throttled] == [
        ("10.1.2.3", "denied", {"username": "polis"}), ("10.1.2.3", "denied", {"username": "polis"})]
    assert User.objects.get(username="polis").failed_login_count == 0
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert password_login(other, "polis", PASSWORD).status_code == 302


def test_wrong_totp_codes_count_towards_lockout(cast: dict[str, Any], settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    polis = cast["polis"]
    device = totp_device(polis)
    client = Client()
    assert password_login(client, "polis").status_code == 302
    bad = wrong_code(device)
    for attempt in range(1, 10):
        response = client.post("/account/two-factor/", {"token": bad})
        assert response.status_code == 400
        assert in_page("That code is not right. Check your device's clock and try again.", response)
        assert User.objects.get(pk=polis.pk).failed_login_count == attempt
    response = client.post("/account/two-factor/", {"token": bad})
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert "_auth_user_id" not in client.session
    assert in_page(LOCKED, client.get("/account/login/"))
    polis.refresh_from_db()
    assert polis.is_locked()
    [locked] = events("account.locked")
    assert locked.details["reason"] == "totp"
    assert [e.details["reason"] for e in events("login.failed")] == ["totp"] * 10
    # Locked now: the right password and then the right code both fail.
    response = password_login(client, "polis")
    assert response.status_code == 400
    assert in_page(LOCKED, response)
    assert not events("login.succeeded")


def test_wrong_totp_codes_count_towards_the_address_throttle(cast: dict[str, Any], settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.ADDRESS_THROTTLE_LIMIT = 5
    client = Client(REMOTE_ADDR="10.4.4.4")
    assert password_login(client, "polis").status_code == 302
    bad = wrong_code(totp_device(cast["polis"]))
    for _ in range(5):
        assert client.post("/account/two-factor/", {"token": bad}).status_code == 400
    response = client.post("/account/two-factor/", {"token": current_code(cast["polis"])})
    assert response.status_code == 400
    with translation.override("az"):
        message = gettext("Too many failed attempts from your address. Try again in %(minutes)d minutes.") % {
            "minutes": settings.ADDRESS_THROTTLE_MINUTES}
    assert escape(message) in response.content.decode()
    assert [(e.ip_address, e.details) for e in events("two_factor.throttled")] == [("10.4.4.4", {"reason": "address"})]
    assert not events("login.succeeded")


def test_django_otp_throttles_rapid_wrong_codes(cast: dict[str, Any]) -> None:
    polis = cast["polis"]
    client = Client()
    password_login(client, "polis")
    bad = wrong_code(totp_device(polis))
    assert client.post("/account/two-factor/", {"token": bad}).status_code == 400
    response = client.post("/account/two-factor/", {"token": current_code(polis)})
    assert response.status_code == 400
    assert in_page("Too many wrong codes. Wait a minute and try again.", response)
    assert [e.outcome for e in events("two_factor.throttled")] == ["denied"]
    assert not events("login.succeeded")


# --- enrolment ------------------------------------------------------------------------------------
def test_enrolment_shows_an_inline_qr_and_confirms_the_device(cast: dict[str, Any], settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = actions.user_create(by=SYSTEM, username="yeni", email="yeni@example.org", full_name="Yeni İşçi",
                               organisation=cast["police"], role=Role.POLICE_INVESTIGATOR, password=PASSWORD,
                               send_invitation=False)
    client = Client()
    assert password_login(client, "yeni").status_code == 302
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    figure = re.search(r'<figure class="qr" data-testid="totp-qr">(.*?)<figcaption>', html, re.S)
    assert figure is not None
    assert figure.group(1).lstrip().startswith("<svg")
    assert "<img" not in figure.group(1) and "http" not in figure.group(1).replace("http://www.w3.org", "")
    [device] = TOTPDevice.objects.filter(user=user)
    assert not device.confirmed
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'data-testid="totp-secret">([^<]+)<', html)
    assert shown is not None and shown.group(1).replace(" ", "") == secret
    assert client.get("/account/two-factor/").status_code == 200
    assert TOTPDevice.objects.filter(user=user).count() == 1  # the same device, not a new secret

    response = client.post("/account/two-factor/", {"token": wrong_code(device)})
    assert response.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post("/account/two-factor/", {"token": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert [e.actor_id for e in events("two_factor.enrolled")] == [user.pk]
    assert client.get("/").status_code == 200


# --- idle timeout, logout --------------------------------------------------------------------------
def _age_session(client: Client, minutes: int) -> None:
    session = client.session
    session["korpu_last_seen"] = int(time.time()) - minutes * 60
    session.save()


def test_an_idle_session_is_logged_out(cast: dict[str, Any]) -> None:
    client = verified_client(cast["polis"])
    assert client.get("/").status_code == 200
    _age_session(client, settings.SESSION_IDLE_MINUTES + 1)
    response = client.get("/organisations/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/organisations/"
    [logout] = events("logout")
    assert (logout.actor_id, logout.details) == (cast["polis"].pk, {"reason": "idle"})
    assert "_auth_user_id" not in client.session
    login_page = client.get(response["Location"])
    assert in_page("You were logged out after a period of inactivity.", login_page)
    assert client.get("/")["Location"] == "/account/login/?next=/"


def test_a_session_used_within_the_idle_window_stays(cast: dict[str, Any]) -> None:
    client = verified_client(cast["polis"])
    assert client.get("/").status_code == 200
    _age_session(client, settings.SESSION_IDLE_MINUTES - 1)
    assert client.get("/organisations/").status_code == 200
    assert not events("logout")


def test_the_last_seen_time_is_stored_at_most_once_a_minute(cast: dict[str, Any]) -> None:
    client = verified_client(cast["polis"])
    assert client.get("/").status_code == 200
    session = client.session
    session["korpu_last_seen"] = seen = int(time.time()) - 10
    session.save()
    assert client.get("/organisations/").status_code == 200
    assert client.session["korpu_last_seen"] == seen  # 10 s ago: the session is not written again
    _age_session(client, 2)
    assert client.get("/organisations/").status_code == 200
    assert client.session["korpu_last_seen"] >= int(time.time()) - 5


def test_a_next_address_with_a_query_string_survives_login_and_two_factor(cast: dict[str, Any]) -> None:
    client = Client()
    target = "/cases/?status=Active&gender=Feminine"
    response = client.get(target)
    assert response["Location"] == "/account/login/?next=/cases/%3Fstatus%3DActive%26gender%3DFeminine"
    response = client.post(response["Location"], {"username": "polis", "password": PASSWORD})
    assert response["Location"] == "/account/two-factor/?next=/cases/%3Fstatus%3DActive%26gender%3DFeminine"
    response = client.post(response["Location"], {"token": current_code(cast["polis"])})
    assert response["Location"] == target


def test_logout_requires_post(cast: dict[str, Any]) -> None:
    client = verified_client(cast["polis"])
    assert client.get("/account/logout/").status_code == 405
    assert client.get("/").status_code == 200
    assert not events("logout")
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert [e.details for e in events("logout")] == [{"reason": "user"}]
    assert client.get("/")["Location"] == "/account/login/?next=/"


# --- password reset ---------------------------------------------------------------------------
def _reset_link(message: Any) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/account/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def test_password_reset_by_email(cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    user = cast["qht2"]  # works in Russian
    client = Client(HTTP_ACCEPT_LANGUAGE="az")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password-reset/", {"email": "QHT2@example.org"}, follow=True)
    assert response.redirect_chain == [("/account/login/", 302)]
    assert in_page(RESET_SENT, response)
    [message] = mail.outbox
    assert message.to == ["qht2@example.org"]
    assert message.subject == translated("Reset your Körpü password", "ru") == "Сброс пароля в Körpü"
    assert user.full_name in message.body
    with translation.override("ru"):
        assert gettext("The link works once and expires in %(hours)s hours. If you did not expect this "
                       "message, ignore it.") % {"hours": 2} in message.body
    assert [e.details for e in events("password.reset_requested")] == [{"matched": 1}]

    link = _reset_link(message)
    assert client.get(link).status_code == 200
    new_password = "Yeni-Parol-Gence-2031"
    response = client.post(link, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert not user.check_password(PASSWORD)
    assert [e.actor_id for e in events("password.set")] == [user.pk]

    for method in (client.get, client.post):
        reused = method(link, {"password1": "Other-Parol-Gence-77", "password2": "Other-Parol-Gence-77"})
        assert reused.status_code == 400
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert len(events("password.set")) == 1
    assert password_login(Client(), "qht2", new_password).status_code == 302


def test_password_reset_rejects_a_weak_or_mismatched_password(cast: dict[str, Any],
                                                              django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/account/password-reset/", {"email": "polis@example.org"})
    link = _reset_link(mail.outbox[0])
    client = Client()
    assert client.post(link, {"password1": "short", "password2": "short"}).status_code == 200
    assert client.post(link, {"password1": "Yeni-Parol-Gence-2031", "password2": "Yeni-Parol-Gence-2032"}
                       ).status_code == 200
    assert User.objects.get(username="polis").check_password(PASSWORD)
    assert not events("password.set")


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
        cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/account/password-reset/", {"email": "polis@example.org"}, follow=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post("/account/password-reset/", {"email": "nobody@example.org"}, follow=True)
    assert unknown.redirect_chain == known.redirect_chain == [("/account/login/", 302)]
    assert in_page(RESET_SENT, unknown)
    assert [str(m) for m in unknown.context["messages"]] == [str(m) for m in known.context["messages"]]
    assert mail.outbox == []
    assert [e.details for e in events("password.reset_requested")] == [{"matched": 1}, {"matched": 0}]


def test_password_reset_requests_are_limited_per_address(
        cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    client = Client(REMOTE_ADDR="10.5.5.5")
    for _ in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/account/password-reset/", {"email": "polis@example.org"}, follow=True)
        assert in_page(RESET_SENT, response)  # the same answer every time
    assert len(mail.outbox) == 5
    assert len(events("password.reset_requested")) == 5
    assert [e.outcome for e in events("password.reset_throttled")] == ["denied", "denied"]


def test_a_forged_reset_link_is_refused(cast: dict[str, Any]) -> None:
    response = Client().get(f"/account/reset/{base64.urlsafe_b64encode(str(cast['polis'].pk).encode()).decode()}"
                            "/abc-123/")
    assert response.status_code == 400
    assert Client().get("/account/reset/!!!/abc-123/").status_code == 400


# --- headers and markup ------------------------------------------------------------------------
def test_security_headers_on_the_login_page(db: Any) -> None:
    response = Client().get("/account/login/")
    assert response.status_code == 200
    policy = {
        part.split()[0]: part.split()[1:]
        for part in (p.strip() for p in response["Content-Security-Policy"].split(";")) if part
    }
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=()"


@pytest.mark.parametrize("path", ["/account/login/", "/account/password-reset/", "/account/two-factor/", "/"])
def test_pages_carry_no_inline_script(cast: dict[str, Any], path: str) -> None:
    client = verified_client(cast["polis"]) if path == "/" else Client()
    if path == "/account/two-factor/":
        password_login(client, "polis")
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I)
    assert scripts  # the page does load its scripts
    for attributes, body in scripts:
        assert re.search(r'\ssrc="/static/', attributes), attributes
        assert body.strip() == ""
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert "javascript:" not in html.lower()
