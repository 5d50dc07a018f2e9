"""Uploaded files: read within a size limit, the name sanitised, the type judged from the bytes.

Used for case attachments and person photos (``korpu.cases.attachments``), meeting files and photos
(``korpu.engagement``) and progress-report evidence (``korpu.plan``): one set of rules for every file
a user hands to Körpü.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

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


def read_upload(upload: Any, *, photo: bool = False) -> bytes:
    """The uploaded bytes, refused by their declared size before anything is read into memory.

    The limit is ``KORPU_ATTACHMENT_MAX_MB``, or ``KORPU_PHOTO_MAX_MB`` for a photo (re-encoded later).
    """
    limit = settings.PHOTO_MAX_BYTES if photo else settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        message = _("The photo is larger than %(mb)d MB.") if photo else _("The file is larger than %(mb)d MB.")
        raise ValidationError(message % {"mb": limit // 1048576})
    data: bytes = upload.read(limit + 1)
    return data


def checked_file(filename: str, data: bytes) -> tuple[str, str]:
    """``(safe name, content type)`` of a file to store; refuses an empty, too large or unaccepted one."""
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(mb)d MB.")
                              % {"mb": settings.ATTACHMENT_MAX_BYTES // 1048576})
    safe_name = sanitise_filename(filename)
    return safe_name, sniff(data, safe_name)


WORKBOOK_MAX_BYTES = 10 * 1024 * 1024
"""The largest workbook an import page accepts."""
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def check_workbook_upload(upload: Any, *, max_bytes: int = WORKBOOK_MAX_BYTES) -> Any:
    """The uploaded workbook, refused unless it is named .xlsx and within ``max_bytes``.

    The content is judged later by the importer (openpyxl reads only a real workbook)."""
    if not upload.name.lower().endswith(".xlsx"):
        raise ValidationError(_("This is not an Excel workbook (.xlsx)."))
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20})
    return upload


class WorkbookField(forms.FileField):
    """A file field for an .xlsx import: the browser offers .xlsx files, the server checks the upload."""

    def __init__(self, *, max_bytes: int = WORKBOOK_MAX_BYTES, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE}))
        super().__init__(**kwargs)
        self.max_bytes = max_bytes

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            check_workbook_upload(upload, max_bytes=self.max_bytes)
        return upload
