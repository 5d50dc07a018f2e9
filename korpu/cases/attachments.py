"""Attachments: size and type limits, type checked by content, names sanitised, content encrypted."""

from __future__ import annotations

import secrets
import unicodedata
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from korpu.cases.models import Attachment, Case, Section
from korpu.core import audit, crypto

# (magic prefix, offset, content type, accepted extensions)
SIGNATURES: list[tuple[bytes, int, str, tuple[str, ...]]] = [
    (b"%PDF-", 0, "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", 0, "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", (".png",)),
    (b"WEBP", 8, "image/webp", (".webp",)),
]
ZIP_TYPES = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
}


def sniff(data: bytes, filename: str) -> str:
    """The content type judged from the bytes; refuses what is not an allowed type or does not match its name."""
    suffix = PurePath(filename).suffix.lower()
    for magic, offset, content_type, extensions in SIGNATURES:
        if data[offset:offset + len(magic)] == magic and (offset == 0 or data[:4] == b"RIFF"):
            if suffix not in extensions:
                raise ValidationError(_("The file's content does not match its name."))
            return content_type
    if data[:4] == b"PK\x03\x04":
        import io
        import zipfile

        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            names = []
        for prefix, (content_type, extensions) in ZIP_TYPES.items():
            if any(n.startswith(prefix) for n in names) and "[Content_Types].xml" in names:
                if suffix not in extensions:
                    raise ValidationError(_("The file's content does not match its name."))
                return content_type
    raise ValidationError(_("This type of file is not accepted. Upload PDF, JPEG, PNG, WebP, DOCX or XLSX."))


def sanitise_filename(name: str) -> str:
    """Keep letters (any script), digits, dot, dash, underscore; no path; at most 120 characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    cleaned = "".join(ch if (ch.isalnum() or ch in "._- ") else "_" for ch in base).strip(" .")
    cleaned = cleaned or "file"
    stem, dot, ext = cleaned.rpartition(".")
    if dot and len(ext) <= 8:
        return stem[: 120 - len(ext) - 1] + "." + ext
    return cleaned[:120]


def attachment_add(*, by: Any, case: Case, filename: str, data: bytes) -> Attachment:
    from korpu.cases import actions, queries

    if Section.NOTES not in queries.sections_for(by, case):
        audit.denied("attachment.create", obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    organisation = actions._acting_organisation(by, case, action="attachment.create")
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(mb)d MB.")
                              % {"mb": settings.ATTACHMENT_MAX_BYTES // 1048576})
    safe_name = sanitise_filename(filename)
    content_type = sniff(data, safe_name)
    storage_name = f"attachments/{secrets.token_hex(16)}.bin"
    sealed = crypto.seal_bytes(data, key_uuid=case.data_key_id, context="cases.Attachment.content")
    with transaction.atomic():
        stored = default_storage.save(storage_name, ContentFile(sealed))
        try:
            attachment = Attachment.objects.create(case=case, data_key=case.data_key, organisation=organisation,
                                                   uploaded_by=by, filename=safe_name, content_type=content_type,
                                                   size=len(data), storage_name=stored)
            audit.record("attachment.create", obj=attachment, actor=by, details={"case": case.pk, "size": len(data)})
        except Exception:
            default_storage.delete(stored)
            raise
    return attachment


def attachment_content(*, by: Any, attachment: Attachment) -> bytes:
    """Decrypt an attachment for a user who may see the case's notes; audited."""
    from korpu.cases import queries

    if Section.NOTES not in queries.sections_for(by, attachment.case):
        audit.denied("attachment.download", obj=attachment, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    with default_storage.open(attachment.storage_name, "rb") as handle:
        blob = handle.read()
    audit.record("attachment.download", obj=attachment, actor=by, details={"case": attachment.case_id})
    return crypto.open_bytes(blob, key_uuid=attachment.data_key_id, context="cases.Attachment.content")
