"""Meeting photos: accepted as JPEG, PNG or WebP (checked by decoding, not by name), re-encoded from
pixels only — so EXIF, GPS and any other metadata are gone — with a thumbnail."""

from __future__ import annotations

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000
THUMBNAIL = (480, 480)


def clean_image(data: bytes) -> tuple[bytes, bytes, str, str, int, int]:
    """Return (image, thumbnail, content type, extension, width, height) with no metadata at all."""
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than %(mb)d MB.") % {"mb": settings.PHOTO_MAX_BYTES // 1048576})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            probe.verify()
        with Image.open(io.BytesIO(data)) as original:
            if kind not in FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG or WebP photo."))
            if original.width * original.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."))
            upright = ImageOps.exif_transpose(original)
            mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") and kind != "JPEG" else "RGB"
            pixels = upright.convert(mode)
    except Image.DecompressionBombError:  # Pillow refuses to open it at all: far more pixels than MAX_PIXELS
        raise ValidationError(_("The photo has too many pixels.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(_("Upload a JPEG, PNG or WebP photo.")) from None
    content_type, extension = FORMATS[kind]
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format=kind, quality=88) if kind != "PNG" else clean.save(out, format=kind, optimize=True)
    thumb = clean.copy()
    thumb.thumbnail(THUMBNAIL)
    thumb_out = io.BytesIO()
    _on_white(thumb).save(thumb_out, format="JPEG", quality=80)
    return out.getvalue(), thumb_out.getvalue(), content_type, extension, clean.width, clean.height


def _on_white(image: Image.Image) -> Image.Image:
    """An RGB copy for JPEG: transparent pixels laid on white (a bare convert would show them black)."""
    if image.mode != "RGBA":
        return image.convert("RGB")
    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, image).convert("RGB")


def store(data: bytes, extension: str) -> str:
    return default_storage.save(f"engagement/photos/{secrets.token_hex(16)}.{extension}", ContentFile(data))
