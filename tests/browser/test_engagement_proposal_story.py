"""A proposal's whole life in a real Chromium, visible from the meeting where it was raised to the plan
measure it fed (issue 5's "done when").

The coalition coordinator (``koalisiya``, az) adds NGO 2 to the coalition through the member page and
records NGO 2's proposal at a meeting. The police investigator addressed (``polis``, az) answers it
step by step: the answer form offers only the statuses the proposal may move to, the measure is
linked when it is accepted, and the form is gone once it is implemented. NGO 2's case worker
(``qht2``, ru) then follows it by links alone: meeting → proposal (its history) → plan measure → back.
Set up directly before the story: the plan's measure 2.1, NGO 1 as chair, and the meeting itself
(the meeting story covers creating one through the form).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import translation
from playwright.sync_api import expect

from korpu.engagement import actions
from korpu.engagement.models import Member, Proposal
from korpu.plan import actions as plan_actions
from korpu.plan.models import Plan, Section
from tests.browser.conftest import ARTIFACTS, CSP_REPORTER, TIMEOUT_MS
from tests.conftest import PASSWORD, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Miqrantlar üçün çoxdilli vərəqələr"
S = Proposal.Status


def t(user: Any, message: str) -> str:
    with translation.override(user.language):
        return translation.gettext(message)


def label(user: Any, lazy: Any) -> str:
    with translation.override(user.language):
        return str(lazy)


def path_of(page: Any) -> str:
    return urlparse(page.url).path


def click_and_load(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def new_page(browser: Any, console: Any) -> Any:
    context = browser.new_context(locale="az", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_REPORTER)
    context.on("page", console.attach)
    return context.new_page()


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    """Password and TOTP as ``user``, in a context of its own."""
    page.goto(live_server.url + "/account/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/account/two-factor/"))
    page.fill("#id_token", current_code(user))
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + "/")


def offered(form: Any) -> list[str]:
    return form.locator("select[name=status] option").evaluate_all("options => options.map(o => o.value)")


def test_a_proposals_life_from_the_meeting_to_the_measure(live_server, page, browser, cast, console, log_in):
    koalisiya, polis, qht2 = cast["koalisiya"], cast["polis"], cast["qht2"]
    police, ngo1, ngo2 = cast["police"], cast["ngo1"], cast["ngo2"]
    plan = Plan.objects.create(title_az="Milli Fəaliyyət Planı 2020–2024", start_year=2020, end_year=2024,
                               is_published=True)
    section = Section.objects.create(plan=plan, number="2", title_az="Maarifləndirmə")
    measure = plan_actions.measure_create(by=cast["analitik"], section=section, number="2.1",
                                          text_az="Miqrantlar üçün maarifləndirmə materiallarının hazırlanması",
                                          start_year=2021, end_year=2024, executing_bodies=[police])
    actions.member_save(by=koalisiya, organisation=ngo1, joined_on=dt.date(2010, 3, 1), is_chair=True)
    meeting = actions.meeting_create(by=koalisiya, title="Koalisiyanın rüblük görüşü", held_on=dt.date(2026, 10, 20),
                                     organiser=police, place="Bakı", agenda=["Koalisiya üzvlərinin təklifləri"])

    # 1. The coordinator adds NGO 2 to the coalition through the member page.
    log_in(koalisiya)
    click_and_load(page, page.locator("nav.mainnav").get_by_role("link", name=t(koalisiya, "Coalition"), exact=True))
    click_and_load(page, page.get_by_test_id("member-create"))
    form = page.get_by_test_id("edit-form")
    form.locator("select[name=organisation]").select_option(label=ngo2.name)
    form.locator("input[name=joined_on]").fill("2012-06-15")
    form.locator("input[name=services][value=legal_aid]").check()
    form.locator("input[name=regions][value=ganja_dashkasan]").check()
    click_and_load(page, form.get_by_role("button", name=t(koalisiya, "Save")))
    member = Member.objects.get(organisation=ngo2)
    assert path_of(page) == f"/coalition/members/{member.pk}/"
    assert (member.services, member.regions, member.is_chair) == (["legal_aid"], ["ganja_dashkasan"], False)

    # 2. At the meeting, the coordinator records NGO 2's proposal to the police.
    page.goto(live_server.url + f"/meetings/{meeting.pk}/")
    page.get_by_test_id("proposal-form").locator("xpath=ancestor::details/summary").click()
    form = page.get_by_test_id("proposal-form")
    form.locator("select[name=from_organisation]").select_option(label=ngo2.name)
    form.locator("select[name=addressed_to]").select_option(label=police.name)
    form.locator("input[name=title]").fill(TITLE)
    form.locator("textarea[name=text]").fill("Sərhəd məntəqələrində çoxdilli vərəqələr paylamaq.")
    click_and_load(page, form.get_by_role("button", name=t(koalisiya, "Save")))
    proposal = Proposal.objects.get()
    assert (proposal.meeting, proposal.from_organisation, proposal.status) == (meeting, ngo2, S.RECEIVED)

    # 3. The police answer it, step by step; the form offers only where it may go next.
    police_page = new_page(browser, console)
    try:
        sign_in(police_page, live_server, polis)
        click_and_load(police_page, police_page.locator("nav.mainnav").get_by_role(
            "link", name=t(polis, "Coalition"), exact=True))
        click_and_load(police_page, police_page.locator("p.subnav").get_by_role(
            "link", name=t(polis, "Proposals"), exact=True))
        click_and_load(police_page, police_page.locator("main").get_by_role("link", name=TITLE))
        assert path_of(police_page) == f"/proposals/{proposal.pk}/"
        answer = police_page.get_by_test_id("answer-form")
        assert offered(answer) == [S.UNDER_REVIEW, S.ACCEPTED, S.PARTIALLY_ACCEPTED, S.DECLINED]
        answer.locator("select[name=status]").select_option(value=S.UNDER_REVIEW)
        click_and_load(police_page, answer.get_by_role("button", name=t(polis, "Save")))
        expect(police_page.get_by_test_id("proposal-status")).to_have_text(label(polis, S.UNDER_REVIEW.label))

        answer = police_page.get_by_test_id("answer-form")
        assert offered(answer) == [S.ACCEPTED, S.PARTIALLY_ACCEPTED, S.DECLINED]
        answer.locator("select[name=status]").select_option(value=S.ACCEPTED)
        answer.locator("textarea[name=response]").fill("Qəbul edildi: 2.1 tədbirinə daxil edilir.")
        answer.locator("select[name=measures]").select_option(value=[str(measure.pk)])
        click_and_load(police_page, answer.get_by_role("button", name=t(polis, "Save")))
        expect(police_page.get_by_test_id("proposal-measures")).to_contain_text("2.1")

        answer = police_page.get_by_test_id("answer-form")
        assert offered(answer) == [S.IMPLEMENTED]
        answer.locator("select[name=status]").select_option(value=S.IMPLEMENTED)
        answer.locator("textarea[name=response]").fill("Vərəqələr çap olunub paylanıldı.")
        click_and_load(police_page, answer.get_by_role("button", name=t(polis, "Save")))
        expect(police_page.get_by_test_id("proposal-status")).to_have_text(label(polis, S.IMPLEMENTED.label))
        expect(police_page.get_by_test_id("answer-form")).to_have_count(0)
        expect(police_page.get_by_test_id("proposal-final")).to_be_visible()
        expect(police_page.get_by_test_id("proposal-measures")).to_contain_text("2.1")  # the link was kept
    finally:
        police_page.context.close()
    proposal.refresh_from_db()
    assert proposal.status == S.IMPLEMENTED and list(proposal.measures.all()) == [measure]

    # 4. NGO 2's case worker follows the proposal by links alone, in Russian.
    reader = new_page(browser, console)
    try:
        sign_in(reader, live_server, qht2)
        expect(reader.locator("html")).to_have_attribute("lang", qht2.language)
        click_and_load(reader, reader.locator("nav.mainnav").get_by_role("link", name=t(qht2, "Coalition"),
                                                                          exact=True))
        click_and_load(reader, reader.locator("p.subnav").get_by_role("link", name=t(qht2, "Meetings"), exact=True))
        click_and_load(reader, reader.locator("main").get_by_role("link", name=meeting.title))
        raised = reader.get_by_test_id("meeting-proposals")
        expect(raised).to_contain_text(label(qht2, S.IMPLEMENTED.label))
        click_and_load(reader, raised.get_by_role("link", name=TITLE))
        assert path_of(reader) == f"/proposals/{proposal.pk}/"
        history = reader.get_by_test_id("proposal-history").locator("li")
        expect(history).to_have_count(4)
        for index, status in enumerate((S.RECEIVED, S.UNDER_REVIEW, S.ACCEPTED, S.IMPLEMENTED)):
            expect(history.nth(index)).to_contain_text(label(qht2, S(status).label))
        expect(history.nth(2)).to_contain_text(polis.full_name)
        expect(history.nth(3)).to_contain_text("Vərəqələr çap olunub paylanıldı.")
        expect(reader.get_by_test_id("answer-form")).to_have_count(0)  # NGO 2 proposed; it does not answer
        ARTIFACTS.mkdir(exist_ok=True)
        reader.screenshot(path=str(ARTIFACTS / "proposal-life.png"), full_page=True)

        click_and_load(reader, reader.get_by_test_id("proposal-measures").get_by_role("link", name="2.1"))
        assert path_of(reader) == f"/plan/measures/{measure.pk}/"
        expect(reader.locator("main")).to_contain_text("Miqrantlar üçün maarifləndirmə materiallarının")
        fed = reader.get_by_test_id("measure-proposals")
        expect(fed).to_contain_text(TITLE)
        click_and_load(reader, fed.get_by_role("link", name=TITLE))
        assert path_of(reader) == f"/proposals/{proposal.pk}/"
        click_and_load(reader, reader.get_by_test_id("proposal-meeting").get_by_role("link"))
        assert path_of(reader) == f"/meetings/{meeting.pk}/"
    finally:
        reader.context.close()

    assert console.csp_violations == [], f"CSP violations: {console.csp_violations}"
    assert console.errors == [], f"console errors: {console.errors}"

