"""Django admin: an inspection tool for superusers, after two-factor, with no victim data.

It is read-only and shows organisations and users only: every change to accounts and organisations
goes through the audited account pages (korpu.accounts.actions). The site
(korpu.accounts.admin_site) ignores what other apps register: auth's groups, django-otp's TOTP
devices with their secrets. Its login page is Körpü's own, with lockout and two-factor.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from korpu.accounts.models import Membership, Organisation, User


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "org_type", "country", "is_active"]
    list_filter = ["org_type", "is_active"]
    search_fields = ["name", "short_name"]


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    exclude = ["password", "user_permissions", "groups"]
    inlines = [MembershipInline]
