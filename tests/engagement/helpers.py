"""Small helpers shared by the engagement tests (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from korpu.core.models import AuditEvent
from korpu.engagement import actions
from korpu.engagement.models import Meeting

COORDINATOR_ONLY = "Only the coalition coordinator may do this."


def html(response: Any) -> str:
    return response.content.decode()


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def flash(response: Any) -> list[tuple[str, str]]:
    """The (level, text) messages this request added for the next page."""
    storage = get_messages(response.wsgi_request)
    return [(m.level_tag, str(m)) for m in storage._queued_messages]


def errors(response: Any) -> list[str]:
    return [text for level, text in flash(response) if level == "error"]


def successes(response: Any) -> list[str]:
    return [text for level, text in flash(response) if level == "success"]


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def events_since(seq: int) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", "outcome"))


def by_testid(text: str, name: str, closing: str) -> str:
    """The inner HTML of the element with ``data-testid=name`` up to the first ``closing`` tag."""
    match = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?){re.escape(closing)}', text, re.S)
    assert match, f"no data-testid={name}"
    return match.group(1)


def plain(fragment: str) -> str:
    """Text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed."""
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def new_meeting(cast: dict[str, Any], *, title: str = "Rüblük görüş", public: bool = False) -> Meeting:
    meeting = actions.meeting_create(by=cast["koalisiya"], title=title, held_on=dt.date(2026, 10, 20),
                                     organiser=cast["police"], place="Bakı", agenda=["Bir", "İki"],
                                     summary="Açıq xülasə")
    if public:
        actions.publish(by=cast["koalisiya"], obj=meeting, public=True)
    return meeting


def meeting_url(meeting: Meeting) -> str:
    return reverse("engagement:meeting", args=[meeting.pk])


def stored_files(folder: str) -> set[str]:
    path = Path(settings.MEDIA_ROOT) / folder
    return {p.name for p in path.iterdir()} if path.exists() else set()


def read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


def jpeg(size: tuple[int, int] = (320, 240), colour: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()
