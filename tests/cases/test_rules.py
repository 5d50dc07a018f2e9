"""The rules of the referral mechanism: consent, the referral state machine and its e-mails, official
status, the state allowance, overdue decisions, the case list's filters and search, query counts,
attachments, encryption at rest and the criminal-justice records."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from korpu.cases import actions, choices
from korpu.cases.models import Attachment, CaseAccess, Consent, Note, Referral, Service, StatusDecision
from korpu.core import uploads
from korpu.core.models import AuditEvent
from korpu.justice import actions as justice_actions
from korpu.justice.models import Investigation, Prosecution
from korpu.shelters import actions as shelter_actions
from korpu.shelters.models import Admission
from tests.cases.conftest import FULL_CONSENT, INVESTIGATION_NUMBER, NAMES, recognised_case, register, tiny_png

NO_CONSENT_EN = ("The person has not consented to sharing with this kind of organisation. Record consent first, "
                 "or a police investigator may record the legal basis for sharing without it.")
POLICE_ONLY_EN = "Only a police investigator may refer without consent."


def denied(user: Any, action: str) -> bool:
    return AuditEvent.objects.filter(actor=user, action=action, outcome=AuditEvent.Outcome.DENIED).exists()


def messages_on(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def in_language(user: Any, text: str) -> str:
    with translation.override(user.language or "az"):
        return gettext(text)


# --- consent -------------------------------------------------------------------------------------
def test_referral_without_consent_is_refused(cast, login_as):
    qht1 = cast["qht1"]
    case = register(qht1, "Sevda", "Kərimova", consent={"data_processing": True, "share_ngo": True})
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.referral_create(by=qht1, case=case, to_organisation=cast["police"],
                                reason=choices.ReferralReason.IDENTIFICATION)
    assert refused.value.messages == [NO_CONSENT_EN]
    assert not Referral.objects.exists()
    assert denied(qht1, "referral.create")

    # Through the page the same refusal is shown in the worker's language, and nothing is sent.
    response = login_as("qht1").post(reverse("cases:refer", args=[case.pk]), {
        "to_organisation": cast["police"].pk, "reason": "StatusDecision", "urgency": "routine"}, follow=True)
    assert in_language(qht1, NO_CONSENT_EN) in messages_on(response)
    assert not Referral.objects.exists() and not mail.outbox

    # Consent to NGOs covers NGOs.
    actions.referral_create(by=qht1, case=case, to_organisation=cast["ngo2"], reason="AdditionalServicesRequired")
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("consent", [
    None,
    {"data_processing": False, "share_law_enforcement": True, "share_ngo": True},
    {"data_processing": True},
])
def test_no_valid_consent_no_referral(cast, consent):
    case = register(cast["qht1"], "Sevda", "Kərimova", consent=consent)
    with pytest.raises(ValidationError):
        actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["ngo2"], reason="Other")
    assert not Referral.objects.exists()


def test_police_override_of_consent_is_recorded(cast, django_capture_on_commit_callbacks):
    polis = cast["polis"]
    case = register(polis, "Sevda", "Kərimova", consent={"data_processing": True},
                    channel=choices.IdentificationChannel.POLICE_OPERATION)
    with django_capture_on_commit_callbacks(execute=True):
        referral = actions.referral_create(by=polis, case=case, to_organisation=cast["ngo1"], reason="Other",
                                           override_basis="  Criminal Procedure Code, art. 123  ")
    referral.refresh_from_db()
    assert referral.consent_override_basis == "Criminal Procedure Code, art. 123"
    event = AuditEvent.objects.get(action="referral.consent_override", actor=polis)
    assert event.outcome == AuditEvent.Outcome.OK and event.object_id == str(referral.pk)
    assert AuditEvent.objects.get(action="referral.create", actor=polis).details["override"] is True


def test_ngo_worker_cannot_override_consent(cast, login_as):
    qht1 = cast["qht1"]
    case = register(qht1, "Sevda", "Kərimova", consent={"data_processing": True})
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.referral_create(by=qht1, case=case, to_organisation=cast["police"], reason="StatusDecision",
                                override_basis="I think it is fine")
    assert refused.value.messages == [POLICE_ONLY_EN]
    assert denied(qht1, "referral.consent_override")
    assert not Referral.objects.exists()
    response = login_as("qht1").post(f"/api/v1/cases/{case.pk}/referrals", {
        "to_organisation_id": cast["police"].pk, "reason": "StatusDecision", "override_basis": "x"},
        content_type="application/json")
    assert response.status_code == 422
    assert not Referral.objects.exists()


def test_withdrawn_consent_stops_referrals(cast, login_as):
    qht1 = cast["qht1"]
    case = register(qht1, "Sevda", "Kərimova", consent=FULL_CONSENT)
    response = login_as("qht1").post(reverse("cases:consent_withdraw", args=[case.pk]))
    assert response.status_code == 302
    assert Consent.objects.get(case=case).withdrawn_on == timezone.localdate()
    with pytest.raises(ValidationError):
        actions.referral_create(by=qht1, case=case, to_organisation=cast["ngo2"], reason="Other")
    assert not Referral.objects.exists()
    with pytest.raises(ValidationError):  # nothing left to withdraw
        actions.consent_withdraw(by=qht1, case=case)
    # New consent (a new row: the history is kept) opens the way again.
    actions.consent_record(by=qht1, case=case, data_processing=True, share_ngo=True)
    assert Consent.objects.filter(case=case).count() == 2
    actions.referral_create(by=qht1, case=case, to_organisation=cast["ngo2"], reason="Other")


# --- the referral state machine ---------------------------------------------------------------------
@pytest.fixture
def pending(cast: dict[str, Any]) -> Referral:
    case = register(cast["qht1"], "Sevda", "Kərimova", consent=FULL_CONSENT)
    return actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["ngo2"], reason="Other",
                                   details="Sevda is afraid of her uncle.")


def test_decline_needs_a_reason(cast, pending, login_speaking):
    with pytest.raises(ValidationError):
        actions.referral_decline(by=cast["qht2"], referral=pending, reason="   ")
    response = login_speaking("qht2").post(reverse("cases:referral_detail", args=[pending.pk]),
                                           {"command": "decline"}, follow=True)
    assert in_language(cast["qht2"], "Give the reason for declining.") in messages_on(response)
    pending.refresh_from_db()
    assert pending.status == Referral.Status.PENDING
    actions.referral_decline(by=cast["qht2"], referral=pending, reason="No capacity this month.")
    pending.refresh_from_db()
    assert pending.status == Referral.Status.DECLINED and pending.decision_reason == "No capacity this month."
    assert not CaseAccess.objects.filter(referral=pending).exists()
    with pytest.raises(ValidationError):
        actions.referral_accept(by=cast["qht2"], referral=pending)


def test_accept_twice_is_refused(cast, pending, login_as):
    actions.referral_accept(by=cast["qht2"], referral=pending)
    with pytest.raises(ValidationError):
        actions.referral_accept(by=cast["siginacaq2"], referral=pending)
    with pytest.raises(ValidationError):
        actions.referral_decline(by=cast["qht2"], referral=pending, reason="Changed our mind.")
    response = login_as("qht2").post(f"/api/v1/referrals/{pending.pk}/accept", "{}",
                                     content_type="application/json")
    assert response.status_code == 422
    assert CaseAccess.objects.filter(referral=pending).count() == 1


def test_only_the_receiver_decides_and_only_the_sender_revokes(cast, pending):
    for outsider in ("qht3", "polis", "qht1", "koalisiya", "admin"):
        with pytest.raises(ValidationError):
            actions.referral_accept(by=cast[outsider], referral=pending)
        assert denied(cast[outsider], "referral.accept")
    with pytest.raises(ValidationError):
        actions.referral_revoke(by=cast["qht2"], referral=pending)
    assert denied(cast["qht2"], "referral.revoke")
    with pytest.raises(ValidationError):
        actions.referral_complete(by=cast["qht3"], referral=pending)
    pending.refresh_from_db()
    assert pending.status == Referral.Status.PENDING
    assert not CaseAccess.objects.filter(referral=pending).exists()


@pytest.mark.parametrize("end", ["revoke", "complete"])
def test_ending_a_referral_ends_access(cast, pending, end):
    actions.referral_accept(by=cast["siginacaq2"], referral=pending)
    case = pending.case
    actions.note_add(by=cast["qht2"], case=case, text="First visit done.")
    if end == "revoke":
        actions.referral_revoke(by=cast["qht1"], referral=pending)
    else:
        actions.referral_complete(by=cast["qht2"], referral=pending)
    pending.refresh_from_db()
    assert pending.status == {"revoke": "revoked", "complete": "completed"}[end] and pending.ended_at
    assert not CaseAccess.objects.filter(referral=pending).exists()
    with pytest.raises(ValidationError):
        actions.note_add(by=cast["qht2"], case=case, text="Too late.")
    assert Note.objects.filter(case=case).count() == 1
    for again in (actions.referral_revoke, actions.referral_complete):
        with pytest.raises(ValidationError):
            again(by=cast["qht1"], referral=pending)


def test_referral_emails_after_commit_in_each_language(cast, django_capture_on_commit_callbacks):
    """New referral → the receiver's victim-data staff; decision → the sender's; each in their language."""
    qht3 = cast["qht3"]
    qht3.language = "en"
    qht3.save(update_fields=["language"])
    case = register(cast["qht1"], "Sevda", "Kərimova", consent=FULL_CONSENT, phone="+994551234567")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        to_ngo2 = actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["ngo2"], reason="Other",
                                          urgency="urgent", details="Sevda Kərimova hides at her aunt's.")
        to_ngo3 = actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["ngo3"], reason="Other")
    assert not mail.outbox  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    by_user = {m.to[0].split("@")[0]: m for m in mail.outbox}
    assert set(by_user) == {"qht2", "siginacaq2", "qht3"}  # victim-data staff only; never koalisiya etc.
    template = "New referral: case %(number)s"
    for username in by_user:
        user = cast[username]
        with translation.override(user.language):
            assert by_user[username].subject == gettext(template) % {"number": case.number}, username
    subjects = {by_user[u].subject for u in by_user}
    assert len(subjects) == 3  # az, ru and en differ
    assert by_user["qht3"].subject == f"New referral: case {case.number}"
    assert f"/referrals/{to_ngo3.pk}/" in by_user["qht3"].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.referral_accept(by=cast["qht2"], referral=to_ngo2)
        actions.referral_decline(by=qht3, referral=to_ngo3, reason="Not our region.")
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(["qht1@example.org", "siginacaq1@example.org"] * 2)
    with translation.override("az"):
        expected = {gettext("Referral accepted: case %(number)s") % {"number": case.number},
                    gettext("Referral declined: case %(number)s") % {"number": case.number}}
    assert {m.subject for m in mail.outbox} == expected

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.referral_revoke(by=cast["qht1"], referral=to_ngo2)
    assert sorted(m.to[0] for m in mail.outbox) == ["qht2@example.org", "siginacaq2@example.org"]
    assert next(m for m in mail.outbox if m.to == ["qht2@example.org"]).subject.startswith("Направление")

    # No message, whatever its kind, names the person or repeats the referral's details.
    everything = [(m.subject, m.body) for m in mail.outbox]
    for text in (part for pair in everything for part in pair):
        for secret in ("Sevda", "Kərimova", "+994551234567", "aunt"):
            assert secret not in text


def test_a_rolled_back_referral_sends_nothing(cast, django_capture_on_commit_callbacks):
    case = register(cast["qht1"], "Sevda", "Kərimova", consent=FULL_CONSENT)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["ngo2"], reason="Other")
                raise RuntimeError("the caller fails after the action")
        except RuntimeError:
            pass
    assert not callbacks and not mail.outbox and not Referral.objects.exists()


# --- the official status ---------------------------------------------------------------------------
def test_only_police_decide_status(cast, world, login_as):
    case = world["case_c"]  # NGO 3's
    for username in ("qht3", "qht1", "siginacaq1", "qht2"):
        with pytest.raises(ValidationError):
            actions.status_decision_record(by=cast[username], case=case, decision="recognised",
                                           decided_on=timezone.localdate(), basis="We think so.")
        assert denied(cast[username], "case.status_decision")
    # The police may not decide on a case they were never referred.
    with pytest.raises(ValidationError):
        actions.status_decision_record(by=cast["polis"], case=case, decision="recognised",
                                       decided_on=timezone.localdate(), basis="x")
    before = StatusDecision.objects.count()
    response = login_as("qht2").post(reverse("cases:decision", args=[world["case_a"].pk]), {
        "decision": "not_victim", "decided_on": timezone.localdate().isoformat(), "basis": "x"})
    assert response.status_code == 302
    response = login_as("qht1").post(f"/api/v1/cases/{world['case_a'].pk}/status-decision", {
        "decision": "not_victim", "decided_on": timezone.localdate().isoformat(), "basis": "x"},
        content_type="application/json")
    assert response.status_code == 422
    assert StatusDecision.objects.count() == before
    world["case_a"].refresh_from_db()
    assert world["case_a"].trafficking_status == choices.TraffickingStatus.ACTUAL


def test_status_decision_date_cannot_be_in_the_future(cast, world):
    case = world["case_b"]
    with pytest.raises(ValidationError):
        actions.status_decision_record(by=cast["polis"], case=case, decision="recognised",
                                       decided_on=timezone.localdate() + dt.timedelta(days=1), basis="x")
    with pytest.raises(ValidationError):
        actions.status_decision_record(by=cast["polis"], case=case, decision="recognised",
                                       decided_on=timezone.localdate(), basis="  ")
    case.refresh_from_db()
    assert case.trafficking_status == choices.TraffickingStatus.POSSIBLE
    actions.status_decision_record(by=cast["polis2"], case=case, decision="not_victim",
                                   decided_on=timezone.localdate(), basis="No indicators.")
    case.refresh_from_db()
    assert case.trafficking_status == choices.TraffickingStatus.NOT_VICTIM
    assert case.status_decided_by == choices.DecisionOrg.POLICE


# --- the one-time state allowance ------------------------------------------------------------------
def test_allowance_only_for_recognised_victims(cast, world):
    for key in ("case_b", "case_c"):
        owner = {"case_b": "polis", "case_c": "qht3"}[key]
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            actions.service_record(by=cast[owner], case=world[key], service_type="financial")
        assert refused.value.messages == [
            "The one-time state allowance is available only to officially recognised victims."]
    actions.status_decision_record(by=cast["polis"], case=world["case_b"], decision="not_victim",
                                   decided_on=timezone.localdate(), basis="No indicators.")
    world["case_b"].refresh_from_db()
    with pytest.raises(ValidationError):
        actions.service_record(by=cast["polis"], case=world["case_b"], service_type="financial")
    assert not Service.objects.filter(service_type="financial").exists()


def test_allowance_default_amount_and_only_once(cast, settings):
    assert settings.STATE_ALLOWANCE_AZN == 700
    case = recognised_case(cast)
    service = actions.service_record(by=cast["qht1"], case=case, service_type="financial")
    assert service.amount == Decimal("700")
    with pytest.raises(ValidationError):
        actions.service_record(by=cast["polis"], case=case, service_type="financial")
    # The database holds the line too, whoever bypasses the action.
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(case=case, data_key=case.data_key, service_type="financial", provider=cast["ngo1"],
                               amount=Decimal("700"), recorded_by=cast["qht1"])
    assert Service.objects.filter(case=case, service_type="financial").count() == 1


def test_allowance_amount_follows_settings(cast, settings, login_as):
    settings.STATE_ALLOWANCE_AZN = 850
    case = recognised_case(cast)
    response = login_as("qht1").post(reverse("cases:service", args=[case.pk]), {
        "service_type": "financial", "outcome": "planned"})
    assert response.status_code == 302
    assert Service.objects.get(case=case, service_type="financial").amount == Decimal("850")


# --- overdue status decisions -----------------------------------------------------------------------
def _decisions_due(html: str) -> str:
    found = re.search(r'<ul class="plain" data-testid="decisions-due">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


@pytest.mark.parametrize(("hours", "overdue"), [(25, True), (23, False)])
def test_overdue_referral_on_police_home(cast, login_as, hours, overdue):
    case = register(cast["qht1"], "Sevda", "Kərimova", consent=FULL_CONSENT)
    referral = actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["police"],
                                       reason="StatusDecision")
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))
    for path in ("/", reverse("cases:tasks")):
        section = _decisions_due(login_as("polis").get(path).content.decode())
        item = next(li for li in re.findall(r"<li[^>]*>.*?</li>", section, re.S) if case.number in li)
        word = in_language(cast["polis"], "overdue")
        assert ('class="overdue"' in item and word in item) is overdue, (path, item)
        assert ('class="overdue"' in item or word in item) is overdue, (path, item)
    # NGO staff have no decisions to make.
    assert not _decisions_due(login_as("qht1").get("/").content.decode())


def test_decided_referral_is_no_longer_due(cast, login_as):
    case = register(cast["qht1"], "Sevda", "Kərimova", consent=FULL_CONSENT)
    referral = actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["police"],
                                       reason="StatusDecision")
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - dt.timedelta(hours=30))
    assert case.number in _decisions_due(login_as("polis").get("/").content.decode())
    actions.referral_accept(by=cast["polis"], referral=referral)
    actions.status_decision_record(by=cast["polis"], case=case, decision="recognised",
                                   decided_on=timezone.localdate(), basis="Indicators.")
    assert case.number not in _decisions_due(login_as("polis").get("/").content.decode())


# --- the case list: filters and search --------------------------------------------------------------
@pytest.fixture
def caseload(cast: dict[str, Any]) -> dict[str, Any]:
    """Cases NGO 1 can see, each differing from the others in one filterable way."""
    today = timezone.localdate()
    qht1 = cast["qht1"]
    cases = {
        "woman": register(qht1, "Aygün", "Məmmədova", age=29, identified_on=today - dt.timedelta(days=40)),
        "man": register(qht1, "Elvin", "Həsənov", gender=choices.Gender.MASCULINE, age=41,
                        exploitation=(choices.Exploitation.FORCED_LABOUR,),
                        identified_on=today - dt.timedelta(days=20)),
        "child": register(qht1, "Nərgiz", "Abbasova", age=15, identified_on=today - dt.timedelta(days=10),
                          exploitation=(choices.Exploitation.FORCED_BEGGING,)),
        "young": register(qht1, "Lalə", "Rüstəmova", age=19, identified_on=today - dt.timedelta(days=5)),
        "older": register(qht1, "Zülfiyyə", "Orucova", age=55, identified_on=today - dt.timedelta(days=2),
                          exploitation=(choices.Exploitation.FORCED_LABOUR, choices.Exploitation.SERVITUDE)),
    }
    cases["recognised"] = recognised_case(cast, "Gülnarə", "Əhmədova", age=33,
                                          identified_on=today - dt.timedelta(days=1))
    actions.case_close(by=qht1, case=cases["older"], status=choices.CaseStatus.CLOSED, reason="Back home.")
    # A police case referred to NGO 1 (owner: police) and an NGO 3 case NGO 1 never sees.
    police_case = register(cast["polis"], "Ramil", "Qasımov", gender=choices.Gender.MASCULINE, age=37,
                           consent=FULL_CONSENT, identified_on=today - dt.timedelta(days=60),
                           channel=choices.IdentificationChannel.POLICE_OPERATION,
                           exploitation=(choices.Exploitation.FORCED_LABOUR,))
    referral = actions.referral_create(by=cast["polis"], case=police_case, to_organisation=cast["ngo1"],
                                       reason="AdditionalServicesRequired")
    actions.referral_accept(by=qht1, referral=referral)
    cases["police"] = police_case
    register(cast["qht3"], "Gülnarə", "Əhmədova", age=33)  # same name, other organisation: never listed
    return cases


def _listed(client: Any, params: dict[str, Any], cases: dict[str, Any]) -> tuple[set[str], set[str]]:
    html = client.get(reverse("cases:list"), params).content.decode()
    rows = re.search(r'data-testid="case-table">(.*?)</table>', html, re.S).group(1)
    from_html = {key for key, case in cases.items() if case.number in rows}
    api = client.get("/api/v1/cases", {**params, "limit": 100}).json()
    by_number = {case.number: key for key, case in cases.items()}
    from_api = {by_number.get(item["number"], item["number"]) for item in api["items"]}
    return from_html, from_api


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {"woman", "man", "child", "young", "older", "recognised", "police"}),
    ({"status": "Closed"}, {"older"}),
    ({"status": "Active"}, {"woman", "man", "child", "young", "recognised", "police"}),
    ({"trafficking_status": "ActualVictimOfTrafficking"}, {"recognised"}),
    ({"exploitation": "ForcedLabour"}, {"man", "older", "police"}),
    ({"exploitation": "Servitude"}, {"older"}),
    ({"gender": "Masculine"}, {"man", "police"}),
    ({"age_group": "child"}, {"child"}),
    ({"age_group": "18-24"}, {"young"}),
    ({"age_group": "25-34"}, {"woman", "recognised"}),
    ({"age_group": "35-49"}, {"man", "police"}),
    ({"age_group": "50+"}, {"older"}),
    ({"organisation": "police"}, {"police"}),
    ({"organisation": "ngo3"}, set()),
    ({"identified_from": 21}, {"man", "child", "young", "older", "recognised"}),
    ({"identified_to": 20}, {"woman", "man", "police"}),
    ({"identified_from": 12, "identified_to": 3}, {"child", "young"}),
    ({"gender": "Feminine", "exploitation": "SexualExploitation", "age_group": "18-24"}, {"young"}),
])
def test_case_list_filters(cast, caseload, login_as, params, expected):
    today = timezone.localdate()
    resolved = {}
    for key, value in params.items():
        if key == "organisation":
            value = cast[value].pk
        elif key.startswith("identified_"):
            value = (today - dt.timedelta(days=value)).isoformat()
        resolved[key] = value
    from_html, from_api = _listed(login_as("qht1"), resolved, caseload)
    assert from_html == expected
    assert from_api == expected


def test_search_by_number_and_exact_name(cast, caseload, login_as):
    client = login_as("qht1")
    target = caseload["recognised"]
    for term in (target.number, target.number.lower(), "Gülnarə Əhmədova", "ƏHMƏDOVA", "əhmədova",
                 "Ehmedova", "  Gülnarə   Əhmədova "):
        assert _listed(client, {"q": term}, caseload) == ({"recognised"}, {"recognised"}), term
    for term in ("Əhməd", "Əhmədov", "Gülnar", "Gülnarə", target.number[:-2], "Əhmədova Gülnarə X"):
        assert _listed(client, {"q": term}, caseload) == (set(), set()), term
    # The searched name is personal data: the audit trail says a search happened, not what was searched.
    for event in AuditEvent.objects.filter(action="case.list", actor=cast["qht1"]):
        assert "Əhmədova" not in str(event.details) and "ƏHMƏDOVA" not in str(event.details)
    assert AuditEvent.objects.filter(action="case.list", details__searched="yes").exists()


# --- query counts -------------------------------------------------------------------------------------
def _count(client: Any, url: str) -> int:
    client.get(url)  # warm caches (session, translations, key cache) outside the measurement
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_case_list_query_count(cast, caseload, login_as, django_assert_max_num_queries):
    client = login_as("qht1")
    url = reverse("cases:list")
    client.get(url)
    # Session, user, device, memberships, count, rows, exploitations, the audit event, the filter form's
    # organisations, the session save: about 16 whatever the number of rows.
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    few = _count(client, url + "?gender=Masculine")  # 2 rows
    many = _count(client, url)  # 7 rows
    assert few == many, "the list page costs a query per row"


def test_case_detail_query_count_does_not_grow(cast, login_as, django_assert_max_num_queries):
    one = recognised_case(cast, "Aysel", "Rzayeva")
    ten = recognised_case(cast, "Könül", "Məlikova")
    for case, n in ((one, 1), (ten, 10)):
        for i in range(n):
            actions.service_record(by=cast["qht1"], case=case, service_type="medical", notes=f"visit {i}")
            actions.note_add(by=cast["qht1"], case=case, text=f"Note {i}")
            actions.follow_up_schedule(by=cast["qht1"], case=case, due_on=timezone.localdate(), notes=f"{i}")
            actions.attachment_add(by=cast["qht1"], case=case, filename=f"scan{i}.png",
                                       data=tiny_png(str(i).encode()))
    for username in ("qht1", "polis"):
        client = login_as(username)
        url_one, url_ten = (reverse("cases:detail", args=[c.pk]) for c in (one, ten))
        client.get(url_one)
        with django_assert_max_num_queries(30):  # 27-28 today
            assert client.get(url_one).status_code == 200
        assert _count(client, url_one) == _count(client, url_ten), username


def test_parts_a_case_lacks_cost_no_query(cast, login_as):
    """One probe says which parts exist; the page then reads only those (and shows the empty ones empty)."""
    from korpu.cases import queries

    bare = recognised_case(cast, "Aysel", "Rzayeva")
    full = recognised_case(cast, "Könül", "Məlikova")
    actions.service_record(by=cast["qht1"], case=full, service_type="medical", notes="visit")
    actions.note_add(by=cast["qht1"], case=full, text="Həkim qəbulu 1")
    actions.follow_up_schedule(by=cast["qht1"], case=full, due_on=timezone.localdate(), notes="")
    assert queries.parts_present(full) - queries.parts_present(bare) == {"services", "notes", "follow_ups"}
    client = login_as("qht1")
    url_bare, url_full = (reverse("cases:detail", args=[c.pk]) for c in (bare, full))
    client.get(url_bare)
    assert _count(client, url_bare) == _count(client, url_full) - 3
    page = client.get(url_bare).content.decode()
    assert 'data-testid="services"' in page and "Həkim qəbulu 1" not in page

    # Linked through the join table: the probe sees the investigation and the police page lists it.
    from korpu.justice import actions as justice_actions

    assert "investigations" not in queries.parts_present(full)
    investigation = justice_actions.investigation_open(by=cast["polis"], number="144-77/2026", article="144-1",
                                                       opened_on=timezone.localdate(), victims=[full])
    assert "investigations" in queries.parts_present(full)
    assert "144-77/2026" in login_as("polis").get(url_full).content.decode()
    assert investigation.victims.get() == full


# --- attachments ------------------------------------------------------------------------------------
def _upload(client: Any, case: Any, name: str, data: bytes) -> Any:
    return client.post(reverse("cases:attachment", args=[case.pk]),
                       {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
                       follow=True)


def test_attachment_types_and_sizes(cast, world, login_as, settings):
    client, case = login_as("qht1"), world["case_a"]
    user = cast["qht1"]
    start = Attachment.objects.count()
    response = _upload(client, case, "photo.png", tiny_png(b"ok"))
    assert Attachment.objects.count() == start + 1
    assert Attachment.objects.order_by("-id").first().content_type == "image/png"

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = _upload(client, case, "photo.png", pdf)
    assert in_language(user, "The file's content does not match its name.") in messages_on(response)
    response = _upload(client, case, "setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)
    assert in_language(user, "This type of file is not accepted. Upload PDF, JPEG, PNG, WebP, DOCX or XLSX.") \
        in messages_on(response)
    with pytest.raises(ValidationError):
        actions.attachment_add(by=user, case=case, filename="empty.png", data=b"")
    settings.ATTACHMENT_MAX_BYTES = 64
    big = tiny_png(b"x" * 200)
    assert len(big) > 64
    with pytest.raises(ValidationError):
        actions.attachment_add(by=user, case=case, filename="big.png", data=big)
    _upload(client, case, "big.png", big)
    assert Attachment.objects.count() == start + 1


def test_attachment_name_is_sanitised(cast, world):
    assert uploads.sanitise_filename("../../etc/passwd") == "passwd"
    assert uploads.sanitise_filename("..\\..\\windows\\system.ini") == "system.ini"
    assert uploads.sanitise_filename("") == "file"
    attachment = actions.attachment_add(by=cast["qht1"], case=world["case_a"], filename="../../etc/passwd.png",
                                            data=tiny_png(b"path"))
    assert attachment.filename == "passwd.png"
    assert re.fullmatch(r"attachments/[0-9a-f]{32}\.bin", attachment.storage_name)
    assert "passwd" not in attachment.storage_name


def test_attachment_encrypted_at_rest_and_download_audited(cast, world, login_as):
    secret = b"Sevda Kerimova, passport AZE1234567"
    data = tiny_png(secret)
    attachment = actions.attachment_add(by=cast["qht1"], case=world["case_a"], filename="passport.png", data=data)
    with default_storage.open(attachment.storage_name, "rb") as handle:
        stored = handle.read()
    assert secret not in stored and b"PNG" not in stored and data not in stored
    with connection.cursor() as cursor:
        cursor.execute("SELECT filename FROM cases_attachment WHERE id = %s", [attachment.pk])
        assert "passport" not in cursor.fetchone()[0]

    # NGO 2 runs a shelter: its referral shares identity, admission and services, not the notes and files.
    seq = AuditEvent.objects.order_by("-seq").first().seq
    url = reverse("cases:attachment_download", args=[world["case_a"].pk, attachment.pk])
    assert login_as("qht2").get(url).status_code == 404
    assert AuditEvent.objects.filter(seq__gt=seq, action="attachment.download", actor=cast["qht2"],
                                     outcome="denied").exists()
    for username in ("qht1", "polis"):
        seq = AuditEvent.objects.order_by("-seq").first().seq
        response = login_as(username).get(reverse("cases:attachment_download",
                                                  args=[world["case_a"].pk, attachment.pk]))
        assert response.status_code == 200
        assert response.content == data
        assert response["Content-Type"] == "image/png"
        assert "passport.png" in response["Content-Disposition"]
        assert response["Content-Disposition"].startswith("attachment")
        assert AuditEvent.objects.filter(seq__gt=seq, action="attachment.download", actor=cast[username],
                                         object_id=str(attachment.pk), outcome="ok").exists()


# --- encryption at rest -------------------------------------------------------------------------------
def test_personal_identifiers_not_stored_in_clear(cast):
    case = register(cast["qht1"], "Səadət", "Nəzərli", patronymic="Vaqif qızı", phone="+994509876543",
                    document_number="AZE7654321", address="Sumqayıt, 5-ci mikrorayon",
                    birth_date=dt.date(1995, 3, 14), consent=FULL_CONSENT)
    actions.note_add(by=cast["qht1"], case=case, text="Səadət stays with her sister in Sumqayıt.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_person WHERE id = %s", [case.person_id])
        person_row = " ".join(str(v) for v in cursor.fetchone())
        cursor.execute("SELECT * FROM cases_note WHERE case_id = %s", [case.pk])
        note_row = " ".join(str(v) for v in cursor.fetchone())
    for clear in ("Səadət", "Nəzərli", "Vaqif", "+994509876543", "AZE7654321", "Sumqayıt", "1995-03-14",
                  "Saadet", "Nezerli"):
        assert clear not in person_row, clear
    assert "Səadət" not in note_row and "Sumqayıt" not in note_row
    # …yet an allowed reader gets it back.
    case.person.refresh_from_db()
    assert case.person.given_name == "Səadət" and case.person.birth_date == dt.date(1995, 3, 14)


# --- criminal justice ----------------------------------------------------------------------------------
def test_only_police_record_investigations(cast, world, login_as):
    today = timezone.localdate()
    for username in ("qht1", "siginacaq2", "analitik", "admin"):
        with pytest.raises(ValidationError):
            justice_actions.investigation_open(by=cast[username], number=f"X-{username}", article="144-1",
                                               opened_on=today)
        assert denied(cast[username], "investigation.create")
    response = login_as("qht1").post(reverse("justice:list"), {
        "number": "X-2", "article": "144-1", "opened_on": today.isoformat(), "suspects": "1"})
    assert response.status_code == 404
    response = login_as("qht1").post("/api/v1/investigations", {
        "number": "X-3", "article": "144-1", "opened_on": today.isoformat()}, content_type="application/json")
    assert response.status_code in (404, 422)
    with pytest.raises(ValidationError):
        justice_actions.prosecution_add(by=cast["qht1"], investigation=world["investigation"], filed_on=today,
                                        court="Court")
    # The police may not link a victim whose case they cannot see.
    with pytest.raises(ValidationError):
        justice_actions.investigation_link_victim(by=cast["polis"], investigation=world["investigation"],
                                                  case=world["case_c"])
    assert Investigation.objects.count() == 1 and Prosecution.objects.count() == 1
    assert list(world["investigation"].victims.all()) == [world["case_a"]]
    # A future opening date and a duplicate number are refused even for the police.
    with pytest.raises(ValidationError):
        justice_actions.investigation_open(by=cast["polis"], number="X-9", article="144-1",
                                           opened_on=today + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        justice_actions.investigation_open(by=cast["polis2"], number=INVESTIGATION_NUMBER, article="144-1",
                                           opened_on=today)


def test_analysts_get_figures_not_records(cast, world, login_as):
    analyst = login_as("analitik")
    page = analyst.get(reverse("justice:figures"))
    assert page.status_code == 200
    html = page.content.decode()
    assert INVESTIGATION_NUMBER not in html and world["case_a"].number not in html
    figures = analyst.get("/api/v1/justice/figures").json()
    # Small counts reach analysts through disclosure control (ADR 0018); the police see them exact.
    assert figures["investigations"] == "<5" and figures["prosecutions"] == "<5"
    assert figures["defendants_prosecuted"] == "<5" and figures["exact"] is False
    exact = login_as("polis").get("/api/v1/justice/figures").json()
    assert exact["investigations"] == 1 and exact["investigations_144_1"] == 1
    assert exact["prosecutions"] == 1 and exact["defendants_prosecuted"] == 2
    assert INVESTIGATION_NUMBER not in str(figures)
    investigation = world["investigation"]
    assert analyst.get(reverse("justice:detail", args=[investigation.pk])).status_code == 404
    assert analyst.get(f"/api/v1/investigations/{investigation.pk}").status_code == 404
    assert analyst.get(reverse("justice:list")).status_code == 302
    assert AuditEvent.objects.filter(actor=cast["analitik"], action="investigation.view", outcome="denied").count() == 2
    # NGO staff get neither.
    ngo = login_as("qht1")
    assert ngo.get(reverse("justice:figures")).status_code == 404
    assert ngo.get("/api/v1/justice/figures").status_code == 404
    # The whole police body sees the investigation.
    assert login_as("polis2").get(f"/api/v1/investigations/{investigation.pk}").json()["victim_case_ids"] == [
        world["case_a"].pk]


# --- shelters: visible is not the same as allowed --------------------------------------------------
def test_admission_needs_the_facility_manager(cast, world):
    case = recognised_case(cast)  # owned by NGO 1: visible to siginacaq1 and qht1
    for username, facility in (("siginacaq1", "facility_ngo2"), ("qht1", "facility_ngo1"),
                               ("siginacaq2", "facility_ngo2")):
        with pytest.raises(ValidationError):
            shelter_actions.admission_create(by=cast[username], case=case, facility=world[facility],
                                             category="women")
        assert denied(cast[username], "admission.create")
    assert not Admission.objects.filter(case=case).exists()


def test_world_names_are_distinct():
    words = [w for pair in NAMES.values() for w in pair]
    assert len(words) == len(set(words))
