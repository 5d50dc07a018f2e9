"""The referral mechanism in a real Chromium: outreach → police decision → shelter admission → no access.

Names are shown only on request ("Show identity"); the shelter is sent identity, admission and
services, not the notes; the planned allowance is marked delivered from its row.

The same story as ``tests/cases/test_referral_flow.py``, but every step is clicked and typed in the
pages by the four people who do it, each in their own interface language (the NGO outreach worker
uses Russian, the others Azerbaijani). Only the shelter facility is set up directly, before the story.
Screenshots of the case page and the bed board are always saved into ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from korpu.cases.models import Case, CaseAccess, Referral, Service
from korpu.core.models import AuditEvent
from korpu.shelters.models import Admission
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GIVEN, FAMILY = "Gülnarə", "Əhmədova"
FACILITY = "Ümid Evi"


def t(user: Any, message: str) -> str:
    """``message`` as the page shows it to ``user`` (their profile language decides the interface)."""
    with translation.override(user.language):
        return translation.gettext(message)


def path_of(page: Any) -> str:
    return urlparse(page.url).path


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def click_and_load(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def nav(page: Any, user: Any, label: str) -> None:
    click_and_load(page, page.locator("nav.mainnav").get_by_role("link", name=t(user, label), exact=True))


def log_out(page: Any) -> None:
    click_and_load(page, page.locator("header form[action$='/logout/'] button"))
    assert path_of(page) == "/account/login/"


def open_details(page: Any, form_testid: str) -> Any:
    """Open the <details> that holds the form (its form is fetched when it opens) and return the form."""
    details = page.locator(f'details[data-holds="{form_testid}"]')
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form = details.get_by_test_id(form_testid)
    expect(form).to_be_visible()
    return form


def expect_message(page: Any, user: Any, message: str) -> None:
    expect(page.locator("ul.messages li.success")).to_have_text(t(user, message))


def refer(page: Any, user: Any, *, to: str, reason: str, urgency: str, services: tuple[str, ...] = ()) -> None:
    form = open_details(page, "referral-form")
    form.locator("select[name=to_organisation]").select_option(label=to)
    form.locator("select[name=reason]").select_option(label=t(user, reason))
    for service in services:
        form.get_by_label(t(user, service), exact=True).check()
    form.locator("select[name=urgency]").select_option(label=t(user, urgency))
    click_and_load(page, form.get_by_role("button", name=t(user, "Send the referral")))
    expect_message(page, user, "The referral is sent.")


def accept_referral(page: Any, user: Any, number: str) -> None:
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.get_by_test_id("referral-status")).to_have_text(t(user, "Pending"))
    click_and_load(page, page.get_by_test_id("accept"))
    expect(page.get_by_test_id("referral-status")).to_have_text(t(user, "Accepted"))
    click_and_load(page, page.get_by_role("link", name=t(user, "Open the case")))
    assert re.fullmatch(r"/cases/\d+/", path_of(page)), page.url


def show_identity(page: Any, name: str) -> None:
    """Names are shown on request: click "Show identity" and wait for the fragment (htmx)."""
    expect(page.get_by_test_id("person-name")).to_have_count(0)
    page.get_by_test_id("show-identity").click()
    expect(page.get_by_test_id("person-name")).to_have_text(name)


def free_beds(page: Any) -> str:
    return page.get_by_test_id("free-total").inner_text().strip()


def test_referral_from_outreach_to_shelter(live_server, page, cast, console, log_in):
    from korpu.core.access import SYSTEM
    from korpu.shelters.actions import facility_create

    facility_create(by=SYSTEM, operator=cast["ngo1"], name=FACILITY, region="Bakı", address="secret street 1",
                    capacities={"women": 3})
    qht2, polis, shelter, qht3 = cast["qht2"], cast["polis"], cast["siginacaq1"], cast["qht3"]
    police, ngo1, ngo2 = cast["police"], cast["ngo1"], cast["ngo2"]

    # 1. The outreach worker of NGO 2 registers the presumed victim and refers her to the police.
    log_in(qht2)
    expect(page.locator("html")).to_have_attribute("lang", qht2.language)
    nav(page, qht2, "Cases")
    click_and_load(page, page.locator("main").get_by_role("link", name=t(qht2, "Register a presumed victim")))
    assert path_of(page) == "/cases/new/"
    page.get_by_label(t(qht2, "First name"), exact=True).fill(GIVEN)
    page.get_by_label(t(qht2, "Last name"), exact=True).fill(FAMILY)
    page.locator("#id_gender").select_option(label=t(qht2, "Female"))
    page.get_by_label(t(qht2, "Age at identification"), exact=True).fill("24")
    expect(page.locator("#id_identified_on")).to_have_value(dt.date.today().isoformat())
    page.locator("#id_identification_channel").select_option(label=t(qht2, "NGO outreach"))
    page.locator("#id_exploitation").get_by_label(t(qht2, "Sexual exploitation"), exact=True).check()
    page.locator("#id_citizenships").select_option("AZ")
    for consent in ("Consents to the processing of personal data", "Consents to sharing with law enforcement",
                    "Consents to sharing with NGOs"):
        page.get_by_label(t(qht2, consent), exact=True).check()
    click_and_load(page, page.locator("main").get_by_role("button", name=t(qht2, "Register")))

    case = Case.objects.get()
    assert case.owner_organisation == ngo2
    assert path_of(page) == f"/cases/{case.pk}/"
    case_url = live_server.url + path_of(page)
    expect(page.get_by_test_id("case-number")).to_contain_text(case.number)
    assert GIVEN not in page.content()  # the case number everywhere, the name only on request
    show_identity(page, f"{GIVEN} {FAMILY}")
    assert AuditEvent.objects.filter(action="person.reveal", actor=qht2).count() == 1
    expect(page.locator("main")).to_contain_text(t(qht2, "Sexual exploitation"))
    expect(page.locator("ul.messages")).to_contain_text(case.number)

    refer(page, qht2, to=police.name, reason="Official status decision", urgency="Urgent", services=("Legal aid",))
    referral = Referral.objects.get()
    assert (referral.to_organisation, referral.status, referral.urgency) == (police, "pending", "urgent")
    sent = page.get_by_test_id("referrals").locator("ul.plain li")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text(t(qht2, "Pending"))
    expect(sent).to_contain_text(police.short_name)
    log_out(page)

    # 2. The investigator finds the referral among the tasks, accepts, decides and refers to NGO 1.
    log_in(polis)
    nav(page, polis, "Referrals")
    received = page.get_by_test_id("referral-table").locator("tbody tr", has_text=case.number)
    expect(received).to_contain_text(ngo2.name)
    expect(received).to_contain_text(t(polis, "Pending"))
    nav(page, polis, "My tasks")
    waiting = page.locator("article.card", has=page.get_by_role("heading", name=t(polis, "Referrals waiting for us")))
    expect(waiting.get_by_role("link", name=case.number)).to_be_visible()
    # The decision to take leads to the referral (the case itself stays closed until it is accepted).
    click_and_load(page, page.get_by_test_id("decisions-due").get_by_role("link", name=case.number))
    assert path_of(page) == f"/referrals/{referral.pk}/"
    accept_referral(page, polis, case.number)
    show_identity(page, f"{GIVEN} {FAMILY}")

    decision = open_details(page, "decision-form")
    decision.locator("select[name=decision]").select_option(label=t(polis, "Recognised as a victim"))
    decision.locator("textarea[name=basis]").fill("Göstəricilər təsdiqləndi: sənədlər əlindən alınıb, borc əsarəti.")
    click_and_load(page, decision.get_by_role("button", name=t(polis, "Record")))
    expect_message(page, polis, "The status decision is recorded.")
    expect(page.get_by_test_id("case-number")).to_contain_text(t(polis, "Recognised victim"))
    case.refresh_from_db()
    assert case.trafficking_status == "ActualVictimOfTrafficking"
    # The referring NGO hears of the decision by e-mail: the case number, never the name.
    told = [m for m in mail.outbox if case.number in m.subject and m.to == [qht2.email]]
    assert len(told) >= 2 and all(GIVEN not in m.subject + m.body for m in told)

    refer(page, polis, to=ngo1.name, reason="Additional services required", urgency="Urgent")
    assert Referral.objects.filter(to_organisation=ngo1, status="pending").count() == 1
    log_out(page)

    # 3. The shelter manager of NGO 1 accepts, admits to a women's bed and records the services.
    log_in(shelter)
    nav(page, shelter, "Beds")
    assert free_beds(page) == "3 / 3"
    nav(page, shelter, "Referrals")
    click_and_load(page, page.get_by_test_id("referral-table").get_by_role("link", name=case.number))
    # A shelter is sent identity, admission and services by default: not the investigation's notes.
    expect(page.get_by_test_id("referral-sections")).to_have_text(", ".join(
        t(shelter, label) for label in ("Identity", "Services and follow-up", "Shelter admission")))
    accept_referral(page, shelter, case.number)
    expect(page.get_by_test_id("notes")).to_have_count(0)
    expect(page.get_by_test_id("services")).to_be_visible()

    admission = page.get_by_test_id("admission-form")
    expect(admission).to_be_visible()
    admission.locator("select[name=facility]").select_option(label=FACILITY)
    admission.locator("select[name=category]").select_option(label=t(shelter, "Women"))
    expect(admission.locator("input[name=admitted_on]")).to_have_value(dt.date.today().isoformat())
    click_and_load(page, admission.get_by_role("button", name=t(shelter, "Admit")))
    expect_message(page, shelter, "The person is admitted.")
    expect(page.locator("main")).to_contain_text(t(shelter, "in the shelter"))
    assert Admission.objects.filter(case=case, discharged_on__isnull=True).count() == 1

    def record_service(service_type: str, outcome: str, delivered: bool) -> None:
        form = open_details(page, "service-form")
        form.locator("select[name=service_type]").select_option(label=t(shelter, service_type))
        if delivered:
            form.locator("input[name=delivered_on]").fill(dt.date.today().isoformat())
        form.locator("select[name=outcome]").select_option(label=t(shelter, outcome))
        click_and_load(page, form.get_by_role("button", name=t(shelter, "Save")))
        expect_message(page, shelter, "The service is recorded.")

    record_service("Psychological", "Delivered", delivered=True)
    record_service("Financial (one-time allowance)", "Planned", delivered=False)
    services = page.get_by_test_id("services").locator("tbody tr")
    expect(services).to_have_count(2)
    expect(services.filter(has_text=t(shelter, "Psychological"))).to_contain_text(t(shelter, "Delivered"))
    allowance = services.filter(has_text=t(shelter, "Financial (one-time allowance)"))
    expect(allowance).to_contain_text("700")
    assert Service.objects.get(case=case, service_type="financial").amount == 700
    # The allowance is paid: the planned service is marked delivered from its row.
    click_and_load(page, allowance.get_by_role("button", name=t(shelter, "Mark delivered")))
    expect_message(page, shelter, "The service is marked delivered.")
    expect(services.filter(has_text=t(shelter, "Financial (one-time allowance)"))).to_contain_text(
        t(shelter, "Delivered"))
    assert Service.objects.get(case=case, service_type="financial").outcome == "delivered"
    screenshot(page, "referral-case-page.png")

    nav(page, shelter, "Beds")
    assert free_beds(page) == "2 / 3"
    row = page.get_by_test_id("bed-board").locator("tbody tr", has_text=FACILITY)
    expect(row.locator("td.free")).to_have_text("2")
    screenshot(page, "referral-bed-board.png")
    log_out(page)

    # 4. A worker of a third NGO, not part of the referral chain, cannot open the case by its address.
    log_in(qht3)
    response = page.goto(case_url)
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text(t(qht3, "Not found"))
    assert GIVEN not in page.content() and FAMILY not in page.content()
    assert case.number not in page.content()
    screenshot(page, "referral-not-found.png")
    assert AuditEvent.objects.filter(action="case.view", outcome="denied", object_id=str(case.pk),
                                     actor=qht3).exists()
    assert CaseAccess.objects.filter(case=case).count() == 3

    assert console.csp_violations == [], f"CSP violations: {console.csp_violations}"
    unexpected = [e for e in console.errors if not (e[2] == case_url and "404" in e[1])]
    assert unexpected == [], f"console errors: {unexpected}"
