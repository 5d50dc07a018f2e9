"""Forms for the case pages. They validate and translate input; actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation
from korpu.cases import choices
from korpu.cases.models import Referral, ReintegrationAssessment, Service, StatusDecision

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _countries(required: bool = False, multiple: bool = False, label: Any = "") -> forms.Field:
    options = choices.country_choices()
    if multiple:
        return forms.MultipleChoiceField(label=label, choices=options, required=required,
                                         widget=forms.SelectMultiple(attrs={"size": 4}))
    return forms.ChoiceField(label=label, choices=[("", "—"), *options], required=required)


class CaseIntakeForm(forms.Form):
    """Register a (presumed) victim: identity, context and consent on one page."""

    given_name = forms.CharField(label=_("First name"), max_length=100)
    family_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    age_at_identification = forms.IntegerField(label=_("Age at identification"), min_value=0, max_value=120,
                                               required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=choices.Gender.choices, initial=choices.Gender.UNKNOWN)
    citizenships = _countries(multiple=True, label=_("Citizenship"))
    document_number = forms.CharField(label=_("Identity document number"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    identified_on = forms.DateField(label=_("Identified on"), widget=DATE, initial=timezone.localdate)
    identification_channel = forms.ChoiceField(label=_("How was the person identified?"),
                                               choices=choices.IdentificationChannel.choices)
    exploitation = forms.MultipleChoiceField(label=_("Type of exploitation"), choices=choices.Exploitation.choices,
                                             required=False, widget=forms.CheckboxSelectMultiple)
    forced_labour_industry = forms.ChoiceField(label=_("Forced labour industry"), required=False,
                                               choices=[("", "—"), *choices.Industry.choices])
    means_of_control = forms.MultipleChoiceField(label=_("Means of control"), choices=choices.MeansOfControl.choices,
                                                 required=False, widget=forms.CheckboxSelectMultiple)
    recruitment_methods = forms.MultipleChoiceField(label=_("Method of recruitment"),
                                                    choices=choices.RecruitmentMethod.choices, required=False,
                                                    widget=forms.CheckboxSelectMultiple)
    relationship_to_trafficker = forms.ChoiceField(label=_("Relationship to trafficker"), required=False,
                                                   choices=[("", "—"), *choices.Relationship.choices])
    country_of_origin = _countries(label=_("Country of origin"))
    exploitation_countries = _countries(multiple=True, label=_("Countries of exploitation"))
    guardian_name = forms.CharField(label=_("Guardian's name (for a child)"), max_length=200, required=False)
    guardian_contact = forms.CharField(label=_("Guardian's contact"), max_length=200, required=False)
    consent_data_processing = forms.BooleanField(label=_("Consents to the processing of personal data"),
                                                 required=False)
    consent_share_law_enforcement = forms.BooleanField(label=_("Consents to sharing with law enforcement"),
                                                       required=False)
    consent_share_ngo = forms.BooleanField(label=_("Consents to sharing with NGOs"), required=False)
    consent_share_government = forms.BooleanField(label=_("Consents to sharing with state agencies"), required=False)
    consent_share_international = forms.BooleanField(label=_("Consents to sharing with international organisations"),
                                                     required=False)
    consent_contact_by_law_enforcement = forms.BooleanField(label=_("Consents to contact by law enforcement"),
                                                            required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age = data.get("age_at_identification")
        if age is not None and age < 18 and not data.get("guardian_name"):
            self.add_error("guardian_name", _("A child's guardian must be recorded."))
        if data.get("identified_on") and data["identified_on"] > timezone.localdate():
            self.add_error("identified_on", _("The date cannot be in the future."))
        return data

    @classmethod
    def initial_from(cls, case: Any) -> dict[str, Any]:
        person = case.person
        initial = {name: getattr(person, name) for name in (
            "given_name", "family_name", "patronymic", "birth_date", "age_at_identification", "gender",
            "citizenships", "document_number", "phone", "address")}
        initial.update({name: getattr(case, name) for name in (
            "identified_on", "identification_channel", "forced_labour_industry", "means_of_control",
            "recruitment_methods", "relationship_to_trafficker", "country_of_origin", "exploitation_countries",
            "guardian_name", "guardian_contact")})
        initial["exploitation"] = [e.exploitation for e in case.exploitations.all()]
        return initial

    def without_consent(self) -> CaseIntakeForm:
        for name in [n for n in self.fields if n.startswith("consent_")]:
            del self.fields[name]
        return self

    def split(self) -> tuple[dict[str, Any], dict[str, Any], list[str], dict[str, Any]]:
        d = self.cleaned_data
        person = {k: d[k] for k in ("given_name", "family_name", "patronymic", "birth_date", "age_at_identification",
                                    "gender", "citizenships", "document_number", "phone", "address")}
        case = {k: d[k] for k in ("identified_on", "identification_channel", "forced_labour_industry",
                                  "means_of_control", "recruitment_methods", "relationship_to_trafficker",
                                  "country_of_origin", "exploitation_countries", "guardian_name", "guardian_contact")}
        consent = {k.removeprefix("consent_"): d[k] for k in d if k.startswith("consent_")}
        return person, case, d["exploitation"], consent


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Case number or exact name"), required=False)
    status = forms.ChoiceField(label=_("Case status"), required=False,
                               choices=[("", _("All")), *choices.CaseStatus.choices])
    trafficking_status = forms.ChoiceField(label=_("Trafficking status"), required=False,
                                           choices=[("", _("All")), *choices.TraffickingStatus.choices])
    exploitation = forms.ChoiceField(label=_("Exploitation"), required=False,
                                     choices=[("", _("All")), *choices.Exploitation.choices])
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", _("All")), *choices.Gender.choices])
    age_group = forms.ChoiceField(label=_("Age group"), required=False,
                                  choices=[("", _("All")), ("child", _("Children (under 18)")), ("18-24", "18–24"),
                                           ("25-34", "25–34"), ("35-49", "35–49"), ("50+", "50+")])
    organisation = forms.ModelChoiceField(label=_("Organisation"), required=False,
                                          queryset=Organisation.objects.filter(is_active=True))
    identified_from = forms.DateField(label=_("Identified from"), required=False, widget=DATE)
    identified_to = forms.DateField(label=_("Identified until"), required=False, widget=DATE)


class StatusDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=StatusDecision.Decision.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, initial=timezone.localdate)
    basis = forms.CharField(label=_("Basis"), widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    data_processing = forms.BooleanField(label=_("To the processing of personal data"), required=False)
    share_law_enforcement = forms.BooleanField(label=_("To sharing with law enforcement"), required=False)
    share_ngo = forms.BooleanField(label=_("To sharing with NGOs"), required=False)
    share_government = forms.BooleanField(label=_("To sharing with state agencies"), required=False)
    share_international = forms.BooleanField(label=_("To sharing with international organisations"), required=False)
    contact_by_law_enforcement = forms.BooleanField(label=_("To contact by law enforcement"), required=False)
    given_on = forms.DateField(label=_("Given on"), widget=DATE, initial=timezone.localdate)


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(label=_("Refer to"), queryset=Organisation.objects.filter(is_active=True))
    reason = forms.ChoiceField(label=_("Reason"), choices=choices.ReferralReason.choices)
    services = forms.MultipleChoiceField(label=_("Services requested"), choices=choices.ServiceType.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    override_basis = forms.CharField(label=_("Legal basis for sharing without consent (police only)"),
                                     required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3}))


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=choices.ServiceType.choices)
    planned_on = forms.DateField(label=_("Planned for"), required=False, widget=DATE)
    delivered_on = forms.DateField(label=_("Delivered on"), required=False, widget=DATE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Service.Outcome.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssessmentForm(forms.Form):
    level = forms.ChoiceField(label=_("Reintegration"), choices=ReintegrationAssessment.Level.choices)
    housing_stable = forms.BooleanField(label=_("Stable housing"), required=False)
    income = forms.BooleanField(label=_("Income"), required=False)
    family_support = forms.BooleanField(label=_("Family support"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG, PNG, WebP, DOCX, XLSX)"))


class CloseForm(forms.Form):
    status = forms.ChoiceField(label=_("Close as"), choices=[
        (choices.CaseStatus.CLOSED, choices.CaseStatus.CLOSED.label),
        (choices.CaseStatus.CLOSED_REFERRED, choices.CaseStatus.CLOSED_REFERRED.label)])
    reason = forms.CharField(label=_("Reason for closure"), widget=forms.Textarea(attrs={"rows": 2}))


class GrantForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True))
    reason = forms.CharField(label=_("Reason"), max_length=300)
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=90, initial=14)
