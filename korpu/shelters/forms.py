from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation
from korpu.shelters.actions import MAX_BEDS
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


def beds_field_name(category: str) -> str:
    return f"beds_{category}"


class FacilityForm(forms.Form):
    """A facility's name, region, confidential address and beds per category; with ``operators``, also
    the operating organisation (when opening a facility)."""

    operator = forms.ModelChoiceField(label=_("Operator"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name of the facility"), max_length=200)
    region = forms.CharField(label=_("Region"), max_length=60, required=False)
    address = forms.CharField(label=_("Address (confidential)"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Shown only to your organisation's shelter managers. It is stored "
                                          "encrypted and never appears on the bed board."))

    def __init__(self, *args: Any, operators: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if operators is None:
            del self.fields["operator"]
        else:
            self.fields["operator"].queryset = operators  # type: ignore[attr-defined]
        for value, label in BedCategory.choices:
            self.fields[beds_field_name(value)] = forms.IntegerField(
                label=_("Beds: %(category)s") % {"category": label}, min_value=0, max_value=MAX_BEDS,
                required=False, initial=0)

    def capacities(self) -> dict[str, int]:
        return {value: self.cleaned_data.get(beds_field_name(value)) or 0 for value in BedCategory.values}

    def facility_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"name": d["name"], "region": d.get("region") or "", "address": d["address"],
                "capacities": self.capacities()}
