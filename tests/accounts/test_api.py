"""The JSON API: schema and docs, authentication, error language and the API-token lifecycle."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from korpu.accounts import actions
from korpu.accounts.demo import ORGANISATIONS, totp_device
from korpu.accounts.models import ApiToken, User
from korpu.core.models import AuditEvent
from tests.conftest import verified_client

UNAUTHENTICATED = {
    "az": "Autentifikasiya tələb olunur: iki mərhələli autentifikasiya ilə daxil olun "
          "və ya etibarlı API tokeni göndərin.",
    "ru": "Требуется аутентификация: войдите с двухфакторной аутентификацией или "
          "передайте действительный API-токен.",
    "en": "Authentication required: log in with two-factor or send a valid API token.",
}
NOT_FOUND = {"az": "Tapılmadı.", "ru": "Не найдено.", "en": "Not found."}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def csrf_client(user: User) -> tuple[Client, str]:
    """A verified browser session that, like a browser, must send the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    assert client.get("/account/").status_code == 200
    return client, client.cookies["csrftoken"].value


def assert_unauthenticated(response: Any, language: str = "az") -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": UNAUTHENTICATED[language]}


# --- schema and docs -----------------------------------------------------------------------------
def test_the_openapi_schema_lists_the_operations(db: Any) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Körpü API"
    assert {"/api/v1/me", "/api/v1/organisations", "/api/v1/organisations/{organisation_id}", "/api/v1/tokens",
            "/api/v1/tokens/{token_id}/revoke"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/tokens"]) == {"get", "post"}
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["VerifiedSessionAuth"]["in"] == "cookie"


def test_the_docs_page_renders_without_inline_script(db: Any) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assert "/api/v1/openapi.json" in html
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes
        if "src=" in attributes:
            assert body.strip() == ""


# --- authentication and error language -------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/organisations", "/api/v1/tokens"])
def test_unauthenticated_calls_get_401_json_in_azerbaijani(db: Any, path: str) -> None:
    assert_unauthenticated(Client().get(path), "az")


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_the_401_message_follows_accept_language(db: Any, language: str) -> None:
    response = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE=language)
    assert_unauthenticated(response, language)
    assert response["Content-Language"] == language


def test_a_session_that_has_not_passed_totp_gets_401(cast: dict[str, Any]) -> None:
    client = Client()
    client.force_login(cast["polis"])
    assert_unauthenticated(client.get("/api/v1/me"))
    assert_unauthenticated(client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json"))
    assert not ApiToken.objects.exists()


def test_a_verified_session_reads_the_api(cast: dict[str, Any]) -> None:
    polis, police = cast["polis"], cast["police"]
    response = verified_client(polis).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": polis.pk, "username": "polis", "full_name": "Rəşad Əliyev", "email": "polis@example.org",
        "language": "az",
        "memberships": [{"organisation_id": police.pk, "organisation": police.name,
                         "role": "police_investigator", "role_label": "Polis müstəntiqi"}],
    }


def test_an_idle_session_is_logged_out_of_the_api(cast: dict[str, Any]) -> None:
    client = verified_client(cast["polis"])
    session = client.session
    session["korpu_last_seen"] = int(time.time()) - 24 * 3600
    session.save()
    assert_unauthenticated(client.get("/api/v1/me"))
    assert [e.details for e in AuditEvent.objects.filter(action="logout")] == [{"reason": "idle"}]


def test_garbage_bearer_tokens_are_refused(cast: dict[str, Any]) -> None:
    _token, plaintext = actions.api_token_create(user=cast["polis"], name="real", days=5)
    for token in ("nonsense", "kpt_", plaintext[:-1], plaintext + "x", plaintext.upper(), "kpt_" + "a" * 43):
        assert_unauthenticated(Client().get("/api/v1/me", **bearer(token)))
    assert ApiToken.objects.get().last_used_at is None


# --- the token lifecycle -----------------------------------------------------------------------
def _token_row_values(token: ApiToken) -> list[str]:
    return [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]


def test_token_lifecycle_through_the_web_page(cast: dict[str, Any]) -> None:
    polis = cast["polis"]
    client = verified_client(polis)
    started = timezone.now()
    response = client.post("/account/", {"name": "Hesabat skripti", "days": 30})
    assert response.status_code == 200
    shown = re.search(r'data-testid="new-token">(kpt_[A-Za-z0-9_-]+)<', response.content.decode())
    assert shown is not None
    plaintext = shown.group(1)
    assert len(plaintext) == 4 + 43

    token = ApiToken.objects.get(user=polis)
    assert (token.name, token.token_prefix, token.token_hash) == (
        "Hesabat skripti", plaintext[:12], hashlib.sha256(plaintext.encode()).hexdigest())
    assert abs(token.expires_at - (started + dt.timedelta(days=30))) < dt.timedelta(seconds=30)
    assert not any(plaintext in value or plaintext[12:] in value for value in _token_row_values(token))
    assert plaintext not in client.get("/account/").content.decode()  # shown once only

    me = Client().get("/api/v1/me", **bearer(plaintext))
    assert me.status_code == 200
    assert me.json()["username"] == "polis"
    token.refresh_from_db()
    assert token.last_used_at is not None

    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_unauthenticated(Client().get("/api/v1/me", **bearer(plaintext)))
    assert list(AuditEvent.objects.filter(action__startswith="api_token.").values_list(
        "action", "actor_id", "object_id")) == [
        ("api_token.create", polis.pk, str(token.pk)), ("api_token.revoke", polis.pk, str(token.pk))]


def test_token_lifecycle_through_the_api(cast: dict[str, Any]) -> None:
    polis = cast["polis"]
    client, csrf = csrf_client(polis)
    refused = client.post("/api/v1/tokens", {"name": "ci", "days": 10}, content_type="application/json")
    assert refused.status_code == 403
    assert not ApiToken.objects.exists()

    response = client.post("/api/v1/tokens", {"name": "ci", "days": 10}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201
    body = response.json()
    plaintext = body["token"]
    token = ApiToken.objects.get()
    assert (body["id"], body["name"], body["token_prefix"], body["revoked_at"]) == (
        token.pk, "ci", plaintext[:12], None)
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert not any(plaintext in value for value in _token_row_values(token))

    listed = Client().get("/api/v1/tokens", **bearer(plaintext))
    assert listed.status_code == 200
    assert [(t["id"], t["name"]) for t in listed.json()] == [(token.pk, "ci")]
    assert "token" not in listed.json()[0]
    organisations = Client().get("/api/v1/organisations", **bearer(plaintext))
    assert [o["name"] for o in organisations.json()] == sorted(spec.name for spec in ORGANISATIONS)

    revoked = Client().post(f"/api/v1/tokens/{token.pk}/revoke", **bearer(plaintext))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert_unauthenticated(Client().get("/api/v1/me", **bearer(plaintext)))


def test_a_token_longer_than_allowed_is_refused(cast: dict[str, Any], settings: Any) -> None:
    client, csrf = csrf_client(cast["polis"])
    response = client.post("/api/v1/tokens", {"name": "ci", "days": settings.API_TOKEN_MAX_DAYS + 1},
                           content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 422
    assert response.json() == {
        "detail": f"Tokenin qüvvədə olma müddəti 1 ilə {settings.API_TOKEN_MAX_DAYS} gün arasında olmalıdır."}
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused(cast: dict[str, Any]) -> None:
    token, plaintext = actions.api_token_create(user=cast["polis"], name="short", days=1)
    assert Client().get("/api/v1/me", **bearer(plaintext)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_unauthenticated(Client().get("/api/v1/me", **bearer(plaintext)))


def test_a_deactivated_users_token_is_refused(cast: dict[str, Any]) -> None:
    polis = cast["polis"]
    token, plaintext = actions.api_token_create(user=polis, name="x", days=10)
    assert Client().get("/api/v1/me", **bearer(plaintext)).status_code == 200
    User.objects.filter(pk=polis.pk).update(is_active=False)  # even if the token itself was not revoked
    assert_unauthenticated(Client().get("/api/v1/me", **bearer(plaintext)))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_speaks_its_owners_language(cast: dict[str, Any]) -> None:
    _token, plaintext = actions.api_token_create(user=cast["qht2"], name="x", days=10)
    me = Client().get("/api/v1/me", **bearer(plaintext))
    assert me.json()["memberships"][0]["role_label"] == "Социальный работник НПО"
    missing = Client().get("/api/v1/organisations/999999", **bearer(plaintext))
    assert (missing.status_code, missing.json()) == (404, {"detail": NOT_FOUND["ru"]})
    english = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en", **bearer(plaintext))
    assert english.json()["memberships"][0]["role_label"] == "NGO case worker"


def test_another_users_token_cannot_be_revoked(cast: dict[str, Any]) -> None:
    foreign, foreign_plaintext = actions.api_token_create(user=cast["qht1"], name="qht1", days=10)
    _own, plaintext = actions.api_token_create(user=cast["polis"], name="polis", days=10)
    before = AuditEvent.objects.count()

    response = Client().post(f"/api/v1/tokens/{foreign.pk}/revoke", **bearer(plaintext))
    assert (response.status_code, response.json()) == (404, {"detail": NOT_FOUND["az"]})
    assert verified_client(cast["polis"]).post(f"/account/tokens/{foreign.pk}/revoke/").status_code == 404

    foreign.refresh_from_db()
    assert foreign.revoked_at is None
    assert AuditEvent.objects.count() == before
    assert Client().get("/api/v1/me", **bearer(foreign_plaintext)).json()["username"] == "qht1"
    listed = Client().get("/api/v1/tokens", **bearer(plaintext)).json()
    assert [t["name"] for t in listed] == ["polis"]


# --- every error is JSON, in the caller's language ------------------------------------------------
def test_a_session_post_without_csrf_gets_a_json_403(cast: dict[str, Any]) -> None:
    client = verified_client(cast["polis"], enforce_csrf_checks=True)
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json() == {"detail": "The CSRF check failed: with a browser session send the X-CSRFToken "
                                         "header, or use an API token."}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/cases/1/nothing", "/api/v2/me", "/api/"])
def test_unknown_api_paths_get_a_json_404(db: Any, path: str) -> None:
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_wrong_method_gets_a_json_405(cast: dict[str, Any]) -> None:
    response = verified_client(cast["polis"]).delete("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response.json() == {"detail": "This method is not allowed here."}
    assert "GET" in response["Allow"]


def test_schema_errors_are_explained_per_field(cast: dict[str, Any]) -> None:
    client = verified_client(cast["polis"])
    response = client.post("/api/v1/tokens", {"days": "many"}, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The request is not valid."
    messages = {tuple(e["loc"])[-1]: e["msg"] for e in body["errors"]}
    assert messages == {"name": "This field is required.", "days": "Enter a whole number."}
