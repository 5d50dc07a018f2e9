"""Record linkage forms: whom to ask for a link (the organisation holding a possible match)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LinkRequestForm(forms.Form):
    organisation = forms.IntegerField(label=_("Organisation"), min_value=1, widget=forms.HiddenInput)
