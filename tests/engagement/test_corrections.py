"""Correcting what was recorded: a meeting's title, date, place and organiser; its agenda items,
participants and decisions; a photo's description, or the photo itself. Proposals: the answer form
offers only the statuses a proposal may move to and is gone once it is final; measures can be
unlinked. Photos: transparent thumbnails on white, the size checked before reading, unknown kinds 404."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from korpu.core.models import AuditEvent
from korpu.engagement import actions
from korpu.engagement.models import AgendaItem, Decision, Meeting, Participant, Photo, Proposal
from korpu.plan import actions as plan_actions
from korpu.plan.models import Plan, Section
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

S = Proposal.Status


# --- the meeting itself --------------------------------------------------------------------------
def test_the_coordinator_corrects_the_meeting(coalition, login_en):
    meeting = new_meeting(coalition)
    client = login_en("koalisiya")
    url = reverse("engagement:meeting_edit", args=[meeting.pk])
    assert url in html(client.get(meeting_url(meeting)))
    page = client.get(url)
    assert page.status_code == 200 and 'value="Rüblük görüş"' in html(page) and 'value="2026-10-20"' in html(page)

    seq = last_seq()
    response = client.post(url, {"title": "  Düzəldilmiş görüş ", "held_on": "2026-10-21", "place": "Gəncə",
                                 "organiser": coalition["ngo1"].pk})
    assert response.status_code == 302 and response["Location"] == meeting_url(meeting)
    meeting.refresh_from_db()
    assert (meeting.title, meeting.held_on, meeting.place, meeting.organiser) == (
        "Düzəldilmiş görüş", dt.date(2026, 10, 21), "Gəncə", coalition["ngo1"])
    assert events_since(seq) == [("meeting.update", "ok")]
    assert AuditEvent.objects.get(seq__gt=seq).details == {"fields": ["held_on", "organiser", "place", "title"]}
    text = html(client.get(meeting_url(meeting)))
    assert plain(by_testid(text, "meeting-place", "</dd>")) == "Gəncə"
    assert plain(by_testid(text, "meeting-organiser", "</dd>")) == coalition["ngo1"].name

    # A blank title or a bad date: the form again with the error, nothing changed.
    for data in ({"title": "   ", "held_on": "2026-10-21", "organiser": coalition["ngo1"].pk},
                 {"title": "X", "held_on": "21.10.2026", "organiser": coalition["ngo1"].pk}):
        response = client.post(url, data)
        assert response.status_code == 400 and 'class="error' in html(response)
    meeting.refresh_from_db()
    assert meeting.title == "Düzəldilmiş görüş"


def test_agenda_participants_and_decisions_are_corrected_and_removed(coalition, login_en):
    meeting = new_meeting(coalition)
    coordinator = coalition["koalisiya"]
    guest = actions.participant_add(by=coordinator, meeting=meeting, person_name="Con Smit",
                                    guest_affiliation="Səfirlik")
    ngo = actions.participant_add(by=coordinator, meeting=meeting, organisation=coalition["ngo2"])
    decision = actions.decision_add(by=coordinator, meeting=meeting, text="Plan hazırlamaq",
                                    responsible=coalition["ngo1"], due_on=dt.date(2026, 12, 1))
    first, second = meeting.agenda.all()
    client = login_en("koalisiya")
    url = meeting_url(meeting)

    # Agenda: correct the text of one item, remove another; an empty text is refused.
    response = client.post(url, {"command": "agenda_update", "item": first.pk, "text": "Birinci bənd"})
    assert errors(response) == [] and successes(response) == ["Saved."]
    response = client.post(url, {"command": "agenda_update", "item": first.pk, "text": "  "})
    assert errors(response) == ["The agenda item is empty."]
    response = client.post(url, {"command": "agenda_remove", "item": second.pk})
    assert successes(response) == ["The agenda item is removed."]
    assert [a.text for a in meeting.agenda.all()] == ["Birinci bənd"]
    actions.agenda_add(by=coordinator, meeting=meeting, text="Yeni bənd")
    assert [(a.text, a.order) for a in meeting.agenda.all()] == [("Birinci bənd", 0), ("Yeni bənd", 1)]
    assert plain(by_testid(html(client.get(url)), "agenda", "</ol>")) == "Birinci bənd Yeni bənd"

    # A participant: the guest becomes a member organisation's representative; the NGO is removed.
    part_url = reverse("engagement:participant", args=[meeting.pk, guest.pk])
    assert part_url in html(client.get(url))
    page = client.get(part_url)
    assert page.status_code == 200 and 'value="Con Smit"' in html(page)
    response = client.post(part_url, {"organisation": coalition["ngo1"].pk, "person_name": "Con Smit",
                                      "person_title": "Müşavir"})
    assert response.status_code == 302 and response["Location"] == url
    guest.refresh_from_db()
    assert (guest.organisation, guest.is_guest, guest.person_title, guest.guest_affiliation) == (
        coalition["ngo1"], False, "Müşavir", "")
    response = client.post(part_url, {"person_name": "Yalnız ad"})
    assert response.status_code == 400
    assert "Choose an organisation, or name an external guest and their affiliation." in html(response)
    response = client.post(url, {"command": "participant_remove", "participant": ngo.pk})
    assert successes(response) == ["The participant is removed."]
    assert list(meeting.participants.all()) == [guest]

    # A decision: new text, responsible organisation and due date; then removed.
    decision_url = reverse("engagement:decision", args=[meeting.pk, decision.pk])
    response = client.post(decision_url, {"text": "Plan hazırlamaq və paylaşmaq", "responsible": coalition["ngo2"].pk,
                                          "due_on": "2027-01-15"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.text, decision.responsible, decision.due_on) == (
        "Plan hazırlamaq və paylaşmaq", coalition["ngo2"], dt.date(2027, 1, 15))
    assert AuditEvent.objects.filter(action="meeting.decision_update").get().details == {
        "fields": ["text", "responsible", "due_on"]}
    response = client.post(url, {"command": "decision_remove", "decision": decision.pk})
    assert successes(response) == ["The decision is removed."] and not meeting.decisions.exists()

    actions_seen = list(AuditEvent.objects.filter(action__startswith="meeting.", outcome="ok")
                        .values_list("action", flat=True))
    for action in ("meeting.agenda_update", "meeting.agenda_remove", "meeting.participant_update",
                   "meeting.participant_remove", "meeting.decision_update", "meeting.decision_remove"):
        assert action in actions_seen, action

    # Parts of another meeting are not reachable through this one.
    other = new_meeting(coalition, title="Başqa")
    foreign_item = other.agenda.first()
    foreign_part = actions.participant_add(by=coordinator, meeting=other, organisation=coalition["ngo3"])
    foreign_decision = actions.decision_add(by=coordinator, meeting=other, text="Başqa", due_on=dt.date(2027, 1, 1),
                                            responsible=coalition["ngo3"])
    for data in ({"command": "agenda_remove", "item": foreign_item.pk},
                 {"command": "participant_remove", "participant": foreign_part.pk},
                 {"command": "decision_remove", "decision": foreign_decision.pk},
                 {"command": "agenda_update", "item": "abc", "text": "x"}):
        assert client.post(url, data).status_code == 404, data
    assert client.get(reverse("engagement:participant", args=[meeting.pk, foreign_part.pk])).status_code == 404
    assert client.get(reverse("engagement:decision", args=[meeting.pk, foreign_decision.pk])).status_code == 404
    assert other.agenda.count() == 2 and other.participants.count() == 1 and other.decisions.count() == 1


@pytest.mark.parametrize("username", ["qht1", "polis"])
def test_only_the_coordinator_corrects_a_meeting(coalition, login_en, username):
    meeting = new_meeting(coalition)
    coordinator = coalition["koalisiya"]
    participant = actions.participant_add(by=coordinator, meeting=meeting, organisation=coalition["ngo2"])
    decision = actions.decision_add(by=coordinator, meeting=meeting, text="Qərar", responsible=coalition["ngo1"],
                                    due_on=dt.date(2026, 12, 1))
    photo = actions.photo_add(by=coordinator, meeting=meeting, data=jpeg(), alt_text="Foto")
    item = meeting.agenda.first()
    client = login_en(username)
    seq = last_seq()

    for url in (reverse("engagement:meeting_edit", args=[meeting.pk]),
                reverse("engagement:participant", args=[meeting.pk, participant.pk]),
                reverse("engagement:decision", args=[meeting.pk, decision.pk])):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "X", "held_on": "2026-01-01", "organiser": coalition["ngo1"].pk,
                                 "text": "X", "responsible": coalition["ngo1"].pk, "due_on": "2026-01-01",
                                 "organisation": coalition["ngo3"].pk}).status_code == 404, url
    for data, action in (
        ({"command": "agenda_update", "item": item.pk, "text": "X"}, "meeting.agenda_update"),
        ({"command": "agenda_remove", "item": item.pk}, "meeting.agenda_remove"),
        ({"command": "participant_remove", "participant": participant.pk}, "meeting.participant_remove"),
        ({"command": "decision_remove", "decision": decision.pk}, "meeting.decision_remove"),
        ({"command": "photo_alt", "photo": photo.pk, "alt_text": "X"}, "meeting.photo_update"),
        ({"command": "photo_delete", "photo": photo.pk}, "meeting.photo_delete"),
    ):
        response = client.post(meeting_url(meeting), data)
        assert response.status_code == 302 and errors(response) == [COORDINATOR_ONLY], data
        assert events_since(seq)[-1] == (action, "denied"), data
    assert all(outcome == "denied" for _action, outcome in events_since(seq))
    meeting.refresh_from_db()
    photo.refresh_from_db()
    assert meeting.title == "Rüblük görüş" and [a.text for a in meeting.agenda.all()] == ["Bir", "İki"]
    assert list(meeting.participants.all()) == [participant] and list(meeting.decisions.all()) == [decision]
    assert photo.alt_text == "Foto" and Photo.objects.count() == 1
    assert Decision.objects.get().text == "Qərar" and Participant.objects.get().organisation == coalition["ngo2"]
    assert AgendaItem.objects.count() == 2 and Meeting.objects.count() == 1


# --- photos ------------------------------------------------------------------------------------------
def test_a_photo_is_described_again_or_deleted(coalition, login_en, anonymous_en, django_capture_on_commit_callbacks):
    meeting = new_meeting(coalition, public=True)
    photo = actions.photo_add(by=coalition["koalisiya"], meeting=meeting, data=jpeg(), alt_text="Foto",
                              is_public=True)
    client = login_en("koalisiya")
    url = meeting_url(meeting)
    response = client.post(url, {"command": "photo_alt", "photo": photo.pk, "alt_text": "Görüşün iştirakçıları"})
    assert successes(response) == ["Saved."]
    photo.refresh_from_db()
    assert photo.alt_text == "Görüşün iştirakçıları"
    assert 'alt="Görüşün iştirakçıları"' in html(anonymous_en.get(reverse("engagement:public_meeting",
                                                                            args=[meeting.pk])))
    response = client.post(url, {"command": "photo_alt", "photo": photo.pk, "alt_text": "  "})
    assert errors(response) == ["Describe the photo for people who cannot see it (alt text)."]

    names = {photo.image.rsplit("/", 1)[-1], photo.thumbnail.rsplit("/", 1)[-1]}
    assert names <= stored_files("engagement/photos")
    assert 'data-testid="photo-delete"' in html(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"command": "photo_delete", "photo": photo.pk})
    assert successes(response) == ["The photo is deleted."]
    assert not Photo.objects.exists() and not names & stored_files("engagement/photos")
    assert AuditEvent.objects.filter(action="meeting.photo_delete", object_id=str(photo.pk), outcome="ok").exists()
    for kind in ("full", "thumb"):
        assert anonymous_en.get(reverse("engagement:public_photo", args=[photo.pk, kind])).status_code == 404
    assert client.post(url, {"command": "photo_delete", "photo": photo.pk}).status_code == 404


def transparent_png() -> bytes:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))  # fully transparent "black"
    image.paste((200, 20, 20, 255), (0, 0, 50, 100))  # an opaque red stripe on the left
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_transparent_thumbnails_are_laid_on_white(coalition):
    meeting = new_meeting(coalition)
    for data, kind in ((transparent_png(), "PNG"), (None, "WEBP")):
        if data is None:
            out = io.BytesIO()
            Image.open(io.BytesIO(transparent_png())).save(out, format="WEBP", lossless=True)
            data = out.getvalue()
        photo = actions.photo_add(by=coalition["koalisiya"], meeting=meeting, data=data, alt_text="Loqo")
        with Image.open(io.BytesIO(read_stored(photo.thumbnail))) as thumb:
            assert thumb.format == "JPEG"
            rgb = thumb.convert("RGB")
            background, stripe = rgb.getpixel((150, 50)), rgb.getpixel((10, 50))
        assert min(background) >= 245, (kind, background)  # white, not black
        assert stripe[0] > 170 and stripe[1] < 60, (kind, stripe)
        with Image.open(io.BytesIO(read_stored(photo.image))) as full:
            assert full.mode == "RGBA" and full.getpixel((150, 50))[3] == 0  # the full image keeps its alpha


def test_a_photo_over_the_limit_is_refused_unread(coalition, login_en, settings, monkeypatch):
    meeting = new_meeting(coalition)
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    reads: list[str] = []
    original = InMemoryUploadedFile.read

    def spy(self: Any) -> Any:
        read = original.fget(self)  # type: ignore[attr-defined]

        def recorded(*args: Any) -> Any:
            if not isinstance(self, SimpleUploadedFile):  # not the test client reading the file it sends
                reads.append(self.name)
            return read(*args)

        return recorded

    monkeypatch.setattr(InMemoryUploadedFile, "read", property(spy))
    big = jpeg() + b"\0" * (1024 * 1024)
    response = login_en("koalisiya").post(meeting_url(meeting), {
        "command": "photo", "image": SimpleUploadedFile("big.jpg", big), "alt_text": "Böyük"})
    assert errors(response) == ["The photo is larger than 1 MB."] and reads == []
    assert not Photo.objects.exists()


def test_unknown_photo_kinds_are_not_found(coalition, login_en, anonymous_en):
    meeting = new_meeting(coalition, public=True)
    photo = actions.photo_add(by=coalition["koalisiya"], meeting=meeting, data=jpeg(), alt_text="Foto",
                              is_public=True)
    staff = login_en("polis")
    for kind in ("original", "full.jpg", "THUMB", "x"):
        assert staff.get(reverse("engagement:photo", args=[photo.pk, kind])).status_code == 404, kind
        assert anonymous_en.get(reverse("engagement:public_photo", args=[photo.pk, kind])).status_code == 404, kind
    assert anonymous_en.get(reverse("engagement:public_photo", args=[photo.pk, "thumb"]))["Content-Type"] == \
        "image/jpeg"
    assert staff.get(reverse("engagement:photo", args=[photo.pk, "full"])).status_code == 200


# --- proposals -----------------------------------------------------------------------------------------
def measure(cast: dict[str, Any], number: str) -> Any:
    plan = Plan.objects.filter(start_year=2020).first() or Plan.objects.create(
        title_az="Milli Fəaliyyət Planı", start_year=2020, end_year=2024, is_published=True)
    section, _created = Section.objects.get_or_create(plan=plan, number="2", defaults={"title_az": "Maarifləndirmə"})
    return plan_actions.measure_create(by=cast["analitik"], section=section, number=number,
                                       text_az=f"Tədbir {number}", start_year=2021, end_year=2024,
                                       executing_bodies=[cast["police"]])


def offered_statuses(text: str) -> list[str]:
    select = re.search(r'<select name="status"[^>]*>(.*?)</select>', text, re.S)
    assert select, "no status field"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_the_answer_form_offers_only_the_next_statuses_and_goes_when_final(coalition, login_en):
    proposal = actions.proposal_create(by=coalition["koalisiya"], from_organisation=coalition["ngo1"],
                                       addressed_to=coalition["police"], title="Təklif", text="Mətn")
    client = login_en("polis")
    url = reverse("engagement:proposal", args=[proposal.pk])
    assert offered_statuses(html(client.get(url))) == [S.UNDER_REVIEW, S.ACCEPTED, S.PARTIALLY_ACCEPTED, S.DECLINED]
    client.post(url, {"status": S.UNDER_REVIEW})
    assert offered_statuses(html(client.get(url))) == [S.ACCEPTED, S.PARTIALLY_ACCEPTED, S.DECLINED]
    client.post(url, {"status": S.ACCEPTED, "response": "Qəbul"})
    assert offered_statuses(html(client.get(url))) == [S.IMPLEMENTED]
    # A status the form does not offer is refused by the action, with the reason.
    response = client.post(url, {"status": S.DECLINED, "response": "Yox"})
    assert errors(response) == ["A proposal cannot go from “Accepted” to “Declined”."]
    client.post(url, {"status": S.IMPLEMENTED})
    proposal.refresh_from_db()
    assert proposal.status == S.IMPLEMENTED and proposal.is_final and proposal.next_statuses() == []
    text = html(client.get(url))
    assert 'name="status"' not in text and 'data-testid="answer-form"' not in text
    assert 'data-testid="proposal-final"' in text and 'data-testid="measures-form"' in text
    # A declined proposal is final too; a reader who may not answer sees no form at all.
    declined = actions.proposal_create(by=coalition["koalisiya"], from_organisation=coalition["ngo2"],
                                       addressed_to=coalition["police"], title="Başqa", text="Mətn")
    actions.proposal_respond(by=coalition["polis"], proposal=declined, status=S.DECLINED, response="Səbəb")
    assert 'name="status"' not in html(client.get(reverse("engagement:proposal", args=[declined.pk])))
    reader = html(login_en("qht3").get(url))
    assert 'data-testid="measures-form"' not in reader and 'name="status"' not in reader


def test_deselecting_every_measure_unlinks_them(coalition, login_en):
    first, second = measure(coalition, "2.1"), measure(coalition, "2.2")
    proposal = actions.proposal_create(by=coalition["koalisiya"], from_organisation=coalition["ngo1"],
                                       addressed_to=coalition["police"], title="Təklif", text="Mətn")
    client = login_en("polis")
    url = reverse("engagement:proposal", args=[proposal.pk])
    client.post(url, {"status": S.ACCEPTED, "response": "Qəbul", "measures": [first.pk, second.pk]})
    assert set(proposal.measures.all()) == {first, second}
    # The answer posted with no measure selected (a browser then sends no "measures" field at all).
    response = client.post(url, {"status": S.IMPLEMENTED, "response": "İcra edildi"})
    assert errors(response) == []
    proposal.refresh_from_db()
    assert proposal.status == S.IMPLEMENTED and list(proposal.measures.all()) == []
    assert AuditEvent.objects.filter(action="proposal.respond").order_by("-seq").first().details == {
        "status": S.IMPLEMENTED, "measures": []}

    # Once final, only the measures can change: link one, then unlink it again.
    response = client.post(url, {"command": "measures", "measures": [second.pk]})
    assert errors(response) == [] and list(proposal.measures.all()) == [second]
    assert re.search(rf'<option value="{second.pk}"[^>]*selected', html(client.get(url)))
    response = client.post(url, {"command": "measures"})
    assert errors(response) == [] and list(proposal.measures.all()) == []
    assert list(AuditEvent.objects.filter(action="proposal.measures").values_list("details", flat=True)) == [
        {"measures": [second.pk]}, {"measures": []}]
    proposal.refresh_from_db()
    assert proposal.status == S.IMPLEMENTED and proposal.events.count() == 3  # no new step in the history

    # Someone who may not answer cannot relink either.
    seq = last_seq()
    response = login_en("qht3").post(url, {"command": "measures", "measures": [first.pk]})
    assert errors(response) == ["Only the addressed body or the coalition coordinator may answer."]
    assert events_since(seq) == [("proposal.measures", "denied")] and list(proposal.measures.all()) == []
