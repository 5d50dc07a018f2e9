from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.shelters.models import BedCategory, Facility


class AdmissionForm(forms.Form):
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Facility.objects.none())
    category = forms.ChoiceField(label=_("Bed"), choices=BedCategory.choices)
    admitted_on = forms.DateField(label=_("Admitted on"), initial=timezone.localdate,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, facilities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]


class DischargeForm(forms.Form):
    discharged_on = forms.DateField(label=_("Discharged on"), initial=timezone.localdate,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
