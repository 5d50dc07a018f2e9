"""The JSON API at /api/v1/ (django-ninja). Each app contributes a router from its ``api.py``.

Two ways in: the browser session (CSRF-checked, two-factor verified) and personal bearer tokens
(``Authorization: Bearer kpt_…``) that act with their owner's roles. Errors are JSON
``{"detail": "…"}`` in the caller's language (Accept-Language, else the saved profile language).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from korpu.accounts import actions as account_actions
from korpu.core import access, audit
from korpu.core.middleware import client_ip


class VerifiedSessionAuth(APIKeyCookie):
    """The browser session, only once two-factor is passed; CSRF is checked on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if access.is_verified(user):
            return user
        return None


class TokenAuth(HttpBearer):
    """A personal API token; the request then acts as its owner for scoping and audit."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = account_actions.api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        audit.set_context(audit.RequestContext(actor=user, ip_address=client_ip(request)))
        if user.language and not request.headers.get("Accept-Language"):
            translation.activate(user.language)
        return user


api = NinjaAPI(
    title="Körpü API",
    version="1",
    description="The JSON API of Körpü. Authenticate with a personal token (Bearer) or a browser session.",
    auth=[TokenAuth(), VerifiedSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, _("Authentication required: log in with two-factor or send a valid API token."), 401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, _("Not found."), 404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Forbidden looks like not found: the API never confirms that a protected object exists.
    return _error(request, _("Not found."), 404)


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=422)


@api.exception_handler(NinjaValidationError)
def on_schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("The request is not valid."), "errors": exc.errors}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, str(exc), exc.status_code)


def _register_routers() -> None:
    from korpu.accounts.api import router as accounts_router
    from korpu.cases.api import router as cases_router
    from korpu.justice.api import router as justice_router
    from korpu.shelters.api import router as shelters_router

    api.add_router("/", accounts_router)
    api.add_router("/", cases_router)
    api.add_router("/", shelters_router)
    api.add_router("/", justice_router)


_register_routers()
