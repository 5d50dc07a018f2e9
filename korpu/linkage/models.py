"""Record linkage: blocking keys (blind indexes only), identities, and link requests between organisations.

A *blocking key* is a keyed HMAC (``korpu.core.crypto.blind_index``, one purpose per kind of key) of
a folded form of a person's names, birth date or document number (:mod:`korpu.linkage.matching`):
the database holds no plaintext and no unkeyed phonetic code, and candidates found by equal keys are
scored on the decrypted values inside the server only.

An *identity* is one human being recorded by several organisations: persons joined by confirmed
links. A person in no identity is an identity of their own; statistics count identities
(``korpu.stats.definitions``), so a woman registered by the police and by an NGO is counted once.

A *link request* is how one organisation asks another "is your person mine?" without either side
learning the other's identifiers: it names the two cases, the two organisations, the score and the
reason codes; the receiving organisation compares inside its own case and confirms or rejects.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation
from korpu.cases.models import Case, Person


class BlockingKey(models.Model):
    """One blocking key of one person: a keyed HMAC, never the folded value itself."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("blocking key")
        verbose_name_plural = _("blocking keys")
        indexes = [models.Index(fields=["key", "person"], name="linkage_key_person")]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="linkage_one_key_per_person")]

    def __str__(self) -> str:
        return f"Blocking key of person {self.person_id}"


class Identity(models.Model):
    """One human being behind several persons (records) joined by confirmed links."""

    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"Identity {self.pk}"


class Membership(models.Model):
    """A person's place in an identity (only persons linked to at least one other have one)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, primary_key=True, related_name="identity_link")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="members")
    linked_at = models.DateTimeField(default=timezone.now)
    request = models.ForeignKey("LinkRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("identity membership")
        verbose_name_plural = _("identity memberships")

    def __str__(self) -> str:
        return f"Person {self.person_id} in identity {self.identity_id}"


class LinkRequest(models.Model):
    """"Is the person of your case the person of mine?" — from one organisation's case to another's."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        CONFIRMED = "confirmed", _("confirmed: the same person")
        REJECTED = "rejected", _("rejected: different persons")
        WITHDRAWN = "withdrawn", _("withdrawn")
        UNLINKED = "unlinked", _("unlinked")

    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("asking case"))
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("asked case"))
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("asking organisation"))
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("asked organisation"))
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("link request")
        verbose_name_plural = _("link requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["to_organisation", "status"], name="linkage_request_inbox"),
                   models.Index(fields=["from_organisation", "status"], name="linkage_request_outbox")]
        constraints = [models.UniqueConstraint(fields=["from_case", "to_case"],
                                               condition=models.Q(status="pending"),
                                               name="linkage_one_pending_request")]

    def __str__(self) -> str:
        return f"Link request {self.pk}"
