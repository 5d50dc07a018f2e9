"""Attachments: size and type limits, type checked by content, names sanitised, content encrypted."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from korpu.accounts.models import user_of
from korpu.cases.models import Attachment, Case, Section
from korpu.core import audit, crypto
from korpu.core.access import Actor
from korpu.core.uploads import checked_file


def attachment_add(*, by: Actor, case: Case, filename: str, data: bytes) -> Attachment:
    from korpu.cases import actions, queries

    if Section.NOTES not in queries.sections_for(by, case):
        audit.denied("attachment.create", obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    organisation = actions._acting_organisation(by, case, action="attachment.create")
    safe_name, content_type = checked_file(filename, data)
    storage_name = f"attachments/{secrets.token_hex(16)}.bin"
    sealed = crypto.seal_bytes(data, key_uuid=case.data_key_id, context="cases.Attachment.content")
    with transaction.atomic():
        stored = default_storage.save(storage_name, ContentFile(sealed))
        try:
            attachment = Attachment.objects.create(case=case, data_key=case.data_key, organisation=organisation,
                                                   uploaded_by=user_of(by), filename=safe_name,
                                                   content_type=content_type, size=len(data), storage_name=stored)
            audit.record("attachment.create", obj=attachment, actor=by, details={"case": case.pk, "size": len(data)})
        except Exception:
            default_storage.delete(stored)
            raise
    return attachment


def attachment_download(*, by: Actor, case: Case, attachment_id: int) -> tuple[Attachment, bytes]:
    """An attachment of an already scoped case, decrypted for the user (page and API alike); else 404
    with a ``denied`` event."""
    from korpu.cases import queries

    attachment = queries.case_part_for(by, Attachment, case, attachment_id, action="attachment.download")
    try:
        return attachment, attachment_content(by=by, attachment=attachment)
    except ValidationError:
        raise Http404 from None  # attachment_content recorded the "denied" event


def attachment_content(*, by: Actor, attachment: Attachment) -> bytes:
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


def person_photo_set(*, by: Actor, case: Case, filename: str, data: bytes) -> Case:
    """Store (or replace) the person's photo: a JPEG, PNG or WebP checked by content, stripped of its
    metadata and sealed under the person's data key, like an attachment. Needs the identity section."""
    from korpu.cases import actions, queries

    if Section.IDENTITY not in queries.sections_for(by, case):
        audit.denied("person.photo", obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    actions._acting_organisation(by, case, action="person.photo")
    _name, content_type = checked_file(filename, data)
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


def person_photo_content(*, by: Actor, case: Case) -> tuple[bytes, str]:
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
