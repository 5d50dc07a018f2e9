"""A test-only model with encrypted fields (no domain model has them yet)."""

from __future__ import annotations

from django.db import models

from korpu.core.fields import BlindIndexField, EncryptedDateField, EncryptedTextField


class Secret(models.Model):
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    name = EncryptedTextField()
    born = EncryptedDateField(null=True)
    name_index = BlindIndexField()

    def __str__(self) -> str:
        return f"Secret {self.pk}"
