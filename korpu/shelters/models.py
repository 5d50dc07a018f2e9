"""Shelters: facilities (confidential addresses), bed capacity by category, admissions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation
from korpu.cases.models import Case
from korpu.core.fields import EncryptedTextField
from korpu.core.models import DataKey


class BedCategory(models.TextChoices):
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    CHILDREN = "children", _("Children")
    MOTHER_WITH_CHILDREN = "mother_children", _("Mother with children")


class Facility(models.Model):
    """A shelter or rehabilitation centre run by an organisation. Its address is encrypted."""

    operator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="facilities",
                                 verbose_name=_("operator"))
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=60, blank=True)
    address = EncryptedTextField(_("address (confidential)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name


class Capacity(models.Model):
    """Beds of one category in one facility. Locked while an admission takes a bed."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="capacities")
    category = models.CharField(_("category"), max_length=20, choices=BedCategory.choices)
    beds = models.PositiveIntegerField(_("beds"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["facility", "category"], name="unique_capacity_category")]
        ordering = ["facility", "category"]

    def __str__(self) -> str:
        return f"{self.facility} {self.category}: {self.beds}"


class Admission(models.Model):
    """A person's stay in a facility: admitted, then discharged. Occupies one bed while open."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="admissions")
    capacity = models.ForeignKey(Capacity, on_delete=models.PROTECT, related_name="admissions")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="admissions")
    admitted_on = models.DateField(_("admitted on"), default=timezone.localdate)
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discharged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-admitted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(discharged_on__isnull=True),
                                    name="one_open_admission_per_case"),
        ]
        indexes = [models.Index(fields=["capacity", "discharged_on"])]

    def __str__(self) -> str:
        return f"{self.case} @ {self.facility}"
