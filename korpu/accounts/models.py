"""Organisations, users, their memberships (with roles) and personal API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.core.access import Actor
from korpu.core.roles import OrganisationType, Role

__all__ = ["ApiToken", "Membership", "Organisation", "OrganisationType", "Role", "User", "user_of"]


class Organisation(models.Model):
    """A body that works in Körpü: the police department, an NGO, a state agency, the coordinator."""

    Type = OrganisationType

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    org_type = models.CharField(_("type"), max_length=40, choices=Type.choices)
    country = models.CharField(_("country"), max_length=2, default="AZ", help_text=_("ISO 3166 alpha-2"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class KorpuUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """A person who logs in. Roles come from memberships; lockout state lives here."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=8, blank=True,
        choices=[("az", "Azərbaycan"), ("ru", "Русский"), ("en", "English")],
    )
    failed_login_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = KorpuUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def display_name(self) -> str:
        return self.full_name or self.username

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    def active_memberships(self) -> list[Membership]:
        cached: list[Membership] | None = getattr(self, "_active_memberships", None)
        if cached is None:
            cached = list(
                self.memberships.filter(is_active=True, organisation__is_active=True).select_related("organisation")
            )
            self._active_memberships = cached
        return cached

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships()}

    def organisations(self) -> list[Organisation]:
        seen: dict[int, Organisation] = {}
        for m in self.active_memberships():
            seen.setdefault(m.organisation_id, m.organisation)
        return list(seen.values())

    def primary_organisation(self) -> Organisation | None:
        orgs = self.organisations()
        return orgs[0] if orgs else None


class Membership(models.Model):
    """A user holds a role in an organisation. One user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    title = models.CharField(_("position"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership_role")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once, at creation."""

    PREFIX = "kpt_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


def user_of(actor: Actor) -> User:
    """The account to store in a "who did it" column. Actions that record one are for people, so
    :data:`~korpu.core.access.SYSTEM` (which has no account) is refused here rather than by the database."""
    if isinstance(actor, User):
        return actor
    raise TypeError(f"{actor} has no user account to record")
