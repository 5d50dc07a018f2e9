"""Record linkage in a real Chromium: NGO 1 asks, NGO 3 confirms, NGO 2 learns nothing.

The issue's "done when", clicked and typed in the pages by the people who do it, on whichever
database the run uses:

1. NGO 3's worker (qht3) registers a woman in Cyrillic through the registration page.
2. NGO 1's worker (qht1) registers "Gülnarə Məmmədova, Rəşid qızı", born the same day, through the same
   page; the case page's record-linkage panel (loaded by htmx, the check run because the address says
   ``?duplicates=1``) says only "A possible match is held by <NGO 3>": no name, no case number, no birth
   date or document of NGO 3's record. She sends a link request.
3. NGO 3's worker finds it in "My tasks", opens it, sees their own case and nothing of NGO 1's record, and
   confirms: the national figure of persons identified counts the two records as one person.
4. A worker of a third NGO (qht2) opening the request's address gets the not-found page.

Every step is in the audit chain, which still verifies. The Cyrillic ↔ Latin match needs the real matcher
(:mod:`korpu.linkage.matching`), not a stand-in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from korpu.cases.models import Case
from korpu.core import audit, figures
from korpu.core.models import AuditEvent
from korpu.linkage.models import LinkRequest, Membership
from tests.browser.test_plan_story import fresh_totp_step
from tests.browser.test_referral_story import click_and_load, expect_message, log_out, nav, path_of, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRTH = dt.date(1994, 3, 12)
# NGO 3's record (Cyrillic) and NGO 1's (Latin): (given, patronymic, family).
HELD = ("Гюльнара", "Рашидовна", "Мамедова")
HELD_DOCUMENT = "AZE7654321"
ASKING = ("Gülnarə", "Rəşid qızı", "Məmmədova")


def register_through_page(page: Any, user: Any, given: str, patronymic: str, family: str, *,
                          document: str = "") -> Case:
    """The registration page, as the referral story fills it; returns the new case (on its page)."""
    nav(page, user, "Cases")
    click_and_load(page, page.locator("main").get_by_role("link", name=t(user, "Register a presumed victim")))
    assert path_of(page) == "/cases/new/"
    page.get_by_label(t(user, "First name"), exact=True).fill(given)
    page.get_by_label(t(user, "Patronymic"), exact=True).fill(patronymic)
    page.get_by_label(t(user, "Last name"), exact=True).fill(family)
    page.locator("#id_gender").select_option(label=t(user, "Female"))
    page.locator("#id_birth_date").fill(BIRTH.isoformat())
    if document:
        page.get_by_label(t(user, "Identity document number"), exact=True).fill(document)
    expect(page.locator("#id_identified_on")).to_have_value(timezone.localdate().isoformat())
    page.locator("#id_identification_channel").select_option(label=t(user, "NGO outreach"))
    page.locator("#id_exploitation").get_by_label(t(user, "Sexual exploitation"), exact=True).check()
    page.locator("#id_citizenships").select_option("AZ")
    for consent in ("Consents to the processing of personal data", "Consents to sharing with NGOs"):
        page.get_by_label(t(user, consent), exact=True).check()
    click_and_load(page, page.locator("main").get_by_role("button", name=t(user, "Register")))
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    assert re.fullmatch(rf"/cases/{case.pk}/", path_of(page)), page.url
    expect(page.get_by_test_id("case-number")).to_contain_text(case.number)
    return case


def persons_identified(year: int) -> int:
    value = figures.compute("persons_identified", year)
    assert value is not None
    return value


def test_linkage_story_ngo1_asks_ngo3_confirms_ngo2_learns_nothing(live_server, page, cast, console, log_in):
    qht1, qht2, qht3 = cast["qht1"], cast["qht2"], cast["qht3"]
    ngo1, ngo3 = cast["ngo1"], cast["ngo3"]
    year = timezone.localdate().year

    # 1. NGO 3's worker registers the woman, in Cyrillic, with her passport number.
    log_in(qht3)
    theirs = register_through_page(page, qht3, *HELD, document=HELD_DOCUMENT)
    assert theirs.owner_organisation == ngo3
    log_out(page)

    # 2. NGO 1's worker registers her in Latin: the case page runs the duplicate check.
    log_in(qht1)
    mine = register_through_page(page, qht1, *ASKING)
    assert mine.owner_organisation == ngo1
    assert page.url.endswith(f"/cases/{mine.pk}/?duplicates=1"), page.url
    panel = page.get_by_test_id("linkage-panel")
    expect(panel).to_be_visible()
    held = panel.get_by_test_id("held-elsewhere")
    expect(held).to_have_count(1)
    expect(held).to_have_text(t(qht1, "A possible match is held by %(organisation)s") % {"organisation": ngo3.name})
    expect(panel.get_by_test_id("candidate")).to_have_count(1)
    html = page.content()
    for secret in (*HELD, theirs.number, HELD_DOCUMENT, BIRTH.isoformat(), BIRTH.strftime("%d.%m.%Y")):
        assert secret not in html, f"{secret!r} of NGO 3's record is on NGO 1's page"
    assert AuditEvent.objects.filter(action="linkage.check", actor=qht1, object_id=str(mine.pk)).exists()
    screenshot(page, "linkage-possible-match.png")

    # Both women are counted in the national figure (identified this year) until the records are linked.
    assert mine.identified_on.year == theirs.identified_on.year == year
    before = persons_identified(year)
    assert before >= 2

    form = panel.get_by_test_id("link-request-form")
    click_and_load(page, form.get_by_role("button", name=t(qht1, "Send a link request")))
    expect(page.locator("ul.messages li.success")).to_have_text(
        t(qht1, "The link request was sent to %(organisation)s.") % {"organisation": ngo3.name})
    request = LinkRequest.objects.get()
    assert (request.from_case_id, request.to_case_id, request.status) == (mine.pk, theirs.pk, "pending")
    assert (request.from_organisation, request.to_organisation, request.requested_by) == (ngo1, ngo3, qht1)
    # The panel (reloaded without the check) lists the request, still without NGO 3's record.
    sent = page.get_by_test_id("linkage-panel").get_by_test_id("link-requests")
    expect(sent).to_contain_text(ngo3.name)
    html = page.content()
    for secret in (*HELD, theirs.number, HELD_DOCUMENT):
        assert secret not in html
    log_out(page)

    # 3. NGO 3's worker finds the request in "My tasks" and confirms inside their own case.
    fresh_totp_step(qht3)  # a TOTP code is accepted once: the second login waits for the next one
    log_in(qht3)
    nav(page, qht3, "My tasks")
    task = page.get_by_test_id("link-requests-task")
    expect(task.get_by_role("heading", name=t(qht3, "Link requests waiting for us"))).to_be_visible()
    expect(task.get_by_role("link", name=theirs.number)).to_be_visible()
    assert mine.number not in page.content()
    click_and_load(page, task.get_by_role("link", name=theirs.number))
    assert path_of(page) == f"/linkage/requests/{request.pk}/"
    request_url = page.url
    expect(page.get_by_test_id("own-case")).to_have_text(theirs.number)
    expect(page.get_by_test_id("link-request")).to_contain_text(ngo1.name)
    html = page.content()
    for secret in (*ASKING, "Rəşid", mine.number, BIRTH.isoformat(), BIRTH.strftime("%d.%m.%Y")):
        assert secret not in html, f"{secret!r} of NGO 1's record is on NGO 3's page"
    screenshot(page, "linkage-request.png")
    click_and_load(page, page.get_by_test_id("confirm-link"))
    expect_message(page, qht3, "Confirmed: the two records are now one person.")
    expect(page.get_by_test_id("confirm-link")).to_have_count(0)
    request.refresh_from_db()
    assert request.status == LinkRequest.Status.CONFIRMED and request.decided_by == qht3
    assert Membership.objects.get(person=mine.person).identity_id == Membership.objects.get(
        person=theirs.person).identity_id

    # One woman in the national figure now.
    assert persons_identified(year) == before - 1
    log_out(page)

    # 4. A third NGO's worker, at the request's address, gets the not-found page and learns nothing.
    log_in(qht2)
    response = page.goto(request_url)
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text(t(qht2, "Not found"))
    html = page.content()
    for secret in (*HELD, *ASKING, HELD_DOCUMENT, mine.number, theirs.number, ngo1.name, ngo3.name):
        assert secret not in html, f"{secret!r} is on the not-found page"
    assert AuditEvent.objects.filter(action="linkage.request.view", outcome=AuditEvent.Outcome.DENIED,
                                     object_id=str(request.pk), actor=qht2).exists()
    # Nor does the third NGO's own task card or request list mention the request.
    nav(page, qht2, "My tasks")
    expect(page.get_by_test_id("link-requests-task")).to_be_visible()
    assert theirs.number not in page.content() and mine.number not in page.content()

    # The audit chain holds every step and still verifies.
    for action, actor in (("linkage.check", qht1), ("linkage.request", qht1), ("linkage.confirm", qht3)):
        assert AuditEvent.objects.filter(action=action, actor=actor, outcome=AuditEvent.Outcome.OK).exists(), action
    assert audit.verify().ok

    assert console.csp_violations == [], f"CSP violations: {console.csp_violations}"
    unexpected = [e for e in console.errors if not (e[2] == request_url and "404" in e[1])]
    assert unexpected == [], f"console errors: {unexpected}"
