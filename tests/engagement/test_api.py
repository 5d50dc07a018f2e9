"""The engagement JSON API through HTTP: every operation's positive path, refusals as a 422 with the
reason in the caller's language, what a user may not see as a 404, anonymous callers as a 401, and every
operation in the OpenAPI schema.

Callers authenticate with personal API tokens (``Authorization: Bearer``), as scripts do; one test
uses a verified browser session. The cast: ``koalisiya`` coordinates the coalition, ``qht2`` works for
NGO 2 (a member), ``qht3`` for NGO 3 (not a member), ``polis`` for the police (the body proposals are
addressed to).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from korpu.accounts import actions as account_actions
from korpu.core.models import AuditEvent
from korpu.engagement import actions
from korpu.engagement.models import (
    AgendaItem,
    Campaign,
    CampaignEvent,
    ContactPerson,
    Decision,
    Meeting,
    MeetingAttachment,
    Member,
    Participant,
    Photo,
    Proposal,
)
from korpu.plan import actions as plan_actions
from korpu.plan.models import Plan, Section
from tests.conftest import verified_client
from tests.engagement.helpers import COORDINATOR_ONLY, jpeg, new_meeting

BASE = "/api/v1/engagement"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n" + b"ApiMarkerQ7" * 20
S = Proposal.Status

# Every operation of the engagement router: the schema must list each of them, and nothing else.
OPERATIONS = {
    ("get", "/members"), ("post", "/members"), ("get", "/members/{member_id}"), ("post", "/members/{member_id}"),
    ("post", "/members/{member_id}/leave"), ("post", "/members/{member_id}/contacts"),
    ("post", "/members/{member_id}/contacts/{contact_id}"),
    ("post", "/members/{member_id}/contacts/{contact_id}/delete"),
    ("get", "/meetings"), ("post", "/meetings"), ("get", "/meetings/{meeting_id}"),
    ("post", "/meetings/{meeting_id}"), ("post", "/meetings/{meeting_id}/publish"),
    ("post", "/meetings/{meeting_id}/agenda"), ("post", "/meetings/{meeting_id}/agenda/{item_id}"),
    ("post", "/meetings/{meeting_id}/agenda/{item_id}/delete"),
    ("post", "/meetings/{meeting_id}/participants"),
    ("post", "/meetings/{meeting_id}/participants/{participant_id}"),
    ("post", "/meetings/{meeting_id}/participants/{participant_id}/delete"),
    ("get", "/decisions"), ("post", "/meetings/{meeting_id}/decisions"),
    ("post", "/meetings/{meeting_id}/decisions/{decision_id}"),
    ("post", "/meetings/{meeting_id}/decisions/{decision_id}/delete"),
    ("post", "/meetings/{meeting_id}/decisions/{decision_id}/done"),
    ("post", "/meetings/{meeting_id}/photos"), ("get", "/meetings/{meeting_id}/photos/{photo_id}"),
    ("post", "/meetings/{meeting_id}/photos/{photo_id}"), ("post", "/meetings/{meeting_id}/photos/{photo_id}/publish"),
    ("post", "/meetings/{meeting_id}/photos/{photo_id}/delete"),
    ("post", "/meetings/{meeting_id}/attachments"), ("get", "/meetings/{meeting_id}/attachments/{attachment_id}"),
    ("post", "/meetings/{meeting_id}/attachments/{attachment_id}/publish"),
    ("post", "/meetings/{meeting_id}/attachments/{attachment_id}/delete"),
    ("get", "/proposals"), ("post", "/proposals"), ("get", "/proposals/{proposal_id}"),
    ("post", "/proposals/{proposal_id}/respond"), ("post", "/proposals/{proposal_id}/measures"),
    ("get", "/campaigns"), ("post", "/campaigns"), ("get", "/campaigns/{campaign_id}"),
    ("post", "/campaigns/{campaign_id}"), ("post", "/campaigns/{campaign_id}/publish"),
    ("post", "/campaigns/{campaign_id}/events"), ("post", "/campaigns/{campaign_id}/events/{event_id}"),
    ("post", "/campaigns/{campaign_id}/events/{event_id}/delete"), ("get", "/reach"),
}


class Api:
    """A script calling the API with a personal token, in one language."""

    def __init__(self, user: Any = None, language: str = "en", client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None and client is None:
            _token, plaintext = account_actions.api_token_create(user=user, name="script", days=5)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, **self.headers)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(BASE + path, json.dumps(data or {}), content_type="application/json", **self.headers)

    def upload(self, path: str, **fields: Any) -> Any:
        return self.client.post(BASE + path, fields, **self.headers)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:400])
    return response.json() if status != 204 and response["Content-Type"].startswith("application/json") else None


def refused(response: Any, message: str, language: str = "en") -> None:
    """A 422 whose detail is ``message`` in ``language`` (and, for az, really translated)."""
    assert response.status_code == 422, (response.status_code, response.content[:400])
    with translation.override(language):
        expected = translation.gettext(message)
    if language != "en":
        assert expected != message, f"not translated into {language}: {message}"
    assert response.json() == {"detail": expected}


def not_found(response: Any) -> None:
    assert response.status_code == 404, (response.status_code, response.content[:400])
    assert response.json() == {"detail": "Not found."}


def org(organisation: Any) -> dict[str, Any]:
    return {"id": organisation.pk, "name": organisation.name}


def new_measure(cast: dict[str, Any], number: str = "2.1") -> Any:
    plan = Plan.objects.create(title_az="Milli Fəaliyyət Planı", start_year=2020, end_year=2024, is_published=True)
    section = Section.objects.create(plan=plan, number="2", title_az="Maarifləndirmə")
    return plan_actions.measure_create(by=cast["analitik"], section=section, number=number, text_az="Tədbir",
                                       start_year=2021, end_year=2024, executing_bodies=[cast["police"]])


# --- the schema -----------------------------------------------------------------------------------
def test_every_engagement_operation_is_in_the_openapi_schema(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    found = {(method, path.removeprefix(BASE)) for path, operations in schema["paths"].items()
             for method, operation in operations.items() if "engagement" in operation.get("tags", [])}
    assert found == OPERATIONS
    assert all(path.startswith(BASE + "/") for path, operations in schema["paths"].items()
               for operation in operations.values() if "engagement" in operation.get("tags", []))
    created = schema["paths"][BASE + "/meetings"]["post"]["responses"]
    assert "201" in created and "200" not in created


# --- authentication -------------------------------------------------------------------------------
def test_anonymous_callers_get_401_even_for_a_published_meeting(coalition: dict[str, Any]) -> None:
    hidden, published = new_meeting(coalition), new_meeting(coalition, title="Açıq", public=True)
    anonymous = Api()
    for path in ("/members", "/meetings", f"/meetings/{hidden.pk}", f"/meetings/{published.pk}", "/proposals",
                 "/campaigns", "/reach", "/decisions"):
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Authentication required: log in with two-factor or send a valid "
                                             "API token."}
    assert anonymous.post(f"/meetings/{hidden.pk}/publish", {"public": True}).status_code == 401
    hidden.refresh_from_db()
    assert not hidden.is_public


def test_a_verified_browser_session_reads_and_writes(coalition: dict[str, Any]) -> None:
    api = Api(client=verified_client(coalition["koalisiya"]))
    meeting = new_meeting(coalition)
    assert [m["id"] for m in ok(api.get("/meetings"))["items"]] == [meeting.pk]
    item = ok(api.post(f"/meetings/{meeting.pk}/agenda", {"text": "Üçüncü"}), 201)
    assert item == {"id": item["id"], "order": 2, "text": "Üçüncü"}


# --- members and contact people ------------------------------------------------------------------
def test_members_and_contact_people(coalition: dict[str, Any]) -> None:
    cast = coalition
    api = Api(cast["koalisiya"])
    listed = ok(api.get("/members"))
    # Ordered by the organisation's name: NGO 2 ("Həyat İşığı ...") before NGO 1 ("Ümid Körpüsü ...").
    assert [m["organisation"] for m in listed["items"]] == [org(cast["ngo2"]), org(cast["ngo1"])]
    assert listed["count"] == 2 and not listed["count_capped"]

    created = ok(api.post("/members", {"organisation_id": cast["ngo3"].pk, "joined_on": "2016-09-01",
                                       "services": ["hotline"], "regions": ["baku"]}), 201)
    member = Member.objects.get(organisation=cast["ngo3"])
    assert created == {"id": member.pk, "organisation": org(cast["ngo3"]), "joined_on": "2016-09-01",
                       "left_on": None, "is_chair": False, "services": ["hotline"], "regions": ["baku"],
                       "contacts": []}
    # An organisation already in the coalition is not offered again.
    not_found(api.post("/members", {"organisation_id": cast["ngo3"].pk, "joined_on": "2016-09-01"}))

    # A correction changes the fields sent only; the chair moves with the flag.
    changed = ok(api.post(f"/members/{member.pk}", {"is_chair": True, "services": ["hotline", "legal_aid"]}))
    assert (changed["is_chair"], changed["services"], changed["joined_on"]) == (True, ["hotline", "legal_aid"],
                                                                                 "2016-09-01")
    assert list(Member.objects.filter(is_chair=True).values_list("organisation", flat=True)) == [cast["ngo3"].pk]
    refused(api.post(f"/members/{member.pk}/leave", {}), "A member that has left cannot be the chair.")

    contact = ok(api.post(f"/members/{member.pk}/contacts", {"name": "Nigar Kontaktova", "title": "Direktor",
                                                             "phone": "+994 12 555 00 11"}), 201)
    stored = ContactPerson.objects.get()
    assert contact == {"id": stored.pk, "name": "Nigar Kontaktova", "title": "Direktor",
                       "phone": "+994 12 555 00 11", "email": ""}
    refused(api.post(f"/members/{member.pk}/contacts", {"name": "Yalnız ad"}),
            "Give a phone number or an e-mail address, so the person can be reached.")
    corrected = ok(api.post(f"/members/{member.pk}/contacts/{stored.pk}", {"email": "nigar@example.org"}))
    assert (corrected["phone"], corrected["email"]) == ("+994 12 555 00 11", "nigar@example.org")
    assert ok(api.get(f"/members/{member.pk}"))["contacts"] == [corrected]

    # Every logged-in partner sees the contact people of current members (as on the coalition page).
    other = Api(cast["qht3"])
    row = next(m for m in ok(other.get("/members"))["items"] if m["id"] == member.pk)
    assert row["contacts"] == [corrected]

    ok(api.post(f"/members/{member.pk}/contacts/{stored.pk}/delete"), 204)
    assert not ContactPerson.objects.exists()
    not_found(api.post(f"/members/{member.pk}/contacts/{stored.pk}/delete"))

    # Leaving: the chair first goes to another member.
    ok(api.post(f"/members/{Member.objects.get(organisation=cast['ngo1']).pk}", {"is_chair": True}))
    left = ok(api.post(f"/members/{member.pk}/leave", {"left_on": "2026-01-31"}))
    assert (left["left_on"], left["is_chair"]) == ("2026-01-31", False)
    assert [m["id"] for m in ok(api.get("/members", former=True))["items"]] == [member.pk]
    assert [m["id"] for m in ok(api.get("/members"))["items"]] == [
        Member.objects.get(organisation=cast[k]).pk for k in ("ngo2", "ngo1")]

    # Former members are the coordinator's: for anyone else the list is empty and the record a 404.
    assert ok(other.get("/members", former=True))["items"] == []
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    not_found(other.get(f"/members/{member.pk}"))
    assert AuditEvent.objects.filter(seq__gt=seq, action="coalition.member_view", outcome="denied",
                                     actor=cast["qht3"]).count() == 1


def test_only_the_coordinator_changes_the_coalition(coalition: dict[str, Any]) -> None:
    cast = coalition
    member = Member.objects.get(organisation=cast["ngo2"])
    contact = actions.contact_save(by=cast["koalisiya"], member=member, name="Kamran", phone="+994 12 000 00 99")
    api = Api(cast["qht2"], language="az")
    before = list(Member.objects.values_list("organisation", "is_chair", "joined_on", "left_on", "services"))
    refused(api.post("/members", {"organisation_id": cast["ngo3"].pk, "joined_on": "2016-09-01"}),
            COORDINATOR_ONLY, "az")
    refused(api.post(f"/members/{member.pk}", {"services": ["shelter"]}), COORDINATOR_ONLY, "az")
    refused(api.post(f"/members/{member.pk}/leave", {}), COORDINATOR_ONLY, "az")
    refused(api.post(f"/members/{member.pk}/contacts", {"name": "X", "phone": "+994 12 000 00 00"}),
            COORDINATOR_ONLY, "az")
    refused(api.post(f"/members/{member.pk}/contacts/{contact.pk}", {"name": "Y"}), COORDINATOR_ONLY, "az")
    refused(api.post(f"/members/{member.pk}/contacts/{contact.pk}/delete"), COORDINATOR_ONLY, "az")
    assert list(Member.objects.values_list("organisation", "is_chair", "joined_on", "left_on", "services")) == before
    assert [(c.name, c.phone) for c in ContactPerson.objects.all()] == [("Kamran", "+994 12 000 00 99")]


# --- meetings -------------------------------------------------------------------------------------
def test_a_meeting_through_the_api(coalition: dict[str, Any]) -> None:
    cast = coalition
    api = Api(cast["koalisiya"])
    created = ok(api.post("/meetings", {"title": "Rüblük görüş", "held_on": "2026-10-20", "place": "Bakı",
                                        "organiser_id": cast["police"].pk, "agenda": ["Bir", " ", "İki"]}), 201)
    meeting = Meeting.objects.get()
    assert created == {
        "id": meeting.pk, "title": "Rüblük görüş", "held_on": "2026-10-20", "place": "Bakı",
        "organiser": org(cast["police"]), "is_public": False, "minutes": "", "summary": "",
        "agenda": [{"id": a.pk, "order": a.order, "text": a.text} for a in meeting.agenda.all()],
        "participants": [], "decisions": [], "photos": [], "attachments": [], "proposals": []}
    assert [a["text"] for a in created["agenda"]] == ["Bir", "İki"]
    assert ok(api.get("/meetings"))["items"] == [{k: created[k] for k in (
        "id", "title", "held_on", "place", "organiser", "is_public")}]

    updated = ok(api.post(f"/meetings/{meeting.pk}", {"minutes": "Protokol", "summary": "Xülasə",
                                                      "organiser_id": cast["ngo1"].pk}))
    assert (updated["title"], updated["minutes"], updated["summary"], updated["organiser"]) == (
        "Rüblük görüş", "Protokol", "Xülasə", org(cast["ngo1"]))
    refused(api.post(f"/meetings/{meeting.pk}", {"title": "  "}), "Give the meeting a title.")
    assert ok(api.post(f"/meetings/{meeting.pk}/publish", {"public": True}))["is_public"] is True
    assert ok(api.post(f"/meetings/{meeting.pk}/publish", {"public": False}))["is_public"] is False

    # Agenda.
    item = ok(api.post(f"/meetings/{meeting.pk}/agenda", {"text": "Üç"}), 201)
    refused(api.post(f"/meetings/{meeting.pk}/agenda", {"text": " "}), "The agenda item is empty.")
    assert ok(api.post(f"/meetings/{meeting.pk}/agenda/{item['id']}", {"text": "Üçüncü"}))["text"] == "Üçüncü"
    ok(api.post(f"/meetings/{meeting.pk}/agenda/{item['id']}/delete"), 204)
    assert list(meeting.agenda.values_list("text", flat=True)) == ["Bir", "İki"]

    # Participants: an organisation with a named person, and an external guest.
    person = ok(api.post(f"/meetings/{meeting.pk}/participants", {
        "organisation_id": cast["ngo2"].pk, "person_name": "Elçin", "person_title": "Direktor"}), 201)
    assert person == {"id": person["id"], "organisation": org(cast["ngo2"]), "person_name": "Elçin",
                      "person_title": "Direktor", "is_guest": False, "guest_affiliation": ""}
    guest = ok(api.post(f"/meetings/{meeting.pk}/participants", {"person_name": "Con Smit",
                                                                 "guest_affiliation": "Səfirlik"}), 201)
    assert (guest["is_guest"], guest["organisation"]) == (True, None)
    refused(api.post(f"/meetings/{meeting.pk}/participants", {"person_name": "Yalnız ad"}),
            "Choose an organisation, or name an external guest and their affiliation.")
    fixed = ok(api.post(f"/meetings/{meeting.pk}/participants/{person['id']}", {"person_title": "Sədr"}))
    assert (fixed["person_name"], fixed["person_title"], fixed["organisation"]) == ("Elçin", "Sədr",
                                                                                    org(cast["ngo2"]))
    ok(api.post(f"/meetings/{meeting.pk}/participants/{guest['id']}/delete"), 204)
    assert list(Participant.objects.values_list("pk", flat=True)) == [person["id"]]

    # Decisions, tracked to done.
    decision = ok(api.post(f"/meetings/{meeting.pk}/decisions", {
        "text": "Vərəqə hazırlamaq", "responsible_id": cast["ngo2"].pk, "due_on": "2026-12-01"}), 201)
    assert decision == {"id": decision["id"], "meeting_id": meeting.pk, "text": "Vərəqə hazırlamaq",
                        "responsible": org(cast["ngo2"]), "due_on": "2026-12-01", "done_on": None}
    later = ok(api.post(f"/meetings/{meeting.pk}/decisions/{decision['id']}", {"due_on": "2026-12-15"}))
    assert (later["text"], later["due_on"]) == ("Vərəqə hazırlamaq", "2026-12-15")
    other = ok(api.post(f"/meetings/{meeting.pk}/decisions", {
        "text": "Cədvəl", "responsible_id": cast["police"].pk, "due_on": "2026-11-15"}), 201)
    assert [d["id"] for d in ok(api.get("/decisions"))["items"]] == [other["id"], decision["id"]]
    done = ok(api.post(f"/meetings/{meeting.pk}/decisions/{other['id']}/done", {"done_on": "2026-11-10"}))
    assert done["done_on"] == "2026-11-10"
    assert [d["id"] for d in ok(api.get("/decisions"))["items"]] == [decision["id"]]
    ok(api.post(f"/meetings/{meeting.pk}/decisions/{other['id']}/delete"), 204)
    assert list(Decision.objects.values_list("pk", flat=True)) == [decision["id"]]

    detail = ok(api.get(f"/meetings/{meeting.pk}"))
    assert [p["id"] for p in detail["participants"]] == [person["id"]]
    assert [d["id"] for d in detail["decisions"]] == [decision["id"]]


def test_the_responsible_organisation_marks_its_decision_done(coalition: dict[str, Any]) -> None:
    cast = coalition
    meeting = new_meeting(cast)
    decision = actions.decision_add(by=cast["koalisiya"], meeting=meeting, text="Vərəqə",
                                    responsible=cast["ngo2"], due_on=dt.date(2026, 12, 1))
    path = f"/meetings/{meeting.pk}/decisions/{decision.pk}/done"
    refused(Api(cast["qht3"], language="az").post(path),
            "Only the responsible organisation or the coalition coordinator may do this.", "az")
    decision.refresh_from_db()
    assert decision.done_on is None
    staff = Api(cast["qht2"])
    assert [d["id"] for d in ok(staff.get("/decisions", mine=True))["items"]] == [decision.pk]
    assert ok(Api(cast["qht3"]).get("/decisions", mine=True))["items"] == []
    assert ok(staff.post(path))["done_on"] == timezone.localdate().isoformat()


def test_only_the_coordinator_changes_a_meeting(coalition: dict[str, Any]) -> None:
    cast = coalition
    meeting = new_meeting(cast)
    item = meeting.agenda.first()
    participant = actions.participant_add(by=cast["koalisiya"], meeting=meeting, organisation=cast["ngo2"])
    decision = actions.decision_add(by=cast["koalisiya"], meeting=meeting, text="Qərar", responsible=cast["ngo1"],
                                    due_on=dt.date(2026, 12, 1))
    photo = actions.photo_add(by=cast["koalisiya"], meeting=meeting, data=jpeg(), alt_text="Foto")
    api = Api(cast["qht2"], language="az")
    m = f"/meetings/{meeting.pk}"
    for path, data in (
        ("/meetings", {"title": "Gizli", "held_on": "2026-10-21", "organiser_id": cast["police"].pk}),
        (m, {"title": "X"}), (f"{m}/publish", {"public": True}), (f"{m}/agenda", {"text": "X"}),
        (f"{m}/agenda/{item.pk}", {"text": "X"}), (f"{m}/agenda/{item.pk}/delete", None),
        (f"{m}/participants", {"organisation_id": cast["ngo3"].pk}),
        (f"{m}/participants/{participant.pk}", {"person_name": "X"}),
        (f"{m}/participants/{participant.pk}/delete", None),
        (f"{m}/decisions", {"text": "X", "responsible_id": cast["ngo1"].pk, "due_on": "2026-12-01"}),
        (f"{m}/decisions/{decision.pk}", {"text": "X"}), (f"{m}/decisions/{decision.pk}/delete", None),
        (f"{m}/photos/{photo.pk}", {"alt_text": "X"}), (f"{m}/photos/{photo.pk}/publish", {"public": True}),
        (f"{m}/photos/{photo.pk}/delete", None),
    ):
        refused(api.post(path, data), COORDINATOR_ONLY, "az")
    refused(api.upload(f"{m}/photos", file=SimpleUploadedFile("p.jpg", jpeg()), alt_text="Foto"),
            COORDINATOR_ONLY, "az")
    refused(api.upload(f"{m}/attachments", file=SimpleUploadedFile("a.pdf", PDF), kind="agenda"),
            COORDINATOR_ONLY, "az")
    meeting.refresh_from_db()
    photo.refresh_from_db()
    assert (Meeting.objects.count(), meeting.title, meeting.is_public) == (1, "Rüblük görüş", False)
    assert list(meeting.agenda.values_list("text", flat=True)) == ["Bir", "İki"]
    assert list(Participant.objects.all()) == [participant] and list(Decision.objects.all()) == [decision]
    assert (Photo.objects.count(), photo.alt_text, photo.is_public) == (1, "Foto", False)
    assert not MeetingAttachment.objects.exists()


def test_parts_of_another_meeting_are_not_found(coalition: dict[str, Any]) -> None:
    cast = coalition
    first, second = new_meeting(cast), new_meeting(cast, title="İkinci")
    decision = actions.decision_add(by=cast["koalisiya"], meeting=second, text="Qərar", responsible=cast["ngo1"],
                                    due_on=dt.date(2026, 12, 1))
    photo = actions.photo_add(by=cast["koalisiya"], meeting=second, data=jpeg(), alt_text="Foto")
    item = second.agenda.first()
    api = Api(cast["koalisiya"])
    m = f"/meetings/{first.pk}"
    not_found(api.post(f"{m}/decisions/{decision.pk}/done"))
    not_found(api.post(f"{m}/agenda/{item.pk}", {"text": "X"}))
    not_found(api.get(f"{m}/photos/{photo.pk}"))
    not_found(api.post(f"{m}/photos/{photo.pk}/delete"))
    not_found(api.get("/meetings/987654321"))
    not_found(api.get(f"/meetings/{second.pk}/photos/{photo.pk}", kind="huge"))
    decision.refresh_from_db()
    assert decision.done_on is None and Photo.objects.count() == 1 and second.agenda.count() == 2


# --- photos and files -----------------------------------------------------------------------------
def test_photos_and_files(coalition: dict[str, Any]) -> None:
    cast = coalition
    meeting = new_meeting(cast)
    api = Api(cast["koalisiya"])
    m = f"/meetings/{meeting.pk}"
    photo = ok(api.upload(f"{m}/photos", file=SimpleUploadedFile("p.jpg", jpeg((320, 240))),
                          alt_text="Görüş zalı", is_public="true"), 201)
    stored = Photo.objects.get()
    assert photo == {"id": stored.pk, "meeting_id": meeting.pk, "alt_text": "Görüş zalı",
                     "content_type": "image/jpeg", "width": 320, "height": 240, "is_public": True,
                     "uploaded_at": photo["uploaded_at"]}
    refused(api.upload(f"{m}/photos", file=SimpleUploadedFile("p.jpg", b"not an image"), alt_text="X"),
            "Upload a JPEG, PNG or WebP photo.")
    assert ok(api.post(f"{m}/photos/{stored.pk}", {"alt_text": "Zal"}))["alt_text"] == "Zal"
    assert ok(api.post(f"{m}/photos/{stored.pk}/publish", {"public": False}))["is_public"] is False
    reader = Api(cast["qht3"])
    full = reader.get(f"{m}/photos/{stored.pk}")
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg" and full.content[:2] == b"\xff\xd8"
    thumb = reader.get(f"{m}/photos/{stored.pk}", kind="thumb")
    assert thumb.status_code == 200 and thumb["Cache-Control"] == "no-store"

    attachment = ok(api.upload(f"{m}/attachments", file=SimpleUploadedFile("Gündəlik.pdf", PDF), kind="agenda",
                               title="Gündəlik sənədləri"), 201)
    stored_file = MeetingAttachment.objects.get()
    assert attachment == {"id": stored_file.pk, "meeting_id": meeting.pk, "kind": "agenda",
                          "title": "Gündəlik sənədləri", "filename": "Gündəlik.pdf", "content_type": "application/pdf",
                          "size": len(PDF), "is_public": False, "uploaded_at": attachment["uploaded_at"]}
    refused(api.upload(f"{m}/attachments", file=SimpleUploadedFile("a.pdf", PDF), kind="poster"),
            "Choose what kind of document this is.")
    download = reader.get(f"{m}/attachments/{stored_file.pk}")
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf" and "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="meeting.attachment_download", actor=cast["qht3"]).count() == 1
    assert ok(api.post(f"{m}/attachments/{stored_file.pk}/publish", {"public": True}))["is_public"] is True
    detail = ok(api.get(m))
    assert [p["id"] for p in detail["photos"]] == [stored.pk]
    assert [a["id"] for a in detail["attachments"]] == [stored_file.pk]

    ok(api.post(f"{m}/attachments/{stored_file.pk}/delete"), 204)
    ok(api.post(f"{m}/photos/{stored.pk}/delete"), 204)
    assert not MeetingAttachment.objects.exists() and not Photo.objects.exists()
    not_found(reader.get(f"{m}/attachments/{stored_file.pk}"))


# --- proposals ------------------------------------------------------------------------------------
def test_a_proposals_life_through_the_api(coalition: dict[str, Any]) -> None:
    cast = coalition
    meeting = new_meeting(cast)
    measure = new_measure(cast)
    member_staff = Api(cast["qht2"], language="az")

    # A member's staff makes proposals for their own organisation only.
    created = ok(member_staff.post("/proposals", {
        "from_organisation_id": cast["ngo2"].pk, "addressed_to_id": cast["police"].pk,
        "title": "Miqrantlar üçün vərəqələr", "text": "Çoxdilli vərəqələr.", "meeting_id": meeting.pk}), 201)
    proposal = Proposal.objects.get()
    assert {k: created[k] for k in ("id", "title", "status", "from_organisation", "addressed_to", "meeting_id",
                                    "text", "response", "measures", "next_statuses", "can_answer")} == {
        "id": proposal.pk, "title": "Miqrantlar üçün vərəqələr", "status": S.RECEIVED,
        "from_organisation": org(cast["ngo2"]), "addressed_to": org(cast["police"]), "meeting_id": meeting.pk,
        "text": "Çoxdilli vərəqələr.", "response": "", "measures": [],
        "next_statuses": [S.UNDER_REVIEW, S.ACCEPTED, S.PARTIALLY_ACCEPTED, S.DECLINED], "can_answer": False}
    assert [(e["status"], e["by"]) for e in created["history"]] == [(S.RECEIVED, cast["qht2"].display_name())]
    refused(member_staff.post("/proposals", {"from_organisation_id": cast["ngo1"].pk,
                                             "addressed_to_id": cast["police"].pk, "title": "X", "text": "Y"}),
            "You can make proposals only for your own organisation.", "az")
    refused(Api(cast["koalisiya"]).post("/proposals", {
        "from_organisation_id": cast["ngo3"].pk, "addressed_to_id": cast["police"].pk, "title": "X", "text": "Y"}),
        "Proposals come from coalition members.")
    assert Proposal.objects.count() == 1
    assert [p["id"] for p in ok(Api(cast["koalisiya"]).get(f"/meetings/{meeting.pk}"))["proposals"]] == [proposal.pk]

    # Only the addressed body (or the coordinator) answers.
    refused(member_staff.post(f"/proposals/{proposal.pk}/respond", {"status": S.UNDER_REVIEW}),
            "Only the addressed body or the coalition coordinator may answer.", "az")
    police = Api(cast["polis"])
    assert ok(police.get(f"/proposals/{proposal.pk}"))["can_answer"] is True
    assert ok(police.post(f"/proposals/{proposal.pk}/respond", {"status": S.UNDER_REVIEW}))["status"] == S.UNDER_REVIEW
    refused(police.post(f"/proposals/{proposal.pk}/respond", {"status": S.PARTIALLY_ACCEPTED}),
            "Explain the answer: declining or accepting in part needs a response.")
    not_found(police.post(f"/proposals/{proposal.pk}/respond", {"status": S.ACCEPTED, "measure_ids": [987654321]}))
    accepted = ok(police.post(f"/proposals/{proposal.pk}/respond", {
        "status": S.ACCEPTED, "response": "Qəbul edildi", "measure_ids": [measure.pk]}))
    assert (accepted["status"], accepted["response"], accepted["next_statuses"]) == (
        S.ACCEPTED, "Qəbul edildi", [S.IMPLEMENTED])
    assert accepted["measures"] == [{"id": measure.pk, "number": "2.1", "plan_id": measure.section.plan_id}]
    response = police.post(f"/proposals/{proposal.pk}/respond", {"status": S.DECLINED, "response": "Yox"})
    assert response.status_code == 422
    with translation.override("en"):
        assert response.json()["detail"] == "A proposal cannot go from “Accepted” to “Declined”."
    final = ok(police.post(f"/proposals/{proposal.pk}/respond", {"status": S.IMPLEMENTED}))
    assert final["next_statuses"] == [] and final["measures"] == accepted["measures"]
    assert [e["status"] for e in final["history"]] == [S.RECEIVED, S.UNDER_REVIEW, S.ACCEPTED, S.IMPLEMENTED]

    # Once final, only the measures change.
    unlinked = ok(police.post(f"/proposals/{proposal.pk}/measures", {"measure_ids": []}))
    assert unlinked["measures"] == [] and unlinked["status"] == S.IMPLEMENTED
    refused(Api(cast["qht3"]).post(f"/proposals/{proposal.pk}/measures", {"measure_ids": [measure.pk]}),
            "Only the addressed body or the coalition coordinator may answer.")
    assert list(proposal.measures.all()) == []

    # Lists: by status, and "mine" (from or to my organisations).
    other = actions.proposal_create(by=cast["koalisiya"], from_organisation=cast["ngo1"],
                                    addressed_to=cast["coordinator"], title="Başqa", text="Mətn")
    staff = Api(cast["qht3"])
    assert [p["id"] for p in ok(staff.get("/proposals"))["items"]] == [other.pk, proposal.pk]
    assert [p["id"] for p in ok(staff.get("/proposals", status=S.IMPLEMENTED))["items"]] == [proposal.pk]
    assert ok(staff.get("/proposals", status="nonsense"))["items"] == []
    assert [p["id"] for p in ok(Api(cast["qht2"]).get("/proposals", mine=True))["items"]] == [proposal.pk]
    assert [p["id"] for p in ok(police.get("/proposals", mine=True))["items"]] == [proposal.pk]
    assert ok(staff.get("/proposals", mine=True))["items"] == []
    not_found(staff.get("/proposals/987654321"))
    not_found(police.post("/proposals/987654321/respond", {"status": S.ACCEPTED}))


# --- campaigns ------------------------------------------------------------------------------------
def test_campaigns_events_and_reach(coalition: dict[str, Any]) -> None:
    cast = coalition
    api = Api(cast["koalisiya"])
    created = ok(api.post("/campaigns", {
        "title": "Diqqətli ol!", "starts_on": "2026-03-01", "ends_on": "2026-06-30",
        "organiser_ids": [cast["ngo1"].pk, cast["police"].pk], "target_groups": ["students"],
        "channels": ["talks"], "regions": ["baku"], "description": "Məktəblərdə"}), 201)
    campaign = Campaign.objects.get()
    created["organisers"].sort(key=lambda o: o["id"])
    assert created == {
        "id": campaign.pk, "title": "Diqqətli ol!", "starts_on": "2026-03-01", "ends_on": "2026-06-30",
        "is_public": False, "organisers": sorted([org(cast["ngo1"]), org(cast["police"])], key=lambda o: o["id"]),
        "target_groups": ["students"], "channels": ["talks"], "regions": ["baku"], "people_reached": 0,
        "description": "Məktəblərdə", "materials": "", "events": [],
        "reach": {"total": 0, "regions": [], "groups": []}}
    refused(api.post("/campaigns", {"title": "X", "starts_on": "2026-03-01", "ends_on": "2026-02-01",
                                    "organiser_ids": [cast["ngo1"].pk]}), "A campaign cannot end before it starts.")

    event = ok(api.post(f"/campaigns/{campaign.pk}/events", {
        "held_on": "2026-04-02", "place": "Universitet", "region": "baku", "target_group": "students",
        "channel": "talks", "people_reached": 120}), 201)
    assert event == {"id": event["id"], "campaign_id": campaign.pk, "held_on": "2026-04-02", "place": "Universitet",
                     "region": "baku", "target_group": "students", "channel": "talks", "people_reached": 120}
    refused(api.post(f"/campaigns/{campaign.pk}/events", {
        "held_on": "2027-01-01", "place": "X", "region": "baku", "target_group": "students", "channel": "talks",
        "people_reached": 1}), "The event must fall within the campaign's dates.")
    schema_error = api.post(f"/campaigns/{campaign.pk}/events", {
        "held_on": "2026-04-03", "place": "X", "region": "baku", "target_group": "students", "channel": "talks",
        "people_reached": -1})
    assert schema_error.status_code == 422 and schema_error.json()["errors"][0]["loc"][-1] == "people_reached"
    second = ok(api.post(f"/campaigns/{campaign.pk}/events", {
        "held_on": "2026-05-10", "place": "Gəncə", "region": "ganja_dashkasan", "target_group": "women",
        "channel": "talks", "people_reached": 30}), 201)
    assert ok(api.post(f"/campaigns/{campaign.pk}/events/{second['id']}", {"people_reached": 40}))[
        "people_reached"] == 40

    detail = ok(api.get(f"/campaigns/{campaign.pk}"))
    assert detail["people_reached"] == 160 and [e["id"] for e in detail["events"]] == [event["id"], second["id"]]
    assert detail["reach"]["total"] == 160
    assert [(r["code"], r["people"]) for r in detail["reach"]["regions"]] == [("baku", 120), ("ganja_dashkasan", 40)]
    assert [(r["code"], r["people"]) for r in detail["reach"]["groups"]] == [("students", 120), ("women", 40)]
    assert ok(api.get("/reach"))["total"] == 160
    assert ok(api.get("/reach", year=2025))["total"] == 0

    updated = ok(api.post(f"/campaigns/{campaign.pk}", {"title": "Diqqətli ol! 2026",
                                                        "organiser_ids": [cast["ngo2"].pk]}))
    assert (updated["title"], updated["organisers"], updated["starts_on"]) == (
        "Diqqətli ol! 2026", [org(cast["ngo2"])], "2026-03-01")
    refused(api.post(f"/campaigns/{campaign.pk}", {"ends_on": "2026-04-30"}),
            "Some events of this campaign fall outside these dates: change or delete them first.")
    assert ok(api.post(f"/campaigns/{campaign.pk}/publish", {"public": True}))["is_public"] is True

    reader = Api(cast["qht3"])
    assert [c["id"] for c in ok(reader.get("/campaigns", year=2026))["items"]] == [campaign.pk]
    assert ok(reader.get("/campaigns", year=2025))["items"] == []
    assert ok(reader.get("/campaigns"))["items"][0]["people_reached"] == 160
    refused(reader.post(f"/campaigns/{campaign.pk}/events/{second['id']}/delete"), COORDINATOR_ONLY)
    refused(reader.post(f"/campaigns/{campaign.pk}", {"title": "X"}), COORDINATOR_ONLY)
    refused(reader.post(f"/campaigns/{campaign.pk}/publish", {"public": False}), COORDINATOR_ONLY)
    refused(reader.post("/campaigns", {"title": "X", "starts_on": "2026-03-01", "ends_on": "2026-03-02",
                                       "organiser_ids": [cast["ngo3"].pk]}), COORDINATOR_ONLY)

    ok(api.post(f"/campaigns/{campaign.pk}/events/{second['id']}/delete"), 204)
    assert list(CampaignEvent.objects.values_list("pk", flat=True)) == [event["id"]]
    other = actions.campaign_create(by=cast["koalisiya"], title="Başqa", starts_on=dt.date(2026, 1, 1),
                                    ends_on=dt.date(2026, 12, 31), organisers=[cast["ngo1"]])
    not_found(api.post(f"/campaigns/{other.pk}/events/{event['id']}", {"place": "X"}))
    not_found(api.get("/campaigns/987654321"))
    assert Campaign.objects.get(pk=campaign.pk).title == "Diqqətli ol! 2026"


@pytest.mark.parametrize("username", ["qht2", "qht3", "polis"])
def test_staff_read_meetings_proposals_and_campaigns(coalition: dict[str, Any], username: str) -> None:
    """Coalition data is not victim data: every logged-in partner reads it (as on the pages)."""
    cast = coalition
    meeting = new_meeting(cast)
    proposal = actions.proposal_create(by=cast["koalisiya"], from_organisation=cast["ngo1"],
                                       addressed_to=cast["police"], title="Təklif", text="Mətn")
    api = Api(cast[username])
    assert ok(api.get(f"/meetings/{meeting.pk}"))["title"] == "Rüblük görüş"
    assert ok(api.get(f"/proposals/{proposal.pk}"))["can_answer"] is (username == "polis")
    assert [m["id"] for m in ok(api.get("/meetings"))["items"]] == [meeting.pk]
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2


# --- list endpoints: the number of queries does not grow with the rows ---------------------------
LISTS = ["/members", "/meetings", "/decisions", "/proposals", "/campaigns", "/reach"]


def _add_rows(cast: dict[str, Any], n: int) -> None:
    by = cast["koalisiya"]
    for i in range(n):
        member = Member.objects.get(organisation=cast["ngo2"])
        actions.contact_save(by=by, member=member, name=f"Kontakt {i}", phone=f"+994 12 000 00 {i:02d}")
        meeting = new_meeting(cast, title=f"Görüş {i}")
        actions.decision_add(by=by, meeting=meeting, text=f"Qərar {i}", responsible=cast["ngo2"],
                             due_on=dt.date(2026, 12, 1))
        actions.proposal_create(by=by, from_organisation=cast["ngo2"], addressed_to=cast["police"],
                                title=f"Təklif {i}", text="Mətn", meeting=meeting)
        campaign = actions.campaign_create(by=by, title=f"Kampaniya {i}", starts_on=dt.date(2026, 3, 1),
                                           ends_on=dt.date(2026, 6, 30), organisers=[cast["ngo1"], cast["ngo2"]])
        actions.campaign_event_add(by=by, campaign=campaign, held_on=dt.date(2026, 4, 2), place="Yer",
                                   region="baku", target_group="students", channel="talks", people_reached=5)


def test_list_endpoints_do_not_query_per_row(coalition: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from korpu.core import crypto

    api = Api(coalition["koalisiya"])
    ok(api.get("/reach"))  # the token's first use records when it was last used

    def counts() -> dict[str, int]:
        found = {}
        for path in LISTS:
            crypto.clear_key_cache()  # each call unwraps the contact people's keys afresh
            with CaptureQueriesContext(connection) as queries:
                ok(api.get(path))
            found[path] = len(queries)
        return found

    _add_rows(coalition, 1)
    few = counts()
    _add_rows(coalition, 4)
    assert counts() == few
