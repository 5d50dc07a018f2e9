"""The action-plan story in a real Chromium: report → return with a comment → correct → accept.

The focal point of the Assistance Centre (``fokal``, Azerbaijani interface) writes the 2024 report on
measure 2.2 — the Centre is its only executing body, so accepting a "completed" report completes the
measure — and submits it. The coordinator's analyst (``analitik``, English interface) returns it with a
comment from the review queue; the focal point reads the comment on the form, corrects and resubmits;
the analyst accepts. The reporting rate and the measure's status on the plan page follow, with the
expected values computed from ``korpu.plan.queries`` before and after. Screenshots of the plan page,
the returned report's form and the measure page are saved into ``test-artifacts/``.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import translation
from django_otp.oath import TOTP
from playwright.sync_api import expect

from korpu.plan import demo as plan_demo
from korpu.plan import queries
from korpu.plan.models import ImplementationStatus, Measure, Plan, ProgressReport, ReportEvent, ReportingPeriod
from tests.browser.conftest import ARTIFACTS
from tests.conftest import totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_COMMENT = "Keçirilmiş dərslərin sayını, məktəbləri və iştirakçıların sayını əlavə edin."
FIRST_TEXT = "2024-cü ildə məktəblərdə insan alverinin qarşısının alınmasına dair dərslər keçirildi."
CORRECTED_TEXT = ("2024-cü ildə 14 məktəbdə və 3 universitetdə 42 dərs keçirildi; 1 260 şagird və tələbə "
                  "iştirak etdi. Bütün planlaşdırılmış dərslər başa çatıb.")


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


def log_out(page: Any) -> None:
    click_and_load(page, page.locator("header form[action$='/logout/'] button"))
    assert path_of(page) == "/account/login/"


def fresh_totp_step(user: Any) -> None:
    """TOTP refuses a code twice (replay): before a second login, wait for the next time step."""
    device = totp_device(user)
    while TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t() <= device.last_t:
        time.sleep(0.5)


def open_plan(page: Any, user: Any, plan: Plan) -> None:
    """From the main menu to the plan's page (the list holds the demo plan and the draft 2025 plan)."""
    click_and_load(page, page.locator("nav.mainnav").get_by_role("link", name=t(user, "Action plan"), exact=True))
    click_and_load(page, page.locator(f"main a[href='/plan/{plan.pk}/']"))
    assert path_of(page) == f"/plan/{plan.pk}/"


def expect_message(page: Any, user: Any, message: str) -> None:
    expect(page.locator("ul.messages li.success")).to_have_text(t(user, message))


def status_label(user: Any, status: str) -> str:
    with translation.override(user.language):
        return str(ImplementationStatus(status).label)


def measure_status_on_plan(plan: Plan, measure: Measure) -> str:
    tree = queries.plan_tree(plan)
    return next(row.status for section in tree for row in section.measures if row.measure.pk == measure.pk)


def submitted_by(plan: Plan, period: ReportingPeriod, organisation: Any) -> int:
    return next(r.submitted for r in queries.reporting_rate(plan, period) if r.organisation.pk == organisation.pk)


def test_report_returned_corrected_and_accepted(live_server, page, cast, console, log_in):
    plan_demo.load()
    plan = Plan.objects.get(start_year=2020)
    measure = Measure.objects.get(section__plan=plan, number="2.2")
    period = ReportingPeriod.objects.get(plan=plan, year=2024)
    fokal, analitik, assistance = cast["fokal"], cast["analitik"], cast["assistance"]
    assert list(measure.executing_bodies.all()) == [assistance]
    assert not ProgressReport.objects.filter(measure=measure, period=period).exists()
    status_before = measure_status_on_plan(plan, measure)
    submitted_before = submitted_by(plan, period, assistance)
    edit_path = f"/plan/measures/{measure.pk}/report/{period.pk}/{assistance.pk}/"

    # 1. The focal point writes the 2024 report on measure 2.2 from "My reports" and submits it.
    log_in(fokal)
    expect(page.locator("html")).to_have_attribute("lang", fokal.language)
    open_plan(page, fokal, plan)
    mine = page.get_by_test_id("my-reports")
    expect(mine.locator("tbody tr")).to_have_count(len(queries.my_reporting(fokal, plan)))  # 19: 2024 … 2020
    write = mine.locator(f"a[href='{edit_path}']")
    expect(write).to_have_text(t(fokal, "Write"))
    click_and_load(page, write)
    assert path_of(page) == edit_path
    expect(page.locator("h1")).to_contain_text(f"2024 · {assistance.name}")
    form = page.get_by_test_id("report-form")
    form.locator("select[name=implementation]").select_option(label=status_label(fokal, "in_progress"))
    form.get_by_label(t(fokal, "What was done"), exact=True).fill(FIRST_TEXT)
    click_and_load(page, form.get_by_role("button", name=t(fokal, "Submit to the coordinator")))
    report = ProgressReport.objects.get(measure=measure, period=period, organisation=assistance)
    assert path_of(page) == f"/plan/reports/{report.pk}/"
    expect_message(page, fokal, "The report is submitted to the National Coordinator's office.")
    expect(page.get_by_test_id("report-status")).to_have_text(t(fokal, "Submitted"))
    assert (report.status, report.text) == ("submitted", FIRST_TEXT)
    log_out(page)

    # 2. The coordinator's analyst opens it from the review queue and returns it with a comment.
    log_in(analitik)
    expect(page.locator("html")).to_have_attribute("lang", analitik.language)
    open_plan(page, analitik, plan)
    queue = page.get_by_test_id("review-queue")
    item = queue.locator(f"a[href='/plan/reports/{report.pk}/']")
    expect(item).to_have_text(f"2.2 · 2024 · {assistance.name}")
    click_and_load(page, item)
    review = page.get_by_test_id("review-form")
    expect(page.locator("main")).to_contain_text(FIRST_TEXT)
    review.locator("textarea[name=comment]").fill(RETURN_COMMENT)
    click_and_load(page, review.get_by_role("button", name=t(analitik, "Return with comment")))
    expect_message(page, analitik, "The report is returned to the body with your comment.")
    expect(page.get_by_test_id("report-status")).to_have_text(t(analitik, "Returned with comments"))
    expect(page.get_by_test_id("review-form")).to_have_count(0)
    log_out(page)

    # 3. The focal point sees the comment on the report form, corrects the report and resubmits it.
    fresh_totp_step(fokal)
    log_in(fokal)
    open_plan(page, fokal, plan)
    row_link = page.get_by_test_id("my-reports").locator(f"a[href='/plan/reports/{report.pk}/']")
    expect(row_link).to_have_text(t(fokal, "Open"))
    click_and_load(page, row_link)
    expect(page.get_by_test_id("review-comment")).to_have_text(RETURN_COMMENT)
    click_and_load(page, page.locator("main").get_by_role("link", name=t(fokal, "Edit"), exact=True))
    assert path_of(page) == edit_path
    callout = page.locator("main .callout.warn")
    expect(callout).to_contain_text(t(fokal, "Returned by the coordinator:"))
    expect(callout).to_contain_text(RETURN_COMMENT)
    text = page.get_by_label(t(fokal, "What was done"), exact=True)
    expect(text).to_have_value(FIRST_TEXT)
    screenshot(page, "plan-story-returned-report.png")
    text.fill(CORRECTED_TEXT)
    page.locator("select[name=implementation]").select_option(label=status_label(fokal, "completed"))
    click_and_load(page, page.get_by_role("button", name=t(fokal, "Submit to the coordinator")))
    expect_message(page, fokal, "The report is submitted to the National Coordinator's office.")
    expect(page.get_by_test_id("report-status")).to_have_text(t(fokal, "Submitted"))
    log_out(page)

    # 4. The analyst accepts the corrected report.
    fresh_totp_step(analitik)
    log_in(analitik)
    open_plan(page, analitik, plan)
    click_and_load(page, page.get_by_test_id("review-queue").locator(f"a[href='/plan/reports/{report.pk}/']"))
    expect(page.locator("main")).to_contain_text(CORRECTED_TEXT)
    click_and_load(page, page.get_by_test_id("review-form").get_by_role("button", name=t(analitik, "Accept")))
    expect_message(page, analitik, "The report is accepted.")
    expect(page.get_by_test_id("report-status")).to_have_text(t(analitik, "Accepted"))
    report.refresh_from_db()
    assert (report.status, report.text, report.implementation) == ("accepted", CORRECTED_TEXT, "completed")
    assert list(ReportEvent.objects.filter(report=report).values_list("status", "by__username", "comment")) == [
        ("submitted", "fokal", ""), ("returned", "analitik", RETURN_COMMENT), ("submitted", "fokal", ""),
        ("accepted", "analitik", "")]

    # 5. The reporting rate shows one more submitted report for the Assistance Centre.
    submitted_after = submitted_by(plan, period, assistance)
    assert submitted_after == submitted_before + 1
    open_plan(page, analitik, plan)
    click_and_load(page, page.locator("main").get_by_role("link", name=t(analitik, "Reporting rate by body")))
    expect(page.locator("h1")).to_contain_text("2024")
    expect(page.get_by_test_id("reporting-rate").locator(f"tr[data-body='{assistance.pk}'] td.submitted")
           ).to_have_text(str(submitted_after))

    # 6. The measure's status on the plan page changed as the queries say it must.
    status_after = measure_status_on_plan(plan, measure)
    assert (status_before, status_after) == ("late", "completed")
    open_plan(page, analitik, plan)
    status = page.locator(f"tr[data-measure='{measure.pk}'] .status")
    expect(status).to_have_text(status_label(analitik, status_after))
    expect(status).to_have_class(re.compile(rf"\bstatus-{status_after}\b"))
    screenshot(page, "plan-story-plan.png")
    click_and_load(page, page.locator(f"tr[data-measure='{measure.pk}'] a"))
    assert path_of(page) == f"/plan/measures/{measure.pk}/"
    expect(page.locator("h1 .status")).to_have_text(status_label(analitik, status_after))
    expect(page.locator("main")).to_contain_text(CORRECTED_TEXT)
    screenshot(page, "plan-story-measure.png")

    assert console.csp_violations == [], f"CSP violations: {console.csp_violations}"
    assert console.errors == [], f"console errors: {console.errors}"
