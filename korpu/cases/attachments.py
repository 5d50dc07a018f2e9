"""Attachments and the person's photo: what is pure about them — the photo's types, its cleaning.

Storing a file is an action (``actions.attachment_add``, ``actions.person_photo_set``); opening one a
query (``queries.attachment_download``, ``queries.person_photo_content``). Both seal or open the bytes
under the person's data key; the upload's size and type are checked by ``korpu.core.uploads``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
PHOTO_CONTEXT = "cases.Person.photo"
ATTACHMENT_CONTEXT = "cases.Attachment.content"
PHOTO_MAX_PIXELS = 40_000_000


def clean_photo(data: bytes, content_type: str) -> bytes:
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
