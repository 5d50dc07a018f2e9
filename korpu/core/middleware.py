"""Request-wide concerns: security headers, mandatory two-factor, audit context.

The idle timeout logs a user out, an accounts action: it lives in ``korpu.accounts.middleware``."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from korpu.core import access, audit, crypto

Handler = Callable[[HttpRequest], HttpResponse]


def with_next(url: str, target: str) -> str:
    """``url?next=target``, with the target's own query string kept whole (``&`` and ``=`` escaped)."""
    return f"{url}?next={quote(target, safe='/')}"


def client_ip(request: HttpRequest) -> str | None:
    """The client address; X-Forwarded-For is trusted only behind a configured proxy."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        if forwarded:
            return forwarded.split(",")[0].strip()
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote


class LanguageMiddleware(LocaleMiddleware):
    """Pages speak Azerbaijani unless the visitor chose another language (the language cookie).

    A browser's Accept-Language is not followed on pages: the system is Azerbaijani first, and most
    browsers in the country are set to Russian or English without their users choosing it for
    Körpü. The switcher sets the cookie, and a user's saved choice is set as the cookie at login.
    The JSON API does follow Accept-Language, because an API client sets it on purpose.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if request.path.startswith("/api/"):
            return super().process_response(request, response)
        # Pages vary on the cookie (already in Vary through the session), not on Accept-Language.
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a wrong method with a plain-text 405; the API answers JSON everywhere."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/") \
                and not response.get("Content-Type", "").startswith("application/json"):
            replaced = JsonResponse({"detail": _("This method is not allowed here.")}, status=405)
            replaced["Allow"] = response.get("Allow", "")
            return replaced
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set itself."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages with personal data must not linger in shared browser caches.
            response.setdefault("Cache-Control", "no-store")
        return response


class TwoFactorRequiredMiddleware:
    """No page past login without a verified TOTP device (django-otp's ``is_verified``)."""

    OPEN_PREFIXES = ("/static/", "/i18n/", "/account/login/", "/account/logout/", "/account/two-factor/",
                     "/account/password-reset/", "/account/reset/", "/account/language/", "/api/", "/public/",
                     "/healthz")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and access.requires_two_factor(user)
            and not access.is_verified(user)
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            return HttpResponseRedirect(with_next(reverse("accounts:two_factor"), request.get_full_path()))
        return self.get_response(request)


class RequestContextMiddleware:
    """Hand the acting user and address to the audit layer; apply the user's language; drop key cache."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        token = audit.set_context(
            audit.RequestContext(actor=user if user is not None and user.is_authenticated else None,
                                 ip_address=client_ip(request))
        )
        try:
            return self.get_response(request)
        finally:
            audit.reset_context(token)
            crypto.clear_key_cache()

