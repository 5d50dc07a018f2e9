"""The referral mechanism through HTTP: outreach → police decision → shelter admission."""

import datetime as dt

from django.core import mail
from django.urls import reverse

from korpu.cases.models import Case, CaseAccess, Referral, Service
from korpu.core.models import AuditEvent
from korpu.shelters import actions as shelter_actions
from korpu.shelters.models import Admission, BedCategory


def _facility(cast):
    from korpu.core.access import SYSTEM

    return shelter_actions.facility_create(by=SYSTEM, operator=cast["ngo1"], name="Ümid Evi", region="Bakı",
                                           address="secret street 1", capacities={BedCategory.WOMEN: 2})


def test_outreach_to_shelter(cast, login_as, django_capture_on_commit_callbacks):
    facility = _facility(cast)
    ngo = login_as("qht2")
    response = ngo.post(reverse("cases:create"), {
        "given_name": "Gülnarə", "family_name": "Əhmədova", "gender": "Feminine", "age_at_identification": "24",
        "identified_on": dt.date.today().isoformat(), "identification_channel": "ngo_outreach",
        "exploitation": ["SexualExploitation"], "citizenships": ["AZ"],
        "consent_data_processing": "on", "consent_share_law_enforcement": "on", "consent_share_ngo": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.owner_organisation == cast["ngo2"]
    page = ngo.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Gülnarə" not in page and case.number in page  # the name only on request
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    identity = ngo.get(reverse("cases:identity", args=[case.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Gülnarə Əhmədova" in identity
    assert list(AuditEvent.objects.filter(seq__gt=seq).values_list("action", "outcome", "object_type")) == [
        ("person.reveal", "ok", "cases.Person")]

    with django_capture_on_commit_callbacks(execute=True):
        response = ngo.post(reverse("cases:refer", args=[case.pk]), {
            "to_organisation": cast["police"].pk, "reason": "StatusDecision", "urgency": "urgent",
            "services": ["legal"]})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == "pending"
    assert len(mail.outbox) == 2  # both investigators of the department
    assert "Gülnarə" not in mail.outbox[0].body and case.number in mail.outbox[0].subject

    police = login_as("polis")
    assert police.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    police.post(reverse("cases:referral_detail", args=[referral.pk]), {"command": "accept"})
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert police.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    police.post(reverse("cases:decision", args=[case.pk]), {
        "decision": "recognised", "decided_on": dt.date.today().isoformat(), "basis": "indicators"})
    case.refresh_from_db()
    assert case.trafficking_status == "ActualVictimOfTrafficking"

    # The investigator refers to NGO 1's shelter; the shelter manager accepts and admits.
    police.post(reverse("cases:refer", args=[case.pk]), {
        "to_organisation": cast["ngo1"].pk, "reason": "AdditionalServicesRequired", "urgency": "urgent"})
    assert Referral.objects.filter(to_organisation=cast["ngo1"]).count() == 1

    shelter = login_as("siginacaq1")
    assert shelter.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    shelter_referral = Referral.objects.get(to_organisation=cast["ngo1"])
    shelter.post(reverse("cases:referral_detail", args=[shelter_referral.pk]), {"command": "accept"})
    page = shelter.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    assert 'data-testid="admission-form"' in page.content.decode()
    shelter.post(reverse("shelters:admit", args=[case.pk]), {
        "facility": facility.pk, "category": "women", "admitted_on": dt.date.today().isoformat()})
    assert Admission.objects.filter(case=case, discharged_on__isnull=True).count() == 1
    board = shelter.get(reverse("shelters:bed_board"))
    assert 'data-testid="free-total">1 / 2<' in board.content.decode()
    shelter.post(reverse("cases:service", args=[case.pk]), {
        "service_type": "financial", "outcome": "planned"})
    assert Service.objects.get(case=case, service_type="financial").amount == 700

    # A worker of another NGO cannot open the case by URL; the refusal is audited.
    other = login_as("qht3")
    assert other.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="case.view", outcome="denied", object_id=str(case.pk),
                                     actor=cast["qht3"]).exists()
    assert CaseAccess.objects.filter(case=case).count() == 3


def test_api_case_lifecycle(cast, login_as):
    from korpu.accounts import actions as account_actions

    _token, secret = account_actions.api_token_create(user=cast["polis"], name="t", days=5)
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post("/api/v1/cases", {
        "person": {"given_name": "Rəşad", "family_name": "Quliyev", "age_at_identification": 30},
        "identification_channel": "police_operation", "exploitation": ["ForcedLabour"],
        "consent": {"data_processing": True, "share_ngo": True}}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "given_name" not in body["person"] and "Rəşad" not in response.content.decode()
    assert body["person"]["age_at_identification"] == 30
    identity = client.get(f"/api/v1/cases/{body['id']}/identity").json()
    assert (identity["given_name"], identity["family_name"]) == ("Rəşad", "Quliyev")
    assert AuditEvent.objects.filter(action="person.reveal", actor=cast["polis"]).count() == 1
    listing = client.get("/api/v1/cases").json()
    assert listing["count"] == 1 and listing["items"][0]["number"] == body["number"]
    bad = client.post(f"/api/v1/cases/{body['id']}/referrals", {
        "to_organisation_id": cast["intl"].pk, "reason": "Other"}, content_type="application/json")
    assert bad.status_code == 422
    assert not Referral.objects.exists()


def test_action_forms_are_fetched_when_opened(cast, login_as):
    """The case page renders no closed action form; each is fetched by its <details> (htmx)."""
    from tests.cases.conftest import register

    case = register(cast["qht1"], "Nərgiz", "Səfərova")
    ngo = login_as("qht1")
    page = ngo.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'name="to_organisation"' not in page
    form_url = reverse("cases:action_form", args=[case.pk, "referral"])
    assert f'data-holds="referral-form" hx-get="{form_url}" hx-trigger="toggle once"' in page

    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    fragment = ngo.get(form_url).content.decode()
    assert f'action="{reverse("cases:refer", args=[case.pk])}"' in fragment
    assert 'name="to_organisation"' in fragment and 'name="csrfmiddlewaretoken"' in fragment
    # A blank form holds no case data: fetching it is not a read of the case.
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()

    other = login_as("qht2")
    assert other.get(form_url).status_code == 404
    assert AuditEvent.objects.filter(seq__gt=seq, action="case.form", outcome="denied",
                                     actor=cast["qht2"]).count() == 1
    assert ngo.get(reverse("cases:action_form", args=[case.pk, "bogus"])).status_code == 404
