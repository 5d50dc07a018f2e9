"""Coordinator creates a meeting with a GPS-tagged photo, publishes it; the public copy has no EXIF."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from korpu.engagement import actions
from korpu.engagement.models import Meeting, Photo, Proposal


def gps_jpeg() -> bytes:
    image = Image.new("RGB", (800, 600), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (40.0, 22.0, 10.0), 3: "E", 4: (49.0, 51.0, 30.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert b"SecretCam" in data
    return data


def test_meeting_with_photo_published(cast, login_as, client):
    coordinator = login_as("koalisiya")
    response = coordinator.post(reverse("engagement:meeting_create"), {
        "title": "Görüş", "held_on": "2026-10-20", "organiser": cast["police"].pk, "agenda": "Bir\nİki"})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    url = reverse("engagement:meeting", args=[meeting.pk])
    coordinator.post(url, {"command": "participant", "organisation": cast["ngo1"].pk})
    coordinator.post(url, {"command": "decision", "text": "Plan hazırlamaq", "responsible": cast["ngo1"].pk,
                           "due_on": "2026-12-01"})
    coordinator.post(url, {"command": "decision", "text": "Görüş cədvəli", "responsible": cast["police"].pk,
                           "due_on": "2026-11-15"})
    upload = SimpleUploadedFile("p.jpg", gps_jpeg(), content_type="image/jpeg")
    coordinator.post(url, {"command": "photo", "image": upload, "alt_text": "İştirakçılar", "is_public": "on"})
    photo = Photo.objects.get()
    actions.member_save(by=cast["koalisiya"], organisation=cast["ngo1"], joined_on="2020-01-01")
    coordinator.post(url, {"command": "proposal", "from_organisation": cast["ngo1"].pk,
                           "addressed_to": cast["police"].pk, "title": "Təklif", "text": "Mətn"})
    assert Proposal.objects.get().meeting == meeting
    assert meeting.decisions.count() == 2 and meeting.participants.count() == 1

    assert client.get(reverse("engagement:public_meeting", args=[meeting.pk])).status_code == 404
    coordinator.post(url, {"command": "publish", "public": "1"})
    page = client.get(reverse("engagement:public_meeting", args=[meeting.pk]))
    assert page.status_code == 200 and "İştirakçılar" in page.content.decode()
    downloaded = b"".join(client.get(reverse("engagement:public_photo", args=[photo.pk, "full"])).streaming_content)
    assert b"SecretCam" not in downloaded and b"Exif" not in downloaded
    assert not Image.open(io.BytesIO(downloaded)).getexif()


def test_non_coordinator_cannot_create_meeting(cast, login_as):
    response = login_as("qht1").post(reverse("engagement:meeting_create"), {
        "title": "X", "held_on": "2026-10-20", "organiser": cast["police"].pk})
    assert response.status_code in (400, 404)
    assert not Meeting.objects.exists()
