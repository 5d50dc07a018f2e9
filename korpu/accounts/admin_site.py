"""The Django admin site of Körpü: superusers after two-factor, an allow-list of models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode


class KorpuAdminSite(admin.AdminSite):
    """The admin site; installed through ``KorpuAdminConfig`` as the default ``admin.site``."""

    site_header = "Körpü"
    # Models the admin may show. Anything else that an app's admin.py registers is ignored.
    SHOWN = frozenset({"accounts.organisation", "accounts.user"})

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        models: Iterable[Any] = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) \
            else model_or_iterable
        shown = [model for model in models if model._meta.label_lower in self.SHOWN]
        if shown:
            super().register(shown, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        from korpu.core import access  # this module is loaded with the app registry: no models at import

        user: Any = request.user
        return bool(user.is_active and user.is_superuser and access.is_verified(user))

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return HttpResponseRedirect(reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()}))


class KorpuAdminConfig(AdminConfig):
    """django.contrib.admin with :class:`KorpuAdminSite` as its default site (see INSTALLED_APPS)."""

    default_site = "korpu.accounts.admin_site.KorpuAdminSite"
