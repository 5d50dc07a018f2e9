"""Input forms: they validate and translate; actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db.models import URLField as URLModelField
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation, Role, User


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TwoFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"), max_length=8, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "autofocus": True}),
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("New password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Repeat the new password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        if data.get("password1"):
            validate_password(data["password1"], self.user)
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=settings.API_TOKEN_MAX_DAYS,
                              initial=90)


def _https_urls(field: Any, **kwargs: Any) -> Any:
    """A web address typed without a scheme is taken as https:// (Django 6's default, chosen now)."""
    if isinstance(field, URLModelField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "org_type", "country", "city", "phone", "email", "website", "is_active"]
        formfield_callback = _https_urls


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    organisation = forms.ModelChoiceField(label=_("Organisation"),
                                          queryset=Organisation.objects.filter(is_active=True))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    title = forms.CharField(label=_("Position"), max_length=120, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="az")

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class MembershipForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"),
                                          queryset=Organisation.objects.filter(is_active=True))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    title = forms.CharField(label=_("Position"), max_length=120, required=False)


