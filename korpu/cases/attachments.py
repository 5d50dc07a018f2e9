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
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from korpu.cases.models import Attachment, Case, Section
from korpu.core import audit, crypto

# (magic prefix, offset, content type, accepted extensions)
SIGNATURES: list[tuple[bytes, int, str, tuple[str, ...]]] = [
    (b"%PDF-", 0, "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", 0, "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", (".png",)),
    (b"WEBP", 8, "image/webp", (".webp",)),
]
# Office Open XML: the part that must be there, the main content type it must declare, the extensions.
OFFICE_TYPES = {
    "word/document.xml": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                          (".docx",)),
    "xl/workbook.xml": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                        (".xlsx",)),
}
MAX_ZIP_ENTRIES = 2000
REFUSED = _lazy("This type of file is not accepted. Upload PDF, JPEG, PNG, WebP, DOCX or XLSX.")
MACROS = _lazy("Documents with macros (.docm, .xlsm) are not accepted. Save the file as DOCX or XLSX "
               "without macros.")


def _office_type(data: bytes, suffix: str) -> str:
    """The content type of a DOCX or XLSX package; refuses macros, other packages and plain ZIP files."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise ValidationError(str(REFUSED))
            names = {info.filename for info in infos}
            lowered = {name.lower() for name in names}
            if "[Content_Types].xml" not in names:
                raise ValidationError(str(REFUSED))
            declared = package.read("[Content_Types].xml")[:200_000].decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        raise ValidationError(str(REFUSED)) from None
    # A macro-enabled document keeps its macros in vbaProject.bin and says so in its content types,
    # whatever its name: refuse it even when renamed .docx or .xlsx.
    if any(n.endswith("vbaproject.bin") or n.endswith("vbadata.xml") for n in lowered) \
            or "macroenabled" in declared.lower() or "vbaproject" in declared.lower():
        raise ValidationError(str(MACROS))
    for part, (content_type, main_type, extensions) in OFFICE_TYPES.items():
        if part in names and main_type in declared:
            if suffix not in extensions:
                raise ValidationError(_("The file's content does not match its name."))
            return content_type
    raise ValidationError(str(REFUSED))


def sniff(data: bytes, filename: str) -> str:
    """The content type judged from the bytes; refuses what is not an allowed type or does not match its name."""
    suffix = PurePath(filename).suffix.lower()
    for magic, offset, content_type, extensions in SIGNATURES:
        if data[offset:offset + len(magic)] == magic and (offset == 0 or data[:4] == b"RIFF"):
            if suffix not in extensions:
                raise ValidationError(_("The file's content does not match its name."))
            return content_type
    if data[:4] == b"PK\x03\x04":
        return _office_type(data, suffix)
    raise ValidationError(str(REFUSED))


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


# --- the person's photo ---------------------------------------------------------------------------
PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
PHOTO_CONTEXT = "cases.Person.photo"
PHOTO_MAX_PIXELS = 40_000_000


def _clean_photo(data: bytes, content_type: str) -> bytes:
    """The picture re-encoded from its pixels: no EXIF, no GPS position, no camera data survives."""
    import io

    from PIL import Image, ImageOps, UnidentifiedImageError

    kind = PHOTO_TYPES[content_type]
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != kind:
                raise ValidationError(_("The file's content does not match its name."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as original:
            if original.width * original.height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."))
            upright = ImageOps.exif_transpose(original)
            pixels = upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "P") and kind != "JPEG" else "RGB")
    except Image.DecompressionBombError:
        raise ValidationError(_("The photo has too many pixels.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(_("Upload a JPEG, PNG or WebP photo.")) from None
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format=kind, **({"quality": 88} if kind != "PNG" else {"optimize": True}))
    return out.getvalue()


def person_photo_set(*, by: Any, case: Case, filename: str, data: bytes) -> Case:
    """Store (or replace) the person's photo: a JPEG, PNG or WebP checked by content, stripped of its
    metadata and sealed under the person's data key, like an attachment. Needs the identity section."""
    from korpu.cases import actions, queries

    if Section.IDENTITY not in queries.sections_for(by, case):
        audit.denied("person.photo", obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    actions._acting_organisation(by, case, action="person.photo")
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(mb)d MB.")
                              % {"mb": settings.ATTACHMENT_MAX_BYTES // 1048576})
    content_type = sniff(data, sanitise_filename(filename))
    if content_type not in PHOTO_TYPES:
        raise ValidationError(_("Upload a JPEG, PNG or WebP photo."))
    picture = _clean_photo(data, content_type)
    person = case.person
    sealed = crypto.seal_bytes(picture, key_uuid=person.data_key_id, context=PHOTO_CONTEXT)
    old = person.photo_storage_name
    with transaction.atomic():
        stored = default_storage.save(f"photos/{secrets.token_hex(16)}.bin", ContentFile(sealed))
        try:
            person.photo_storage_name = stored
            person.photo_content_type = content_type
            person.save(update_fields=["photo_storage_name", "photo_content_type"])
            audit.record("person.photo", obj=person, actor=by, details={"case": case.pk, "size": len(picture)})
        except Exception:
            default_storage.delete(stored)
            raise
        if old:
            transaction.on_commit(lambda: default_storage.delete(old))
    return case


def person_photo_content(*, by: Any, case: Case) -> tuple[bytes, str]:
    """The person's photo for a user who may see the identity section; audited as ``person.photo_view``."""
    from korpu.cases import queries

    person = case.person
    if Section.IDENTITY not in queries.sections_for(by, case) or not person.photo_storage_name:
        audit.denied("person.photo_view", obj=person, actor=by, details={"case": case.pk})
        raise Http404
    with default_storage.open(person.photo_storage_name, "rb") as handle:
        blob = handle.read()
    audit.record("person.photo_view", obj=person, actor=by, details={"case": case.pk})
    return crypto.open_bytes(blob, key_uuid=person.data_key_id, context=PHOTO_CONTEXT), person.photo_content_type
