"""Every state change of organisations, users, memberships, logins, two-factor devices and tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from korpu.accounts.models import ApiToken, Membership, Organisation, User
from korpu.core import access, audit
from korpu.core.access import Actor
from korpu.core.models import AuditEvent


# --- organisations ------------------------------------------------------------------------------
def organisation_create(*, by: Actor, name: str, org_type: str, **fields: Any) -> Organisation:
    _require_admin(by, "organisation.create")
    with transaction.atomic():
        organisation = Organisation(name=name, org_type=org_type, **fields)
        organisation.full_clean()
        organisation.save()
        audit.record("organisation.create", obj=organisation, actor=by)
    return organisation


def organisation_update(*, by: Actor, organisation: Organisation, **fields: Any) -> Organisation:
    _require_admin(by, "organisation.update", organisation)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(organisation, name, value)
        organisation.full_clean()
        organisation.save(update_fields=list(fields))
        audit.record("organisation.update", obj=organisation, actor=by, details={"fields": sorted(fields)})
    return organisation


# --- users and memberships ----------------------------------------------------------------------
def user_create(
    *,
    by: Actor,
    username: str,
    email: str,
    full_name: str,
    organisation: Organisation,
    role: str,
    title: str = "",
    language: str = "",
    password: str | None = None,
    send_invitation: bool = True,
) -> User:
    """Create an account with one membership. Without a password, e-mail a link to set one."""
    _require_admin(by, "user.create")
    with transaction.atomic():
        user = User(username=username, email=email, full_name=full_name, language=language)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        membership = Membership(user=user, organisation=organisation, role=role, title=title)
        membership.full_clean()
        membership.save()
        audit.record("user.create", obj=user, actor=by, details={"organisation": organisation.pk, "role": role})
        if send_invitation and email:
            transaction.on_commit(lambda: _send_password_link(user, invitation=True))
    return user


def _refuse_own_roles(by: Actor, user: User, action: str) -> None:
    """Nobody changes their own roles: an administrator could otherwise give themselves victim data."""
    if user.pk is not None and user.pk == getattr(by, "pk", None):
        audit.denied(action, obj=user, actor=by, details={"reason": "own-roles"})
        raise ValidationError(_("You cannot change your own roles; ask another administrator."))


def membership_add(*, by: Actor, user: User, organisation: Organisation, role: str, title: str = "") -> Membership:
    _require_admin(by, "membership.add", user)
    _refuse_own_roles(by, user, "membership.add")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role, defaults={"title": title}
        )
        if not created and not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        audit.record("membership.add", obj=membership, actor=by,
                     details={"user": user.pk, "organisation": organisation.pk, "role": role})
    return membership


def membership_end(*, by: Actor, membership: Membership) -> Membership:
    _require_admin(by, "membership.end", membership)
    _refuse_own_roles(by, membership.user, "membership.end")
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit.record("membership.end", obj=membership, actor=by)
    return membership


def user_set_active(*, by: Actor, user: User, active: bool) -> User:
    _require_admin(by, "user.activate" if active else "user.deactivate", user)
    if user.pk == getattr(by, "pk", None) and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit.record("user.activate" if active else "user.deactivate", obj=user, actor=by)
    return user


def user_unlock(*, by: Actor, user: User) -> User:
    _require_admin(by, "user.unlock", user)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        user.refresh_from_db(fields=["failed_login_count", "locked_until"])
        audit.record("user.unlock", obj=user, actor=by)
    return user


def user_reset_two_factor(*, by: Actor, user: User) -> None:
    """Remove the user's devices; they enrol again at next login."""
    _require_admin(by, "two_factor.reset", user)
    with transaction.atomic():
        deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
        audit.record("two_factor.reset", obj=user, actor=by, details={"devices": deleted})


def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    with transaction.atomic():
        user.language = language
        user.save(update_fields=["language"])
        audit.record("user.language", obj=user, actor=user, details={"language": language})
    return user


def _require_admin(by: Actor, action: str, obj: Any = None) -> None:
    if not access.can_manage_accounts(by):
        audit.denied(action, obj=obj if obj is not None and getattr(obj, "pk", None) else None, actor=by)
        raise PermissionDenied(_("Only a system administrator may do this."))


# --- login, throttling and lockout -------------------------------------------------------------
@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str = ""


def _address_key(ip: str | None) -> str:
    return f"korpu:login-failures:{ip or 'unknown'}"


def address_throttled(ip: str | None) -> bool:
    return int(cache.get(_address_key(ip), 0)) >= settings.ADDRESS_THROTTLE_LIMIT


def _bump(key: str) -> int:
    """Add one to a per-address counter that lives for the throttle window; returns the new count."""
    timeout = settings.ADDRESS_THROTTLE_MINUTES * 60
    if cache.add(key, 1, timeout):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def _count_address_failure(ip: str | None) -> None:
    _bump(_address_key(ip))


def login_attempt(*, username: str, password: str, ip: str | None, request: Any = None) -> LoginResult:
    """Check a password with per-address throttling and per-account lockout; audit every outcome."""
    generic = _("Wrong username or password.")
    if address_throttled(ip):
        audit.record("login.throttled", outcome=AuditEvent.Outcome.DENIED, ip_address=ip,
                     details={"username": username[:150]})
        return LoginResult(None, _("Too many failed attempts from your address. Try again in %(minutes)d minutes.")
                           % {"minutes": settings.ADDRESS_THROTTLE_MINUTES})
    account = User.objects.filter(username__iexact=username).first()
    if account is not None and account.is_locked():
        _count_address_failure(ip)
        audit.record("login.locked", obj=account, outcome=AuditEvent.Outcome.DENIED, ip_address=ip)
        return LoginResult(None, _("This account is locked after repeated failed attempts. "
                                   "Try again later or ask an administrator to unlock it."))
    user = authenticate(request, username=account.username if account else username, password=password)
    if user is None:
        _count_address_failure(ip)
        if account is None:
            audit.record("login.failed", outcome=AuditEvent.Outcome.FAILED, ip_address=ip,
                         details={"username": username[:150], "reason": "unknown-user"})
            return LoginResult(None, generic)
        return LoginResult(None, _record_account_failure(account, ip, reason="password") or generic)
    # The failure counter is reset only after the second factor too (two_factor_verify), so wrong
    # TOTP codes after a right password still add up to a lockout.
    audit.record("login.password_ok", obj=user, actor=user, ip_address=ip)
    return LoginResult(user)


def _record_account_failure(account: User, ip: str | None, *, reason: str) -> str:
    """Count one failure against the account; lock it at the threshold. Returns a message if locked."""
    with transaction.atomic():
        User.objects.filter(pk=account.pk).update(failed_login_count=F("failed_login_count") + 1)
        account.refresh_from_db(fields=["failed_login_count", "locked_until"])
        audit.record("login.failed", obj=account, outcome=AuditEvent.Outcome.FAILED, ip_address=ip,
                     details={"reason": reason, "failures": account.failed_login_count})
        if account.failed_login_count >= settings.LOCKOUT_THRESHOLD:
            until = timezone.now() + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
            User.objects.filter(pk=account.pk).update(locked_until=until, failed_login_count=0)
            account.locked_until, account.failed_login_count = until, 0  # callers check is_locked() next
            audit.record("account.locked", obj=account, outcome=AuditEvent.Outcome.DENIED, ip_address=ip,
                         details={"until": until.isoformat(), "reason": reason})
            return _("This account is locked after repeated failed attempts. "
                     "Try again later or ask an administrator to unlock it.")
    return ""


def two_factor_verify(*, user: User, device: TOTPDevice, token: str, ip: str | None) -> tuple[bool, str]:
    """Check a TOTP code; failures count towards the same account lockout as passwords."""
    if user.is_locked():
        return False, _("This account is locked after repeated failed attempts. "
                        "Try again later or ask an administrator to unlock it.")
    if address_throttled(ip):
        audit.record("two_factor.throttled", obj=user, actor=user, outcome=AuditEvent.Outcome.DENIED, ip_address=ip,
                     details={"reason": "address"})
        return False, _("Too many failed attempts from your address. Try again in %(minutes)d minutes.") % {
            "minutes": settings.ADDRESS_THROTTLE_MINUTES}
    allowed, _detail = device.verify_is_allowed()
    if not allowed:
        audit.record("two_factor.throttled", obj=user, actor=user, outcome=AuditEvent.Outcome.DENIED, ip_address=ip)
        return False, _("Too many wrong codes. Wait a minute and try again.")
    if device.verify_token(token.strip().replace(" ", "")):
        with transaction.atomic():
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record("two_factor.enrolled", obj=user, actor=user, ip_address=ip)
            User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None,
                                                   last_login=timezone.now())
            audit.record("login.succeeded", obj=user, actor=user, ip_address=ip)
        return True, ""
    _count_address_failure(ip)
    locked = _record_account_failure(user, ip, reason="totp")
    return False, locked or _("That code is not right. Check your device's clock and try again.")


def two_factor_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The user's unconfirmed device, created if missing; the secret never leaves the server except as a QR."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Körpü", confirmed=False)
    return device


def logout_recorded(*, user: Any, reason: str) -> None:
    if access.is_staff_user(user):
        audit.record("logout", obj=user, actor=user, details={"reason": reason})


# --- password reset ----------------------------------------------------------------------------
RESET_REQUESTS_PER_ADDRESS = 5  # per KORPU_ADDRESS_THROTTLE_MINUTES: a mailbox cannot be flooded from one address
def password_reset_request(*, email: str, ip: str | None) -> None:
    """E-mail a reset link to each active account with this address; say nothing about existence."""
    if _bump(f"korpu:reset-requests:{ip or 'unknown'}") > RESET_REQUESTS_PER_ADDRESS:
        # The page answers as always (it never says whether an address exists); no mail leaves.
        audit.record("password.reset_throttled", outcome=AuditEvent.Outcome.DENIED, ip_address=ip)
        return
    users = list(User.objects.filter(email__iexact=email.strip(), is_active=True))
    audit.record("password.reset_requested", ip_address=ip, details={"matched": len(users)})
    for user in users:
        transaction.on_commit(partial(_send_password_link, user, invitation=False))


def password_set(*, user: User, password: str, ip: str | None) -> User:
    with transaction.atomic():
        user.set_password(password)
        user.failed_login_count = 0
        user.locked_until = None
        user.save(update_fields=["password", "failed_login_count", "locked_until"])
        audit.record("password.set", obj=user, actor=user, ip_address=ip)
    return user


def _send_password_link(user: User, *, invitation: bool) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "link": link, "invitation": invitation,
                   "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        subject = _("Your Körpü account") if invitation else _("Reset your Körpü password")
        body = render_to_string("accounts/email/password_link.txt", context)
    send_mail(subject, body, None, [user.email])


# --- API tokens --------------------------------------------------------------------------------
def api_token_create(*, user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """Create a token and return it with its plaintext, which is never stored and shown only once."""
    if not name.strip():
        raise ValidationError(_("Give the token a name."))
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(_("A token lives between 1 and %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS})
    plaintext = ApiToken.PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:100], token_prefix=plaintext[:12], token_hash=ApiToken.digest(plaintext),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit.record("api_token.create", obj=token, actor=user, details={"days": days})
    return token, plaintext


def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        audit.denied("api_token.revoke", obj=token, actor=user)
        raise PermissionDenied
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        audit.record("api_token.revoke", obj=token, actor=user)
    return token


def api_token_authenticate(plaintext: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user").filter(token_hash=ApiToken.digest(plaintext)).first()
        if plaintext.startswith(ApiToken.PREFIX) else None
    )
    if token is None or not token.is_usable() or not token.user.is_active or token.user.is_locked():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
