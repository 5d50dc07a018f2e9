"""Django admin: an inspection tool for superusers, after two-factor, with no victim data.

It is read-only: every change to accounts and organisations goes through the audited account
pages (korpu.accounts.actions). Its login page is Körpü's own, with lockout and two-factor.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from korpu.accounts.models import Membership, Organisation, User
from korpu.core import access


def _superuser_verified(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_superuser and access.is_verified(user))


def _login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    return HttpResponseRedirect(reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()}))


admin.site.has_permission = _superuser_verified  # type: ignore[method-assign]
admin.site.login = _login  # type: ignore[method-assign]
for model in (Group,):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class ReadOnlyAdmin(admin.ModelAdmin):
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


class MembershipInline(admin.TabularInline):
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
