"""Model fields that keep personal identifiers encrypted at rest.

An :class:`EncryptedTextField` holds plaintext on the Python object and a sealed token in the
database. The owning model names the foreign key to its :class:`~korpu.core.models.DataKey` in
``encryption_key_field`` (``data_key`` by default); sealing happens in ``pre_save``, where the
instance is known, and opening in ``from_db_value``, which reads the key id from the token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from korpu.core import crypto


class EncryptedTextField(models.TextField[Any, Any]):
    description = "Text encrypted with AES-256-GCM under the owner's data key"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def context(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        try:
            plain: str | None = self.to_python_plain(crypto.open_sealed(value, context=self.context()))
            return plain
        except crypto.KeyShredded:
            return None

    def to_python_plain(self, text: str) -> Any:
        return text

    def plain_to_text(self, value: Any) -> str:
        return str(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None or value == "":
            return value
        key_field = getattr(model_instance, "encryption_key_field", "data_key")
        data_key = getattr(model_instance, key_field, None)  # an unset foreign key raises AttributeError
        if data_key is None:
            raise crypto.CryptoError(f"{self.context()}: the record has no data key")
        if data_key.is_shredded:
            raise crypto.KeyShredded(f"{self.context()}: the owner's data key was shredded")
        return crypto.seal(self.plain_to_text(value), key_uuid=data_key.pk, context=self.context(), data_key=data_key)

    def get_prep_value(self, value: Any) -> Any:
        # pre_save already sealed the value; lookups on ciphertext are meaningless and refused.
        if isinstance(value, str) and value and not value.startswith(crypto.TOKEN_PREFIX + ":"):
            raise crypto.CryptoError(
                f"{self.context()}: encrypted fields cannot be filtered on; use a blind index"
            )
        return value


class EncryptedDateField(EncryptedTextField):
    """An exact date (e.g. birth date) kept encrypted; age bands are stored in clear elsewhere."""

    _pyi_private_set_type: dt.date | str | None  # type: ignore[assignment]
    _pyi_private_get_type: dt.date | None  # type: ignore[assignment]

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        # An unset date is stored as "" (the text field's default); read it back as no date.
        return None if value == "" else super().from_db_value(value, expression, connection)

    def to_python_plain(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text)

    def plain_to_text(self, value: Any) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.date.fromisoformat(str(value)).isoformat()


class BlindIndexField(models.CharField[Any, Any]):
    """Holds :func:`korpu.core.crypto.blind_index` of another field; indexed for exact search."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)
