"""Forms for the case pages. They validate and translate input; actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from korpu.accounts.models import Organisation
from korpu.cases import choices
from korpu.cases.models import Referral, ReintegrationAssessment, Section, Service, StatusDecision

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _countries(required: bool = False, multiple: bool = False, label: Any = "") -> forms.Field:
    options = choices.country_choices()
    if multiple:
        return forms.MultipleChoiceField(label=label, choices=options, required=required,
                                         widget=forms.SelectMultiple(attrs={"size": 4}))
    return forms.ChoiceField(label=label, choices=[("", "—"), *options], required=required)


def _choice(label: Any, options: Any, *, blank: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *options] if blank else options)


def _multi(label: Any, options: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=options, required=False, widget=forms.CheckboxSelectMultiple)


PERSON_FORM_FIELDS = ("salutation", "given_name", "patronymic", "family_name", "title", "birth_date",
                      "age_at_identification", "gender", "citizenships", "document_number", "marital_status",
                      "number_of_children", "education", "disability", "deceased", "phone", "home_phone", "email",
                      "address", "address_city", "address_region", "address_postal_code", "address_country")
CASE_FORM_FIELDS = ("identified_on", "identification_channel", "identifying_organisation", "forced_labour_industry",
                    "sexual_exploitation_types", "means_of_control", "exploitation_countries", "exploitation_start",
                    "exploitation_end", "exploitation_websites", "age_when_trafficked", "recruitment_methods",
                    "recruitment_websites", "recruitment_place", "relationship_to_trafficker", "country_of_origin",
                    "transit_countries", "guardian_name", "guardian_contact")


class CaseIntakeForm(forms.Form):
    """Register a (presumed) victim, or correct one: identity, contacts, context and consent, in groups
    (``fieldsets``) so the long form stays usable on a phone. The rules live in the actions."""

    salutation = forms.CharField(label=_("Salutation"), max_length=40, required=False)
    given_name = forms.CharField(label=_("First name"), max_length=100)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    title = forms.CharField(label=pgettext_lazy("person", "Title"), max_length=100, required=False,
                            help_text=_("The person's position, if any."))
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    age_at_identification = forms.IntegerField(label=_("Age at identification"), min_value=0, max_value=120,
                                               required=False,
                                               help_text=_("Worked out from the date of birth when left empty."))
    gender = forms.ChoiceField(label=_("Gender"), choices=choices.Gender.choices, initial=choices.Gender.UNKNOWN)
    citizenships = _countries(multiple=True, label=_("Citizenship"))
    document_number = forms.CharField(label=_("Identity document number"), max_length=60, required=False)
    marital_status = _choice(_("Marital status"), choices.MaritalStatus.choices)
    number_of_children = forms.IntegerField(label=_("Number of children"), min_value=0, max_value=30, required=False)
    education = _choice(_("Highest level of education"), choices.Education.choices)
    primary_language = _choice(_("Primary language"), choices.language_choices())
    secondary_language = _choice(_("Secondary language"), choices.language_choices())
    disability = forms.BooleanField(label=_("Has a disability"), required=False)
    deceased = forms.BooleanField(label=_("Deceased"), required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=40, required=False)
    home_phone = forms.CharField(label=_("Home phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=200, required=False)
    address = forms.CharField(label=_("Street address"), max_length=300, required=False)
    address_city = forms.CharField(label=_("City"), max_length=100, required=False)
    address_region = forms.CharField(label=_("Region or province"), max_length=100, required=False)
    address_postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    address_country = _countries(label=_("Country of residence"))
    guardian_name = forms.CharField(label=_("Guardian's name (for a child)"), max_length=200, required=False)
    guardian_contact = forms.CharField(label=_("Guardian's contact"), max_length=200, required=False)
    identified_on = forms.DateField(label=_("Identified on"), widget=DATE, initial=timezone.localdate)
    identification_channel = forms.ChoiceField(label=_("How was the person identified?"),
                                               choices=choices.IdentificationChannel.choices)
    identifying_organisation = forms.ModelChoiceField(
        label=_("Identifying organisation"), required=False, queryset=Organisation.objects.filter(is_active=True),
        help_text=_("Leave empty when it is your own organisation."))
    exploitation = _multi(_("Type of exploitation"), choices.Exploitation.choices)
    sexual_exploitation_types = _multi(_("Type of sexual exploitation"), choices.SexExploitation.choices)
    forced_labour_industry = _choice(_("Forced labour industry"), choices.Industry.choices)
    means_of_control = _multi(_("Means of control"), choices.MeansOfControl.choices)
    exploitation_countries = _countries(multiple=True, label=_("Countries of exploitation"))
    exploitation_start = forms.DateField(label=_("Exploitation from"), required=False, widget=DATE)
    exploitation_end = forms.DateField(label=_("Exploitation until"), required=False, widget=DATE)
    exploitation_websites = _multi(_("Exploitation websites and apps"), choices.Website.choices)
    age_when_trafficked = forms.IntegerField(label=_("Age when first trafficked"), min_value=0, max_value=120,
                                             required=False)
    recruitment_methods = _multi(_("Method of recruitment"), choices.RecruitmentMethod.choices)
    recruitment_websites = _multi(_("Recruitment websites and apps"), choices.Website.choices)
    recruitment_place = forms.CharField(label=_("Place of recruitment"), max_length=300, required=False)
    relationship_to_trafficker = _choice(_("Relationship to trafficker"), choices.Relationship.choices)
    country_of_origin = _countries(label=_("Country of origin"))
    transit_countries = _countries(multiple=True, label=_("Transit countries"))
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

    GROUPS: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (_("Identity"), ("salutation", "given_name", "patronymic", "family_name", "title", "gender", "birth_date",
                         "age_at_identification", "citizenships", "document_number")),
        (_("Circumstances"), ("marital_status", "number_of_children", "education", "primary_language",
                              "secondary_language", "disability", "deceased")),
        (_("Contacts and address"), ("phone", "home_phone", "email", "address", "address_city", "address_region",
                                     "address_postal_code", "address_country")),
        (_("Guardian"), ("guardian_name", "guardian_contact")),
        (_("Identification"), ("identified_on", "identification_channel", "identifying_organisation")),
        (_("Exploitation"), ("exploitation", "sexual_exploitation_types", "forced_labour_industry",
                             "means_of_control", "exploitation_countries", "exploitation_start", "exploitation_end",
                             "exploitation_websites", "age_when_trafficked")),
        (_("Recruitment and journey"), ("recruitment_methods", "recruitment_websites", "recruitment_place",
                                        "relationship_to_trafficker", "country_of_origin", "transit_countries")),
        (_("Consent"), ("consent_data_processing", "consent_share_law_enforcement", "consent_share_ngo",
                        "consent_share_government", "consent_share_international",
                        "consent_contact_by_law_enforcement")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A language from an import or the API that the list does not offer stays choosable.
        for name in ("primary_language", "secondary_language"):
            current = self.initial.get(name)
            field = self.fields[name]
            if current and current not in dict(field.choices):  # type: ignore[attr-defined]
                field.choices = [*field.choices, (current, current)]  # type: ignore[attr-defined]

    def fieldsets(self) -> list[tuple[Any, list[Any]]]:
        """The groups of bound fields to render (a group whose fields were all removed is left out)."""
        groups = [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.GROUPS]
        return [(legend, fields) for legend, fields in groups if fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("identified_on") and data["identified_on"] > timezone.localdate():
            self.add_error("identified_on", _("The date cannot be in the future."))
        return data

    @classmethod
    def initial_from(cls, case: Any) -> dict[str, Any]:
        person = case.person
        initial = {name: getattr(person, name) for name in PERSON_FORM_FIELDS}
        initial.update({name: getattr(case, name) for name in CASE_FORM_FIELDS})
        languages = list(person.languages or [])
        initial["primary_language"] = languages[0] if languages else ""
        initial["secondary_language"] = languages[1] if len(languages) > 1 else ""
        initial["exploitation"] = [e.exploitation for e in case.exploitations.all()]
        return initial

    def without_consent(self) -> CaseIntakeForm:
        for name in [n for n in self.fields if n.startswith("consent_")]:
            del self.fields[name]
        return self

    def split(self) -> tuple[dict[str, Any], dict[str, Any], list[str], dict[str, Any]]:
        d = self.cleaned_data
        person = {k: d[k] for k in PERSON_FORM_FIELDS}
        person["languages"] = [c for c in (d["primary_language"], d["secondary_language"]) if c]
        case = {k: d[k] for k in CASE_FORM_FIELDS}
        consent = {k.removeprefix("consent_"): d[k] for k in d if k.startswith("consent_")}
        return person, case, d["exploitation"], consent


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


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE, initial=timezone.localdate, required=False)


SECTIONS_HELP = _("Leave all unticked for the usual parts for that kind of organisation: the whole case for the "
                  "police; identity, shelter admission and services for a shelter; identity, services and notes "
                  "for any other organisation. You can share only what you can see yourself.")


def _sections_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=_("Parts of the case shared"), choices=Section.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple, help_text=SECTIONS_HELP)


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(label=_("Refer to"), queryset=Organisation.objects.filter(is_active=True))
    reason = forms.ChoiceField(label=_("Reason"), choices=choices.ReferralReason.choices)
    services = forms.MultipleChoiceField(label=_("Services requested"), choices=choices.ServiceType.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices)
    sections = _sections_field()
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    override_basis = forms.CharField(label=_("Legal basis for sharing without consent (police only)"),
                                     required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3}))


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=choices.ServiceType.choices)
    provider = forms.ModelChoiceField(label=_("Provider"), required=False,
                                      queryset=Organisation.objects.filter(is_active=True),
                                      help_text=_("Leave empty when your own organisation provides it."))
    planned_on = forms.DateField(label=_("Planned for"), required=False, widget=DATE)
    delivered_on = forms.DateField(label=_("Delivered on"), required=False, widget=DATE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Service.Outcome.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), required=False, widget=DATE, initial=timezone.localdate)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000)


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000)


class AssessmentForm(forms.Form):
    level = forms.ChoiceField(label=_("Reintegration"), choices=ReintegrationAssessment.Level.choices)
    assessed_on = forms.DateField(label=_("Assessed on"), required=False, widget=DATE, initial=timezone.localdate)
    housing_stable = forms.BooleanField(label=_("Stable housing"), required=False)
    income = forms.BooleanField(label=_("Income"), required=False)
    family_support = forms.BooleanField(label=_("Family support"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SupportPlanForm(forms.Form):
    plan_type = forms.ChoiceField(label=_("Type of support"), choices=choices.SupportPlanType.choices)
    objectives = forms.CharField(label=_("Objectives"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    action_plan = forms.CharField(label=_("Action plan"), max_length=10000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DATE)


class SupportPlanEndForm(forms.Form):
    actual_end = forms.DateField(label=_("Actual end"), required=False, widget=DATE, initial=timezone.localdate)


class TraffickingEventForm(forms.Form):
    event_type = forms.ChoiceField(label=_("What happened"), choices=choices.TraffickingEventType.choices)
    occurred_on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    country = _countries(label=_("Country"))
    region = forms.CharField(label=_("Region or province"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG, PNG, WebP, DOCX, XLSX)"))


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("Photo (JPEG, PNG or WebP)"),
                           widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))


class CloseForm(forms.Form):
    status = forms.ChoiceField(label=_("Close as"), choices=[
        (choices.CaseStatus.CLOSED, choices.CaseStatus.CLOSED.label),
        (choices.CaseStatus.CLOSED_REFERRED, choices.CaseStatus.CLOSED_REFERRED.label)])
    reason = forms.CharField(label=_("Reason for closure"), widget=forms.Textarea(attrs={"rows": 2}))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(choices.CaseStatus.ACTIVE, choices.CaseStatus.ACTIVE.label),
                                        (choices.CaseStatus.FOLLOW_UP, choices.CaseStatus.FOLLOW_UP.label)])


class GrantForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True))
    reason = forms.CharField(label=_("Reason"), max_length=300)
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=90, initial=14)
    sections = _sections_field()
