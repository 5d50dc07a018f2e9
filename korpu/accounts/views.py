"""Web views for login, two-factor, password reset, language, profile, tokens and administration."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from korpu.accounts import actions, queries
from korpu.accounts.filters import OrganisationFilter, UserFilter
from korpu.accounts.forms import (
    ApiTokenForm,
    LanguageForm,
    LoginForm,
    MembershipForm,
    OrganisationForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    TwoFactorForm,
    UserCreateForm,
)
from korpu.accounts.models import Membership, User
from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.middleware import client_ip, with_next


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _with_language(response: HttpResponse, user: User) -> HttpResponse:
    if user.language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax",
                            secure=settings.LANGUAGE_COOKIE_SECURE, max_age=365 * 24 * 3600)
    return response


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if access.is_verified(request.user):
        return redirect("home:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = actions.login_attempt(username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                                       ip=client_ip(request), request=request)
        if result.user is not None:
            login(request, result.user)
            target = with_next(reverse("accounts:two_factor"), _safe_next(request, reverse("home:home")))
            return _with_language(HttpResponseRedirect(target), result.user)
        form.add_error(None, result.error)
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code, or enrol a first device (QR code generated on the server, as inline SVG)."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user: User = request.user
    next_url = _safe_next(request, reverse("home:home"))
    if access.is_verified(user):
        return HttpResponseRedirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if device is None:
        device = actions.two_factor_device_for_enrolment(user=user)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, error = actions.two_factor_verify(user=user, device=device, token=form.cleaned_data["token"],
                                              ip=client_ip(request))
        if ok:
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("token", error)
        if user.is_locked():
            logout(request)
            messages.error(request, error)
            return redirect("accounts:login")
    context = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)
        context["secret"] = _base32(device.bin_key)
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)


def _base32(raw: bytes) -> str:
    import base64

    text = base64.b32encode(raw).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    actions.logout_recorded(user=request.user, reason="user")
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.password_reset_request(email=form.cleaned_data["email"], ip=client_ip(request))
        messages.info(request, _("If an account uses that address, a link to set a new password is on its way."))
        return redirect("accounts:login")
    return render(request, "accounts/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.password_set(user=user, password=form.cleaned_data["password1"], ip=client_ip(request))
        messages.success(request, _("Your password is set. Log in with it now."))
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a logged-in user's choice is saved to the profile too."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return redirect("home:home")
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        actions.user_set_language(user=request.user, language=language)
    response = HttpResponseRedirect(_safe_next(request, "/"))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax",
                        secure=settings.LANGUAGE_COOKIE_SECURE, max_age=365 * 24 * 3600)
    return response


# --- profile and tokens ------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = actions.api_token_create(user=user, name=form.cleaned_data["name"],
                                                         days=form.cleaned_data["days"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiTokenForm()
    return render(request, "accounts/profile.html",
                  {"form": form, "tokens": queries.tokens_of(user), "new_token": new_token})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(queries.tokens_of(request.user), pk=token_id)
    actions.api_token_revoke(user=token.user, token=token)
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:profile")


# --- organisation directory --------------------------------------------------------------------
@login_required
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    listed = core_filters.bound(OrganisationFilter, request.GET,
                                queryset=queries.organisations_visible_to(request.user))
    page = Paginator(listed.qs, 50).get_page(request.GET.get("page"))
    template = "accounts/_organisation_rows.html" if request.headers.get("HX-Request") else \
        "accounts/organisation_list.html"
    return render(request, template,
                  {"form": listed.form, "page": page, "can_manage": access.can_manage_accounts(request.user),
                   "sort": core_filters.sort_links(listed, request.GET), "sort_value": core_filters.sort_key(listed)})


@login_required
def organisation_detail_view(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = queries.organisation_for(request.user, organisation_id)
    members = queries.members_visible_to(request.user, organisation).prefetch_related("memberships")
    rows = []
    for member in members:
        roles = [m.get_role_display() for m in member.memberships.all()
                 if m.organisation_id == organisation.pk and m.is_active]
        rows.append({"user": member, "roles": roles})
    return render(request, "accounts/organisation_detail.html",
                  {"organisation": organisation, "members": rows,
                   "can_manage": access.can_manage_accounts(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit_view(request: HttpRequest, organisation_id: int | None = None) -> HttpResponse:
    if not access.can_manage_accounts(request.user):
        access.require(False, action="organisation.edit", user=request.user,
                       object_type="accounts.Organisation", object_id=str(organisation_id or ""))
    organisation = queries.organisation_for(request.user, organisation_id) if organisation_id else None
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if organisation is None:
            organisation = actions.organisation_create(by=request.user, **data)
        else:
            organisation = actions.organisation_update(by=request.user, organisation=organisation, **data)
        messages.success(request, _("Saved."))
        return redirect("accounts:organisation_detail", organisation_id=organisation.pk)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": organisation})


# --- account administration --------------------------------------------------------------------
def _require_admin_view(request: HttpRequest, action: str, object_id: str = "") -> None:
    access.require(access.can_manage_accounts(request.user), action=action, user=request.user,
                   object_type="accounts.User", object_id=object_id)


@login_required
def user_list_view(request: HttpRequest) -> HttpResponse:
    _require_admin_view(request, "user.list")
    listed = core_filters.bound(UserFilter, request.GET, queryset=queries.users_managed_by(request.user))
    page = Paginator(listed.qs, 50).get_page(request.GET.get("page"))
    template = "accounts/_user_rows.html" if request.headers.get("HX-Request") else "accounts/user_list.html"
    return render(request, template, {"page": page, "q": request.GET.get("q", "").strip(),
                                      "sort": core_filters.sort_links(listed, request.GET),
                                      "sort_value": core_filters.sort_key(listed)})


@login_required
@require_http_methods(["GET", "POST"])
def user_create_view(request: HttpRequest) -> HttpResponse:
    _require_admin_view(request, "user.create")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.user_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("The account is created and an e-mail with a link to set the password is sent."))
        return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def user_detail_view(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_admin_view(request, "user.view", str(user_id))
    managed = queries.managed_user(request.user, user_id)
    form = MembershipForm(request.POST or None)
    if request.method == "POST":
        try:
            _user_command(request, managed, form)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            return redirect("accounts:user_detail", user_id=managed.pk)
    return render(request, "accounts/user_detail.html", {
        "managed": managed, "form": form,
        "memberships": managed.memberships.select_related("organisation"),
        "has_device": TOTPDevice.objects.filter(user=managed, confirmed=True).exists(),
    })


def _user_command(request: HttpRequest, managed: User, form: MembershipForm) -> None:
    command = request.POST.get("command")
    by = request.user
    if command == "unlock":
        actions.user_unlock(by=by, user=managed)
        messages.success(request, _("The account is unlocked."))
    elif command == "reset_two_factor":
        actions.user_reset_two_factor(by=by, user=managed)
        messages.success(request, _("Two-factor is reset; the user enrols a new device at next login."))
    elif command in ("activate", "deactivate"):
        actions.user_set_active(by=by, user=managed, active=command == "activate")
        messages.success(request, _("Saved."))
    elif command == "add_membership":
        if not form.is_valid():
            raise ValidationError(_("Choose an organisation and a role."))
        actions.membership_add(by=by, user=managed, **form.cleaned_data)
        messages.success(request, _("The role is added."))
    elif command == "end_membership":
        membership_id = request.POST.get("membership", "")
        membership = get_object_or_404(Membership, pk=int(membership_id) if membership_id.isdigit() else 0,
                                       user=managed)
        actions.membership_end(by=by, membership=membership)
        messages.success(request, _("The role is ended."))
    else:
        raise Http404
