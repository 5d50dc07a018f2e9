"""Victims and the referral mechanism, issue 3: the person's HTCDS fields and photo, the victim context,
the intake form, identity shown on request, children and guardians, follow-up and reopening, what a
referral or a grant shares, consent on the day it was withdrawn, e-mails that cannot fail a saved
action, services and their API, attachments checked by content, and the timeline."""

from __future__ import annotations

import datetime as dt
import io
import re
import smtplib
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from korpu.cases import actions, choices
from korpu.cases.models import (
    AccessGrant,
    Attachment,
    Case,
    CaseAccess,
    Consent,
    FollowUp,
    Person,
    Referral,
    ReintegrationAssessment,
    Service,
    StatusChange,
    SupportPlan,
    TraffickingEvent,
)
from korpu.core.models import AuditEvent
from tests.cases.conftest import FULL_CONSENT, NAMES, recognised_case, register, tiny_png

TODAY = timezone.localdate


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def events_since(seq: int) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", "outcome"))


def english(client: Any) -> Any:
    client.cookies["korpu_language"] = "en"
    return client


def messages_on(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def api(client: Any, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(url, payload or {}, content_type="application/json")


# --- 1, 3. the intake form and the person's fields -------------------------------------------------
INTAKE = {
    "salutation": "Xanım", "given_name": "Səadət", "patronymic": "Vaqif qızı", "family_name": "Nəzərli",
    "title": "Satıcı", "birth_date": "1995-03-14", "age_at_identification": "", "gender": "Feminine",
    "citizenships": ["AZ"], "document_number": "AZE7654321", "marital_status": "Married",
    "number_of_children": "2", "education": "BachelorsOrEquivalentLevel", "primary_language": "az",
    "secondary_language": "ru", "disability": "on", "phone": "+994509876543", "home_phone": "+994125550011",
    "email": "saadet@example.org", "address": "5-ci mikrorayon, ev 7", "address_city": "Sumqayıt",
    "address_region": "Abşeron-Xızı", "address_postal_code": "AZ5001", "address_country": "AZ",
    "identified_on": "2025-02-01", "identification_channel": "hotline",
    "exploitation": ["SexualExploitation", "ForcedLabour"], "sexual_exploitation_types": ["Prostitution"],
    "forced_labour_industry": "I_AccommodationAndFoodServiceActivities", "means_of_control": ["DebtBondage"],
    "exploitation_countries": ["TR"], "exploitation_start": "2024-01-10", "exploitation_end": "2024-11-30",
    "exploitation_websites": ["Telegram"], "age_when_trafficked": "28",
    "recruitment_methods": ["ThroughOnlineSocialNetworks"], "recruitment_websites": ["Instagram", "WhatsApp"],
    "recruitment_place": "Sumqayıt, avtovağzal", "relationship_to_trafficker": "Acquainted",
    "country_of_origin": "AZ", "transit_countries": ["GE"],
    "consent_data_processing": "on", "consent_share_law_enforcement": "on", "consent_share_ngo": "on",
}


def test_intake_form_records_every_field(cast, login_as):
    client = english(login_as("qht1"))
    page = client.get(reverse("cases:create")).content.decode()
    # Grouped in fieldsets (each a card), so the long form reads on a phone.
    assert page.count("<fieldset") == 8 and "<legend>Contacts and address</legend>" in page
    for name in ("email", "primary_language", "education", "disability", "number_of_children",
                 "sexual_exploitation_types", "recruitment_websites", "recruitment_place", "transit_countries",
                 "exploitation_start", "exploitation_end", "identifying_organisation", "marital_status",
                 "home_phone", "address_city", "address_postal_code", "exploitation_websites",
                 "age_when_trafficked", "deceased", "salutation"):
        assert f'name="{name}"' in page, name
    response = client.post(reverse("cases:create"), INTAKE | {"identifying_organisation": cast["police"].pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.select_related("person").get()
    person = case.person
    assert (person.salutation, person.title, person.patronymic) == ("Xanım", "Satıcı", "Vaqif qızı")
    assert person.birth_date == dt.date(1995, 3, 14)
    assert person.age_at_identification == 29  # worked out from the birth date at identification
    assert (person.marital_status, person.number_of_children, person.education) == (
        "Married", 2, "BachelorsOrEquivalentLevel")
    assert person.languages == ["az", "ru"] and person.disability and not person.deceased
    assert (person.phone, person.home_phone, person.email) == ("+994509876543", "+994125550011",
                                                               "saadet@example.org")
    assert (person.address, person.address_city, person.address_region, person.address_postal_code,
            person.address_country) == ("5-ci mikrorayon, ev 7", "Sumqayıt", "Abşeron-Xızı", "AZ5001", "AZ")
    assert case.identifying_organisation == cast["police"] and case.owner_organisation == cast["ngo1"]
    assert case.sexual_exploitation_types == ["Prostitution"]
    assert case.recruitment_websites == ["Instagram", "WhatsApp"] and case.exploitation_websites == ["Telegram"]
    assert case.recruitment_place == "Sumqayıt, avtovağzal" and case.transit_countries == ["GE"]
    assert (case.exploitation_start, case.exploitation_end) == (dt.date(2024, 1, 10), dt.date(2024, 11, 30))
    assert case.age_when_trafficked == 28 and case.is_transnational

    # Encrypted at rest: every identifier; in clear: what statistics need.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_person WHERE id = %s", [person.pk])
        columns = [c[0] for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
        cursor.execute("SELECT recruitment_place FROM cases_case WHERE id = %s", [case.pk])
        place = cursor.fetchone()[0]
    stored = " ".join(str(v) for v in row.values())
    for clear in ("Xanım", "Satıcı", "+994125550011", "saadet@example.org", "Sumqayıt", "Abşeron", "AZ5001",
                  "mikrorayon", "Vaqif"):
        assert clear not in stored, clear
    assert "avtovağzal" not in place
    assert (row["address_country"], row["marital_status"], row["education"]) == (
        "AZ", "Married", "BachelorsOrEquivalentLevel")

    # The edit form comes back filled in, and saves a change.
    edit = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    assert 'value="+994125550011"' in edit and 'value="AZ5001"' in edit
    assert re.search(r'<option value="ru" selected>', edit)
    changed = {k: v for k, v in INTAKE.items() if not k.startswith("consent_")} | {
        "marital_status": "Divorced", "deceased": "on", "secondary_language": ""}
    assert client.post(reverse("cases:edit", args=[case.pk]), changed).status_code == 302
    person.refresh_from_db()
    assert (person.marital_status, person.deceased, person.languages) == ("Divorced", True, ["az"])


def test_bad_input_changes_nothing(cast, login_as):
    client = english(login_as("qht1"))
    before = (Case.objects.count(), Person.objects.count())
    for wrong, message in (
        ({"exploitation_start": "2024-12-01", "exploitation_end": "2024-01-01"},
         "The period of exploitation ends before it starts."),
        ({"exploitation_end": (TODAY() + dt.timedelta(days=3)).isoformat()},
         "The period of exploitation cannot be in the future."),
        ({"birth_date": "2025-03-01"}, "The birth date is after the identification date."),
    ):
        response = client.post(reverse("cases:create"), INTAKE | wrong)
        assert response.status_code == 400
        assert message in response.content.decode()
    response = client.post(reverse("cases:create"), INTAKE | {"email": "not-an-address"})
    assert response.status_code == 400
    assert (Case.objects.count(), Person.objects.count()) == before


def test_api_registers_the_new_fields_and_shows_the_context(cast, login_as):
    client = login_as("polis")
    response = api(client, "/api/v1/cases", {
        "person": {"given_name": "Rəşad", "family_name": "Quliyev", "home_phone": "+994125551234",
                   "address_city": "Gəncə", "address_country": "AZ", "marital_status": "Single",
                   "languages": ["AZ", "ru", "tly"], "education": "PrimaryEducation", "deceased": False,
                   "birth_date": "1990-05-05", "salutation": "Cənab"},
        "identification_channel": "police_operation", "exploitation": ["ForcedLabour"],
        "forced_labour_industry": "F_Construction", "means_of_control": ["WithholdsDocuments"],
        "recruitment_methods": ["ThroughAnOnlineAdvertisement"], "recruitment_websites": ["Facebook"],
        "exploitation_websites": ["Telegram"], "age_when_trafficked": 33, "relationship_to_trafficker": "Unaquainted",
        "country_of_origin": "AZ", "transit_countries": ["GE"], "exploitation_countries": ["RU"],
        "exploitation_start": "2024-01-01", "exploitation_end": "2024-06-01", "recruitment_place": "Gəncə",
        "identifying_organisation_id": cast["ngo3"].pk})
    assert response.status_code == 201, response.content
    body = response.json()
    age = actions.age_on(dt.date(1990, 5, 5), TODAY())
    assert body["person"] == {"gender": "NonSpecifiedUnknown", "age_at_identification": age, "is_child": False,
                              "citizenships": [], "languages": ["az", "ru", "tly"], "education": "PrimaryEducation",
                              "marital_status": "Single", "disability": False, "number_of_children": None,
                              "deceased": False, "address_country": "AZ", "has_photo": False}
    for key, value in {"forced_labour_industry": "F_Construction", "means_of_control": ["WithholdsDocuments"],
                       "recruitment_websites": ["Facebook"], "exploitation_websites": ["Telegram"],
                       "age_when_trafficked": 33, "relationship_to_trafficker": "Unaquainted",
                       "transit_countries": ["GE"], "exploitation_start": "2024-01-01",
                       "exploitation_end": "2024-06-01", "recruitment_place": "Gəncə",
                       "identifying_organisation_id": cast["ngo3"].pk, "closure_reason": None}.items():
        assert body[key] == value, key
    assert "Rəşad" not in response.content.decode() and "+994125551234" not in response.content.decode()
    seq = last_seq()
    identity = client.get(f"/api/v1/cases/{body['id']}/identity").json()
    assert (identity["salutation"], identity["home_phone"], identity["address_city"]) == (
        "Cənab", "+994125551234", "Gəncə")
    assert events_since(seq) == [("person.reveal", "ok")]

    bad = api(client, "/api/v1/cases", {"person": {"given_name": "X", "languages": ["Azerbaijani"]},
                                        "identification_channel": "hotline"})
    assert bad.status_code == 422 and Case.objects.count() == 1


# --- 4. the case page: context shown, identity on request, no names in lists -------------------------
def test_case_page_shows_the_context_and_the_name_only_on_request(cast, login_as):
    client = english(login_as("qht1"))
    assert client.post(reverse("cases:create"), INTAKE).status_code == 302
    case = Case.objects.get()
    seq = last_seq()
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert events_since(seq) == [("case.view", "ok")]
    context = re.search(r'data-testid="victim-context">(.*?)</section>', page, re.S).group(1)
    for shown in ("Accommodation and food service", "Prostitution", "Debt bondage", "Through online social networks",
                  "Instagram, WhatsApp", "Telegram", "Acquaintance", choices.countries()["GE"],
                  choices.countries()["TR"], "28", "Sumqayıt, avtovağzal"):
        assert shown in context, shown
    facts = re.search(r'data-testid="person-facts">(.*?)</dl>', page, re.S).group(1)
    for shown in ("Azərbaycanca, Русский", "Bachelor", "Married", "2"):
        assert shown in facts, shown
    for hidden in ("Səadət", "Nəzərli", "+994509876543", "saadet@example.org", "AZE7654321", "5-ci mikrorayon"):
        assert hidden not in page, hidden
    assert case.number in page

    fragment = client.get(reverse("cases:identity", args=[case.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    for shown in ("Səadət Vaqif qızı Nəzərli", "+994509876543", "+994125550011", "saadet@example.org",
                  "AZE7654321", "5-ci mikrorayon, ev 7, Sumqayıt, Abşeron-Xızı, AZ5001, AZ", "Xanım"):
        assert shown in fragment, shown
    assert events_since(seq)[-1] == ("person.reveal", "ok")
    event = AuditEvent.objects.filter(action="person.reveal").last()
    assert (event.object_type, event.object_id, event.details) == ("cases.Person", str(case.person_id),
                                                                   {"case": case.pk})
    # Without htmx the same URL is a page of its own.
    assert "<html" in client.get(reverse("cases:identity", args=[case.pk])).content.decode()


def test_lists_inbox_tasks_and_mails_show_no_names(cast, login_as, django_capture_on_commit_callbacks):
    case = register(cast["qht1"], *NAMES["A"], consent=FULL_CONSENT)
    with django_capture_on_commit_callbacks(execute=True):
        referral = actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["police"],
                                           reason="StatusDecision", details=f"{NAMES['A'][0]} is at her aunt's.")
        actions.referral_accept(by=cast["polis"], referral=referral)
        actions.status_decision_record(by=cast["polis"], case=case, decision="recognised", decided_on=TODAY(),
                                       basis="Indicators.")
    actions.follow_up_schedule(by=cast["qht1"], case=case, due_on=TODAY() - dt.timedelta(days=2))
    for username, urls in (("qht1", ["/cases/", "/referrals/outbox/", "/tasks/", "/", "/api/v1/cases",
                                     "/api/v1/tasks", "/api/v1/referrals/outbox", f"/api/v1/referrals/{referral.pk}"]),
                           ("polis", ["/cases/", "/referrals/inbox/", "/tasks/", "/api/v1/referrals/inbox",
                                      "/api/v1/tasks"])):
        client = login_as(username)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            assert NAMES["A"][0] not in text and NAMES["A"][1] not in text, (username, url)
    assert mail.outbox
    for message in mail.outbox:
        assert NAMES["A"][0] not in message.subject + message.body
    tasks = login_as("qht1").get("/api/v1/tasks").json()
    assert [t["case_number"] for t in tasks["overdue_follow_ups"]] == [case.number]


# --- 1. the photo -------------------------------------------------------------------------------------
def _jpeg_with_camera_data() -> bytes:
    image = Image.new("RGB", (8, 8), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x0110] = "SecretModel"  # Model
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_checked_stripped_encrypted_and_audited(cast, login_as):
    case = register(cast["qht1"], "Aysel", "Rzayeva")
    client = english(login_as("qht1"))
    photo = _jpeg_with_camera_data()
    assert b"SecretCameraMaker" in photo
    response = client.post(reverse("cases:photo_upload", args=[case.pk]),
                           {"file": SimpleUploadedFile("me.jpg", photo, content_type="image/jpeg")}, follow=True)
    assert "The photo is saved." in messages_on(response)
    person = Person.objects.get(pk=case.person_id)
    assert person.photo_content_type == "image/jpeg" and re.fullmatch(r"photos/[0-9a-f]{32}\.bin",
                                                                      person.photo_storage_name)
    with default_storage.open(person.photo_storage_name, "rb") as handle:
        sealed = handle.read()
    assert b"JFIF" not in sealed and b"\xff\xd8\xff" not in sealed[:8]
    seq = last_seq()
    shown = client.get(reverse("cases:photo", args=[case.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown.content[:3] == b"\xff\xd8\xff" and b"SecretCameraMaker" not in shown.content
    assert Image.open(io.BytesIO(shown.content)).size == (8, 8)
    assert events_since(seq) == [("person.photo_view", "ok")]
    assert 'data-testid="person-photo"' in client.get(reverse("cases:identity", args=[case.pk])).content.decode()
    api_photo = client.get(f"/api/v1/cases/{case.pk}/photo")
    assert api_photo.status_code == 200 and api_photo.content == shown.content

    # Not a picture, or a picture under another name: refused, nothing changed.
    for name, data in (("scan.jpg", b"%PDF-1.4\n%%EOF\n"), ("me.png", photo),
                       ("report.docx", _docx())):
        response = client.post(reverse("cases:photo_upload", args=[case.pk]),
                               {"file": SimpleUploadedFile(name, data)}, follow=True)
        assert not any("saved" in m for m in messages_on(response)), name
        assert Person.objects.get(pk=case.person_id).photo_storage_name == person.photo_storage_name
    # Another NGO cannot see it.
    seq = last_seq()
    assert login_as("qht3").get(reverse("cases:photo", args=[case.pk])).status_code == 404
    assert events_since(seq) == [("person.photo_view", "denied")]


# --- 5. children and guardians -----------------------------------------------------------------------
def test_a_child_needs_a_guardian_everywhere(cast, login_as):
    client = english(login_as("qht1"))
    child = INTAKE | {"birth_date": "2012-06-01", "age_at_identification": ""}
    response = client.post(reverse("cases:create"), child)
    assert response.status_code == 400 and "A child&#x27;s guardian must be recorded." in response.content.decode()
    response = api(client, "/api/v1/cases", {"person": {"given_name": "Nərgiz", "birth_date": "2012-06-01"},
                                             "identification_channel": "hotline"})
    assert response.status_code == 422 and response.json()["detail"] == "A child's guardian must be recorded."
    assert not Case.objects.exists()
    response = api(client, "/api/v1/cases", {"person": {"given_name": "Nərgiz", "birth_date": "2012-06-01"},
                                             "identification_channel": "hotline", "guardian_name": "Lalə Abbasova"})
    assert response.status_code == 201 and response.json()["is_child"] is True
    assert response.json()["age_at_identification"] == TODAY().year - 2012 - (TODAY() < TODAY().replace(
        month=6, day=1))
    # An edit cannot remove the guardian of a child either.
    case = Case.objects.get()
    with pytest.raises(Exception, match="guardian"):
        actions.case_update(by=cast["qht1"], case=case, case_fields={"guardian_name": ""})
    case.refresh_from_db()
    assert case.guardian_name == "Lalə Abbasova"


# --- 6. follow-up and reopening ------------------------------------------------------------------------
def test_owner_moves_to_follow_up_closes_and_reopens(cast, login_as):
    case = register(cast["qht1"], "Aysel", "Rzayeva")
    client = english(login_as("qht1"))
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Move to follow-up" in page
    client.post(reverse("cases:status", args=[case.pk]), {"status": "FollowUp"})
    case.refresh_from_db()
    assert case.status == choices.CaseStatus.FOLLOW_UP
    assert "Back to active" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    actions.case_close(by=cast["qht1"], case=case, status=choices.CaseStatus.CLOSED, reason="Back home.")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="reopen"' in page and "Back home." in page
    response = api(client, f"/api/v1/cases/{case.pk}/status", {"status": "FollowUp"})
    assert response.status_code == 422  # reopen first
    response = api(client, f"/api/v1/cases/{case.pk}/status", {"status": "Active"})
    assert response.status_code == 200 and response.json()["status"] == "Active"
    assert response.json()["closed_on"] is None and response.json()["closure_reason"] is None
    assert list(StatusChange.objects.filter(case=case).values_list("previous", "status")) == [
        ("Active", "FollowUp"), ("FollowUp", "Closed"), ("Closed", "Active")]
    assert AuditEvent.objects.filter(action="case.reopen", details__previous="Closed").count() == 1
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', client.get(
        reverse("cases:detail", args=[case.pk])).content.decode(), re.S).group(1)
    assert timeline.count("Case status:") == 3


# --- 7. the status decision is told to the referring organisation ----------------------------------------
def test_status_decision_mails_the_referring_organisation(cast, login_as, django_capture_on_commit_callbacks):
    case = register(cast["qht2"], "Aysel", "Rzayeva", consent=FULL_CONSENT)
    referral = actions.referral_create(by=cast["qht2"], case=case, to_organisation=cast["police"],
                                       reason="StatusDecision")
    actions.referral_accept(by=cast["polis"], referral=referral)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = login_as("polis").post(reverse("cases:decision", args=[case.pk]), {
            "decision": "recognised", "decided_on": TODAY().isoformat(), "basis": "Aysel's documents were taken."})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["qht2@example.org", "siginacaq2@example.org"]
    qht2 = next(m for m in mail.outbox if m.to == ["qht2@example.org"])
    assert case.number in qht2.subject and f"/cases/{case.pk}/" in qht2.body
    for message in mail.outbox:
        assert "Aysel" not in message.subject + message.body and "documents" not in message.body


# --- 8. a referral waiting when consent is withdrawn --------------------------------------------------------
def test_accepting_rechecks_consent(cast, login_as):
    case = register(cast["qht1"], "Aysel", "Rzayeva", consent=FULL_CONSENT)
    referral = actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["ngo3"], reason="Other")
    actions.consent_withdraw(by=cast["qht1"], case=case)
    seq = last_seq()
    response = english(login_as("qht3")).post(reverse("cases:referral_detail", args=[referral.pk]),
                                              {"command": "accept"}, follow=True)
    assert any("consent" in m for m in messages_on(response))
    response = api(login_as("qht3"), f"/api/v1/referrals/{referral.pk}/accept")
    assert response.status_code == 422
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING and not CaseAccess.objects.filter(referral=referral).exists()
    assert [e for e in events_since(seq) if e[1] == "denied"] == [("referral.accept", "denied")] * 2
    assert AuditEvent.objects.filter(action="referral.accept", outcome="denied",
                                     details__reason="no-consent").count() == 2
    assert login_as("qht3").get(reverse("cases:detail", args=[case.pk])).status_code == 404

    # The police's legal basis for sharing without consent still carries the referral.
    police_case = register(cast["polis"], "Tural", "Bayramov", consent={"data_processing": True},
                           channel=choices.IdentificationChannel.POLICE_OPERATION)
    override = actions.referral_create(by=cast["polis"], case=police_case, to_organisation=cast["ngo3"],
                                       reason="Other", override_basis="Criminal Procedure Code, art. 123")
    assert api(login_as("qht3"), f"/api/v1/referrals/{override.pk}/accept").status_code == 200


# --- 9. who is told when a referral ends --------------------------------------------------------------------
@pytest.mark.parametrize(("end", "by", "told"), [
    ("complete", "qht2", ["qht1@example.org", "siginacaq1@example.org"]),     # the receiver completes
    ("complete", "qht1", ["qht2@example.org", "siginacaq2@example.org"]),     # the sender completes
    ("revoke", "qht1", ["qht2@example.org", "siginacaq2@example.org"]),       # the sender revokes
])
def test_the_other_side_is_told_when_a_referral_ends(cast, end, by, told, django_capture_on_commit_callbacks):
    case = register(cast["qht1"], "Aysel", "Rzayeva", consent=FULL_CONSENT)
    referral = actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["ngo2"], reason="Other")
    actions.referral_accept(by=cast["qht2"], referral=referral)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        getattr(actions, f"referral_{end}")(by=cast[by], referral=referral)
    assert sorted(m.to[0] for m in mail.outbox) == told
    kind = {"complete": "Referral completed: case %(number)s", "revoke": "Referral revoked: case %(number)s"}[end]
    from django.utils import translation

    for message in mail.outbox:
        user = next(u for u in cast.values() if getattr(u, "email", None) == message.to[0])
        with translation.override(user.language):
            assert message.subject == translation.gettext(kind) % {"number": case.number}
        assert "Aysel" not in message.body


# --- 10. what a referral or a grant shares ------------------------------------------------------------------
def test_sections_are_chosen_per_referral_with_defaults_by_receiver(cast, login_as, world):
    case = world["case_c"]  # NGO 3's own, full consent
    client = english(login_as("qht3"))
    form = client.get(reverse("cases:action_form", args=[case.pk, "referral"])).content.decode()
    assert 'name="sections"' in form and "Leave all unticked" in form
    client.post(reverse("cases:refer", args=[case.pk]), {
        "to_organisation": cast["ngo2"].pk, "reason": "Other", "urgency": "routine",
        "sections": ["identity", "services"]})
    chosen = Referral.objects.get(case=case, to_organisation=cast["ngo2"])
    assert chosen.sections == ["identity", "services"]
    detail = client.get(reverse("cases:referral_detail", args=[chosen.pk])).content.decode()
    assert re.search(r'data-testid="referral-sections">Identity, Services and follow-up<', detail)
    # Defaults: the police get everything, a shelter (NGO 1 runs one) identity, admission and services,
    # an organisation without a shelter identity, services and notes.
    for org, expected in (("police", ["identity", "services", "admission", "notes", "investigation"]),
                          ("ngo1", ["identity", "services", "admission"]),
                          ("intl", ["identity", "services", "notes"])):
        body = api(client, f"/api/v1/cases/{case.pk}/referrals",
                   {"to_organisation_id": cast[org].pk, "reason": "Other"}).json()
        assert body["sections"] == expected, org
    actions.referral_accept(by=cast["siginacaq1"], referral=Referral.objects.get(case=case,
                                                                                   to_organisation=cast["ngo1"]))
    page = login_as("siginacaq1").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="notes"' not in page and 'data-testid="services"' in page


def test_grants_choose_sections_and_can_be_revoked(cast, login_as, world):
    case = world["case_c"]
    client = english(login_as("qht3"))
    response = client.post(reverse("cases:grant", args=[case.pk]), {
        "organisation": cast["ngo1"].pk, "reason": "Legal aid.", "days": "5", "sections": ["services"]})
    assert response.status_code == 302
    grant = AccessGrant.objects.get(case=case)
    assert grant.sections == ["services"] and CaseAccess.objects.get(grant=grant).sections == ["services"]
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:grant_revoke", args=[case.pk, grant.pk]) in page
    assert login_as("qht1").get(f"/api/v1/cases/{case.pk}").json()["sections"] == ["services"]
    client.post(reverse("cases:grant_revoke", args=[case.pk, grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_at is not None and not CaseAccess.objects.filter(grant=grant).exists()
    assert login_as("qht1").get(f"/api/v1/cases/{case.pk}").status_code == 404
    # Through the API, with the default sections for a shelter organisation.
    body = api(client, f"/api/v1/cases/{case.pk}/grants", {"organisation_id": cast["ngo1"].pk,
                                                          "reason": "Shelter.", "days": 3}).json()
    assert body["sections"] == ["identity", "services", "admission"]
    revoked = api(client, f"/api/v1/cases/{case.pk}/grants/{body['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert api(client, f"/api/v1/cases/{case.pk}/grants/{body['id']}/revoke").status_code == 422  # ended already
    owner_view = client.get(f"/api/v1/cases/{case.pk}").json()
    assert [g["id"] for g in owner_view["grants"]] == [body["id"], grant.pk]


# --- 11. consent withdrawn on a given day -------------------------------------------------------------------
def test_consent_withdrawal_takes_a_date(cast, login_as):
    case = register(cast["qht1"], "Aysel", "Rzayeva")
    actions.consent_record(by=cast["qht1"], case=case, data_processing=True, share_ngo=True,
                           given_on=TODAY() - dt.timedelta(days=10))
    client = english(login_as("qht1"))
    for day, message in ((TODAY() + dt.timedelta(days=1), "The date of withdrawal cannot be in the future."),
                         (TODAY() - dt.timedelta(days=11), "Consent cannot be withdrawn before the day it was given")):
        response = client.post(reverse("cases:consent_withdraw", args=[case.pk]),
                               {"withdrawn_on": day.isoformat()}, follow=True)
        assert any(message in m for m in messages_on(response)), messages_on(response)
        refused = api(client, f"/api/v1/cases/{case.pk}/consent/withdraw", {"withdrawn_on": day.isoformat()})
        assert refused.status_code == 422 and message in refused.json()["detail"]
    assert Consent.objects.get(case=case).withdrawn_on is None
    form = client.get(reverse("cases:action_form", args=[case.pk, "consent_withdraw"])).content.decode()
    assert 'name="withdrawn_on"' in form
    response = api(client, f"/api/v1/cases/{case.pk}/consent/withdraw",
                   {"withdrawn_on": (TODAY() - dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 200
    assert response.json()["consent"]["withdrawn_on"] == (TODAY() - dt.timedelta(days=3)).isoformat()


# --- 12. a mail server that fails does not fail the saved action ----------------------------------------------
class FailingBackend:
    """A mail backend whose server is down."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_failing_mail_server_is_recorded_not_shown(cast, login_as, settings, django_capture_on_commit_callbacks,
                                                     caplog):
    settings.EMAIL_BACKEND = "tests.cases.test_victims.FailingBackend"
    case = register(cast["qht1"], *NAMES["B"], consent=FULL_CONSENT)
    client = login_as("qht1")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:refer", args=[case.pk]), {
            "to_organisation": cast["police"].pk, "reason": "StatusDecision", "urgency": "urgent"})
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    referral = Referral.objects.get()
    event = AuditEvent.objects.get(action="mail.failed")
    assert (event.outcome, event.object_type, event.object_id) == ("ok", "cases.Referral", str(referral.pk))
    assert event.details == {"kind": "referral_new", "failed": 2, "recipients": 2}
    assert NAMES["B"][0] not in str(event.details) and "@" not in str(event.details)
    assert "referral_new" in caplog.text and NAMES["B"][0] not in caplog.text
    # The API answers as usual too.
    with django_capture_on_commit_callbacks(execute=True):
        response = api(login_as("polis"), f"/api/v1/referrals/{referral.pk}/accept")
    assert response.status_code == 200 and AuditEvent.objects.filter(action="mail.failed").count() == 2


# --- 13. services and their operations ----------------------------------------------------------------------
def test_services_on_the_page_and_through_the_api(cast, login_as, world):
    case, service = world["case_a"], world["service_a"]
    client = english(login_as("qht1"))
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    deliver = reverse("cases:service_deliver", args=[case.pk, service.pk])
    assert f'action="{deliver}"' in page and "Mark delivered" in page
    yesterday = TODAY() - dt.timedelta(days=1)
    response = client.post(deliver, {"delivered_on": yesterday.isoformat()}, follow=True)
    assert "The service is marked delivered." in messages_on(response)
    service.refresh_from_db()
    assert (service.outcome, service.delivered_on) == ("delivered", yesterday)
    assert f'action="{deliver}"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert api(client, f"/api/v1/cases/{case.pk}/services/{service.pk}/deliver").status_code == 422  # not planned

    # Another organisation provides a service.
    body = api(client, f"/api/v1/cases/{case.pk}/services", {"service_type": "legal",
                                                             "provider_id": cast["ngo3"].pk}).json()
    assert body["provider_id"] == cast["ngo3"].pk
    client.post(reverse("cases:service", args=[case.pk]), {"service_type": "medical", "outcome": "planned",
                                                          "provider": cast["police"].pk})
    assert Service.objects.get(case=case, service_type="medical").provider == cast["police"]
    delivered = api(client, f"/api/v1/cases/{case.pk}/services/{body['id']}/deliver", {"notes": "Court visit."})
    assert delivered.json()["outcome"] == "delivered" and delivered.json()["delivered_on"] == TODAY().isoformat()

    follow_up = world["follow_up_a"]
    done = api(client, f"/api/v1/cases/{case.pk}/follow-ups/{follow_up.pk}/done", {"done_on": yesterday.isoformat()})
    assert done.status_code == 200 and done.json()["done_on"] == yesterday.isoformat()
    assert api(client, f"/api/v1/cases/{case.pk}/follow-ups/{follow_up.pk}/done").status_code == 422
    assessment = api(client, f"/api/v1/cases/{case.pk}/assessments", {"level": "partial", "income": True})
    assert assessment.status_code == 201 and ReintegrationAssessment.objects.get(case=case).income
    plan = api(client, f"/api/v1/cases/{case.pk}/support-plans", {"plan_type": "Livelihood",
                                                                  "objectives": "A job in Gəncə."})
    assert plan.status_code == 201
    ended = api(client, f"/api/v1/cases/{case.pk}/support-plans/{plan.json()['id']}/end")
    assert ended.json()["actual_end"] == TODAY().isoformat()
    assert SupportPlan.objects.get(pk=plan.json()["id"]).objectives == "A job in Gəncə."
    event = api(client, f"/api/v1/cases/{case.pk}/trafficking-events", {
        "event_type": "Recruitment", "occurred_on": "2024-01-05", "country": "AZ", "city": "Sumqayıt"})
    assert event.status_code == 201 and TraffickingEvent.objects.get(case=case).city == "Sumqayıt"
    detail = client.get(f"/api/v1/cases/{case.pk}").json()
    assert {p["plan_type"] for p in detail["support_plans"]} == {"Health", "Livelihood"}
    assert [e["city"] for e in detail["trafficking_events"]] == ["Sumqayıt"]
    assert detail["follow_ups"][0]["done_on"] == yesterday.isoformat()

    # One referral's detail: the details only while the case is open to the reader.
    referral = world["referral_a_police"]
    shown = login_as("polis").get(f"/api/v1/referrals/{referral.pk}").json()
    assert shown["details"] == "Hotline call." and shown["case_visible"] is True and shown["sections"]
    assert login_as("qht3").get(f"/api/v1/referrals/{referral.pk}").status_code == 404


def test_attachments_through_the_api(cast, login_as, world):
    case = world["case_a"]
    client = login_as("polis")
    response = client.post(f"/api/v1/cases/{case.pk}/attachments",
                           {"file": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["filename"], body["content_type"], body["size"]) == ("report.pdf", "application/pdf", len(PDF))
    downloaded = client.get(f"/api/v1/cases/{case.pk}/attachments/{body['id']}")
    assert downloaded.status_code == 200 and downloaded.content == PDF
    assert downloaded["Content-Disposition"].startswith("attachment")
    refused = client.post(f"/api/v1/cases/{case.pk}/attachments",
                          {"file": SimpleUploadedFile("run.pdf", b"MZ\x90\x00" + b"\x00" * 64)})
    assert refused.status_code == 422 and Attachment.objects.filter(case=case).count() == 2


# --- 14. attachments: the size first, the type by content --------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _package(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return out.getvalue()


def _content_types(main: str, extra: str = "") -> bytes:
    return (f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>').encode()


def _docx() -> bytes:
    return _package({"[Content_Types].xml": _content_types(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
        "word/document.xml": b"<w:document/>"})


def _docm() -> bytes:
    return _package({"[Content_Types].xml": _content_types(
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'),
        "word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["a", 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 10)).save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize(("name", "make", "content_type"), [
    ("letter.docx", _docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("table.xlsx", _xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("photo.jpg", lambda: _image("JPEG"), "image/jpeg"),
    ("photo.webp", lambda: _image("WEBP"), "image/webp"),
    ("report.pdf", lambda: PDF, "application/pdf"),
])
def test_allowed_files_are_accepted(cast, world, login_as, name, make, content_type):
    client = english(login_as("qht1"))
    response = client.post(reverse("cases:attachment", args=[world["case_a"].pk]),
                           {"file": SimpleUploadedFile(name, make())}, follow=True)
    assert "The file is attached." in messages_on(response)
    assert Attachment.objects.order_by("-id").first().content_type == content_type


MACROS_EN = "Documents with macros (.docm, .xlsm) are not accepted. Save the file as DOCX or XLSX without macros."
REFUSED_EN = "This type of file is not accepted. Upload PDF, JPEG, PNG, WebP, DOCX or XLSX."


@pytest.mark.parametrize(("name", "make", "message"), [
    ("macro.docx", _docm, MACROS_EN),                                                    # a .docm renamed
    ("macro.docm", _docm, MACROS_EN),
    ("archive.docx", lambda: _package({"word/readme.txt": b"hello"}), REFUSED_EN),       # a plain ZIP
    ("archive.zip", lambda: _package({"readme.txt": b"hello"}), REFUSED_EN),
    ("other.xlsx", lambda: _package({"[Content_Types].xml": b"<Types/>", "xl/x.xml": b"<x/>"}), REFUSED_EN),
    ("setup.exe", lambda: b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, REFUSED_EN),     # an executable
    ("setup.pdf", lambda: b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, REFUSED_EN),
])
def test_refused_files_change_nothing(cast, world, login_as, name, make, message):
    client = english(login_as("qht1"))
    before = Attachment.objects.count()
    response = client.post(reverse("cases:attachment", args=[world["case_a"].pk]),
                           {"file": SimpleUploadedFile(name, make())}, follow=True)
    assert message in messages_on(response)
    assert Attachment.objects.count() == before


class Unreadable(InMemoryUploadedFile):
    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("the upload was read before its size was checked")


class UnreadableUploads(MemoryFileUploadHandler):
    """Uploads the server side cannot read: a size check that reads first fails the test."""

    def file_complete(self, file_size: int) -> Any:
        found = super().file_complete(file_size)
        return Unreadable(found.file, found.field_name, found.name, found.content_type, found.size, found.charset,
                          found.content_type_extra) if found is not None else None


def test_the_size_is_checked_before_the_upload_is_read(cast, world, login_as, settings):
    settings.ATTACHMENT_MAX_BYTES = 64
    settings.FILE_UPLOAD_HANDLERS = ["tests.cases.test_victims.UnreadableUploads"]
    client = english(login_as("qht1"))
    response = client.post(reverse("cases:attachment", args=[world["case_a"].pk]),
                           {"file": SimpleUploadedFile("big.pdf", PDF + b"x" * 200)}, follow=True)
    assert "The file is larger than 0 MB." in messages_on(response)
    assert Attachment.objects.filter(case=world["case_a"]).count() == 1


# --- 15. the timeline -----------------------------------------------------------------------------------------
def test_timeline_tells_the_whole_story(cast, login_as, world):
    from korpu.shelters import actions as shelter_actions

    case = world["case_a"]
    qht1 = cast["qht1"]
    actions.consent_withdraw(by=qht1, case=case)
    actions.consent_record(by=qht1, case=case, **FULL_CONSENT)
    actions.follow_up_done(by=qht1, follow_up=world["follow_up_a"])
    actions.assessment_record(by=qht1, case=case, level="in_progress")
    actions.support_plan_end(by=qht1, plan=world["support_plan_a"])
    shelter_actions.admission_discharge(by=cast["siginacaq2"], admission=world["admission_a"])
    actions.case_set_status(by=qht1, case=case, status=choices.CaseStatus.FOLLOW_UP)
    page = english(login_as("qht1")).get(reverse("cases:detail", args=[case.pk])).content.decode()
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', page, re.S).group(1)
    for entry in ("Registered by", "Consent recorded", "Consent withdrawn", "Follow-up due", "Follow-up done",
                  "Reintegration assessed: In progress", "Support plan: Health", "Support plan ended: Health",
                  "Admitted to Həyat Evi", "Discharged from Həyat Evi", "File attached by", "Note by",
                  "Case status: Follow-up", "Recognised as a victim"):
        assert entry in timeline, entry
    # The shelter sees its part of the story, not the notes and files.
    shelter = re.search(r'data-testid="timeline">(.*?)</ol>', english(login_as("siginacaq2")).get(
        reverse("cases:detail", args=[case.pk])).content.decode(), re.S).group(1)
    assert "Discharged from" in shelter and "Note by" not in shelter and "File attached" not in shelter


def test_case_page_costs_the_same_whatever_the_rows(cast, login_as):
    one, ten = recognised_case(cast, "Aysel", "Rzayeva"), recognised_case(cast, "Könül", "Məlikova")
    for case, n in ((one, 1), (ten, 10)):
        for i in range(n):
            actions.consent_record(by=cast["qht1"], case=case, **FULL_CONSENT)
            actions.assessment_record(by=cast["qht1"], case=case, level="in_progress")
            actions.support_plan_create(by=cast["qht1"], case=case, plan_type="Health", objectives=f"{i}")
            actions.trafficking_event_record(by=cast["qht1"], case=case, event_type="Transit", country="GE")
            actions.grant_create(by=cast["qht1"], case=case, organisation=cast["intl"], reason=f"{i}", days=2)
            follow_up = actions.follow_up_schedule(by=cast["qht1"], case=case, due_on=TODAY())
            actions.follow_up_done(by=cast["qht1"], follow_up=follow_up)
            actions.attachment_add(by=cast["qht1"], case=case, filename=f"s{i}.png", data=tiny_png(b"%d" % i))
        actions.case_set_status(by=cast["qht1"], case=case, status=choices.CaseStatus.FOLLOW_UP)
    client = login_as("qht1")

    def count(case: Any) -> int:
        client.get(reverse("cases:detail", args=[case.pk]))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
        return len(queries)

    assert count(one) == count(ten) <= 36
    assert FollowUp.objects.filter(case=ten).count() == 10


def test_api_corrects_a_case(cast, login_as, world):
    case = world["case_a"]
    client = login_as("qht1")
    response = api(client, f"/api/v1/cases/{case.pk}/update", {
        "person": {"home_phone": "+994125550099", "marital_status": "Widowed", "languages": ["az", "ru"],
                   "email": None},
        "case": {"exploitation_websites": ["Telegram"], "identifying_organisation_id": cast["police"].pk,
                 "exploitation_start": "2024-02-01"},
        "exploitation": ["SexualExploitation", "ForcedLabour"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["person"]["marital_status"], body["person"]["languages"]) == ("Widowed", ["az", "ru"])
    assert body["exploitation_websites"] == ["Telegram"] and body["identifying_organisation_id"] == cast["police"].pk
    assert sorted(body["exploitation"]) == ["ForcedLabour", "SexualExploitation"]
    case.person.refresh_from_db()
    assert case.person.home_phone == "+994125550099" and case.person.given_name == NAMES["A"][0]
    # Bad values and unknown fields change nothing.
    for wrong in ({"person": {"number_of_children": "many"}}, {"person": {"nickname": "x"}},
                  {"case": {"exploitation_end": "2024-01-01"}}, {"case": {"guardian_name": "x", "person": {}}}):
        refused = api(client, f"/api/v1/cases/{case.pk}/update", wrong)
        assert refused.status_code == 422, wrong
    case.refresh_from_db()
    assert case.exploitation_end is None and case.guardian_name == ""
    # A grant of the services alone does not let an organisation correct the identity.
    actions.grant_create(by=cast["qht1"], case=case, organisation=cast["ngo3"], reason="x", days=2,
                         sections=["services"])
    assert api(login_as("qht3"), f"/api/v1/cases/{case.pk}/update", {"person": {"deceased": True}}).status_code == 422
    assert AuditEvent.objects.filter(action="case.update", outcome="denied", actor=cast["qht3"]).exists()
