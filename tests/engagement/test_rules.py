"""The rules of coalition engagement: who may do what with meetings, decisions, photos, proposals and
campaigns; what photos keep (pixels only) and who sees them; a proposal's whole life from the meeting
where it was raised to the plan measure it fed; exact campaign reach; contact people kept off the
public pages; pinned query counts.

The world (``world``): the named cast of ``korpu.accounts.demo``; NGO 1 (chair) and NGO 2 are coalition
members, NGO 3 is not. ``koalisiya`` (NGO 1) is the coalition coordinator; ``qht1`` is a case worker
in the same NGO 1 — belonging to the coordinator's organisation gives no coordinator rights.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import random
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image, PngImagePlugin

from korpu.core.models import AuditEvent
from korpu.engagement import actions, queries
from korpu.engagement.models import (
    REGIONS,
    Campaign,
    CampaignEvent,
    Decision,
    Meeting,
    Member,
    Photo,
    Proposal,
    ProposalEvent,
    TargetGroup,
)
from korpu.plan import actions as plan_actions
from korpu.plan.models import Measure, Plan, Section

S = Proposal.Status
COORDINATOR_ONLY = "Only the coalition coordinator may do this."


# --- helpers -----------------------------------------------------------------------------------
def t(where: Any, message: str, **values: Any) -> str:
    """``message`` in a language, or in the language the request behind a response was served in."""
    language = where if isinstance(where, str) else where.wsgi_request.LANGUAGE_CODE
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def label(where: Any, lazy: Any) -> str:
    """A choice's (possibly context-bound) label as the page shows it."""
    language = where if isinstance(where, str) else where.wsgi_request.LANGUAGE_CODE
    with translation.override(language):
        return str(lazy)


def html(response: Any) -> str:
    return response.content.decode()


def page_language(response: Any) -> str:
    match = re.search(r'<html lang="([^"]+)"', html(response))
    assert match, "no <html lang>"
    return match.group(1)


def flash(response: Any) -> list[tuple[str, str]]:
    """The (level, text) messages this request added for the next page (not older unread ones)."""
    storage = get_messages(response.wsgi_request)
    return [(m.level_tag, str(m)) for m in storage._queued_messages]


def errors(response: Any) -> list[str]:
    return [text for level, text in flash(response) if level == "error"]


def denied(action: str, user: Any) -> int:
    return AuditEvent.objects.filter(action=action, outcome=AuditEvent.Outcome.DENIED, actor=user).count()


def stored_photo_files() -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / "engagement" / "photos"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def hrefs(text: str, pattern: str) -> list[str]:
    return [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)"', text) if re.fullmatch(pattern, h)]


# Every kind of metadata a camera or an editor leaves, each with a string that must never survive.
MARKERS = [b"MakeMarkerQ7", b"ModelMarkerQ7", b"GpsDatumMarkerQ7", b"XmpMarkerQ7", b"CommentMarkerQ7"]
XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>XmpMarkerQ7</dc:creator></rdf:Description>'
       b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def camera_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "MakeMarkerQ7"  # Make
    exif[0x0110] = "ModelMarkerQ7"  # Model
    if orientation:
        exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (40.0, 22.0, 10.0), 3: "E", 4: (49.0, 51.0, 30.0), 18: "GpsDatumMarkerQ7"}
    return exif


def picture(size: tuple[int, int] = (640, 480), colour: tuple[int, int, int] = (30, 120, 200)) -> Image.Image:
    image = Image.new("RGB", size, colour)
    image.paste((250, 250, 250), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    return image


def tagged_jpeg(image: Image.Image | None = None, *, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    (image or picture()).save(out, format="JPEG", exif=camera_exif(orientation), xmp=XMP, comment=b"CommentMarkerQ7")
    return out.getvalue()


def tagged_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "CommentMarkerQ7")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    picture().convert("RGBA").save(out, format="PNG", pnginfo=info, exif=camera_exif())
    return out.getvalue()


def tagged_webp() -> bytes:
    out = io.BytesIO()
    picture().save(out, format="WEBP", exif=camera_exif(), xmp=XMP)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels (a decompression bomb's header) with almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def assert_no_metadata(data: bytes) -> None:
    for marker in MARKERS:
        assert marker not in data, marker
    for trace in (b"Exif\x00\x00", b"adobe:ns:meta", b"xpacket", b"eXIf", b"tEXt", b"iTXt", b"zTXt"):
        assert trace not in data, trace
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert not image.getexif(), dict(image.getexif())
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment"} & set(image.info), image.info
        assert not getattr(image, "text", {}), image.text


# --- the world ---------------------------------------------------------------------------------
@pytest.fixture
def world(cast: dict[str, Any]) -> dict[str, Any]:
    coordinator = cast["koalisiya"]
    actions.member_save(by=coordinator, organisation=cast["ngo1"], joined_on=dt.date(2010, 3, 1), is_chair=True,
                        services=["shelter"], regions=["baku"])
    actions.member_save(by=coordinator, organisation=cast["ngo2"], joined_on=dt.date(2012, 6, 15),
                        services=["legal_aid"], regions=["ganja_dashkasan"])
    return cast


def new_meeting(cast: dict[str, Any], *, title: str = "Rüblük görüş", public: bool = False) -> Meeting:
    coordinator = cast["koalisiya"]
    meeting = actions.meeting_create(by=coordinator, title=title, held_on=dt.date(2026, 10, 20),
                                     organiser=cast["police"], place="Bakı", agenda=["Bir", "İki"],
                                     summary="Açıq xülasə")
    if public:
        actions.publish(by=coordinator, obj=meeting, public=True)
    return meeting


def new_photo(cast: dict[str, Any], meeting: Meeting, *, alt: str, public: bool, data: bytes | None = None) -> Photo:
    return actions.photo_add(by=cast["koalisiya"], meeting=meeting, data=data or tagged_jpeg(), alt_text=alt,
                             is_public=public)


def new_measure(cast: dict[str, Any], number: str = "2.1") -> Measure:
    plan = Plan.objects.filter(start_year=2020).first() or Plan.objects.create(
        title_az="Milli Fəaliyyət Planı", start_year=2020, end_year=2024, is_published=True)
    section, _created = Section.objects.get_or_create(plan=plan, number="2", defaults={"title_az": "Maarifləndirmə"})
    return plan_actions.measure_create(by=cast["analitik"], section=section, number=number,
                                       text_az=f"Tədbir {number}: maarifləndirmə kampaniyaları", start_year=2021,
                                       end_year=2024, executing_bodies=[cast["police"]])


def meeting_url(meeting: Meeting) -> str:
    return reverse("engagement:meeting", args=[meeting.pk])


# --- only the coalition coordinator runs meetings and campaigns -----------------------------------
@pytest.mark.parametrize("username", ["qht1", "polis", "analitik"])
def test_only_the_coordinator_manages_meetings_and_campaigns(world, login_as, username):
    cast = world
    user = cast[username]
    client = login_as(username)
    meeting = new_meeting(cast)
    kept = new_photo(cast, meeting, alt="Mövcud foto", public=False)
    campaign = actions.campaign_create(by=cast["koalisiya"], title="Kampaniya", starts_on=dt.date(2026, 3, 1),
                                       ends_on=dt.date(2026, 3, 31), organisers=[cast["ngo1"]])
    files_before = stored_photo_files()
    audit_before = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.OK).count()

    # A new meeting: the form is not even shown, and a posted one is refused.
    assert client.get(reverse("engagement:meeting_create")).status_code == 404
    response = client.post(reverse("engagement:meeting_create"), {
        "title": "Gizli görüş", "held_on": "2026-10-21", "organiser": cast["police"].pk})
    assert response.status_code == 404
    assert Meeting.objects.count() == 1
    assert denied("meeting.create", user) == 2

    # The meeting page is readable (coalition data is not victim data) but offers no management forms.
    page = client.get(meeting_url(meeting))
    assert page.status_code == 200
    for testid in ("participant-form", "decision-form", "photo-form", "publish"):
        assert f'data-testid="{testid}"' not in html(page), testid
    assert "Mark done" not in html(page) and t(page, "Mark done") not in html(page)

    # Every command on the meeting: an error message, nothing changed, a denied event.
    url = meeting_url(meeting)
    upload = SimpleUploadedFile("p.jpg", tagged_jpeg(), content_type="image/jpeg")
    attempts = [
        ({"command": "participant", "organisation": cast["ngo2"].pk}, "meeting.participant"),
        ({"command": "participant", "person_name": "Qonaq", "guest_affiliation": "Səfirlik"}, "meeting.participant"),
        ({"command": "decision", "text": "Gizli qərar", "responsible": cast["ngo1"].pk, "due_on": "2026-12-01"},
         "meeting.decision"),
        ({"command": "photo", "image": upload, "alt_text": "Foto", "is_public": "on"}, "meeting.photo"),
        ({"command": "photo_public", "photo": kept.pk, "public": "1"}, "engagement.publish"),
        ({"command": "publish", "public": "1"}, "engagement.publish"),
        ({"command": "agenda", "text": "Əlavə bənd"}, "meeting.agenda"),
        ({"command": "minutes", "minutes": "Dəyişdirilmiş", "summary": "Dəyişdirilmiş"}, "meeting.update"),
    ]
    for data, action in attempts:
        before = denied(action, user)
        response = client.post(url, data)
        assert response.status_code == 302, data
        assert errors(response) == [t(response, COORDINATOR_ONLY)], data
        assert denied(action, user) == before + 1, data

    meeting.refresh_from_db()
    kept.refresh_from_db()
    assert not meeting.is_public and not kept.is_public
    assert meeting.minutes == "" and meeting.summary == "Açıq xülasə" and meeting.agenda.count() == 2
    assert not meeting.participants.exists() and not meeting.decisions.exists()
    assert list(meeting.photos.all()) == [kept]
    assert stored_photo_files() == files_before  # a refused upload leaves no file behind

    # Campaigns: creating one, and adding an event to an existing one.
    response = client.post(reverse("engagement:campaign_create"), {
        "title": "Yeni kampaniya", "starts_on": "2026-05-01", "ends_on": "2026-05-31",
        "organisers": [cast["ngo1"].pk], "target_groups": ["students"], "regions": ["baku"]})
    assert response.status_code == 302 and errors(response) == [t(response, COORDINATOR_ONLY)]
    assert denied("campaign.create", user) == 1
    response = client.post(reverse("engagement:campaign", args=[campaign.pk]), {
        "held_on": "2026-03-10", "place": "Universitet", "region": "baku", "target_group": "students",
        "channel": "talks", "people_reached": 50})
    assert response.status_code == 302 and errors(response) == [t(response, COORDINATOR_ONLY)]
    assert denied("campaign.event", user) == 1
    assert list(Campaign.objects.all()) == [campaign] and not CampaignEvent.objects.exists()
    assert reverse("engagement:campaign_create") not in html(client.get(reverse("engagement:campaigns")))

    # The actions themselves refuse too (the views are not the only guard).
    for call in (
        lambda: actions.meeting_create(by=user, title="X", held_on=dt.date(2026, 1, 1), organiser=cast["police"]),
        lambda: actions.campaign_create(by=user, title="X", starts_on=dt.date(2026, 1, 1),
                                        ends_on=dt.date(2026, 1, 2), organisers=[cast["ngo1"]]),
        lambda: actions.publish(by=user, obj=campaign, public=False),
        lambda: actions.photo_delete(by=user, photo=kept),
        lambda: actions.member_save(by=user, organisation=cast["ngo3"], joined_on=dt.date(2026, 1, 1)),
    ):
        with pytest.raises(ValidationError):
            call()
    assert Photo.objects.filter(pk=kept.pk).exists() and not Member.objects.filter(organisation=cast["ngo3"]).exists()
    # Nothing succeeded: not a single new "ok" event.
    assert AuditEvent.objects.filter(outcome=AuditEvent.Outcome.OK).count() == audit_before


def test_the_coordinator_runs_the_meeting(world, login_as, client):
    cast = world
    coordinator = cast["koalisiya"]
    browser = login_as("koalisiya")
    assert browser.get(reverse("engagement:meeting_create")).status_code == 200
    response = browser.post(reverse("engagement:meeting_create"), {
        "title": "Koalisiya görüşü", "held_on": "2026-10-20", "organiser": cast["police"].pk, "agenda": "Bir\n\nİki"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting_url(meeting)
    assert [a.text for a in meeting.agenda.all()] == ["Bir", "İki"]
    url = meeting_url(meeting)
    # Four forms on one page: every element id once, so every label points at its own field.
    ids = re.findall(r'\sid="([^"]+)"', html(browser.get(url)))
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for label_for in re.findall(r'<label for="([^"]+)"', html(browser.get(url))):
        assert label_for in ids, label_for

    posts = [
        {"command": "participant", "organisation": cast["ngo1"].pk},
        {"command": "participant", "organisation": cast["police"].pk, "person_name": "Rəis",
         "person_title": "Şöbə rəisi"},
        {"command": "participant", "person_name": "Con Smit", "guest_affiliation": "Səfirlik"},
        {"command": "decision", "text": "Plan hazırlamaq", "responsible": cast["ngo1"].pk, "due_on": "2026-12-01"},
        {"command": "agenda", "text": "Üç"},
        {"command": "minutes", "minutes": "Protokol mətni", "summary": "Xülasə"},
        {"command": "photo", "image": SimpleUploadedFile("p.jpg", tagged_jpeg(), content_type="image/jpeg"),
         "alt_text": "İştirakçılar"},
        {"command": "publish", "public": "1"},
    ]
    for data in posts:
        response = browser.post(url, data)
        assert response.status_code == 302 and errors(response) == [], (data, flash(response))
    meeting.refresh_from_db()
    assert meeting.is_public and meeting.minutes == "Protokol mətni" and meeting.summary == "Xülasə"
    guest = meeting.participants.get(is_guest=True)
    assert guest.organisation is None and guest.guest_affiliation == "Səfirlik"
    assert meeting.participants.count() == 3 and meeting.decisions.count() == 1 and meeting.agenda.count() == 3
    photo = Photo.objects.get()
    assert not photo.is_public
    response = browser.post(url, {"command": "photo_public", "photo": photo.pk, "public": "1"})
    photo.refresh_from_db()
    assert photo.is_public
    assert AuditEvent.objects.filter(action="engagement.publish", actor=coordinator).count() == 2

    # A guest needs a name and an affiliation; the guest's name never reaches the public page.
    response = browser.post(url, {"command": "participant", "person_name": "Yalnız ad"})
    assert errors(response) == [t(response, "Choose an organisation, or name an external guest and their "
                                               "affiliation.")]
    public = html(client.get(reverse("engagement:public_meeting", args=[meeting.pk])))
    assert "Con Smit" not in public and "Rəis" not in public and "Protokol mətni" not in public
    assert cast["ngo1"].name in public and "Xülasə" in public

    # Malformed ids are a 404, not a server error; so is an unknown command.
    assert browser.post(url, {"command": "decision_done", "decision": "abc"}).status_code == 404
    assert browser.post(url, {"command": "photo_public", "photo": "", "public": "1"}).status_code == 404
    assert browser.post(url, {"command": "dance"}).status_code == 404
    # Unpublishing takes the meeting off the public portal again.
    browser.post(url, {"command": "publish", "public": "0"})
    assert client.get(reverse("engagement:public_meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("engagement:public_photo", args=[photo.pk, "full"])).status_code == 404


def test_anonymous_visitors_reach_no_staff_page(world, client):
    meeting = new_meeting(world, public=True)
    photo = new_photo(world, meeting, alt="Foto", public=True)
    proposal = actions.proposal_create(by=world["koalisiya"], from_organisation=world["ngo1"],
                                       addressed_to=world["police"], title="Təklif", text="Mətn", meeting=meeting)
    for url in (reverse("engagement:coalition"), reverse("engagement:meetings"), meeting_url(meeting),
                reverse("engagement:meeting_create"), reverse("engagement:photo", args=[photo.pk, "full"]),
                reverse("engagement:proposals"), reverse("engagement:proposal", args=[proposal.pk]),
                reverse("engagement:campaigns")):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"], url
    response = client.post(meeting_url(meeting), {"command": "publish", "public": "0"})
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    meeting.refresh_from_db()
    assert meeting.is_public


# --- decisions are tracked to done ----------------------------------------------------------------
def test_decisions_are_marked_done_by_the_coordinator_or_the_responsible_organisation(world, login_as):
    cast = world
    meeting = new_meeting(cast)
    for_ngo2 = actions.decision_add(by=cast["koalisiya"], meeting=meeting, text="Vərəqə hazırlamaq",
                                    responsible=cast["ngo2"], due_on=dt.date(2026, 12, 1))
    for_police = actions.decision_add(by=cast["koalisiya"], meeting=meeting, text="Cədvəl",
                                      responsible=cast["police"], due_on=dt.date(2026, 11, 15))
    url = meeting_url(meeting)
    mark = 'name="command" value="decision_done"'

    # Outsiders: no button, and a posted command is refused with a message and a denied event.
    for username in ("qht1", "polis", "qht3"):
        client = login_as(username)
        assert mark not in html(client.get(url)) or username == "polis"
        response = client.post(url, {"command": "decision_done", "decision": for_ngo2.pk})
        assert errors(response) == [t(response, "Only the responsible organisation or the coalition "
                                                       "coordinator may do this.")]
        assert denied("meeting.decision_done", cast[username]) == 1
    for_ngo2.refresh_from_db()
    assert for_ngo2.done_on is None
    with pytest.raises(ValidationError):
        actions.decision_done(by=cast["qht1"], decision=for_ngo2)

    # A member of the responsible organisation sees the button for its own decision only, and uses it.
    qht2 = login_as("qht2")
    page = html(qht2.get(url))
    assert f'name="decision" value="{for_ngo2.pk}"' in page
    assert f'name="decision" value="{for_police.pk}"' not in page
    response = qht2.post(url, {"command": "decision_done", "decision": for_ngo2.pk})
    assert response.status_code == 302 and errors(response) == []
    for_ngo2.refresh_from_db()
    assert for_ngo2.done_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="meeting.decision_done", actor=cast["qht2"],
                                     object_id=str(for_ngo2.pk), outcome=AuditEvent.Outcome.OK).exists()
    # The police may close the police's decision; the coordinator may close anyone's.
    assert f'name="decision" value="{for_police.pk}"' in html(login_as("polis").get(url))
    actions.decision_done(by=cast["koalisiya"], decision=for_police, done_on=dt.date(2026, 11, 10))
    assert Decision.objects.get(pk=for_police.pk).done_on == dt.date(2026, 11, 10)
    # Open decisions on the coalition page: none left.
    assert not queries.open_decisions(cast["qht1"]).exists()

    # A decision of another meeting cannot be closed through this one.
    other = new_meeting(cast, title="Başqa görüş")
    foreign = actions.decision_add(by=cast["koalisiya"], meeting=other, text="Başqa", responsible=cast["ngo1"],
                                   due_on=dt.date(2026, 12, 1))
    assert login_as("koalisiya").post(url, {"command": "decision_done", "decision": foreign.pk}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.done_on is None


# --- photos ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "make", "content_type", "kind"), [
    ("camera.jpg", tagged_jpeg, "image/jpeg", "JPEG"),
    ("screenshot.png", tagged_png, "image/png", "PNG"),
    ("phone.webp", tagged_webp, "image/webp", "WEBP"),
])
def test_photos_keep_pixels_only(world, login_as, client, name, make, content_type, kind):
    meeting = new_meeting(world, public=True)
    data = make()
    for marker in MARKERS if kind != "WEBP" else [m for m in MARKERS if m != b"CommentMarkerQ7"]:
        assert marker in data, marker  # the upload really carries the metadata
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif()

    response = login_as("koalisiya").post(meeting_url(meeting), {
        "command": "photo", "image": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
        "alt_text": "İştirakçılar masa arxasında", "is_public": "on"})
    assert errors(response) == []
    assert flash(response) == [("success", t(response, "The photo is added; its location and camera data "
                                                          "were removed."))]
    photo = Photo.objects.get()
    assert photo.content_type == content_type and (photo.width, photo.height) == (640, 480)
    assert photo.image.endswith("." + {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[kind])

    stored, thumb = read_stored(photo.image), read_stored(photo.thumbnail)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == kind and image.size == (640, 480)
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.format == "JPEG" and max(image.size) <= 480
    assert_no_metadata(stored)
    assert_no_metadata(thumb)

    # What leaves the server is exactly the clean copy, to staff and to the public.
    for url, viewer in ((reverse("engagement:public_photo", args=[photo.pk, "full"]), client),
                        (reverse("engagement:photo", args=[photo.pk, "full"]), login_as("polis"))):
        response = viewer.get(url)
        assert response.status_code == 200 and response["Content-Type"] == content_type
        assert body(response) == stored
    response = client.get(reverse("engagement:public_photo", args=[photo.pk, "thumb"]))
    assert response["Content-Type"] == "image/jpeg" and body(response) == thumb


def test_an_exif_rotated_photo_is_stored_upright(world):
    image = Image.new("RGB", (300, 200), (220, 20, 20))  # left half red, right half blue, as the sensor saw it
    image.paste((20, 20, 220), (150, 0, 300, 200))
    data = tagged_jpeg(image, orientation=6)  # "rotate 90° clockwise to display"
    meeting = new_meeting(world)
    photo = new_photo(world, meeting, alt="Dik foto", public=False, data=data)

    assert (photo.width, photo.height) == (200, 300)
    stored = read_stored(photo.image)
    assert_no_metadata(stored)  # no Orientation tag left to rotate it a second time
    with Image.open(io.BytesIO(stored)) as upright:
        assert upright.size == (200, 300)
        top, bottom = upright.convert("RGB").getpixel((100, 50)), upright.convert("RGB").getpixel((100, 250))
    assert top[0] > 180 and top[2] < 80, top  # the sensor's left edge is now the top
    assert bottom[2] > 180 and bottom[0] < 80, bottom
    with Image.open(io.BytesIO(read_stored(photo.thumbnail))) as thumb:
        assert thumb.height > thumb.width


def test_what_is_not_a_photo_is_refused(world, login_as, settings):
    coordinator = world["koalisiya"]
    meeting = new_meeting(world)
    browser = login_as("koalisiya")
    not_a_photo = "Upload a JPEG, PNG or WebP photo."
    too_many_pixels = "The photo has too many pixels."
    files_before = stored_photo_files()

    gif = io.BytesIO()
    picture().save(gif, format="GIF")
    huge = io.BytesIO()
    Image.new("1", (7000, 6000)).save(huge, format="PNG")  # 42 million pixels in a few kilobytes
    truncated = tagged_jpeg()[:2000]
    cases = [
        ("notes.jpg", b"Meeting notes, definitely not a photo.\n" * 40, not_a_photo),
        ("empty.jpg", b"", None),  # the form itself refuses an empty file
        ("anim.gif", gif.getvalue(), not_a_photo),
        ("broken.jpg", truncated, not_a_photo),
        ("huge.png", huge.getvalue(), too_many_pixels),
        ("bomb.png", png_header_only(30_000, 30_000), too_many_pixels),
    ]
    for name, data, message in cases:
        response = browser.post(meeting_url(meeting), {
            "command": "photo", "image": SimpleUploadedFile(name, data, content_type="image/jpeg"),
            "alt_text": "Foto"})
        assert response.status_code == 302, name
        got = errors(response)
        assert len(got) == 1 and (message is None or got == [t(response, message)]), (name, got)

    # Alt text is required: by the form, and by the action (blank is not a description).
    response = browser.post(meeting_url(meeting), {
        "command": "photo", "image": SimpleUploadedFile("p.jpg", tagged_jpeg()), "alt_text": ""})
    assert errors(response) == [t(response, "This field is required.")]
    with pytest.raises(ValidationError):
        actions.photo_add(by=coordinator, meeting=meeting, data=tagged_jpeg(), alt_text="   ")

    # Size: the configured limit holds, whatever the pixels.
    settings.PHOTO_MAX_BYTES = 4096
    noisy = Image.frombytes("RGB", (120, 120), random.Random(7).randbytes(120 * 120 * 3))
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    assert len(out.getvalue()) > 4096
    response = browser.post(meeting_url(meeting), {
        "command": "photo", "image": SimpleUploadedFile("big.png", out.getvalue()), "alt_text": "Böyük"})
    assert errors(response) == [t(response, "The photo is larger than %(mb)d MB.",
                                  mb=settings.PHOTO_MAX_BYTES // 1048576)]

    assert not Photo.objects.exists()
    assert stored_photo_files() == files_before
    assert not AuditEvent.objects.filter(action="meeting.photo", outcome=AuditEvent.Outcome.OK).exists()


def test_the_public_sees_only_public_photos_of_public_meetings(world, login_as, client):
    public_meeting = new_meeting(world, title="Açıq görüş", public=True)
    private_meeting = new_meeting(world, title="Qapalı görüş", public=False)
    shown = new_photo(world, public_meeting, alt="Göstərilən foto", public=True)
    hidden = new_photo(world, public_meeting, alt="Gizli foto", public=False)
    behind = new_photo(world, private_meeting, alt="Qapalı görüşün fotosu", public=True)

    for photo, status in ((shown, 200), (hidden, 404), (behind, 404)):
        for kind in ("full", "thumb"):
            response = client.get(reverse("engagement:public_photo", args=[photo.pk, kind]))
            assert response.status_code == status, (photo.alt_text, kind)
    assert client.get(reverse("engagement:public_photo", args=[999_999, "full"])).status_code == 404

    listing = html(client.get(reverse("engagement:public_meetings")))
    assert "Açıq görüş" in listing and "Qapalı görüş" not in listing
    assert client.get(reverse("engagement:public_meeting", args=[private_meeting.pk])).status_code == 404
    page = html(client.get(reverse("engagement:public_meeting", args=[public_meeting.pk])))
    assert "Göstərilən foto" in page and reverse("engagement:public_photo", args=[shown.pk, "thumb"]) in page
    assert "Gizli foto" not in page and f"/photos/{hidden.pk}/" not in page
    assert "Qapalı görüşün fotosu" not in page and f"/photos/{behind.pk}/" not in page

    # Logged-in staff of any organisation see every photo, public or not.
    for username in ("polis", "qht3"):
        staff = login_as(username)
        for photo in (shown, hidden, behind):
            for kind in ("full", "thumb"):
                assert staff.get(reverse("engagement:photo", args=[photo.pk, kind])).status_code == 200
        page = html(staff.get(meeting_url(public_meeting)))
        assert "Göstərilən foto" in page and "Gizli foto" in page
    assert login_as("polis").get(reverse("engagement:photo", args=[999_999, "full"])).status_code == 404

    # Hiding the shown photo, or unpublishing its meeting, takes it off the portal at once.
    actions.publish(by=world["koalisiya"], obj=shown, public=False)
    assert client.get(reverse("engagement:public_photo", args=[shown.pk, "full"])).status_code == 404
    actions.publish(by=world["koalisiya"], obj=shown, public=True)
    actions.publish(by=world["koalisiya"], obj=public_meeting, public=False)
    assert client.get(reverse("engagement:public_photo", args=[shown.pk, "thumb"])).status_code == 404


# --- proposals ---------------------------------------------------------------------------------
def respond(client: Any, proposal: Proposal, status: str, response: str = "", measures: list[Measure] = ()) -> Any:
    return client.post(reverse("engagement:proposal", args=[proposal.pk]), {
        "status": status, "response": response, "measures": [m.pk for m in measures]})


def test_a_proposals_whole_life_from_the_meeting_to_the_measure(world, login_as):
    cast = world
    meeting = new_meeting(cast)
    measure = new_measure(cast)
    coordinator = login_as("koalisiya")

    # Raised at the meeting by the coordinator on behalf of a member.
    response = coordinator.post(meeting_url(meeting), {
        "command": "proposal", "from_organisation": cast["ngo2"].pk, "addressed_to": cast["police"].pk,
        "title": "Miqrantlar üçün vərəqələr", "text": "Çoxdilli vərəqələr çap etmək."})
    assert errors(response) == []
    proposal = Proposal.objects.get()
    assert (proposal.meeting, proposal.from_organisation, proposal.status) == (meeting, cast["ngo2"], S.RECEIVED)
    assert proposal.created_by == cast["koalisiya"]

    # Only the addressed body (or the coordinator) answers: the proposer and third parties may not.
    for username in ("qht2", "qht1", "fokal"):
        client = login_as(username)
        page = html(client.get(reverse("engagement:proposal", args=[proposal.pk])))
        assert 'name="status"' not in page, username
        response = respond(client, proposal, S.UNDER_REVIEW)
        assert errors(response) == [t(response, "Only the addressed body or the coalition coordinator may "
                                                       "answer.")]
        assert denied("proposal.respond", cast[username]) == 1
    proposal.refresh_from_db()
    assert proposal.status == S.RECEIVED and proposal.events.count() == 1

    police = login_as("polis")
    assert 'name="status"' in html(police.get(reverse("engagement:proposal", args=[proposal.pk])))
    assert errors(respond(police, proposal, S.UNDER_REVIEW)) == []
    assert errors(respond(login_as("polis2"), proposal, S.ACCEPTED, "Qəbul edildi, 2.1-ə daxil edilir.",
                          [measure])) == []
    proposal.refresh_from_db()
    assert proposal.status == S.ACCEPTED and list(proposal.measures.all()) == [measure]
    # The answer form keeps the measure selected, so marking it implemented keeps the link.
    form = html(police.get(reverse("engagement:proposal", args=[proposal.pk])))
    assert re.search(rf'<option value="{measure.pk}"[^>]*selected', form)
    assert errors(respond(police, proposal, S.IMPLEMENTED, "Vərəqələr çap olundu.", [measure])) == []
    proposal.refresh_from_db()
    assert proposal.status == S.IMPLEMENTED and list(proposal.measures.all()) == [measure]
    assert proposal.response == "Vərəqələr çap olundu."

    # Implemented is final.
    for status in S.values:
        with pytest.raises(ValidationError):
            actions.proposal_respond(by=cast["polis"], proposal=proposal, status=status, response="Yenə")
    response = respond(police, proposal, S.DECLINED, "Geri götürülür")
    assert errors(response) == [t(response, "A proposal cannot go from “%(a)s” to “%(b)s”.",
                                  a=t(response, "Implemented"), b=t(response, "Declined"))]
    assert Proposal.objects.get().status == S.IMPLEMENTED

    # The history, the meeting it was raised at, the measure it fed.
    page = login_as("qht2").get(reverse("engagement:proposal", args=[proposal.pk]))
    text = html(page)
    history = re.search(r'data-testid="proposal-history">(.*?)</ol>', text, re.S).group(1)
    steps = [S.RECEIVED, S.UNDER_REVIEW, S.ACCEPTED, S.IMPLEMENTED]
    labels = [label(page, S(s).label) for s in steps]
    positions = [history.find(label) for label in labels]
    assert -1 not in positions and positions == sorted(positions), (labels, history)
    for person in (cast["koalisiya"], cast["polis"], cast["polis2"]):
        assert person.full_name in history
    assert "Qəbul edildi, 2.1-ə daxil edilir." in history
    assert [e.status for e in proposal.events.all()] == steps
    measures_block = re.search(r'data-testid="proposal-measures">(.*?)</dd>', text, re.S).group(1)
    assert reverse("plan:measure", args=[measure.pk]) in measures_block and measure.number in measures_block
    assert meeting_url(meeting) in text and meeting.title in text

    # Follow the links: meeting page → proposal page → measure page.
    reader = login_as("qht3")
    meeting_page = html(reader.get(meeting_url(meeting)))
    (proposal_href,) = hrefs(meeting_page, r"/proposals/\d+/")
    proposal_page = reader.get(proposal_href)
    assert proposal_page.status_code == 200 and "Miqrantlar üçün vərəqələr" in html(proposal_page)
    measures_block = re.search(r'data-testid="proposal-measures">(.*?)</dd>', html(proposal_page), re.S).group(1)
    (measure_href,) = hrefs(measures_block, r"/plan/measures/\d+/")
    measure_page = reader.get(measure_href)
    assert measure_page.status_code == 200
    assert measure.number in html(measure_page) and "maarifləndirmə kampaniyaları" in html(measure_page)
    (back_href,) = hrefs(html(proposal_page), r"/meetings/\d+/")
    assert back_href == meeting_url(meeting)


def test_who_may_make_a_proposal(world, login_as):
    cast = world
    meeting = new_meeting(cast)
    url = meeting_url(meeting)

    # A worker of a member organisation, for that organisation: yes.
    response = login_as("qht1").post(url, {"command": "proposal", "from_organisation": cast["ngo1"].pk,
                                           "addressed_to": cast["coordinator"].pk, "title": "Öz təklifimiz",
                                           "text": "Mətn"})
    assert errors(response) == []
    mine = Proposal.objects.get()
    assert mine.from_organisation == cast["ngo1"] and mine.meeting == meeting and mine.created_by == cast["qht1"]

    # For another member organisation: no.
    response = login_as("qht1").post(url, {"command": "proposal", "from_organisation": cast["ngo2"].pk,
                                           "addressed_to": cast["police"].pk, "title": "Başqasının adından",
                                           "text": "Mətn"})
    assert errors(response) == [t(response, "You can make proposals only for your own organisation.")]
    assert denied("proposal.create", cast["qht1"]) == 1
    # The police are not a coalition member and cannot propose on a member's behalf.
    with pytest.raises(ValidationError):
        actions.proposal_create(by=cast["polis"], from_organisation=cast["ngo1"], addressed_to=cast["police"],
                                title="X", text="Y", meeting=meeting)

    # A non-member organisation: not even the coordinator can raise a proposal from it.
    response = login_as("qht3").post(url, {"command": "proposal", "from_organisation": cast["ngo3"].pk,
                                           "addressed_to": cast["police"].pk, "title": "Üzv deyilik",
                                           "text": "Mətn"})
    assert len(errors(response)) == 1  # the form offers members only
    for by in (cast["qht3"], cast["koalisiya"]):
        with pytest.raises(ValidationError):
            actions.proposal_create(by=by, from_organisation=cast["ngo3"], addressed_to=cast["police"], title="X",
                                    text="Y", meeting=meeting)
    # A member that has left is no longer a member.
    Member.objects.filter(organisation=cast["ngo2"]).update(left_on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError):
        actions.proposal_create(by=cast["koalisiya"], from_organisation=cast["ngo2"], addressed_to=cast["police"],
                                title="X", text="Y")
    # Title and text are required.
    with pytest.raises(ValidationError):
        actions.proposal_create(by=cast["koalisiya"], from_organisation=cast["ngo1"], addressed_to=cast["police"],
                                title="  ", text="Y")
    assert list(Proposal.objects.all()) == [mine]
    assert ProposalEvent.objects.count() == 1


def test_proposal_transitions(world, login_as):
    cast = world
    police = cast["polis"]

    def proposal(title: str) -> Proposal:
        return actions.proposal_create(by=cast["koalisiya"], from_organisation=cast["ngo1"],
                                       addressed_to=cast["police"], title=title, text="Mətn")

    # Declining and accepting in part need a response.
    needs_reason = "Explain the answer: declining or accepting in part needs a response."
    client = login_as("polis")
    for status in (S.DECLINED, S.PARTIALLY_ACCEPTED):
        p = proposal(f"Cavabsız {status}")
        for blank in ("", "   "):
            response = respond(client, p, status, blank)
            assert errors(response) == [t(response, needs_reason)]
        p.refresh_from_db()
        assert p.status == S.RECEIVED and p.events.count() == 1
        assert errors(respond(client, p, status, "Səbəb budur.")) == []
        p.refresh_from_db()
        assert p.status == status and p.response == "Səbəb budur."

    # Declined is final: declined → accepted (or anything else) is refused.
    declined = Proposal.objects.get(status=S.DECLINED)
    for status in S.values:
        with pytest.raises(ValidationError):
            actions.proposal_respond(by=police, proposal=declined, status=status, response="Yenidən baxdıq")
    response = respond(client, declined, S.ACCEPTED, "Yenidən baxdıq")
    assert errors(response) == [t(response, "A proposal cannot go from “%(a)s” to “%(b)s”.",
                                  a=t(response, "Declined"), b=t(response, "Accepted"))]

    # Partially accepted → implemented is allowed; the legal paths from "received".
    partial = Proposal.objects.get(status=S.PARTIALLY_ACCEPTED)
    actions.proposal_respond(by=police, proposal=partial, status=S.IMPLEMENTED)
    fresh = proposal("Birbaşa qəbul")
    actions.proposal_respond(by=police, proposal=fresh, status=S.ACCEPTED)

    # Skipping ahead, going back, unknown states and "received" again are refused.
    skipping = proposal("Tələsik")
    for status in (S.IMPLEMENTED, S.RECEIVED, "bogus"):
        with pytest.raises(ValidationError):
            actions.proposal_respond(by=police, proposal=skipping, status=status)
    actions.proposal_respond(by=police, proposal=skipping, status=S.UNDER_REVIEW)
    for status in (S.RECEIVED, S.UNDER_REVIEW, S.IMPLEMENTED):
        with pytest.raises(ValidationError):
            actions.proposal_respond(by=police, proposal=skipping, status=status)
    with pytest.raises(ValidationError):
        actions.proposal_respond(by=police, proposal=fresh, status=S.DECLINED, response="Fikrimizi dəyişdik")
    assert len(errors(respond(client, skipping, "bogus"))) == 1  # the form knows the states too
    skipping.refresh_from_db()
    fresh.refresh_from_db()
    assert skipping.status == S.UNDER_REVIEW and fresh.status == S.ACCEPTED
    # Every refused step left the history alone.
    assert [e.status for e in skipping.events.all()] == [S.RECEIVED, S.UNDER_REVIEW]
    assert [e.status for e in fresh.events.all()] == [S.RECEIVED, S.ACCEPTED]

    # The status filter on the list.
    listing = html(login_as("qht2").get(reverse("engagement:proposals") + "?status=declined"))
    assert declined.title in listing and fresh.title not in listing


# --- campaigns ---------------------------------------------------------------------------------
def reach_block(response: Any) -> dict[str, Any]:
    """The numbers of the page's data-testid="reach" block: the total and the two tables (label → people)."""
    text = html(response)

    def number(s: str) -> int:
        return int(re.sub(r"\D", "", html_lib.unescape(s)) or 0)

    total = number(re.search(r'data-testid="reach-total">([^<]*)</p>', text).group(1))
    tables = []
    for testid in ("reach-regions", "reach-groups"):
        body = re.search(rf'data-testid="{testid}">.*?<tbody>(.*?)</tbody>', text, re.S).group(1)
        tables.append({html_lib.unescape(label): number(n)
                       for label, n in re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", body)})
    return {"total": total, "regions": tables[0], "groups": tables[1]}


def labelled(totals: dict[str, int], choices: list[tuple[str, Any]], language: str) -> dict[str, int]:
    names = dict(choices)
    with translation.override(language):
        return {str(names[code]): n for code, n in totals.items()}


def test_campaign_events_stay_within_the_campaign_and_known_codes(world, login_as):
    cast = world
    coordinator = cast["koalisiya"]
    browser = login_as("koalisiya")
    response = browser.post(reverse("engagement:campaign_create"), {
        "title": "Diqqətli ol!", "starts_on": "2026-03-01", "ends_on": "2026-03-31",
        "organisers": [cast["ngo1"].pk, cast["police"].pk], "target_groups": ["students", "job_seekers"],
        "channels": ["talks"], "regions": ["baku"]})
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("engagement:campaign", args=[campaign.pk])
    url = reverse("engagement:campaign", args=[campaign.pk])
    event = {"place": "Universitet", "region": "baku", "target_group": "students", "channel": "talks",
             "people_reached": 10}

    outside = "The event must fall within the campaign's dates."
    for day in ("2026-02-28", "2026-04-01", "2025-03-15"):
        response = browser.post(url, {**event, "held_on": day})
        assert errors(response) == [t(response, outside)], day
    for day in ("2026-03-01", "2026-03-31"):  # the first and the last day belong to the campaign
        assert errors(browser.post(url, {**event, "held_on": day})) == [], day
    assert campaign.events.count() == 2

    # Unknown codes: the form refuses them, and so does the action behind it.
    for field, value in (("region", "atlantis"), ("target_group", "aliens"), ("channel", "pigeons")):
        assert len(errors(browser.post(url, {**event, "held_on": "2026-03-10", field: value}))) == 1, field
        with pytest.raises(ValidationError):
            actions.campaign_event_add(by=coordinator, campaign=campaign, **{**event, "held_on": dt.date(2026, 3, 10),
                                                                              field: value})
    with pytest.raises(ValidationError):
        actions.campaign_event_add(by=coordinator, campaign=campaign, **{**event, "held_on": dt.date(2026, 3, 10),
                                                                          "people_reached": -5})
    assert len(errors(browser.post(url, {**event, "held_on": "2026-03-10", "people_reached": -5}))) == 1
    assert campaign.events.count() == 2

    # The campaign itself: ends before it starts, unknown codes, no organiser.
    for bad in ({"ends_on": dt.date(2026, 2, 1)}, {"regions": ["atlantis"]}, {"target_groups": ["aliens"]},
                {"organisers": []}):
        kwargs = {"title": "Pis", "starts_on": dt.date(2026, 3, 1), "ends_on": dt.date(2026, 3, 31),
                  "organisers": [cast["ngo1"]], **bad}
        with pytest.raises(ValidationError):
            actions.campaign_create(by=coordinator, **kwargs)
    response = browser.post(reverse("engagement:campaign_create"), {
        "title": "Pis", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "organisers": [cast["ngo1"].pk],
        "regions": ["atlantis"]})
    assert len(errors(response)) == 1
    assert Campaign.objects.count() == 1


def test_reach_totals_are_exact(world, login_as, client):
    cast = world
    coordinator = cast["koalisiya"]

    def campaign(title: str, starts: dt.date, ends: dt.date, *, public: bool = True) -> Campaign:
        c = actions.campaign_create(by=coordinator, title=title, starts_on=starts, ends_on=ends,
                                    organisers=[cast["ngo1"], cast["ngo2"], cast["police"]])
        assert not c.is_public  # new campaigns wait to be published
        if public:
            actions.publish(by=coordinator, obj=c, public=True)
        return c

    def add(c: Campaign, day: dt.date, region: str, group: str, people: int) -> None:
        actions.campaign_event_add(by=coordinator, campaign=c, held_on=day, place="Yer", region=region,
                                   target_group=group, channel="talks", people_reached=people)

    a = campaign("Tələbələr", dt.date(2025, 3, 1), dt.date(2025, 6, 30))
    add(a, dt.date(2025, 3, 10), "baku", "students", 320)
    add(a, dt.date(2025, 4, 2), "lankaran_astara", "job_seekers", 85)
    add(a, dt.date(2025, 5, 5), "baku", "job_seekers", 12000)
    add(a, dt.date(2025, 6, 1), "ganja_dashkasan", "students", 210)
    b = campaign("Miqrantlar", dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    add(b, dt.date(2026, 9, 20), "gazakh_tovuz", "labour_migrants", 640)
    add(b, dt.date(2026, 9, 21), "baku", "labour_migrants", 1)
    hidden = campaign("Daxili", dt.date(2026, 1, 1), dt.date(2026, 12, 31), public=False)
    add(hidden, dt.date(2026, 2, 2), "baku", "women", 5000)
    empty = campaign("Boş", dt.date(2026, 5, 1), dt.date(2026, 5, 2))

    regions_a = {"baku": 12320, "ganja_dashkasan": 210, "lankaran_astara": 85}
    groups_a = {"job_seekers": 12085, "students": 530}
    regions_all = {"baku": 17321, "gazakh_tovuz": 640, "ganja_dashkasan": 210, "lankaran_astara": 85}
    groups_all = {"job_seekers": 12085, "labour_migrants": 641, "students": 530, "women": 5000}

    def by_code(rows: list[dict[str, Any]]) -> dict[str, int]:
        return {r["code"]: r["people"] for r in rows}

    totals = queries.reach_totals(Campaign.objects.filter(pk=a.pk))
    assert totals["total"] == 12615 and by_code(totals["regions"]) == regions_a
    assert by_code(totals["groups"]) == groups_a
    assert [r["code"] for r in totals["regions"]] == ["baku", "ganja_dashkasan", "lankaran_astara"]  # largest first
    # The chart's bars: the largest fills the bar area, the others in proportion (SVG user units).
    bars = totals["region_chart"].bars
    assert [b.width for b in bars] == [470.0, round(470 * 210 / 12320, 2), round(470 * 85 / 12320, 2)]
    assert [(b.y, b.value) for b in bars] == [(0.0, 12320), (26.0, 210), (52.0, 85)]
    assert totals["region_chart"].legend == []  # one series, named by the heading: no legend
    everything = queries.reach_totals()
    assert everything["total"] == 18256 and by_code(everything["regions"]) == regions_all
    assert by_code(everything["groups"]) == groups_all
    this_year = queries.reach_totals(year=2026)
    assert this_year["total"] == 5641 and by_code(this_year["groups"]) == {"labour_migrants": 641, "women": 5000}
    public = queries.reach_totals(queries.campaigns_visible_to(None, public=True))
    assert public["total"] == 13256 and by_code(public["groups"]) == {"job_seekers": 12085, "labour_migrants": 641,
                                                                      "students": 530}
    nothing = queries.reach_totals(Campaign.objects.filter(pk=empty.pk))
    assert (nothing["total"], nothing["regions"], nothing["groups"]) == (0, [], [])
    assert nothing["region_chart"].bars == [] and nothing["group_chart"].bars == []

    # The pages show the same numbers.
    staff = login_as("qht2")
    for url, total, regions, groups in (
        (reverse("engagement:campaign", args=[a.pk]), 12615, regions_a, groups_a),
        (reverse("engagement:campaigns"), 18256, regions_all, groups_all),
        (reverse("engagement:campaigns") + "?year=2025", 12615, regions_a, groups_a),
    ):
        response = staff.get(url)
        shown, language = reach_block(response), page_language(response)
        assert shown == {"total": total, "regions": labelled(regions, REGIONS, language),
                         "groups": labelled(groups, TargetGroup.choices, language)}, url
    response = client.get(reverse("engagement:public_campaigns"))
    shown, language = reach_block(response), page_language(response)
    assert shown == {"total": 13256,
                     "regions": labelled({"baku": 12321, "gazakh_tovuz": 640, "ganja_dashkasan": 210,
                                          "lankaran_astara": 85}, REGIONS, language),
                     "groups": labelled({"job_seekers": 12085, "labour_migrants": 641, "students": 530},
                                        TargetGroup.choices, language)}
    assert "Daxili" not in html(response)
    # The per-campaign column on the list is exact too (organisers do not multiply the sums).
    listing = html(staff.get(reverse("engagement:campaigns")))
    row = re.search(rf'{a.pk}/">Tələbələr</a></td>.*?</tr>', listing, re.S).group(0)
    assert re.sub(r"\D", "", html_lib.unescape(re.findall(r"<td>([^<]*)</td></tr>", row)[-1])) == "12615"


def test_the_public_calendar_lists_public_current_and_upcoming_campaigns(world, client):
    coordinator = world["koalisiya"]
    today = timezone.localdate()
    day = dt.timedelta(days=1)

    def campaign(title: str, starts: dt.date, ends: dt.date, *, public: bool = True) -> Campaign:
        c = actions.campaign_create(by=coordinator, title=title, starts_on=starts, ends_on=ends,
                                    organisers=[world["ngo1"]])
        if public:
            actions.publish(by=coordinator, obj=c, public=True)
        return c

    campaign("Keçmiş kampaniya", today - 60 * day, today - day)
    campaign("Bu gün bitən kampaniya", today - 30 * day, today)
    campaign("Davam edən kampaniya", today - 10 * day, today + 10 * day)
    campaign("Gələcək kampaniya", today + 30 * day, today + 60 * day)
    campaign("Daxili gələcək kampaniya", today + 5 * day, today + 6 * day, public=False)
    campaign("Daxili keçmiş kampaniya", today - 9 * day, today - 8 * day, public=False)

    assert [c.title for c in queries.upcoming_campaigns()] == [
        "Bu gün bitən kampaniya", "Davam edən kampaniya", "Gələcək kampaniya"]
    text = html(client.get(reverse("engagement:public_campaigns")))
    calendar = re.search(r'data-testid="calendar">(.*?)</ul>', text, re.S).group(1)
    past = re.search(r'data-testid="past-campaigns">(.*?)</ul>', text, re.S).group(1)
    assert re.findall(r"<strong>(.*?)</strong>", calendar) == [
        "Bu gün bitən kampaniya", "Davam edən kampaniya", "Gələcək kampaniya"]
    assert "Keçmiş kampaniya" in past
    for title in ("Bu gün bitən kampaniya", "Davam edən kampaniya", "Gələcək kampaniya"):
        assert title not in past, title  # not "past" while it runs or before it starts
    assert "Daxili" not in text


# --- contact people ------------------------------------------------------------------------------
def test_contact_people_are_for_logged_in_partners_only(world, login_as, client):
    member = Member.objects.get(organisation=world["ngo1"])
    actions.contact_save(by=world["koalisiya"], member=member, name="Nigar Kontaktova", title="Proqram meneceri",
                         phone="+994 50 123 45 67", email="nigar.kontakt@example.org")
    secrets = ["Nigar Kontaktova", "+994 50 123 45 67", "nigar.kontakt@example.org"]
    meeting = new_meeting(world, public=True)
    actions.participant_add(by=world["koalisiya"], meeting=meeting, organisation=world["ngo1"])
    actions.campaign_create(by=world["koalisiya"], title="Açıq kampaniya", starts_on=dt.date(2026, 1, 1),
                            ends_on=dt.date(2026, 12, 31), organisers=[world["ngo1"]])

    for username in ("qht2", "polis", "fokal"):
        page = login_as(username).get(reverse("engagement:coalition"))
        assert page.status_code == 200
        for secret in secrets:
            assert secret in html(page), (username, secret)

    anonymous = client.get(reverse("engagement:coalition"))
    assert anonymous.status_code == 302 and "Nigar" not in html(anonymous)
    public_pages = ["/", reverse("public:home"), reverse("engagement:public_meetings"),
                    reverse("engagement:public_meeting", args=[meeting.pk]), reverse("engagement:public_campaigns"),
                    reverse("public:recommendations")]
    for url in public_pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        for secret in secrets:
            assert secret not in html(response), (url, secret)
    assert world["ngo1"].name in html(client.get(reverse("engagement:public_meeting", args=[meeting.pk])))


# --- query counts --------------------------------------------------------------------------------
# Meeting page: session, user, TOTP device; the meeting and 8 prefetches (files among them);
# memberships; 4 choice lists of the forms; saving the session (3 with the savepoint). The same with 2
# or 14 of everything.
MEETING_PAGE_QUERIES = 21
# Campaign list: session, user, TOTP device; reach; the years for the filter; memberships; campaigns
# and their organisers; the form's organiser list; saving the session (3).
CAMPAIGN_LIST_QUERIES = 12


def grow_meeting(cast: dict[str, Any], meeting: Meeting, n: int, start: int = 0) -> None:
    coordinator = cast["koalisiya"]
    orgs = [cast[k] for k in ("police", "ngo1", "ngo2", "ngo3", "coordinator")]
    for i in range(start, start + n):
        org = orgs[i % len(orgs)]
        actions.agenda_add(by=coordinator, meeting=meeting, text=f"Bənd {i}")
        actions.participant_add(by=coordinator, meeting=meeting, organisation=org)
        actions.participant_add(by=coordinator, meeting=meeting, person_name=f"Qonaq {i}", guest_affiliation="Səfirlik")
        actions.decision_add(by=coordinator, meeting=meeting, text=f"Qərar {i}", responsible=org,
                             due_on=dt.date(2026, 12, 1))
        Photo.objects.create(meeting=meeting, image="x.jpg", thumbnail="x-t.jpg", content_type="image/jpeg",
                             width=10, height=10, alt_text=f"Foto {i}", is_public=i % 2 == 0, uploaded_by=coordinator)
        actions.proposal_create(by=coordinator, from_organisation=cast["ngo1" if i % 2 else "ngo2"],
                                addressed_to=org, title=f"Təklif {i}", text="Mətn", meeting=meeting)


@pytest.mark.parametrize("username", ["koalisiya", "qht2"])
def test_meeting_page_query_count_is_pinned(world, login_as, django_assert_max_num_queries, username):
    meeting = new_meeting(world)
    client = login_as(username)
    grow_meeting(world, meeting, 2)
    with django_assert_max_num_queries(MEETING_PAGE_QUERIES):
        assert client.get(meeting_url(meeting)).status_code == 200
    grow_meeting(world, meeting, 12, start=2)  # more of everything, not more queries
    with django_assert_max_num_queries(MEETING_PAGE_QUERIES):
        response = client.get(meeting_url(meeting))
    assert response.status_code == 200 and "Təklif 13" in html(response) and "Qonaq 13" in html(response)


def test_campaign_list_query_count_is_pinned(world, login_as, django_assert_max_num_queries):
    coordinator = world["koalisiya"]
    client = login_as("koalisiya")

    def grow(n: int, offset: int) -> None:
        for i in range(offset, offset + n):
            c = actions.campaign_create(by=coordinator, title=f"Kampaniya {i}", starts_on=dt.date(2026, 1, 1),
                                        ends_on=dt.date(2026, 12, 31),
                                        organisers=[world["ngo1"], world["ngo2"], world["police"]],
                                        target_groups=["students"], regions=["baku"])
            for day in (1, 2, 3):
                actions.campaign_event_add(by=coordinator, campaign=c, held_on=dt.date(2026, 2, day), place="Yer",
                                           region="baku", target_group="students", channel="talks",
                                           people_reached=day)

    grow(2, 0)
    with django_assert_max_num_queries(CAMPAIGN_LIST_QUERIES):
        assert client.get(reverse("engagement:campaigns")).status_code == 200
    grow(15, 2)
    with django_assert_max_num_queries(CAMPAIGN_LIST_QUERIES):
        response = client.get(reverse("engagement:campaigns"))
    assert response.status_code == 200 and "Kampaniya 16" in html(response)
    assert reach_block(response)["total"] == 17 * 6
