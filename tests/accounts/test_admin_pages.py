"""Account administration pages, refusals for every other role, and the organisation directory."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from korpu.accounts import actions
from korpu.accounts.demo import ORGANISATIONS, USERS
from korpu.accounts.models import ApiToken, Membership, Organisation, Role, User
from korpu.core import access
from korpu.core.access import SYSTEM
from korpu.core.models import AuditEvent
from tests.conftest import verified_client

OTHER_ROLES = [spec.username for spec in USERS if spec.role != Role.SYSTEM_ADMINISTRATOR]
ORG_NAMES = {spec.key: spec.name for spec in ORGANISATIONS}


def new_events(after: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=after).order_by("seq"))


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


# --- the system administrator ------------------------------------------------------------------
def test_admin_lists_users(cast: dict[str, Any]) -> None:
    response = verified_client(cast["admin"]).get("/users/")
    assert response.status_code == 200
    html = response.content.decode()
    listed = re.findall(r'<a href="/users/(\d+)/">([^<]+)</a>', html)
    assert listed == sorted(((str(cast[s.username].pk), s.username) for s in USERS), key=lambda row: row[1])
    fragment = verified_client(cast["admin"]).get("/users/?q=siginacaq", HTTP_HX_REQUEST="true")
    assert fragment.content.decode().startswith('<div id="user-results">')
    assert re.findall(r'<a href="/users/\d+/">([^<]+)</a>', fragment.content.decode()) == ["siginacaq1",
                                                                                           "siginacaq2"]


def test_admin_creates_a_user(cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    admin, police = cast["admin"], cast["police"]
    client = verified_client(admin)
    assert client.get("/users/new/").status_code == 200
    before = last_seq()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/users/new/", {
            "username": "yeni", "full_name": "Yeni Müstəntiq", "email": "yeni@example.org",
            "organisation": police.pk, "role": Role.POLICE_INVESTIGATOR, "title": "Müstəntiq", "language": "ru",
        })
    user = User.objects.get(username="yeni")
    assert response.status_code == 302
    assert response["Location"] == f"/users/{user.pk}/"
    assert (user.full_name, user.email, user.language, user.is_active) == (
        "Yeni Müstəntiq", "yeni@example.org", "ru", True)
    assert not user.has_usable_password()
    assert list(user.memberships.values_list("organisation_id", "role", "title", "is_active")) == [
        (police.pk, Role.POLICE_INVESTIGATOR.value, "Müstəntiq", True)]
    [event] = new_events(before)
    assert (event.action, event.actor_id, event.object_type, event.object_id, event.outcome, event.details) == (
        "user.create", admin.pk, "accounts.User", str(user.pk), "ok",
        {"organisation": police.pk, "role": Role.POLICE_INVESTIGATOR.value})
    [message] = mail.outbox
    assert message.to == ["yeni@example.org"]
    assert message.subject == "Ваша учётная запись в Körpü"
    assert re.search(r"http://127\.0\.0\.1:8000/account/reset/[^/\s]+/[^/\s]+/", message.body)
    assert "yeni" in message.body


def test_admin_refuses_a_taken_username(cast: dict[str, Any]) -> None:
    before, users = last_seq(), User.objects.count()
    response = verified_client(cast["admin"]).post("/users/new/", {
        "username": "POLIS", "full_name": "x", "email": "x@example.org", "organisation": cast["police"].pk,
        "role": Role.POLICE_INVESTIGATOR, "language": "az"})
    assert response.status_code == 200
    assert User.objects.count() == users
    assert new_events(before) == []


def test_admin_adds_and_ends_a_membership(cast: dict[str, Any]) -> None:
    admin, qht1, ngo2 = cast["admin"], cast["qht1"], cast["ngo2"]
    client = verified_client(admin)
    before = last_seq()
    response = client.post(f"/users/{qht1.pk}/", {"command": "add_membership", "organisation": ngo2.pk,
                                                   "role": Role.SHELTER_MANAGER, "title": "Müdir"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=qht1, organisation=ngo2)
    assert (membership.role, membership.title, membership.is_active) == (Role.SHELTER_MANAGER, "Müdir", True)
    assert User.objects.get(pk=qht1.pk).roles() == {Role.NGO_CASE_WORKER, Role.SHELTER_MANAGER}

    response = client.post(f"/users/{qht1.pk}/", {"command": "end_membership", "membership": membership.pk})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert User.objects.get(pk=qht1.pk).roles() == {Role.NGO_CASE_WORKER}
    assert [(e.action, e.actor_id, e.object_id) for e in new_events(before)] == [
        ("membership.add", admin.pk, str(membership.pk)), ("membership.end", admin.pk, str(membership.pk))]

    # A membership of another user cannot be ended through this user's page.
    foreign = cast["polis"].memberships.get()
    before = last_seq()
    assert client.post(f"/users/{qht1.pk}/", {"command": "end_membership",
                                              "membership": foreign.pk}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active
    assert new_events(before) == []


def test_an_admin_cannot_change_their_own_roles(cast: dict[str, Any]) -> None:
    admin, police = cast["admin"], cast["police"]
    client = verified_client(admin)
    roles, before = admin.roles(), last_seq()
    response = client.post(f"/users/{admin.pk}/", {"command": "add_membership", "organisation": police.pk,
                                                   "role": Role.POLICE_INVESTIGATOR}, follow=True)
    with translation.override("az"):
        refusal = gettext("You cannot change your own roles; ask another administrator.")
    assert refusal == "Öz rollarınızı dəyişə bilməzsiniz; başqa administratora müraciət edin."
    assert escape(refusal) in response.content.decode()
    own = admin.memberships.get()
    client.post(f"/users/{admin.pk}/", {"command": "end_membership", "membership": own.pk})
    own.refresh_from_db()
    assert own.is_active
    assert User.objects.get(pk=admin.pk).roles() == roles
    assert not Membership.objects.filter(user=admin, role=Role.POLICE_INVESTIGATOR).exists()
    assert [(e.action, e.outcome, e.details) for e in new_events(before)] == [
        ("membership.add", "denied", {"reason": "own-roles"}), ("membership.end", "denied", {"reason": "own-roles"})]


def test_admin_unlocks_a_locked_user(cast: dict[str, Any]) -> None:
    polis = cast["polis"]
    User.objects.filter(pk=polis.pk).update(locked_until=timezone.now() + timezone.timedelta(minutes=30),
                                            failed_login_count=4)
    before = last_seq()
    response = verified_client(cast["admin"]).post(f"/users/{polis.pk}/", {"command": "unlock"})
    assert response.status_code == 302
    polis.refresh_from_db()
    assert (polis.locked_until, polis.failed_login_count) == (None, 0)
    assert [(e.action, e.object_id) for e in new_events(before)] == [("user.unlock", str(polis.pk))]
    assert Client().post("/account/login/", {"username": "polis",
                                             "password": "Correct-Horse-Battery-9"}).status_code == 302


def test_admin_resets_two_factor(cast: dict[str, Any]) -> None:
    polis = cast["polis"]
    polis_session = verified_client(polis)
    assert polis_session.get("/").status_code == 200
    before = last_seq()
    response = verified_client(cast["admin"]).post(f"/users/{polis.pk}/", {"command": "reset_two_factor"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=polis).exists()
    assert [(e.action, e.object_id, e.details) for e in new_events(before)] == [
        ("two_factor.reset", str(polis.pk), {"devices": 1})]
    response = polis_session.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/?next=/"


def test_admin_deactivates_a_user_and_revokes_their_tokens(cast: dict[str, Any]) -> None:
    polis = cast["polis"]
    _token, plaintext = actions.api_token_create(user=polis, name="script", days=30)
    polis_session = verified_client(polis)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 200
    before = last_seq()
    response = verified_client(cast["admin"]).post(f"/users/{polis.pk}/", {"command": "deactivate"})
    assert response.status_code == 302
    polis.refresh_from_db()
    assert not polis.is_active
    assert ApiToken.objects.get(user=polis).revoked_at is not None
    assert [(e.action, e.object_id) for e in new_events(before)] == [("user.deactivate", str(polis.pk))]
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 401
    assert polis_session.get("/")["Location"] == "/account/login/?next=/"
    assert Client().post("/account/login/", {"username": "polis",
                                             "password": "Correct-Horse-Battery-9"}).status_code == 400


def test_admin_cannot_deactivate_themself(cast: dict[str, Any]) -> None:
    admin = cast["admin"]
    before = last_seq()
    response = verified_client(admin).post(f"/users/{admin.pk}/", {"command": "deactivate"}, follow=True)
    assert response.status_code == 200
    with translation.override("az"):
        assert escape(gettext("You cannot deactivate your own account.")) in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert new_events(before) == []


# --- everyone else ----------------------------------------------------------------------------
def _snapshot() -> tuple[Any, ...]:
    return (
        list(User.objects.order_by("pk").values_list("pk", "username", "is_active", "locked_until")),
        list(Membership.objects.order_by("pk").values_list("pk", "user_id", "organisation_id", "role", "is_active")),
        list(Organisation.objects.order_by("pk").values_list("pk", "name", "org_type", "is_active")),
        list(TOTPDevice.objects.order_by("pk").values_list("pk", "user_id", "confirmed")),
    )


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_every_other_role_gets_404_and_changes_nothing(cast: dict[str, Any], username: str) -> None:
    user, polis, admin, police = cast[username], cast["polis"], cast["admin"], cast["police"]
    client = verified_client(user)
    before, snapshot = last_seq(), _snapshot()
    new_user = {"username": "yeni", "full_name": "Yeni", "email": "yeni@example.org", "organisation": police.pk,
                "role": Role.SYSTEM_ADMINISTRATOR, "language": "az"}
    new_org = {"name": "Yeni Təşkilat", "org_type": "NGO", "country": "AZ"}
    requests = [
        (client.get, "/users/", {}, "user.list", ""),
        (client.get, "/users/?q=a", {}, "user.list", ""),
        (client.get, "/users/new/", {}, "user.create", ""),
        (client.post, "/users/new/", new_user, "user.create", ""),
        (client.get, f"/users/{polis.pk}/", {}, "user.view", str(polis.pk)),
        (client.post, f"/users/{admin.pk}/", {"command": "deactivate"}, "user.view", str(admin.pk)),
        (client.post, f"/users/{user.pk}/", {"command": "add_membership", "organisation": police.pk,
                                             "role": Role.SYSTEM_ADMINISTRATOR}, "user.view", str(user.pk)),
        (client.get, "/organisations/new/", {}, "organisation.edit", ""),
        (client.post, "/organisations/new/", new_org, "organisation.edit", ""),
        (client.post, f"/organisations/{police.pk}/edit/", {**new_org, "name": "Dəyişdi"}, "organisation.edit",
         str(police.pk)),
    ]
    for method, path, data, _action, _object_id in requests:
        response = method(path, data)
        assert response.status_code == 404, (method, path)
        assert b"yeni" not in response.content
    assert _snapshot() == snapshot
    events = new_events(before)
    assert [(e.action, e.outcome, e.actor_id, e.actor_label, e.object_id) for e in events] == [
        (action, "denied", user.pk, username, object_id) for _m, _p, _d, action, object_id in requests]
    assert mail.outbox == []


def test_only_field_roles_see_victim_data(cast: dict[str, Any]) -> None:
    seeing = {spec.username for spec in USERS if access.can_see_victim_data(cast[spec.username])}
    field_roles = {Role.POLICE_INVESTIGATOR, Role.NGO_CASE_WORKER, Role.SHELTER_MANAGER}
    assert seeing == {spec.username for spec in USERS if spec.role in field_roles}
    assert {"polis", "qht1", "siginacaq1"} <= seeing
    assert access.can_see_victim_data(cast["admin"]) is False
    assert access.can_manage_accounts(cast["admin"]) is True
    assert verified_client(cast["admin"]).get("/").context["sees_victim_data"] is False


def test_the_django_admin_refuses_a_non_superuser_administrator(cast: dict[str, Any]) -> None:
    admin = cast["admin"]
    assert not admin.is_superuser
    client = verified_client(admin)
    for path in ("/django-admin/", "/django-admin/accounts/user/", f"/django-admin/accounts/user/{admin.pk}/change/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/django-admin/login/?next=")
    assert client.post("/django-admin/accounts/organisation/add/", {"name": "x", "org_type": "NGO"}
                       ).status_code == 302
    assert Organisation.objects.count() == len(ORGANISATIONS)


def test_the_django_admin_opens_for_a_verified_superuser_only(cast: dict[str, Any]) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "Root-Password-123456")
    TOTPDevice.objects.create(user=root, name="Körpü", confirmed=True)
    unverified = Client()
    unverified.force_login(root)
    assert unverified.get("/django-admin/").status_code == 302
    assert verified_client(root).get("/django-admin/").status_code == 200


def test_the_django_admin_shows_organisations_and_users_only_and_changes_nothing(cast: dict[str, Any]) -> None:
    from django.contrib import admin

    assert sorted(model._meta.label for model in admin.site._registry) == ["accounts.Organisation", "accounts.User"]
    root = User.objects.create_superuser("root", "root@example.org", "Root-Password-123456")
    device = TOTPDevice.objects.create(user=root, name="Körpü", confirmed=True)
    client = verified_client(root)
    index = client.get("/django-admin/").content.decode()
    assert "/django-admin/accounts/user/" in index and "otp_totp" not in index and "/auth/group/" not in index
    for path in ("/django-admin/otp_totp/totpdevice/", f"/django-admin/otp_totp/totpdevice/{device.pk}/change/",
                 "/django-admin/auth/group/", "/django-admin/auth/group/add/"):
        assert client.get(path).status_code == 404, path
    polis = cast["polis"]
    page = client.get(f"/django-admin/accounts/user/{polis.pk}/change/").content.decode()
    assert device.key not in page and totp_device_key(polis) not in page
    before = User.objects.filter(pk=polis.pk).values().get()
    response = client.post(f"/django-admin/accounts/user/{polis.pk}/change/",
                           {"username": "hijacked", "email": "x@y.z"})
    assert response.status_code == 403
    assert User.objects.filter(pk=polis.pk).values().get() == before
    assert client.post("/django-admin/accounts/organisation/add/", {"name": "x", "org_type": "NGO"}).status_code == 403
    assert Organisation.objects.count() == len(ORGANISATIONS)


def totp_device_key(user: Any) -> str:
    return TOTPDevice.objects.filter(user=user).values_list("key", flat=True).first() or "no-device"


# --- organisation directory ----------------------------------------------------------------------
def _names(response: Any) -> list[str]:
    return re.findall(r'<a href="/organisations/\d+/">([^<]+)</a>', response.content.decode())


def test_organisation_directory_page_and_htmx_fragment(cast: dict[str, Any]) -> None:
    client = verified_client(cast["polis"])
    page = client.get("/organisations/")
    assert page.status_code == 200
    assert page.content.decode().lstrip().startswith("<!DOCTYPE html>")
    assert _names(page) == sorted(ORG_NAMES.values())
    fragment = client.get("/organisations/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.startswith('<div id="organisation-results">')
    assert "<html" not in html and "<nav" not in html and "<form" not in html
    assert _names(fragment) == sorted(ORG_NAMES.values())


def test_organisation_directory_filters(cast: dict[str, Any]) -> None:
    client = verified_client(cast["qht1"])
    ngo = client.get("/organisations/?org_type=NGO", HTTP_HX_REQUEST="true")
    assert _names(ngo) == sorted(spec.name for spec in ORGANISATIONS if spec.org_type == "NGO")
    assert ORG_NAMES["ngo1"] in _names(ngo)
    assert _names(client.get("/organisations/?q=Gəncə")) == [ORG_NAMES["ngo2"]]
    assert _names(client.get("/organisations/?org_type=LawEnforcement&q=Bakı")) == [ORG_NAMES["police"]]
    assert _names(client.get("/organisations/?org_type=SchoolOrCollege")) == []
    # An unknown type is a form error, not a filter: everything is listed.
    assert _names(client.get("/organisations/?org_type=Nonsense")) == sorted(ORG_NAMES.values())


def test_inactive_organisations_are_listed_only_for_administrators(cast: dict[str, Any]) -> None:
    actions.organisation_update(by=SYSTEM, organisation=cast["intl"], is_active=False)
    visible = sorted(name for key, name in ORG_NAMES.items() if key != "intl")
    assert _names(verified_client(cast["polis"]).get("/organisations/")) == visible
    assert _names(verified_client(cast["admin"]).get("/organisations/")) == sorted(ORG_NAMES.values())
    assert verified_client(cast["polis"]).get(f"/organisations/{cast['intl'].pk}/").status_code == 404


@pytest.mark.parametrize("extra", [0, 40])
def test_organisation_directory_query_count_is_pinned(cast: dict[str, Any], django_assert_max_num_queries: Any,
                                                      extra: int) -> None:
    for i in range(extra):
        organisation = Organisation.objects.create(name=f"Təşkilat {i:02d}", org_type="NGO", city="Şəki")
        Membership.objects.create(user=cast["qht1"], organisation=organisation, role=Role.NGO_CASE_WORKER)
    client = verified_client(cast["polis"])
    client.get("/")
    # session, user, TOTP device, memberships, count, page of organisations, idle stamp (+ its savepoint)
    with django_assert_max_num_queries(9):
        response = client.get("/organisations/")
    assert response.status_code == 200
    assert len(_names(response)) == min(50, len(ORG_NAMES) + extra)
