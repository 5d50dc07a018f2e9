"""The case world shared by the access, rules and race tests, built only through the real actions.

``world`` holds three cases seen from different organisations:

* case A — owned by NGO 1 (registered by qht1, full consent); referred to the police and accepted by
  polis, who recognised the person as a victim; referred to NGO 2 (a shelter: identity, admission and
  services are shared, not the notes) and accepted by siginacaq2, who admitted the person to NGO 2's
  shelter. It has a service, a follow-up, a note, an attachment (a tiny PNG), a support plan, a grant
  of its services to the international partner (no one of the cast works there), and is linked to an
  investigation opened by polis.
* case B — owned by the police (registered by polis) with a pending referral to NGO 3.
* case C — owned by NGO 3 (registered by qht3), never referred.

Each case has a distinctive person name so a test can look for it in any response, and a photo.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from korpu.cases import actions, choices
from korpu.cases.models import Attachment, Person
from korpu.core.access import SYSTEM
from korpu.justice import actions as justice_actions
from korpu.shelters import actions as shelter_actions
from korpu.shelters.models import BedCategory

FULL_CONSENT = {
    "data_processing": True, "share_law_enforcement": True, "share_ngo": True, "share_government": True,
    "share_international": True, "contact_by_law_enforcement": True,
}

# Each world person's name; no two share a word, so a name in a response points at exactly one case.
NAMES = {
    "A": ("Gülnarə", "Əhmədova"),
    "B": ("Tərlan", "Səfərzadə"),
    "C": ("Nigarxanım", "Bağırlı"),
}
INVESTIGATION_NUMBER = "CR-144-2025-0077"
NOTE_TEXT = "Met at the bus station; afraid of the recruiter and his cousin."
ATTACHMENT_NAME = "medical-report.png"


def tiny_png(payload: bytes = b"") -> bytes:
    """A valid 1×1 grey PNG; ``payload`` goes into a tEXt chunk (to make distinct files)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    text = chunk(b"tEXt", b"Comment\x00" + payload) if payload else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + text
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


def register(by: Any, given: str, family: str, *, gender: str = choices.Gender.FEMININE, age: int | None = 24,
             consent: dict[str, bool] | None = None, exploitation: tuple[str, ...] = (choices.Exploitation.SEXUAL,),
             identified_on: dt.date | None = None,
             channel: str = choices.IdentificationChannel.NGO_OUTREACH, case_fields: dict[str, Any] | None = None,
             **person: Any) -> Any:
    """Register a case through the action; ``case_fields`` adds to (or replaces) the case's fields."""
    if age is not None and age < 18:
        case_fields = {"guardian_name": "Səbinə Quliyeva", **(case_fields or {})}
    return actions.case_register(
        by=by,
        person={"given_name": given, "family_name": family, "gender": gender, "age_at_identification": age,
                "citizenships": ["AZ"], **person},
        case={"identification_channel": channel,
              "identified_on": identified_on or timezone.localdate() - dt.timedelta(days=3),
              "country_of_origin": "AZ", "exploitation_countries": ["TR"], **(case_fields or {})},
        exploitation=list(exploitation),
        consent=consent,
    )


def recognised_case(cast: dict[str, Any], given: str = "Aysel", family: str = "Rzayeva", **kwargs: Any) -> Any:
    """A case registered by qht1 with full consent, referred to the police, accepted and recognised."""
    case = register(cast["qht1"], given, family, consent=FULL_CONSENT, **kwargs)
    referral = actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["police"],
                                       reason=choices.ReferralReason.IDENTIFICATION)
    actions.referral_accept(by=cast["polis"], referral=referral)
    actions.status_decision_record(by=cast["polis"], case=case, decision="recognised",
                                   decided_on=timezone.localdate(), basis="Indicators met.")
    case.refresh_from_db()
    return case


@pytest.fixture
def login_speaking(login_as: Callable[[str], Client], cast: dict[str, Any]) -> Callable[[str], Client]:
    """Like ``login_as``, with the language cookie a real login sets from the user's profile."""

    def make(username: str) -> Client:
        client = login_as(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cast[username].language
        return client

    return make


@pytest.fixture
def world(cast: dict[str, Any]) -> Iterator[dict[str, Any]]:
    today = timezone.localdate()
    qht1, polis, siginacaq2, qht3 = cast["qht1"], cast["polis"], cast["siginacaq2"], cast["qht3"]

    facility_ngo1 = shelter_actions.facility_create(
        by=SYSTEM, operator=cast["ngo1"], name="Ümid Evi", region="Bakı", address="secret street 1",
        capacities={BedCategory.WOMEN: 2})
    facility_ngo2 = shelter_actions.facility_create(
        by=SYSTEM, operator=cast["ngo2"], name="Həyat Evi", region="Gəncə", address="secret street 2",
        capacities={BedCategory.WOMEN: 3, BedCategory.MEN: 1})

    # Case A: NGO 1 → police (recognised) → NGO 2's shelter.
    case_a = register(qht1, *NAMES["A"], consent=FULL_CONSENT, phone="+994501112233")
    referral_a_police = actions.referral_create(by=qht1, case=case_a, to_organisation=cast["police"],
                                                reason=choices.ReferralReason.IDENTIFICATION, services=["legal"],
                                                urgency="urgent", details="Hotline call.")
    referral_a_police = actions.referral_accept(by=polis, referral=referral_a_police)
    decision_a = actions.status_decision_record(by=polis, case=case_a, decision="recognised", decided_on=today,
                                                basis="Indicators of sexual exploitation confirmed.")
    case_a.refresh_from_db()
    referral_a_ngo2 = actions.referral_create(by=qht1, case=case_a, to_organisation=cast["ngo2"],
                                              reason=choices.ReferralReason.ADDITIONAL_SERVICES,
                                              services=["accommodation"], urgency="urgent")
    referral_a_ngo2 = actions.referral_accept(by=siginacaq2, referral=referral_a_ngo2)
    admission_a = shelter_actions.admission_create(by=siginacaq2, case=case_a, facility=facility_ngo2,
                                                   category=BedCategory.WOMEN, admitted_on=today)
    service_a = actions.service_record(by=qht1, case=case_a, service_type=choices.ServiceType.PSYCHOLOGICAL,
                                       planned_on=today + dt.timedelta(days=2), notes="Weekly sessions.")
    follow_up_a = actions.follow_up_schedule(by=qht1, case=case_a, due_on=today + dt.timedelta(days=30),
                                             notes="Call in a month.")
    note_a = actions.note_add(by=qht1, case=case_a, text=NOTE_TEXT)
    attachment_a = actions.attachment_add(by=qht1, case=case_a, filename=ATTACHMENT_NAME,
                                              data=tiny_png(b"world attachment"))
    investigation = justice_actions.investigation_open(by=polis, number=INVESTIGATION_NUMBER, article="144-1",
                                                       opened_on=today, suspects=2, victims=[case_a])
    prosecution = justice_actions.prosecution_add(by=polis, investigation=investigation, filed_on=today,
                                                  court="Bakı Ağır Cinayətlər Məhkəməsi", defendants=2)

    # Case B: the police's own, with a referral to NGO 3 still pending.
    case_b = register(polis, *NAMES["B"], gender=choices.Gender.MASCULINE, age=31, consent=FULL_CONSENT,
                      exploitation=(choices.Exploitation.FORCED_LABOUR,),
                      channel=choices.IdentificationChannel.POLICE_OPERATION)
    referral_b_ngo3 = actions.referral_create(by=polis, case=case_b, to_organisation=cast["ngo3"],
                                              reason=choices.ReferralReason.ADDITIONAL_SERVICES,
                                              services=["legal"])

    # Case C: NGO 3's own, never referred.
    case_c = register(qht3, *NAMES["C"], age=19, consent=FULL_CONSENT)

    # Case A also has a support plan and a grant (to the international partner, where no one of the cast
    # works, so no one's view changes); every case has a photo of the person.
    support_plan_a = actions.support_plan_create(by=qht1, case=case_a, plan_type=choices.SupportPlanType.HEALTH,
                                                 objectives="Recover; see a doctor weekly.",
                                                 planned_end=today + dt.timedelta(days=90))
    grant_a = actions.grant_create(by=qht1, case=case_a, organisation=cast["intl"], reason="Return home.", days=30,
                                   sections=["services"])
    for owner, case in ((qht1, case_a), (polis, case_b), (qht3, case_c)):
        actions.person_photo_set(by=owner, case=case, filename="face.png", data=tiny_png(case.number.encode()))

    objects = {
        "cast": cast,
        "case_a": case_a, "case_b": case_b, "case_c": case_c,
        "referral_a_police": referral_a_police, "referral_a_ngo2": referral_a_ngo2,
        "referral_b_ngo3": referral_b_ngo3,
        "decision_a": decision_a,
        "facility_ngo1": facility_ngo1, "facility_ngo2": facility_ngo2,
        "admission_a": admission_a,
        "service_a": service_a, "follow_up_a": follow_up_a, "note_a": note_a, "attachment_a": attachment_a,
        "support_plan_a": support_plan_a, "grant_a": grant_a,
        "investigation": investigation, "prosecution": prosecution,
    }
    yield objects
    stored_files = [*Attachment.objects.values_list("storage_name", flat=True),
                    *Person.objects.exclude(photo_storage_name="").values_list("photo_storage_name", flat=True)]
    for stored in stored_files:
        if default_storage.exists(stored):
            default_storage.delete(stored)
