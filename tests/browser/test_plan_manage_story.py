"""The coordinator shapes the draft 2025–2029 plan; a focal point reports on it with evidence.

In a real Chromium: the analyst (``analitik``, English) adds a measure to the successor plan through
the measure form (executing body, partner, categories, deadline) and gives it an indicator with a
baseline and targets; the Assistance Centre's focal point (``fokal``, Azerbaijani) writes the 2026
report with the indicator's value, attaches a PDF as evidence and submits; the analyst downloads the
evidence and accepts; the measure page then shows the accepted value under the Centre's column. The
pages (with their SVG charts) raise no Content-Security-Policy violation. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from korpu.plan import demo as plan_demo
from korpu.plan import queries
from korpu.plan.models import Category, Evidence, Indicator, Measure, Plan, ProgressReport
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_plan_story import click_and_load, fresh_totp_step, log_out, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def t(user: Any, message: str) -> str:
    with translation.override(user.language):
        return translation.gettext(message)


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_a_new_measure_with_an_indicator_is_reported_on_with_evidence(live_server, page, cast, console, log_in,
                                                                       tmp_path):
    plan_demo.load()
    successor = Plan.objects.get(start_year=2025)
    analitik, fokal, assistance = cast["analitik"], cast["fokal"], cast["assistance"]
    section = successor.sections.get(number="2")

    # 1. The analyst adds measure 2.2 to the draft plan from its section.
    log_in(analitik)
    page.goto(f"{live_server.url}/plan/{successor.pk}/")
    click_and_load(page, page.locator(f"a[href='/plan/{successor.pk}/measures/new/?section={section.pk}']"))
    form = page.get_by_test_id("plan-form")
    expect(form.locator("select[name=section]")).to_have_value(str(section.pk))
    form.locator("input[name=number]").fill("2.2")
    form.locator("textarea[name=text_az]").fill("Reinteqrasiya üçün peşə kursları")
    form.locator("textarea[name=text_en]").fill("Vocational courses for reintegration")
    form.locator("textarea[name=expected_result_en]").fill("Every adult victim who wants one gets a course.")
    form.locator(f"input[name=executing_bodies][value='{assistance.pk}']").check()
    form.locator(f"input[name=partners][value='{cast['ngo2'].pk}']").check()
    form.locator(f"input[name=categories][value='{Category.objects.get(code='protection').pk}']").check()
    form.locator("input[name=start_year]").fill("2026")
    form.locator("input[name=end_year]").fill("2028")
    form.locator("input[name=deadline]").fill("2028-09-30")
    click_and_load(page, form.get_by_role("button", name=t(analitik, "Save")))
    measure = Measure.objects.get(section=section, number="2.2")
    assert path_of(page) == f"/plan/measures/{measure.pk}/"
    assert (measure.is_published, str(measure.deadline), [o.pk for o in measure.partners.all()]) == (
        False, "2028-09-30", [cast["ngo2"].pk])

    # 2. ... and an indicator with its baseline and a target for each year.
    click_and_load(page, page.locator(f"a[href='/plan/measures/{measure.pk}/indicators/new/']"))
    form = page.get_by_test_id("plan-form")
    form.locator("input[name=name_az]").fill("Kursu bitirənlər")
    form.locator("input[name=name_en]").fill("People who finished a course")
    form.locator("input[name=unit]").fill("nəfər")
    form.locator("input[name=baseline]").fill("0")
    form.locator("input[name=baseline_year]").fill("2025")
    for year, target in ((2026, "10"), (2027, "15"), (2028, "20")):
        form.locator(f"input[name=target_{year}]").fill(target)
    click_and_load(page, form.get_by_role("button", name=t(analitik, "Save")))
    indicator = Indicator.objects.get(measure=measure)
    expect(page.get_by_test_id(f"baseline-{indicator.pk}")).to_have_text("0.00 nəfər (2025)")
    screenshot(page, "plan-manage-measure.png")
    log_out(page)

    # 3. The focal point writes the 2026 report with the value, attaches a PDF and submits.
    log_in(fokal)
    period = successor.periods.get(year=2026)
    page.goto(f"{live_server.url}/plan/measures/{measure.pk}/report/{period.pk}/{assistance.pk}/")
    form = page.get_by_test_id("report-form")
    form.locator("select[name=implementation]").select_option("in_progress")
    form.locator("textarea[name=text]").fill("İlk qrup: 8 nəfər kursu bitirdi.")
    form.locator(f"input[name=indicator_{indicator.pk}]").fill("8")
    click_and_load(page, form.get_by_role("button", name=t(fokal, "Save the draft")))
    report = ProgressReport.objects.get(measure=measure, period=period, organisation=assistance)
    assert path_of(page) == f"/plan/reports/{report.pk}/"
    evidence_file = tmp_path / "kurs-siyahısı.pdf"
    evidence_file.write_bytes(PDF)
    page.get_by_test_id("evidence-form").locator("input[type=file]").set_input_files(str(evidence_file))
    click_and_load(page, page.get_by_test_id("evidence-form").locator("button[type=submit]"))
    evidence = Evidence.objects.get(report=report)
    expect(page.get_by_test_id("evidence").locator(f"a[href='/plan/evidence/{evidence.pk}/']")).to_have_text(
        "kurs-siyahısı.pdf")
    click_and_load(page, page.get_by_role("button", name=t(fokal, "Submit to the coordinator")))
    expect(page.get_by_test_id("report-status")).to_have_text(t(fokal, "Submitted"))
    screenshot(page, "plan-manage-report.png")
    log_out(page)

    # 4. The analyst downloads the evidence and accepts the report.
    fresh_totp_step(analitik)
    log_in(analitik)
    page.goto(f"{live_server.url}/plan/reports/{report.pk}/")
    with page.expect_download() as download:
        page.get_by_test_id("evidence").locator("a").click()
    assert download.value.suggested_filename == "kurs-siyahısı.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    click_and_load(page, page.get_by_test_id("review-form").get_by_role("button", name=t(analitik, "Accept")))
    expect(page.get_by_test_id("report-status")).to_have_text(t(analitik, "Accepted"))
    page.goto(f"{live_server.url}/plan/measures/{measure.pk}/")
    expect(page.get_by_test_id(f"body-{indicator.pk}-2026-{assistance.pk}")).to_have_text("8.00")
    expect(page.get_by_test_id(f"reported-{indicator.pk}-2026")).to_have_text("8.00")
    expect(page.locator("h1 .status")).to_have_class("status status-in_progress")

    # 5. The charts draw without breaking the CSP.
    page.goto(f"{live_server.url}/plan/{successor.pk}/reporting-rate/")
    expect(page.locator("svg[data-chart=reporting-rates] rect[data-value]")).not_to_have_count(0)
    finished = Plan.objects.get(start_year=2020)
    page.goto(f"{live_server.url}/plan/{finished.pk}/reporting-rate/?year=2023")
    expect(page.locator("svg[data-chart=reporting-rates] rect[data-value]")).to_have_count(
        sum(1 for _period, rows in queries.reporting_rate_history(finished) for row in rows if row.expected))
    screenshot(page, "plan-manage-reporting-rate.png")
    page.goto(f"{live_server.url}/recommendations/")
    expect(page.locator("svg[data-chart=recommendation-matrix] title").first).to_have_text(
        t(analitik, "Recommendations by source and assessment"))
    screenshot(page, "plan-manage-recommendations.png")
    assert console.csp_violations == [], f"CSP violations: {console.csp_violations}"
    assert console.errors == [], f"console errors: {console.errors}"
