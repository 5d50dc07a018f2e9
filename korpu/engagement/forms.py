from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation
from korpu.engagement.models import REGIONS, Channel, Proposal, TargetGroup

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    held_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    organiser = forms.ModelChoiceField(label=_("Organiser"), queryset=Organisation.objects.filter(is_active=True))
    agenda = forms.CharField(label=_("Agenda (one item per line)"), widget=forms.Textarea(attrs={"rows": 4}),
                             required=False)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    summary = forms.CharField(label=_("Public summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ParticipantForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), required=False,
                                          queryset=Organisation.objects.filter(is_active=True))
    person_name = forms.CharField(label=_("Person"), max_length=200, required=False)
    person_title = forms.CharField(label=_("Title"), max_length=200, required=False)
    guest_affiliation = forms.CharField(label=_("Guest's affiliation (external guests)"), max_length=200,
                                        required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.ModelChoiceField(label=_("Responsible organisation"),
                                         queryset=Organisation.objects.filter(is_active=True))
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo (JPEG, PNG, WebP)"))
    alt_text = forms.CharField(label=_("Description for people who cannot see it"), max_length=300)
    is_public = forms.BooleanField(label=_("Show on the public portal"), required=False)


class ProposalForm(forms.Form):
    from_organisation = forms.ModelChoiceField(label=_("From"), queryset=Organisation.objects.filter(
        coalition_member__isnull=False, coalition_member__left_on__isnull=True))
    addressed_to = forms.ModelChoiceField(label=_("Addressed to"), queryset=Organisation.objects.filter(is_active=True))
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 4}))


class ProposalResponseForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=[c for c in Proposal.Status.choices
                                                               if c[0] != Proposal.Status.RECEIVED])
    response = forms.CharField(label=_("Response"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    measures: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Plan measures it feeds"), required=False, queryset=None)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from korpu.plan.models import Measure

        self.fields["measures"].queryset = Measure.objects.select_related("section__plan")  # type: ignore[attr-defined]


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    organisers = forms.ModelMultipleChoiceField(label=_("Organisers"),
                                                queryset=Organisation.objects.filter(is_active=True))
    target_groups = forms.MultipleChoiceField(label=_("Target groups"), choices=TargetGroup.choices,
                                              widget=forms.CheckboxSelectMultiple, required=False)
    channels = forms.MultipleChoiceField(label=_("Channels"), choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple, required=False)
    regions = forms.MultipleChoiceField(label=_("Regions"), choices=REGIONS, widget=forms.CheckboxSelectMultiple,
                                        required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    materials = forms.CharField(label=_("Materials"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CampaignEventForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=300)
    region = forms.ChoiceField(label=_("Region"), choices=REGIONS)
    target_group = forms.ChoiceField(label=_("Target group"), choices=TargetGroup.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    people_reached = forms.IntegerField(label=_("People reached"), min_value=0)
