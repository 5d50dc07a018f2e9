"""The JSON API at /api/v1/ (django-ninja). Each app contributes a router from its ``api.py``.

Two ways in: the browser session (CSRF-checked, two-factor verified) and personal bearer tokens
(``Authorization: Bearer kpt_…``) that act with their owner's roles. Errors are JSON
``{"detail": "…"}`` in the caller's language (Accept-Language, else the saved profile language).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
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


def _field_message(error: dict[str, Any]) -> str:
    """One schema error in the caller's language (pydantic's own messages are English only)."""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _("Enter a number.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind in ("literal_error", "enum"):
        return _("Not one of the allowed values.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("The value must be at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt", ""))}
    if kind in ("less_than_equal", "less_than"):
        return _("The value must be at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt", ""))}
    if kind == "string_too_long":
        return _("At most %(limit)s characters.") % {"limit": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("At least %(limit)s characters.") % {"limit": ctx.get("min_length", "")}
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return _("The request body is not valid JSON of the expected shape.")
    if kind in ("list_type", "string_type"):
        return _("The value has the wrong type.")
    return _("This value is not valid.")


@api.exception_handler(NinjaValidationError)
def on_schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"loc": list(e.get("loc", ())), "type": e.get("type", ""), "msg": _field_message(e)}
              for e in exc.errors]
    return api.create_response(request, {"detail": _("The request is not valid."), "errors": errors}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and "CSRF" in str(exc):  # django-ninja's session-cookie check
        return _error(request, _("The CSRF check failed: with a browser session send the X-CSRFToken header, "
                                 "or use an API token."), 403)
    return _error(request, str(exc), exc.status_code)


def not_found_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Paths under /api/ that name no operation: a JSON 404, as every other API error."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


def _register_routers() -> None:
    from korpu.accounts.api import router as accounts_router
    from korpu.cases.api import router as cases_router
    from korpu.engagement.api import router as engagement_router
    from korpu.justice.api import router as justice_router
    from korpu.linkage.api import router as linkage_router
    from korpu.plan.api import router as plan_router
    from korpu.shelters.api import router as shelters_router

    api.add_router("/", accounts_router)
    api.add_router("/", cases_router)
    api.add_router("/", shelters_router)
    api.add_router("/", justice_router)
    api.add_router("/plan", plan_router)
    api.add_router("/engagement", engagement_router)
    api.add_router("/linkage", linkage_router)


_register_routers()
