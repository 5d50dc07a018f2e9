"""Victims and the national referral mechanism: persons, cases, decisions, consent, referrals,
services, follow-ups, notes and attachments (HTCDS 2.0 aligned).

Personal identifiers are :class:`~korpu.core.fields.EncryptedTextField` values sealed under the
person's data key; what statistics need (gender, age at identification, citizenship, exploitation)
stays in clear. Everything is read through ``korpu.cases.queries`` and written through
``korpu.cases.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from korpu.accounts.models import Organisation
from korpu.cases import choices
from korpu.core.fields import BlindIndexField, EncryptedDateField, EncryptedTextField
from korpu.core.models import DataKey


class Person(models.Model):
    """A (presumed) victim. Identifiers are encrypted; ``data_key`` shredded = person erased."""

    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    salutation = EncryptedTextField(_("salutation"))
    given_name = EncryptedTextField(_("first name"))
    family_name = EncryptedTextField(_("last name"))
    patronymic = EncryptedTextField(_("patronymic"))
    title = EncryptedTextField(pgettext_lazy("person", "title"), help_text=_("The person's position, if any."))
    birth_date = EncryptedDateField(_("date of birth"), null=True)
    document_number = EncryptedTextField(_("identity document number"))
    phone = EncryptedTextField(_("mobile phone"))
    home_phone = EncryptedTextField(_("home phone"))
    email = EncryptedTextField(_("e-mail"))
    address = EncryptedTextField(_("street address"))
    address_city = EncryptedTextField(_("city"))
    address_region = EncryptedTextField(_("region or province"))
    address_postal_code = EncryptedTextField(_("postal code"))
    # The country of the address stays in clear (ISO 3166 alpha-2): statistics of residence, as citizenship.
    address_country = models.CharField(_("country of residence"), max_length=2, blank=True)
    # The photo is a sealed file in storage (like attachments); these two say where it is and what it is.
    photo_storage_name = models.CharField(max_length=100, blank=True)
    photo_content_type = models.CharField(max_length=40, blank=True)
    name_index = BlindIndexField()
    family_name_index = BlindIndexField()
    document_index = BlindIndexField()
    gender = models.CharField(_("gender"), max_length=24, choices=choices.Gender.choices,
                              default=choices.Gender.UNKNOWN)
    age_at_identification = models.PositiveSmallIntegerField(_("age at identification"), null=True, blank=True)
    citizenships = models.JSONField(_("citizenships"), default=list, blank=True, help_text=_("ISO 3166 alpha-2"))
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_("ISO 639"))
    education = models.CharField(_("education"), max_length=40, choices=choices.Education.choices, blank=True)
    disability = models.BooleanField(_("disability"), default=False)
    number_of_children = models.PositiveSmallIntegerField(_("number of children"), null=True, blank=True)
    marital_status = models.CharField(_("marital status"), max_length=24, choices=choices.MaritalStatus.choices,
                                      blank=True)
    deceased = models.BooleanField(_("deceased"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["gender", "age_at_identification"])]

    def __str__(self) -> str:
        return f"Person {self.pk}"

    @property
    def is_child(self) -> bool:
        return self.age_at_identification is not None and self.age_at_identification < 18

    @property
    def postal_address(self) -> str:
        parts = [self.address, self.address_city, self.address_region, self.address_postal_code, self.address_country]
        return ", ".join(p for p in parts if p)

    @property
    def has_photo(self) -> bool:
        return bool(self.photo_storage_name)

    @property
    def full_name(self) -> str:
        parts = [self.given_name, self.patronymic, self.family_name]
        return " ".join(p for p in parts if p) if self.given_name is not None else ""


class Case(models.Model):
    """One person's path through the referral mechanism, owned by one organisation."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="owned_cases",
                                           verbose_name=_("owner organisation"))
    case_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("case worker"))
    trafficking_status = models.CharField(_("trafficking status"), max_length=32,
                                          choices=choices.TraffickingStatus.choices,
                                          default=choices.TraffickingStatus.POSSIBLE)
    status_decided_by = models.CharField(_("status decided by"), max_length=40, choices=choices.DecisionOrg.choices,
                                         blank=True)
    forced_labour_industry = models.CharField(_("forced labour industry"), max_length=60,
                                              choices=choices.Industry.choices, blank=True)
    sexual_exploitation_types = models.JSONField(_("types of sexual exploitation"), default=list, blank=True)
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    recruitment_methods = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    recruitment_websites = models.JSONField(_("recruitment websites and apps"), default=list, blank=True)
    exploitation_websites = models.JSONField(_("exploitation websites and apps"), default=list, blank=True)
    age_when_trafficked = models.PositiveSmallIntegerField(_("age when first trafficked"), null=True, blank=True)
    recruitment_place = EncryptedTextField(_("place of recruitment"))
    relationship_to_trafficker = models.CharField(_("relationship to trafficker"), max_length=20,
                                                  choices=choices.Relationship.choices, blank=True)
    country_of_origin = models.CharField(_("country of origin"), max_length=2, blank=True)
    transit_countries = models.JSONField(_("transit countries"), default=list, blank=True)
    exploitation_countries = models.JSONField(_("countries of exploitation"), default=list, blank=True)
    exploitation_start = models.DateField(_("exploitation from"), null=True, blank=True)
    exploitation_end = models.DateField(_("exploitation until"), null=True, blank=True)
    is_transnational = models.BooleanField(_("transnational"), default=False)
    identified_on = models.DateField(_("identified on"), default=timezone.localdate)
    identification_channel = models.CharField(_("identification channel"), max_length=24,
                                              choices=choices.IdentificationChannel.choices)
    identifying_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                                 verbose_name=_("identifying organisation"))
    status = models.CharField(_("case status"), max_length=16, choices=choices.CaseStatus.choices,
                              default=choices.CaseStatus.ACTIVE)
    closure_reason = EncryptedTextField(_("reason for closure"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    guardian_name = EncryptedTextField(_("guardian's name"))
    guardian_contact = EncryptedTextField(_("guardian's contact"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["owner_organisation", "-identified_on", "-id"]),
            # -id too: the list's exact order, and the ids without the table (index-only scans).
            models.Index(fields=["status", "-identified_on", "-id"]),
            models.Index(fields=["trafficking_status", "-identified_on", "-id"]),
            models.Index(fields=["-identified_on", "-id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exploitation_start__isnull=True) | models.Q(exploitation_end__isnull=True)
                | models.Q(exploitation_end__gte=models.F("exploitation_start")),
                name="exploitation_period_in_order"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_child(self) -> bool:
        return self.person.is_child


class StatusChange(models.Model):
    """One change of a case's status (registered active, moved to follow-up, closed, reopened).

    Kept so the timeline shows when the case moved and who moved it; the case row holds only the
    current status. Written by the actions that change the status, nothing else.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("case status"), max_length=16, choices=choices.CaseStatus.choices)
    previous = models.CharField(max_length=16, choices=choices.CaseStatus.choices, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["case", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.case} {self.previous}→{self.status}"


class CaseExploitation(models.Model):
    """One type of exploitation of a case (HTCDS multiselect, a row each so lists can filter by it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exploitations")
    exploitation = models.CharField(max_length=40, choices=choices.Exploitation.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "exploitation"], name="unique_case_exploitation")]
        indexes = [models.Index(fields=["exploitation", "case"])]

    def __str__(self) -> str:
        return self.exploitation


class StatusDecision(models.Model):
    """The police department's official decision: recognised victim or not, with date and basis."""

    class Decision(models.TextChoices):
        RECOGNISED = "recognised", _("Recognised as a victim")
        NOT_VICTIM = "not_victim", _("Not a victim")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_decisions")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    decided_on = models.DateField(_("decided on"))
    basis = EncryptedTextField(_("basis"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.decision}"


class Consent(models.Model):
    """HTCDS consent, one row per recording (history kept); the newest row is in force."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    data_processing = models.BooleanField(_("to the processing of personal data"), default=False)
    share_law_enforcement = models.BooleanField(_("to sharing with law enforcement"), default=False)
    share_ngo = models.BooleanField(_("to sharing with NGOs"), default=False)
    share_government = models.BooleanField(_("to sharing with state agencies"), default=False)
    share_international = models.BooleanField(_("to sharing with international organisations"), default=False)
    contact_by_law_enforcement = models.BooleanField(_("to contact by law enforcement"), default=False)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(withdrawn_on__isnull=True)
                                   | models.Q(withdrawn_on__gte=models.F("given_on")),
                                   name="consent_withdrawn_after_given"),
        ]

    def __str__(self) -> str:
        return f"consent {self.case} {self.given_on}"

    def allows_sharing_with(self, organisation: Organisation) -> bool:
        if self.withdrawn_on is not None or not self.data_processing:
            return False
        kind = organisation.org_type
        if kind == Organisation.Type.LAW_ENFORCEMENT:
            return self.share_law_enforcement
        if kind == Organisation.Type.NGO:
            return self.share_ngo
        if kind == Organisation.Type.INTERNATIONAL:
            return self.share_international
        return self.share_government


class Section(models.TextChoices):
    """Parts of a case a referral can open to the receiving organisation."""

    IDENTITY = "identity", _("Identity")
    SERVICES = "services", _("Services and follow-up")
    ADMISSION = "admission", _("Shelter admission")
    NOTES = "notes", _("Notes and attachments")
    INVESTIGATION = "investigation", _("Investigation")


ALL_SECTIONS = [s.value for s in Section]


class Referral(models.Model):
    """A referral from one organisation to another; access lasts while it is accepted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")
        COMPLETED = "completed", _("Completed")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent")
        EMERGENCY = "emergency", _("Emergency")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_sent")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_received")
    reason = models.CharField(_("reason"), max_length=32, choices=choices.ReferralReason.choices)
    services_requested = models.JSONField(_("services requested"), default=list, blank=True)
    sections = models.JSONField(_("parts of the case shared"), default=list)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE)
    details = EncryptedTextField(_("details"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    decision_reason = EncryptedTextField(_("reason for the decision"))
    consent_override_basis = EncryptedTextField(_("legal basis for sharing without consent"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["to_organisation", "status", "-created_at"]),
            models.Index(fields=["from_organisation", "status", "-created_at"]),
            # The inbox and outbox with every status, newest first: read in order, no sort.
            models.Index(fields=["to_organisation", "-created_at", "-id"]),
            models.Index(fields=["from_organisation", "-created_at", "-id"]),
            models.Index(fields=["case", "to_organisation", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.to_organisation}"

    def sections_display(self) -> str:
        labels = dict(Section.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.sections)

    def services_display(self) -> str:
        from korpu.cases.choices import ServiceType

        labels = dict(ServiceType.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.services_requested)


class AccessGrant(models.Model):
    """An explicit, audited, time-limited grant of a case to another organisation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sections = models.JSONField(default=list)
    reason = models.CharField(_("reason"), max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "expires_at"])]

    def __str__(self) -> str:
        return f"grant {self.case} → {self.organisation}"


class Service(models.Model):
    """A service in the support plan: planned, then delivered (or not), by a provider."""

    class Outcome(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DELIVERED = "delivered", _("Delivered")
        DECLINED = "declined", _("Declined by the person")
        NOT_AVAILABLE = "not_available", _("Not available")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    service_type = models.CharField(_("service"), max_length=24, choices=choices.ServiceType.choices)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services_provided",
                                 verbose_name=_("provider"))
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PLANNED)
    amount = models.DecimalField(_("amount (AZN)"), max_digits=10, decimal_places=2, null=True, blank=True)
    notes = EncryptedTextField(_("notes"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["planned_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(service_type="financial", amount__isnull=False),
                                    name="one_state_allowance_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.service_type}"


class FollowUp(models.Model):
    """A scheduled follow-up contact; overdue when past due and not done."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organisation", "done_on", "due_on"])]

    def __str__(self) -> str:
        return f"{self.case} follow-up {self.due_on}"


class ReintegrationAssessment(models.Model):
    """How far the person has come back into ordinary life, assessed over time."""

    class Level(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        PARTIAL = "partial", _("Partially reintegrated")
        REINTEGRATED = "reintegrated", _("Reintegrated")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("assessed on"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    housing_stable = models.BooleanField(_("stable housing"), default=False)
    income = models.BooleanField(_("income"), default=False)
    family_support = models.BooleanField(_("family support"), default=False)
    notes = EncryptedTextField(_("notes"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.level}"


class SupportPlan(models.Model):
    """HTCDS Support Plan: the objectives and the actions of one kind of support, with its end dates.

    Part of the ``services`` section. The objectives and the action plan describe the person's
    situation, so they are encrypted under the person's data key; type and dates stay in clear.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_plans")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    plan_type = models.CharField(_("type of support"), max_length=40, choices=choices.SupportPlanType.choices)
    objectives = EncryptedTextField(_("objectives"))
    action_plan = EncryptedTextField(_("action plan"))
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.plan_type}"


class TraffickingEvent(models.Model):
    """HTCDS Historic Trafficking Event: where and when the person was recruited, moved or exploited.

    Part of the ``identity`` section: places are identifying. The country and the date stay in clear
    (as the case's countries do); city, region, street, postal code and description are encrypted.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="trafficking_events")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(_("what happened"), max_length=16, choices=choices.TraffickingEventType.choices)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = EncryptedTextField(_("region or province"))
    city = EncryptedTextField(_("city"))
    street = EncryptedTextField(_("street"))
    postal_code = EncryptedTextField(_("postal code"))
    description = EncryptedTextField(_("description"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.event_type}"


class Note(models.Model):
    """A case note; the text is encrypted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class Attachment(models.Model):
    """A file attached to a case. Name and content are encrypted; the content lives in storage."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"attachment {self.pk}"


class CaseAccess(models.Model):
    """Why an organisation may open a case, and which parts: the owner, an accepted referral, or a grant.

    Rows are written only by ``korpu.cases.actions`` (create on case registration, referral
    acceptance and grants; end on revocation, completion, decline). Every scoping query reads
    this table, so there is one place to review for leaks. See docs/adr/0009-case-access.md.
    """

    class Source(models.TextChoices):
        OWNER = "owner", _("Owner")
        REFERRAL = "referral", _("Accepted referral")
        GRANT = "grant", _("Grant")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    grant = models.ForeignKey(AccessGrant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    sections = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # expires_at in the key: every scoping check (live access of these organisations to this
        # case) is answered from the index alone, without visiting the table.
        indexes = [models.Index(fields=["organisation", "case", "expires_at"]),
                   models.Index(fields=["case", "organisation", "expires_at"])]
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], condition=models.Q(source="owner"),
                                    name="one_owner_access"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.case} ({self.source})"
