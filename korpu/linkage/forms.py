"""Record linkage forms: whom to ask for a link (the organisation holding a possible match)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LinkRequestForm(forms.Form):
    organisation = forms.IntegerField(label=_("Organisation"), min_value=1, widget=forms.HiddenInput)


class CheckForm(forms.Form):
    """The identity fields of the registration form, as the live duplicate check reads them."""

    given_name = forms.CharField(max_length=100, required=False)
    family_name = forms.CharField(max_length=100, required=False)
    patronymic = forms.CharField(max_length=100, required=False)
    birth_date = forms.DateField(required=False)
    gender = forms.CharField(max_length=24, required=False)
    citizenships = forms.MultipleChoiceField(required=False, choices=[])
    document_number = forms.CharField(max_length=60, required=False)

    def clean_citizenships(self) -> list[str]:
        return [c for c in self.data.getlist("citizenships") if len(c) == 2] if hasattr(self.data, "getlist") else []

    def has_identity(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("document_number") or (data.get("family_name") and data.get("given_name")))
