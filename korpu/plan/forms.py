from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from korpu.plan.models import Assessment, ImplementationStatus, Measure, Recommendation


class ReportForm(forms.Form):
    implementation = forms.ChoiceField(label=_("State of implementation"), choices=[
        c for c in ImplementationStatus.choices if c[0] != ImplementationStatus.LATE])
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(measure.indicators.all())
        for indicator in self.indicators:
            self.fields[f"indicator_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name_az} ({indicator.unit})" if indicator.unit else indicator.name_az,
                required=False, max_digits=14, decimal_places=2)

    def indicator_values(self) -> dict[int, Any]:
        return {i.pk: self.cleaned_data[f"indicator_{i.pk}"] for i in self.indicators
                if self.cleaned_data.get(f"indicator_{i.pk}") is not None}


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AssessmentForm(forms.Form):
    level = forms.ChoiceField(label=_("Assessment"), choices=Assessment.Level.choices)
    comment = forms.CharField(label=_("Internal comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RecommendationFilterForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("All")), *Recommendation.Source.choices])
    level = forms.ChoiceField(label=_("Assessment"), required=False,
                              choices=[("", _("All")), *Assessment.Level.choices])
