"""Coalition engagement: members, meetings (agenda, participants, minutes, decisions, photos),
proposals and their fate, joint awareness campaigns and their reach."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from korpu.accounts.models import Organisation
from korpu.core.fields import EncryptedTextField
from korpu.core.models import DataKey

REGIONS = [
    ("baku", _("Baku")), ("absheron_khizi", _("Absheron-Khizi")), ("mountainous_shirvan", _("Mountainous Shirvan")),
    ("ganja_dashkasan", _("Ganja-Dashkasan")), ("karabakh", _("Karabakh")), ("gazakh_tovuz", _("Gazakh-Tovuz")),
    ("guba_khachmaz", _("Guba-Khachmaz")), ("lankaran_astara", _("Lankaran-Astara")),
    ("central_aran", _("Central Aran")), ("mil_mughan", _("Mil-Mughan")), ("shaki_zagatala", _("Shaki-Zagatala")),
    ("shirvan_salyan", _("Shirvan-Salyan")), ("east_zangezur", _("East Zangezur")), ("nakhchivan", _("Nakhchivan")),
]


class Service(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    LEGAL_AID = "legal_aid", _("Legal aid")
    PSYCHOLOGICAL = "psychological", _("Psychological help")
    HOTLINE = "hotline", _("Hotline")
    VOCATIONAL = "vocational", _("Vocational training")
    AWARENESS = "awareness", _("Awareness raising")


class Member(models.Model):
    """An organisation's membership of the NGO coalition.

    At most one member is the chair (a database constraint); ``actions.member_save`` moves the chair
    from one member to another and refuses to leave the coalition without one once it has one.
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="coalition_member")
    joined_on = models.DateField(_("joined on"))
    is_chair = models.BooleanField(_("chair"), default=False)
    services = models.JSONField(_("services offered"), default=list, blank=True)
    regions = models.JSONField(_("regions served"), default=list, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["is_chair"], condition=models.Q(is_chair=True),
                                               name="one_coalition_chair")]

    def __str__(self) -> str:
        return str(self.organisation)


class ContactPerson(models.Model):
    """A member's contact person: personal data, visible to logged-in partners only, never public.

    Name, position, phone and e-mail are encrypted under the contact's own data key, so one
    person's details can be shredded without touching anyone else's.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="contacts")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    name = EncryptedTextField(pgettext_lazy("person", "name"))
    title = EncryptedTextField(_("position"))
    phone = EncryptedTextField(_("phone"))
    email = EncryptedTextField(_("e-mail"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"contact {self.pk}"


class Meeting(models.Model):
    """A meeting between the department, the coalition and others."""

    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    organiser = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meetings_organised",
                                  verbose_name=_("organiser"))
    minutes = models.TextField(_("minutes"), blank=True)
    summary = models.TextField(_("public summary"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class AgendaItem(models.Model):
    """One item of a meeting's agenda, in order."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("agenda item"), max_length=500)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class Participant(models.Model):
    """An organisation at a meeting, optionally a named person with a title, or an external guest."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    person_name = models.CharField(_("person"), max_length=200, blank=True)
    person_title = models.CharField(_("title"), max_length=200, blank=True)
    is_guest = models.BooleanField(_("external guest"), default=False)
    guest_affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.person_name or str(self.organisation or self.guest_affiliation)


class Decision(models.Model):
    """A decision of a meeting with a responsible organisation and a due date, tracked to done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    responsible = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("responsible organisation"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Photo(models.Model):
    """A meeting photo: EXIF and GPS stripped on upload, a thumbnail, required alt text."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos")
    image = models.CharField(max_length=120)
    thumbnail = models.CharField(max_length=120)
    content_type = models.CharField(max_length=30)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(_("description (alt text)"), max_length=300)
    is_public = models.BooleanField(_("public"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.alt_text


class MeetingAttachment(models.Model):
    """A file of a meeting: agenda papers, the minutes as signed, or another document.

    The type is judged from the content (``korpu.core.uploads.sniff``), the name is sanitised,
    and the content is stored sealed under the file's own data key, like a case attachment. Staff
    download it; the public only when the meeting is public and the file is marked public.
    """

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Agenda papers")
        MINUTES = "minutes", _("Minutes")
        OTHER = "other", _("Other document")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=130)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=100, unique=True)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    is_public = models.BooleanField(_("public"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title or self.filename


class Proposal(models.Model):
    """A proposal from a member organisation to a body, and what became of it."""

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("proposal status", "Received")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        PARTIALLY_ACCEPTED = "partially_accepted", _("Partially accepted")
        DECLINED = "declined", _("Declined")
        IMPLEMENTED = "implemented", _("Implemented")

    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="proposals_made",
                                          verbose_name=_("from"))
    addressed_to = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="proposals_received",
                                     verbose_name=_("addressed to"))
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals",
                                verbose_name=_("raised at"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("proposal"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    response = models.TextField(_("response"), blank=True)
    measures = models.ManyToManyField("plan.Measure", related_name="proposals", blank=True,
                                      verbose_name=_("plan measures it feeds"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def next_statuses(self) -> list[str]:
        """The statuses this proposal may move to, in the order of ``Status`` (empty when final)."""
        allowed = PROPOSAL_FLOW.get(self.status, frozenset())
        return [code for code in Proposal.Status.values if code in allowed]

    @property
    def is_final(self) -> bool:
        return not self.next_statuses()


# The one place the life of a proposal is written down: from each status, where it may go next.
PROPOSAL_FLOW: dict[str, frozenset[str]] = {
    Proposal.Status.RECEIVED: frozenset({Proposal.Status.UNDER_REVIEW, Proposal.Status.ACCEPTED,
                                         Proposal.Status.PARTIALLY_ACCEPTED, Proposal.Status.DECLINED}),
    Proposal.Status.UNDER_REVIEW: frozenset({Proposal.Status.ACCEPTED, Proposal.Status.PARTIALLY_ACCEPTED,
                                             Proposal.Status.DECLINED}),
    Proposal.Status.ACCEPTED: frozenset({Proposal.Status.IMPLEMENTED}),
    Proposal.Status.PARTIALLY_ACCEPTED: frozenset({Proposal.Status.IMPLEMENTED}),
    Proposal.Status.DECLINED: frozenset(),
    Proposal.Status.IMPLEMENTED: frozenset(),
}


class ProposalEvent(models.Model):
    """One step in a proposal's life: the status it moved to, by whom, when, with the answer's text."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=Proposal.Status.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.status}"


class TargetGroup(models.TextChoices):
    """Who an awareness event is for."""

    STUDENTS = "students", _("Students")
    JOB_SEEKERS = "job_seekers", _("Job seekers")
    LABOUR_MIGRANTS = "labour_migrants", _("Labour migrants")
    WOMEN = "women", _("Women")
    CHILDREN_IN_INSTITUTIONS = "children_institutions", _("Children in institutions")
    GENERAL_PUBLIC = "general_public", _("General public")


class Channel(models.TextChoices):
    TALKS = "talks", _("School and university talks")
    TV_RADIO = "tv_radio", _("TV and radio")
    SOCIAL_MEDIA = "social_media", _("Social media")
    PRINTED = "printed", _("Printed material")
    HOTLINE = "hotline", _("Hotline promotion")


class Campaign(models.Model):
    """A joint awareness campaign of the department and NGOs. New campaigns are internal until published."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    organisers = models.ManyToManyField(Organisation, related_name="campaigns", verbose_name=_("organisers"))
    target_groups = models.JSONField(_("target groups"), default=list)
    channels = models.JSONField(_("channels"), default=list)
    regions = models.JSONField(_("regions"), default=list)
    materials = models.TextField(_("materials"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                              name="campaign_period_order")]

    def __str__(self) -> str:
        return self.title


class CampaignEvent(models.Model):
    """One event of a campaign: when, where, for whom, how many people reached."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300)
    region = models.CharField(_("region"), max_length=30, choices=REGIONS)
    target_group = models.CharField(_("target group"), max_length=30, choices=TargetGroup.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    people_reached = models.PositiveIntegerField(_("people reached"))

    class Meta:
        ordering = ["held_on", "id"]
        indexes = [models.Index(fields=["region", "target_group"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.held_on}"
