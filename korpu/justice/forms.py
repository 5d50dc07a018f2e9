from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.justice.models import Article, CourtOutcome, Investigation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InvestigationForm(forms.Form):
    number = forms.CharField(label=_("Criminal case number"), max_length=40)
    article = forms.ChoiceField(label=_("Article"), choices=Article.choices)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE, initial=timezone.localdate)
    suspects = forms.IntegerField(label=_("Suspects"), min_value=0, initial=1)
    victim_numbers = forms.CharField(label=_("Victims' case numbers (comma-separated)"), required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Investigation.Status.choices)


class LinkVictimForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=20)


class ProsecutionForm(forms.Form):
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE)
    court = forms.CharField(label=_("Court"), max_length=200)
    defendants = forms.IntegerField(label=_("Defendants"), min_value=1, initial=1)


class OutcomeForm(forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    result = forms.ChoiceField(label=_("Result"), choices=CourtOutcome.Result.choices)
    persons = forms.IntegerField(label=_("Persons"), min_value=1, initial=1)
    sentence_months = forms.IntegerField(label=_("Sentence (months)"), min_value=0, required=False)
    sentence_text = forms.CharField(label=_("Sentence"), max_length=300, required=False)
