"""A stored file handed to the browser as a download, the same way everywhere."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def file_download(content: bytes, *, content_type: str, filename: str, cache: str = "no-store") -> HttpResponse:
    """Bytes as an attachment: the browser saves it rather than rendering it in Körpü's origin.

    The file name is quoted for the header (non-ASCII names, such as Azerbaijani ones, are kept through
    RFC 5987 encoding); the content type is the one checked at upload, and SecurityMiddleware's
    ``nosniff`` stops the browser from guessing another. ``cache`` is ``no-store`` unless the file is
    public (a published meeting's file).
    """
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename or "file") or "attachment"
    response["Cache-Control"] = cache
    return response


def private_image(content: bytes, *, content_type: str) -> HttpResponse:
    """A picture shown inline on a page that holds personal data: never kept in a shared cache."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "no-store"
    return response
