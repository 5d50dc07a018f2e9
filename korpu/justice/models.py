"""Criminal proceedings: investigations, prosecutions and court outcomes, linked to cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation
from korpu.cases.models import Case


class Article(models.TextChoices):
    TRAFFICKING = "144-1", _("Article 144-1 (trafficking in human beings)")
    FORCED_LABOUR = "144-2", _("Article 144-2 (forced labour)")
    OTHER = "other", _("Other article")


class Investigation(models.Model):
    """A criminal investigation opened by an investigating body, linked to the victims' cases."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SENT_TO_COURT = "sent_to_court", _("Sent to court")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("criminal case number"), max_length=40, unique=True)
    article = models.CharField(_("article"), max_length=8, choices=Article.choices)
    opened_on = models.DateField(_("opened on"))
    investigating_body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="investigations",
                                           verbose_name=_("investigating body"))
    suspects = models.PositiveIntegerField(_("suspects"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    victims = models.ManyToManyField(Case, related_name="investigations", blank=True, verbose_name=_("victims"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.number


class Prosecution(models.Model):
    """The prosecution of defendants in an investigation before a court."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="prosecutions")
    filed_on = models.DateField(_("filed on"))
    court = models.CharField(_("court"), max_length=200)
    defendants = models.PositiveIntegerField(_("defendants"), default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.investigation} @ {self.court}"


class CourtOutcome(models.Model):
    """A court's decision on a prosecution: convictions and acquittals with sentences."""

    class Result(models.TextChoices):
        CONVICTION = "conviction", _("Conviction")
        ACQUITTAL = "acquittal", _("Acquittal")

    prosecution = models.ForeignKey(Prosecution, on_delete=models.CASCADE, related_name="outcomes")
    decided_on = models.DateField(_("decided on"))
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    persons = models.PositiveIntegerField(_("persons"), default=1)
    sentence_months = models.PositiveIntegerField(_("sentence (months)"), null=True, blank=True)
    sentence_text = models.CharField(_("sentence"), max_length=300, blank=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            # An acquittal carries no sentence: the sentence bands count convictions only.
            models.CheckConstraint(condition=models.Q(result="conviction") | models.Q(sentence_months__isnull=True),
                                   name="acquittal_without_sentence"),
        ]

    def __str__(self) -> str:
        return f"{self.prosecution} {self.result}"
