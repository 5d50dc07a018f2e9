"""Meeting files (agenda papers, minutes as files): uploaded by the coordinator, the type judged by the
content, the name sanitised, the size limited before anything is read, stored sealed; listed on the
meeting page and downloaded by logged-in partners (audited); public only when the meeting is public
and the file is marked public."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.urls import reverse

from korpu.core.models import AuditEvent
from korpu.engagement import actions
from korpu.engagement.models import MeetingAttachment
from tests.engagement.helpers import (
    COORDINATOR_ONLY,
    by_testid,
    errors,
    events_since,
    html,
    jpeg,
    last_seq,
    meeting_url,
    new_meeting,
    plain,
    read_stored,
    stored_files,
    successes,
)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n" + b"AgendaMarkerQ7" * 20


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("word/document.xml", "<w:document>MinutesMarkerQ7</w:document>")
    return out.getvalue()


def upload(client: Any, meeting: Any, name: str, data: bytes, **fields: Any) -> Any:
    return client.post(meeting_url(meeting), {
        "command": "attachment", "file": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
        "kind": "agenda", **fields})


def test_the_coordinator_attaches_files_and_partners_download_them(coalition, login_en):
    meeting = new_meeting(coalition)
    client = login_en("koalisiya")
    seq = last_seq()
    response = upload(client, meeting, "../../etc/Gündəlik <2026>.pdf", PDF, title="Gündəlik sənədləri")
    assert response.status_code == 302 and errors(response) == [] and successes(response) == ["The file is attached."]
    response = upload(client, meeting, "protokol.docx", docx(), kind="minutes")
    assert errors(response) == []
    agenda, minutes = MeetingAttachment.objects.order_by("kind")
    assert (agenda.kind, agenda.filename, agenda.content_type, agenda.size, agenda.title, agenda.is_public) == (
        "agenda", "Gündəlik _2026_.pdf", "application/pdf", len(PDF), "Gündəlik sənədləri", False)
    assert (minutes.kind, minutes.filename, minutes.title) == ("minutes", "protokol.docx", "")
    assert minutes.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert events_since(seq) == [("meeting.attachment", "ok"), ("meeting.attachment", "ok")]
    assert AuditEvent.objects.filter(action="meeting.attachment").first().details == {
        "meeting": meeting.pk, "kind": "agenda", "size": len(PDF), "public": False}

    # Stored sealed: nothing of the content is readable on disk.
    for attachment, marker in ((agenda, b"AgendaMarkerQ7"), (minutes, b"MinutesMarkerQ7")):
        stored = read_stored(attachment.storage_name)
        assert marker not in stored and not stored.startswith(b"%PDF") and not stored.startswith(b"PK")

    # Listed on the meeting page, for every logged-in partner, with a download link.
    for username in ("qht3", "polis"):
        text = html(login_en(username).get(meeting_url(meeting)))
        listed = by_testid(text, "attachments", "</ul>")
        assert "Gündəlik sənədləri" in listed and "Agenda papers" in plain(listed)
        assert "protokol.docx" in listed and "Minutes" in plain(listed)
        assert reverse("engagement:attachment", args=[agenda.pk]) in listed
        assert 'data-testid="attachment-form"' not in text  # the upload form is the coordinator's
    seq = last_seq()
    response = login_en("qht3").get(reverse("engagement:attachment", args=[agenda.pk]))
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;") and "2026" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert events_since(seq) == [("meeting.attachment_download", "ok")]
    event = AuditEvent.objects.get(seq__gt=seq)
    assert event.actor == coalition["qht3"] and event.object_id == str(agenda.pk)


def test_what_is_not_an_accepted_file_is_refused(coalition, login_en, settings):
    meeting = new_meeting(coalition)
    client = login_en("koalisiya")
    files_before = stored_files("engagement/files")
    seq = last_seq()
    cases = [
        ("agenda.pdf", b"#!/bin/sh\necho not a pdf\n" * 10,
         "This type of file is not accepted. Upload PDF, JPEG, PNG, WebP, DOCX or XLSX."),
        ("agenda.exe", PDF, "The file's content does not match its name."),
        ("photo.pdf", jpeg(), "The file's content does not match its name."),
    ]
    for name, data, message in cases:
        response = upload(client, meeting, name, data)
        assert response.status_code == 302 and errors(response) == [message], name
    # An empty file: the form refuses it. An unknown kind: the form refuses it too.
    assert len(errors(upload(client, meeting, "empty.pdf", b""))) == 1
    assert len(errors(upload(client, meeting, "a.pdf", PDF, kind="secret"))) == 1
    # The size limit holds before the upload is read.
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    response = upload(client, meeting, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert errors(response) == ["The file is larger than 1 MB."]
    with pytest.raises(Exception, match="larger than 1 MB"):
        actions.attachment_add(by=coalition["koalisiya"], meeting=meeting, filename="big.pdf",
                               data=PDF + b"0" * (1024 * 1024))
    assert not MeetingAttachment.objects.exists()
    assert stored_files("engagement/files") == files_before
    assert events_since(seq) == []


def test_the_size_is_checked_before_the_upload_is_read(coalition, login_en, settings, monkeypatch):
    meeting = new_meeting(coalition)
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    reads: list[str] = []
    original = InMemoryUploadedFile.read  # a property that hands out the underlying file's read()

    def spy(self: Any) -> Any:
        read = original.fget(self)  # type: ignore[attr-defined]

        def recorded(*args: Any) -> Any:
            if not isinstance(self, SimpleUploadedFile):  # the test client reading its own file to send it
                reads.append(self.name)
            return read(*args)

        return recorded

    monkeypatch.setattr(InMemoryUploadedFile, "read", property(spy))
    response = upload(login_en("koalisiya"), meeting, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert errors(response) == ["The file is larger than 1 MB."]
    assert reads == []
    response = upload(login_en("koalisiya"), meeting, "small.pdf", PDF)
    assert errors(response) == [] and reads == ["small.pdf"]


def test_the_public_sees_a_file_only_when_meeting_and_file_are_public(coalition, login_en, anonymous_en):
    coordinator = coalition["koalisiya"]
    meeting = new_meeting(coalition, title="Açıq görüş")
    public_file = actions.attachment_add(by=coordinator, meeting=meeting, filename="gundelik.pdf", data=PDF,
                                         kind="agenda", title="Açıq gündəlik", is_public=True)
    internal = actions.attachment_add(by=coordinator, meeting=meeting, filename="daxili.pdf", data=PDF,
                                      kind="minutes", title="Daxili protokol")
    url = reverse("engagement:public_attachment", args=[public_file.pk])

    # The meeting is not public yet: nothing.
    assert anonymous_en.get(url).status_code == 404
    actions.publish(by=coordinator, obj=meeting, public=True)
    seq = last_seq()
    response = anonymous_en.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Cache-Control"] == "public, max-age=3600" and "sessionid" not in response.cookies
    assert events_since(seq) == []  # visitors' downloads are not written to the audit chain
    assert anonymous_en.get(reverse("engagement:public_attachment", args=[internal.pk])).status_code == 404
    text = html(anonymous_en.get(reverse("engagement:public_meeting", args=[meeting.pk])))
    files = by_testid(text, "public-files", "</ul>")
    assert "Açıq gündəlik" in files and url in files
    assert "Daxili protokol" not in text and f"/files/{internal.pk}/" not in text
    # The staff download address is closed to visitors.
    response = anonymous_en.get(reverse("engagement:attachment", args=[public_file.pk]))
    assert response.status_code == 302 and "/account/login/" in response["Location"]

    # The coordinator hides the file from the public; and unpublishing the meeting hides every file.
    client = login_en("koalisiya")
    client.post(meeting_url(meeting), {"command": "attachment_public", "attachment": internal.pk, "public": "1"})
    assert anonymous_en.get(reverse("engagement:public_attachment", args=[internal.pk])).status_code == 200
    client.post(meeting_url(meeting), {"command": "attachment_public", "attachment": public_file.pk, "public": "0"})
    assert anonymous_en.get(url).status_code == 404
    actions.publish(by=coordinator, obj=meeting, public=False)
    assert anonymous_en.get(reverse("engagement:public_attachment", args=[internal.pk])).status_code == 404
    assert anonymous_en.get(reverse("engagement:public_attachment", args=[999_999])).status_code == 404


def test_the_coordinator_deletes_a_file(coalition, login_en, django_capture_on_commit_callbacks):
    meeting = new_meeting(coalition)
    attachment = actions.attachment_add(by=coalition["koalisiya"], meeting=meeting, filename="a.pdf", data=PDF)
    name = attachment.storage_name.rsplit("/", 1)[-1]
    assert name in stored_files("engagement/files")
    client = login_en("koalisiya")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(meeting_url(meeting), {"command": "attachment_delete", "attachment": attachment.pk})
    assert len(callbacks) == 1  # the stored file goes only once the row is gone for good
    assert response.status_code == 302 and successes(response) == ["The file is deleted."]
    assert not MeetingAttachment.objects.exists()
    assert name not in stored_files("engagement/files")
    assert AuditEvent.objects.filter(action="meeting.attachment_delete", object_id=str(attachment.pk)).exists()
    from korpu.core.models import DataKey

    assert DataKey.objects.get(pk=attachment.data_key_id).is_shredded  # a backup of the file stays sealed
    assert client.get(reverse("engagement:attachment", args=[attachment.pk])).status_code == 404
    # A file of another meeting cannot be reached through this one.
    other = new_meeting(coalition, title="Başqa görüş")
    foreign = actions.attachment_add(by=coalition["koalisiya"], meeting=other, filename="b.pdf", data=PDF)
    assert client.post(meeting_url(meeting), {"command": "attachment_delete",
                                              "attachment": foreign.pk}).status_code == 404
    assert client.post(meeting_url(meeting), {"command": "attachment_delete", "attachment": "x"}).status_code == 404
    assert MeetingAttachment.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("username", ["qht1", "polis"])
def test_only_the_coordinator_uploads_publishes_or_deletes_files(coalition, login_en, username):
    meeting = new_meeting(coalition, public=True)
    kept = actions.attachment_add(by=coalition["koalisiya"], meeting=meeting, filename="a.pdf", data=PDF)
    files_before = stored_files("engagement/files")
    client = login_en(username)
    seq = last_seq()
    for data, action in (
        ({"command": "attachment", "file": SimpleUploadedFile("b.pdf", PDF), "kind": "agenda"}, "meeting.attachment"),
        ({"command": "attachment_public", "attachment": kept.pk, "public": "1"}, "engagement.publish"),
        ({"command": "attachment_delete", "attachment": kept.pk}, "meeting.attachment_delete"),
    ):
        response = client.post(meeting_url(meeting), data)
        assert response.status_code == 302 and errors(response) == [COORDINATOR_ONLY], data
        assert events_since(seq)[-1] == (action, "denied")
    kept.refresh_from_db()
    assert list(MeetingAttachment.objects.all()) == [kept] and not kept.is_public
    assert stored_files("engagement/files") == files_before
    assert [outcome for _action, outcome in events_since(seq)] == ["denied"] * 3
    # Staff of any organisation may still download the file.
    assert client.get(reverse("engagement:attachment", args=[kept.pk])).status_code == 200
