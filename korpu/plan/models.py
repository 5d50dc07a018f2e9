"""The National Action Plan and international recommendations.

Plans have sections and measures; measures have executing bodies, partners, periods, categories and
indicators (targets per period, values reported per body, optionally computed from the records).
Each executing body reports progress per measure and period (draft → submitted → returned/accepted).
Recommendations (US TIP, GRETA, UN bodies, …) link to the measures that answer them and to the same
recommendation in earlier cycles, with the government's response and an assessment history.
Texts written by people are stored in az, ru and en side by side (``korpu.core.i18n.localized``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation


class Plan(models.Model):
    """A National Action Plan for a period, adopted by an act. Unpublished until the coordinator's
    office publishes it; staff see it (to prepare it) from the start."""

    title_az = models.CharField(_("title (az)"), max_length=300)
    title_ru = models.CharField(_("title (ru)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (en)"), max_length=300, blank=True)
    description_az = models.TextField(_("description (az)"), blank=True)
    description_ru = models.TextField(_("description (ru)"), blank=True)
    description_en = models.TextField(_("description (en)"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    adopting_act_az = models.CharField(_("adopting act (az)"), max_length=300, blank=True)
    adopting_act_ru = models.CharField(_("adopting act (ru)"), max_length=300, blank=True)
    adopting_act_en = models.CharField(_("adopting act (en)"), max_length=300, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["-start_year"]
        constraints = [models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")),
                                              name="plan_period_order")]

    def __str__(self) -> str:
        return f"{self.title_az} ({self.start_year}–{self.end_year})"


class Section(models.Model):
    """A chapter of a plan (its measures are numbered within it)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(_("number"), max_length=10)
    title_az = models.CharField(_("title (az)"), max_length=300)
    title_ru = models.CharField(_("title (ru)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (en)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_section_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title_az}"


class Category(models.Model):
    """A tag on measures: the four Ps, SDG targets, or a free taxonomy."""

    class Kind(models.TextChoices):
        PILLAR = "pillar", _("Pillar")
        SDG = "sdg", _("SDG target")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True)
    name_az = models.CharField(_("name (az)"), max_length=200)
    name_ru = models.CharField(_("name (ru)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (en)"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.code


class Measure(models.Model):
    """One measure of the plan, carried out by executing bodies (with partner organisations)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="measures")
    number = models.CharField(_("number"), max_length=20)
    text_az = models.TextField(_("measure (az)"))
    text_ru = models.TextField(_("measure (ru)"), blank=True)
    text_en = models.TextField(_("measure (en)"), blank=True)
    expected_result_az = models.TextField(_("expected result (az)"), blank=True)
    expected_result_ru = models.TextField(_("expected result (ru)"), blank=True)
    expected_result_en = models.TextField(_("expected result (en)"), blank=True)
    executing_bodies = models.ManyToManyField(Organisation, related_name="measures_executed",
                                              verbose_name=_("executing bodies"))
    partners = models.ManyToManyField(Organisation, related_name="measures_partnered", blank=True,
                                      verbose_name=_("partner organisations"))
    categories = models.ManyToManyField(Category, related_name="measures", blank=True)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    # Publication is explicit: a measure created by a page or an import stays internal until published.
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["section__order", "section__number", "id"]
        constraints = [models.UniqueConstraint(fields=["section", "number"], name="unique_measure_number")]

    def __str__(self) -> str:
        return self.number


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    LATE = "late", _("Late")


class Indicator(models.Model):
    """A measurable indicator of a measure; may be computed from the records (``computed_key``)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="indicators")
    name_az = models.CharField(_("indicator (az)"), max_length=300)
    name_ru = models.CharField(_("indicator (ru)"), max_length=300, blank=True)
    name_en = models.CharField(_("indicator (en)"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=40, default="", blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    computed_key = models.CharField(_("computed from the records"), max_length=60, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name_az


class IndicatorTarget(models.Model):
    """The value an indicator should reach in one reporting year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="unique_indicator_target")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"


class ReportingPeriod(models.Model):
    """A period for which every executing body reports on each of its measures."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    year = models.PositiveSmallIntegerField(_("year"))
    due_on = models.DateField(_("reports due on"))
    locked = models.BooleanField(_("locked"), default=False)

    class Meta:
        ordering = ["plan", "year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="unique_period_year")]

    def __str__(self) -> str:
        return str(self.year)


class ProgressReport(models.Model):
    """What one executing body did for one measure in one period; reviewed by the coordinator."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned with comments")
        ACCEPTED = "accepted", _("Accepted")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="progress_reports")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    implementation = models.CharField(_("implementation"), max_length=16, choices=ImplementationStatus.choices,
                                      default=ImplementationStatus.IN_PROGRESS)
    text = models.TextField(_("what was done"), blank=True)
    review_comment = models.TextField(_("coordinator's comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period__year", "measure", "organisation"]
        constraints = [models.UniqueConstraint(fields=["measure", "period", "organisation"],
                                               name="one_report_per_body_period")]

    def __str__(self) -> str:
        return f"{self.measure} {self.period} {self.organisation}"


class ReportEvent(models.Model):
    """The history of a report: each submission, return (with comment) and acceptance."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=ProgressReport.Status.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.status}"


class IndicatorValue(models.Model):
    """An actual value reported by a body for a period (through its progress report)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="indicator_values")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "report"], name="one_value_per_report")]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.value}"


class Evidence(models.Model):
    """A file attached to a progress report as evidence (not victim data, so stored unencrypted).

    The bytes live in Django's default storage under ``plan/evidence/`` with a random name; the type is
    judged from the content (``korpu.core.uploads.sniff``) and the name is sanitised.
    """

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    filename = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=100, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename


class BodyContact(models.Model):
    """The head of an executing body, to whom overdue reports escalate."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="plan_contact")
    head_name = models.CharField(_("head of the body"), max_length=200)
    head_email = models.EmailField(_("head's e-mail"))
    escalate_after_days = models.PositiveSmallIntegerField(_("escalate after (days overdue)"), default=14)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.head_name}"


class ReminderLog(models.Model):
    """One reminder sent, so `korpu jobs run` never sends the same one twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Escalation")

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "organisation", "kind"], name="one_reminder_kind")]

    def __str__(self) -> str:
        return f"{self.period} {self.organisation} {self.kind}"


class Recommendation(models.Model):
    """A recommendation of an international body, in one cycle, linked to the measures answering it."""

    class Source(models.TextChoices):
        US_TIP = "us_tip", _("US TIP report")
        GRETA = "greta", _("Council of Europe GRETA")
        CEDAW = "cedaw", _("UN CEDAW")
        CRC = "crc", _("UN Committee on the Rights of the Child")
        HRC = "hrc", _("UN Human Rights Committee")
        UPR = "upr", _("UN Universal Periodic Review")
        OSCE = "osce", _("OSCE")
        OTHER = "other", _("Other")

    class Priority(models.TextChoices):
        PRIORITIZED = "prioritized", _("Prioritized")
        URGES = "urges", _("Urges")
        CONSIDERS = "considers", _("Considers")
        INVITES = "invites", _("Invites")
        NONE = "", _("—")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    cycle = models.CharField(_("year or cycle"), max_length=40)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    text_az = models.TextField(_("text (az)"))
    text_ru = models.TextField(_("text (ru)"), blank=True)
    text_en = models.TextField(_("text (en)"), blank=True)
    priority = models.CharField(_("priority"), max_length=12, choices=Priority.choices, blank=True)
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    measures = models.ManyToManyField(Measure, related_name="recommendations", blank=True)
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats",
                                 verbose_name=_("same recommendation in the earlier cycle"))
    response_az = models.TextField(_("government response (az)"), blank=True)
    response_ru = models.TextField(_("government response (ru)"), blank=True)
    response_en = models.TextField(_("government response (en)"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "-cycle", "reference"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.cycle} {self.reference}"


class Assessment(models.Model):
    """How far a recommendation is implemented, assessed over time (the newest is current)."""

    class Level(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        PARTIAL = "partial", _("Partially implemented")
        FULL = "full", _("Fully implemented")

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="assessments")
    level = models.CharField(_("assessment"), max_length=12, choices=Level.choices)
    comment = models.TextField(_("internal comment"), blank=True)
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.recommendation_id} {self.level}"
