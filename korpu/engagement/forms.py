from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from korpu.accounts.models import Organisation
from korpu.engagement.models import REGIONS, Channel, MeetingAttachment, Member, Proposal, Service, TargetGroup

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberForm(forms.Form):
    """A membership of the coalition; the organisation is chosen only when the member is new."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE)
    is_chair = forms.BooleanField(label=_("Chair of the coalition"), required=False,
                                  help_text=_("The coalition has one chair: naming this member takes the flag from "
                                              "the member that holds it."))
    services = forms.MultipleChoiceField(label=_("Services offered"), choices=Service.choices,
                                         widget=forms.CheckboxSelectMultiple, required=False)
    regions = forms.MultipleChoiceField(label=_("Regions served"), choices=REGIONS,
                                        widget=forms.CheckboxSelectMultiple, required=False)
    left_on = forms.DateField(label=_("Left on"), widget=DATE, required=False,
                              help_text=_("Only when the organisation has left the coalition."))

    def __init__(self, *args: Any, member: Member | None = None, **kwargs: Any) -> None:
        if member is not None:
            kwargs.setdefault("initial", {"joined_on": member.joined_on, "is_chair": member.is_chair,
                                          "services": member.services, "regions": member.regions,
                                          "left_on": member.left_on})
        super().__init__(*args, **kwargs)
        if member is not None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = (  # type: ignore[attr-defined]
                Organisation.objects.filter(is_active=True, coalition_member__isnull=True).order_by("name"))


class ContactForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=200)
    title = forms.CharField(label=_("Position"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    held_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    organiser = forms.ModelChoiceField(label=_("Organiser"), queryset=Organisation.objects.filter(is_active=True))
    agenda = forms.CharField(label=_("Agenda (one item per line)"), widget=forms.Textarea(attrs={"rows": 4}),
                             required=False)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    summary = forms.CharField(label=_("Public summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MeetingEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    organiser = forms.ModelChoiceField(label=_("Organiser"), queryset=Organisation.objects.filter(is_active=True))


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


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, DOCX, XLSX, JPEG, PNG, WebP)"))
    kind = forms.ChoiceField(label=_("Kind of document"), choices=MeetingAttachment.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300, required=False,
                            help_text=_("Optional; the file name is shown when it is empty."))
    is_public = forms.BooleanField(label=_("Show on the public portal"), required=False,
                                   help_text=_("Only while the meeting itself is published."))


class ProposalForm(forms.Form):
    from_organisation = forms.ModelChoiceField(label=_("From"), queryset=Organisation.objects.filter(
        coalition_member__isnull=False, coalition_member__left_on__isnull=True))
    addressed_to = forms.ModelChoiceField(label=_("Addressed to"), queryset=Organisation.objects.filter(is_active=True))
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 4}))


def _measures_field() -> forms.ModelMultipleChoiceField:
    from korpu.plan.models import Measure

    return forms.ModelMultipleChoiceField(label=_("Plan measures it feeds"), required=False,
                                          queryset=Measure.objects.select_related("section__plan"))


class ProposalResponseForm(forms.Form):
    """The answer to a proposal. Only the statuses it may move to are offered (``Proposal.next_statuses``);
    a known status posted out of turn reaches the action, which refuses it with the reason."""

    status = forms.ChoiceField(label=_("New status"), choices=[c for c in Proposal.Status.choices
                                                               if c[0] != Proposal.Status.RECEIVED])
    response = forms.CharField(label=_("Response"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Proposal.Status.choices)
        self.fields["status"].widget.choices = [(code, labels[code]) for code in
                                                proposal.next_statuses()]
        self.fields["measures"] = _measures_field()


class ProposalMeasuresForm(forms.Form):
    """The plan measures a proposal feeds, changed without moving the proposal on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measures"] = _measures_field()


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
