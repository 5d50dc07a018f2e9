"""Kernel models: wrapped data keys and the audit chain. Nothing here knows the domain apps."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.core import crypto


class DataKey(models.Model):
    """A per-owner AES-256 key, stored only wrapped by a master key.

    ``purpose`` is ``owner`` for a record owner (a person) and ``blind-index`` for the single
    key behind blind indexes. Shredding keeps the row (so foreign keys hold) and erases the key.
    """

    class Purpose(models.TextChoices):
        OWNER = "owner", _("record owner")
        BLIND_INDEX = "blind-index", _("blind index")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.OWNER)
    master_key_id = models.CharField(max_length=16)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(purpose="blind-index"),
                name="one_blind_index_key",
            )
        ]

    def __str__(self) -> str:
        return f"DataKey {self.pk} ({self.purpose})"

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None

    @classmethod
    def build(cls, purpose: str = Purpose.OWNER) -> DataKey:
        """An unsaved key (for bulk loads); its raw bytes are cached for this unit of work."""
        key_uuid = uuid.uuid4()
        raw = crypto.new_data_key_material()
        master_key_id, wrapped = crypto.get_keyring().wrap(raw, key_uuid=key_uuid)
        crypto.remember_data_key(key_uuid, raw)
        return cls(id=key_uuid, purpose=purpose, master_key_id=master_key_id, wrapped_key=wrapped)

    @classmethod
    def create(cls, purpose: str = Purpose.OWNER) -> DataKey:
        key_uuid = uuid.uuid4()
        master_key_id, wrapped = crypto.get_keyring().wrap(crypto.new_data_key_material(), key_uuid=key_uuid)
        return cls.objects.create(id=key_uuid, purpose=purpose, master_key_id=master_key_id, wrapped_key=wrapped)

    @classmethod
    def index_key(cls) -> DataKey:
        found = cls.objects.filter(purpose=cls.Purpose.BLIND_INDEX).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return cls.create(purpose=cls.Purpose.BLIND_INDEX)
        except IntegrityError:  # another process created it first (unique constraint)
            return cls.objects.get(purpose=cls.Purpose.BLIND_INDEX)


class AuditEvent(models.Model):
    """One link of the append-only audit chain; ``hash`` covers the fields and the previous hash.

    Written only by :func:`korpu.core.audit.record`. ``korpu audit verify`` recomputes every link.
    """

    class Outcome(models.TextChoices):
        OK = "ok", _("succeeded")
        DENIED = "denied", _("denied")
        FAILED = "failed", _("failed")

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    organisation_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OK)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"


class AuditHead(models.Model):
    """The single row holding the chain's tip; locked while an event is appended."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
