"""The coordinator's pages that shape the plan, publication and locking, evidence, indicators and the
corrections of the report form, all through HTTP.

Starts from the demo (``plan_world``). Pages are requested in English (the analyst's language, or a
user whose profile says ``en``) so that the tests do not depend on catalogues merged later; refusals
are checked on the data and on the audit log.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from korpu.core.models import AuditEvent
from korpu.plan import actions, queries
from korpu.plan import sheets as xlsx
from korpu.plan.models import (
    Assessment,
    Category,
    Evidence,
    Indicator,
    IndicatorValue,
    Measure,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingPeriod,
    Section,
)
from tests.conftest import verified_client
from tests.plan.conftest import demo_measure
from tests.plan.test_io import coordinator_client, fill
from tests.plan.test_rules import demo_report, denied, focal_point, html, messages_of, table, text_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def events_since(seq: int) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", "outcome"))


@pytest.fixture
def fokal_en(cast: dict[str, Any]) -> Any:
    """The Assistance Centre's focal point, reading English."""
    user = cast["fokal"]
    user.language = "en"
    user.save(update_fields=["language"])
    client = verified_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- locking, publishing -------------------------------------------------------------------------
def test_the_coordinator_locks_and_unlocks_a_period_and_nobody_else_can(plan_world, cast, login_as):
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)
    url = reverse("plan:period_lock", args=[period.pk])
    assert not period.locked
    fokal = login_as("fokal")
    before = last_seq()
    response = fokal.post(url, {"locked": "1"}, follow=True)
    assert response.status_code == 200
    period.refresh_from_db()
    assert not period.locked
    assert events_since(before) == [("reporting_period.lock", "denied")]

    coordinator = coordinator_client(login_as, cast)
    before = last_seq()
    response = coordinator.post(url, {"locked": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("plan:reporting_rate",
                                                                            args=[plan_world.pk])
    period.refresh_from_db()
    assert period.locked
    # Locked, the focal point's draft cannot be saved any more.
    draft = demo_report("2.1", 2024)
    edit = reverse("plan:report_edit", args=[draft.measure_id, period.pk, draft.organisation_id])
    assert fokal.post(edit, {"implementation": "in_progress", "text": "Yeni", "command": "save"}).status_code == 400
    coordinator.post(url, {"locked": "0"})
    period.refresh_from_db()
    assert not period.locked
    assert events_since(before) == [("reporting_period.lock", "ok"), ("reporting_period.unlock", "ok")]
    assert fokal.post(edit, {"implementation": "in_progress", "text": "Yeni", "command": "save"}).status_code == 302


def test_the_coordinator_publishes_a_measure_from_its_page(plan_world, cast, login_as, client):
    measure = demo_measure("4.2")
    url = reverse("plan:measure_publish", args=[measure.pk])
    public = reverse("public:measure", args=[measure.pk])
    coordinator = coordinator_client(login_as, cast)
    assert coordinator.post(url, {"published": "0"}).status_code == 302
    measure.refresh_from_db()
    assert not measure.is_published
    assert client.get(public).status_code == 404

    before = last_seq()
    response = login_as("fokal").post(url, {"published": "1"}, follow=True)
    assert response.status_code == 200
    measure.refresh_from_db()
    assert not measure.is_published
    assert events_since(before) == [("measure.publish", "denied")]

    page = html(coordinator.get(reverse("plan:measure", args=[measure.pk])))
    assert f'action="{url}"' in page
    coordinator.post(url, {"published": "1"})
    measure.refresh_from_db()
    assert measure.is_published and client.get(public).status_code == 200
    assert AuditEvent.objects.filter(action="measure.publish", outcome="ok", object_id=str(measure.pk)).count() == 1


def test_the_recommendation_publish_command(plan_world, cast, login_as, client):
    hidden = Recommendation.objects.get(source="us_tip", cycle="2023", is_published=False)
    url = reverse("plan:recommendation", args=[hidden.pk])
    public = reverse("public:recommendation", args=[hidden.pk])
    assert client.get(public).status_code == 404
    before = last_seq()
    response = login_as("fokal").post(url, {"command": "publish", "published": "1"}, follow=True)
    assert response.status_code == 200
    hidden.refresh_from_db()
    assert not hidden.is_published
    assert events_since(before) == [("recommendation.publish", "denied")]

    coordinator = coordinator_client(login_as, cast)
    response = coordinator.post(url, {"command": "publish", "published": "1"}, follow=True)
    assert "The recommendation is public." in messages_of(response)
    hidden.refresh_from_db()
    assert hidden.is_published and client.get(public).status_code == 200
    # Its repeat's public page now shows both cycles.
    repeat = Recommendation.objects.get(previous=hidden)
    rows = table(html(client.get(reverse("public:recommendation", args=[repeat.pk]))), "history")
    assert [row[0] for row in rows[1:]] == ["2023 · R2.1", "2024 · R2.2"]
    coordinator.post(url, {"command": "publish", "published": "0"})
    hidden.refresh_from_db()
    assert not hidden.is_published and client.get(public).status_code == 404
    assert coordinator.post(url, {"command": "delete"}).status_code == 404


def test_the_assessment_form_on_the_recommendation_page(plan_world, cast, login_as):
    recommendation = Recommendation.objects.get(source="cedaw")
    url = reverse("plan:recommendation", args=[recommendation.pk])
    coordinator = coordinator_client(login_as, cast)
    count = Assessment.objects.count()

    response = coordinator.post(url, {"command": "assess", "level": "", "comment": "Boş"})
    assert response.status_code == 400
    with override("en"):
        assert escape(gettext("This field is required.")) in html(response)
    response = coordinator.post(url, {"level": "sometimes", "comment": ""})
    assert response.status_code == 400
    assert 'data-testid="assessment-form"' in html(response) and "sometimes" in html(response)
    assert Assessment.objects.count() == count

    response = coordinator.post(url, {"command": "assess", "level": "full", "comment": "Yoxlanıldı."}, follow=True)
    assert "The assessment is recorded." in messages_of(response)
    assert queries.current_level(Recommendation.objects.get(pk=recommendation.pk)) == "full"
    assert Assessment.objects.count() == count + 1

    before = last_seq()
    login_as("fokal").post(url, {"command": "assess", "level": "not_started"})
    assert Assessment.objects.count() == count + 1
    assert events_since(before) == [("recommendation.assess", "denied")]


# --- evidence ------------------------------------------------------------------------------------
def evidence_files() -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / "plan" / "evidence"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def upload(client: Any, report: ProgressReport, name: str, data: bytes) -> Any:
    return client.post(reverse("plan:evidence_upload", args=[report.pk]),
                       {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")})


def test_a_focal_point_attaches_evidence_and_the_coordinator_downloads_it(plan_world, cast, fokal_en, login_as,
                                                                          django_capture_on_commit_callbacks):
    draft = demo_report("2.1", 2024)
    files = evidence_files()
    before = last_seq()
    response = upload(fokal_en, draft, "../../Hesabat 2024 (yekun).pdf", PDF)
    assert response.status_code == 302 and response["Location"] == reverse("plan:report", args=[draft.pk])
    evidence = Evidence.objects.get(report=draft)
    assert (evidence.filename, evidence.content_type, evidence.size) == (
        "Hesabat 2024 _yekun_.pdf", "application/pdf", len(PDF))
    assert evidence.storage_name.startswith("plan/evidence/") and evidence.storage_name.endswith(".pdf")
    assert evidence_files() - files == {Path(evidence.storage_name).name}
    assert default_storage.open(evidence.storage_name).read() == PDF  # evidence is not victim data
    assert events_since(before) == [("evidence.create", "ok")]

    page = html(fokal_en.get(reverse("plan:report", args=[draft.pk])))
    download = reverse("plan:evidence", args=[evidence.pk])
    assert download in page and "Hesabat 2024 _yekun_.pdf" in page
    for client in (fokal_en, login_as("analitik")):
        response = client.get(download)
        assert response.status_code == 200
        assert b"".join(response) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="evidence.download", outcome="ok").count() == 2

    # Once submitted, nothing more can be attached or removed.
    actions.report_submit(by=cast["fokal"], report=draft)
    response = upload(fokal_en, draft, "more.pdf", PDF)
    assert response.status_code == 400
    assert "Evidence can be added only while the report is a draft or returned." in html(response)
    assert fokal_en.post(reverse("plan:evidence_delete", args=[evidence.pk]), follow=True).status_code == 200
    assert Evidence.objects.filter(report=draft).count() == 1

    # Returned, the focal point may remove it; the file goes once the transaction commits.
    actions.report_return(by=cast["analitik"], report=draft, comment="Başqa fayl lazımdır.")
    with django_capture_on_commit_callbacks(execute=True):
        response = fokal_en.post(reverse("plan:evidence_delete", args=[evidence.pk]), follow=True)
    assert "The file is removed from the report." in messages_of(response)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert evidence_files() == files


@pytest.mark.parametrize(("name", "data", "message"), [
    ("notes.txt", b"plain text, not a document", "This type of file is not accepted."),
    ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00", "This type of file is not accepted."),
    ("photo.png", PDF, "The file's content does not match its name."),
    ("empty.pdf", b"", None),
])
def test_evidence_of_a_refused_type_is_not_stored(plan_world, fokal_en, name, data, message):
    draft = demo_report("2.1", 2024)
    files, rows, before = evidence_files(), Evidence.objects.count(), last_seq()
    response = upload(fokal_en, draft, name, data)
    assert response.status_code == 400
    if message:
        assert escape(message) in html(response)
    assert (evidence_files(), Evidence.objects.count(), last_seq()) == (files, rows, before)


def test_evidence_larger_than_the_limit_is_refused(plan_world, fokal_en, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    draft = demo_report("2.1", 2024)
    files = evidence_files()
    response = upload(fokal_en, draft, "big.pdf", PDF + b"0" * 1024)
    assert response.status_code == 400
    assert escape("The file is larger than 0 MB.") in html(response)
    assert evidence_files() == files and not Evidence.objects.exists()


def test_another_body_gets_404_for_the_evidence_and_a_denied_event(plan_world, cast, fokal_en, login_as):
    draft = demo_report("2.1", 2024)
    upload(fokal_en, draft, "hesabat.pdf", PDF)
    evidence = Evidence.objects.get(report=draft)
    fokal_polis = focal_point("fokal_polis", cast["police"], language="en")
    outsider = verified_client(fokal_polis)
    files, rows = evidence_files(), Evidence.objects.count()

    response = outsider.get(reverse("plan:evidence", args=[evidence.pk]))
    assert response.status_code == 404
    assert denied("evidence.download", fokal_polis) == 1
    assert outsider.get(reverse("plan:evidence", args=[999_999])).status_code == 404
    assert denied("evidence.download", fokal_polis) == 2
    assert outsider.post(reverse("plan:evidence_delete", args=[evidence.pk])).status_code == 404
    assert denied("evidence.delete", fokal_polis) == 1
    assert upload(outsider, draft, "mine.pdf", PDF).status_code == 404
    assert denied("progress_report.view", fokal_polis) == 1
    # Other roles see no evidence either (the plan is readable, reports are not).
    for username in ("polis", "qht1", "auditor"):
        assert login_as(username).get(reverse("plan:evidence", args=[evidence.pk])).status_code == 404
        assert denied("evidence.download", cast[username]) == 1
    assert (evidence_files(), Evidence.objects.count()) == (files, rows)
    assert not AuditEvent.objects.filter(action="evidence.download", outcome="ok").exists()


# --- the report form ---------------------------------------------------------------------------
def test_a_value_cleared_when_correcting_a_returned_report_no_longer_counts(plan_world, cast, fokal_en, login_as):
    measure = demo_measure("2.2")  # indicator: lessons held (reported only)
    indicator = measure.indicators.get()
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)
    url = reverse("plan:report_edit", args=[measure.pk, period.pk, cast["assistance"].pk])
    field = f"indicator_{indicator.pk}"
    # The label is the indicator's name in the reader's language (English here), with its unit.
    page = html(fokal_en.get(url))
    assert f"{indicator.name_en} ({indicator.unit})" in page and indicator.name_az not in page

    fokal_en.post(url, {"implementation": "in_progress", "text": "Dərslər", field: "130", "command": "submit"})
    report = ProgressReport.objects.get(measure=measure, period=period)
    actions.report_return(by=cast["analitik"], report=report, comment="Say yoxlanılmayıb.")
    assert IndicatorValue.objects.get(report=report).value == Decimal("130")
    response = fokal_en.post(url, {"implementation": "in_progress", "text": "Dərslər", field: "", "command": "submit"})
    assert response.status_code == 302
    assert not IndicatorValue.objects.filter(report=report).exists()
    actions.report_accept(by=cast["analitik"], report=report)
    page = html(login_as("analitik").get(reverse("plan:measure", args=[measure.pk])))
    assert text_of(page, f"reported-{indicator.pk}-2024") == "—"


def test_the_measure_page_shows_baseline_and_each_bodys_accepted_value(plan_world, cast, login_as):
    measure = demo_measure("2.1")  # the police and the Assistance Centre both report people reached
    indicator = measure.indicators.get()
    page = html(coordinator_client(login_as, cast).get(reverse("plan:measure", args=[measure.pk])))
    assert text_of(page, f"baseline-{indicator.pk}") == "3000.00 nəfər (2019)"
    police, assistance = cast["police"].pk, cast["assistance"].pk
    expected = {2021: ("—", "4200.00", "4200.00"), 2022: ("1800.00", "5100.00", "6900.00"),
                2023: ("2100.00", "6300.00", "8400.00"), 2024: ("—", "—", "—")}  # 2024: a draft only
    for year, (by_police, by_assistance, total) in expected.items():
        assert text_of(page, f"body-{indicator.pk}-{year}-{police}") == by_police
        assert text_of(page, f"body-{indicator.pk}-{year}-{assistance}") == by_assistance
        assert text_of(page, f"reported-{indicator.pk}-{year}") == total
        assert text_of(page, f"computed-{indicator.pk}-{year}") == "—"
    rows = table(page, f"indicator-table-{indicator.pk}")
    assert rows[0] == ["Year", "Target", "Yardım Mərkəzi", "İAQMBİ", "Reported (accepted, total)", "From the records"]
    assert [row[1] for row in rows[1:]] == ["5000.00"] * 5


# --- indicators ----------------------------------------------------------------------------------
def test_the_coordinator_adds_and_edits_an_indicator_with_targets(plan_world, cast, login_as):
    measure = demo_measure("5.1")  # 2020–2024
    coordinator = coordinator_client(login_as, cast)
    create = reverse("plan:indicator_create", args=[measure.pk])
    page = html(coordinator.get(create))
    assert all(f'name="target_{year}"' in page for year in range(2020, 2025))
    assert 'name="target_2025"' not in page
    response = coordinator.post(create, {
        "name_az": "Görüşlərdə iştirak edən QHT-lər", "name_ru": "НПО на встречах", "name_en": "NGOs at meetings",
        "unit": "QHT", "baseline": "5", "baseline_year": "2019", "computed_key": "",
        "target_2023": "8", "target_2024": "10"})
    assert response.status_code == 302 and response["Location"] == reverse("plan:measure", args=[measure.pk])
    indicator = measure.indicators.get(name_en="NGOs at meetings")
    assert (indicator.baseline, indicator.baseline_year, indicator.unit) == (Decimal("5"), 2019, "QHT")
    assert {t.year: t.value for t in indicator.targets.all()} == {2023: Decimal("8"), 2024: Decimal("10")}
    assert AuditEvent.objects.filter(action="indicator.create", object_id=str(indicator.pk)).count() == 1

    edit = reverse("plan:indicator_edit", args=[indicator.pk])
    assert 'value="8.00"' in html(coordinator.get(edit))
    response = coordinator.post(edit, {
        "name_az": "Görüşlərdə iştirak edən QHT-lər", "name_en": "NGOs at meetings", "unit": "QHT",
        "baseline": "6", "baseline_year": "2019", "computed_key": "persons_identified", "target_2024": "12"})
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.baseline, indicator.computed_key) == (Decimal("6"), "persons_identified")
    assert {t.year: t.value for t in indicator.targets.all()} == {2024: Decimal("12")}  # 2023 cleared
    page = html(coordinator.get(reverse("plan:measure", args=[measure.pk])))
    assert text_of(page, f"baseline-{indicator.pk}") == "6.00 QHT (2019)"
    assert text_of(page, f"computed-{indicator.pk}-2024") == "0"

    response = coordinator.post(edit, {"name_az": "X", "computed_key": "no_such_statistic"})
    assert response.status_code == 400
    indicator.refresh_from_db()
    assert indicator.name_az == "Görüşlərdə iştirak edən QHT-lər"


def test_only_the_coordinator_reaches_the_indicator_pages(plan_world, cast, login_as):
    measure = demo_measure("3.1")
    indicator = measure.indicators.get()
    fokal = login_as("fokal")
    indicators, before = Indicator.objects.count(), last_seq()
    for url in (reverse("plan:indicator_create", args=[measure.pk]), reverse("plan:indicator_edit",
                                                                              args=[indicator.pk])):
        assert fokal.get(url).status_code == 404
        assert fokal.post(url, {"name_az": "Mənim göstəricim", "computed_key": ""}).status_code == 404
    assert Indicator.objects.count() == indicators
    assert Indicator.objects.get(pk=indicator.pk).name_az != "Mənim göstəricim"
    assert events_since(before) == [("indicator.save", "denied")] * 4
    page = html(fokal.get(reverse("plan:measure", args=[measure.pk])))
    assert reverse("plan:indicator_edit", args=[indicator.pk]) not in page


# --- plans, sections, periods, measures ------------------------------------------------------------
PLAN_FORM = {"title_az": "Yeni plan", "title_ru": "Новый план", "title_en": "New plan",
             "description_az": "Təsvir", "description_ru": "Описание", "description_en": "Description",
             "start_year": "2030", "end_year": "2034", "adopting_act_az": "Fərman № 1", "adopting_act_ru": "Указ № 1",
             "adopting_act_en": "Decree No. 1", "adopted_on": "2029-12-20"}


def test_the_coordinator_creates_a_plan_with_sections_periods_and_measures(plan_world, cast, login_as, client):
    coordinator = coordinator_client(login_as, cast)
    assert reverse("plan:create") in html(coordinator.get(reverse("plan:list")))
    response = coordinator.post(reverse("plan:create"), PLAN_FORM)
    plan = Plan.objects.get(title_az="Yeni plan")
    assert response.status_code == 302 and response["Location"] == reverse("plan:edit", args=[plan.pk])
    assert (plan.title_ru, plan.description_en, plan.adopting_act_ru, str(plan.adopted_on), plan.is_published) == (
        "Новый план", "Description", "Указ № 1", "2029-12-20", False)

    section_url = reverse("plan:section_create", args=[plan.pk])
    assert coordinator.post(section_url, {"number": "1", "title_az": "Qarşısının alınması", "order": "1"}
                            ).status_code == 302
    response = coordinator.post(section_url, {"number": "1", "title_az": "Təkrar", "order": "2"})
    assert response.status_code == 400 and plan.sections.count() == 1
    section = plan.sections.get()
    coordinator.post(reverse("plan:section_edit", args=[section.pk]),
                     {"number": "1", "title_az": "Qarşısının alınması", "title_en": "Prevention", "order": "1"})
    section.refresh_from_db()
    assert section.title_en == "Prevention"

    period_url = reverse("plan:period_create", args=[plan.pk])
    response = coordinator.post(period_url, {"year": "2035", "due_on": "2036-01-31"})
    assert response.status_code == 400
    assert "The year must lie within the plan&#x27;s period (2030–2034)." in html(response)
    assert coordinator.post(period_url, {"year": "2030", "due_on": "2031-01-31"}).status_code == 302
    period = plan.periods.get()
    coordinator.post(reverse("plan:period_edit", args=[period.pk]), {"year": "2030", "due_on": "2031-02-15"})
    period.refresh_from_db()
    assert str(period.due_on) == "2031-02-15"
    assert table(html(coordinator.get(reverse("plan:edit", args=[plan.pk]))), "plan-periods")[1][0] == "2030"

    measure_url = reverse("plan:measure_create", args=[plan.pk])
    prevention, sdg = Category.objects.get(code="prevention"), Category.objects.get(code="SDG 8.7")
    form = {"section": section.pk, "number": "1.1", "text_az": "Məktəblərdə dərslər", "text_ru": "Уроки в школах",
            "text_en": "Lessons in schools", "expected_result_az": "Bütün məktəblər",
            "expected_result_en": "Every school", "executing_bodies": [cast["assistance"].pk],
            "partners": [cast["ngo3"].pk, cast["ngo1"].pk], "categories": [prevention.pk, sdg.pk],
            "start_year": "2030", "end_year": "2032", "deadline": "2032-06-30"}
    response = coordinator.post(measure_url, {**form, "partners": [cast["assistance"].pk]})
    assert response.status_code == 400
    assert "An organisation cannot be both executing body and partner" in html(response)
    response = coordinator.post(measure_url, {**form, "end_year": "2036"})
    assert response.status_code == 400 and not Measure.objects.filter(section=section).exists()
    response = coordinator.post(measure_url, form)
    measure = Measure.objects.get(section=section, number="1.1")
    assert response.status_code == 302 and response["Location"] == reverse("plan:measure", args=[measure.pk])
    assert (measure.text_ru, measure.expected_result_en, str(measure.deadline), measure.is_published) == (
        "Уроки в школах", "Every school", "2032-06-30", False)
    assert {o.pk for o in measure.partners.all()} == {cast["ngo3"].pk, cast["ngo1"].pk}
    assert {c.code for c in measure.categories.all()} == {"prevention", "SDG 8.7"}

    # Edit: a body that has reported stays; the texts change.
    focal = cast["fokal"]
    report = actions.report_save(by=focal, measure=measure, period=period, organisation=cast["assistance"],
                                 text="Başladıq.", implementation="in_progress")
    edit = reverse("plan:measure_edit", args=[measure.pk])
    response = coordinator.post(edit, {**form, "executing_bodies": [cast["police"].pk]})
    assert response.status_code == 400 and "must stay its executing bodies" in html(response)
    response = coordinator.post(edit, {**form, "start_year": "2031"})
    assert response.status_code == 400 and "Reports exist for years outside the new period." in html(response)
    response = coordinator.post(edit, {**form, "text_en": "Lessons in every school",
                                       "executing_bodies": [cast["assistance"].pk, cast["police"].pk]})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.text_en == "Lessons in every school" and measure.executing_bodies.count() == 2
    assert report.organisation == cast["assistance"]
    assert AuditEvent.objects.filter(action="measure.update", outcome="ok", object_id=str(measure.pk)).count() == 1

    # The period cannot shrink past the measure; the plan goes public only when published.
    response = coordinator.post(reverse("plan:edit", args=[plan.pk]), {**PLAN_FORM, "end_year": "2031"})
    assert response.status_code == 400
    assert "Some measures run outside the new period; change them first." in html(response)
    assert client.get(reverse("public:plan", args=[plan.pk])).status_code == 404
    coordinator.post(reverse("plan:publish", args=[plan.pk]), {"published": "1"})
    coordinator.post(reverse("plan:measure_publish", args=[measure.pk]), {"published": "1"})
    public = html(client.get(reverse("public:plan", args=[plan.pk])))
    assert "Decree No. 1" not in public and "Fərman № 1" in public  # the visitor's language (az)
    assert f'data-measure="{measure.pk}"' in public
    coordinator.post(reverse("plan:publish", args=[plan.pk]), {"published": "0"})
    assert client.get(reverse("public:plan", args=[plan.pk])).status_code == 404
    assert [a for a, _o in AuditEvent.objects.filter(object_type="plan.Plan", object_id=str(plan.pk))
            .order_by("seq").values_list("action", "outcome")] == [
        "plan.create", "plan.publish", "plan.unpublish"]


@pytest.mark.parametrize("username", ["fokal", "polis", "koalisiya", "auditor"])
def test_only_the_coordinator_reaches_the_plan_pages(plan_world, cast, login_as, username):
    client = login_as(username)
    section = plan_world.sections.first()
    period = plan_world.periods.first()
    category = Category.objects.first()
    measure = demo_measure("1.1")
    recommendation = Recommendation.objects.first()
    urls = [reverse("plan:create"), reverse("plan:edit", args=[plan_world.pk]),
            reverse("plan:section_create", args=[plan_world.pk]), reverse("plan:section_edit", args=[section.pk]),
            reverse("plan:period_create", args=[plan_world.pk]), reverse("plan:period_edit", args=[period.pk]),
            reverse("plan:measure_create", args=[plan_world.pk]), reverse("plan:measure_edit", args=[measure.pk]),
            reverse("plan:categories"), reverse("plan:category_edit", args=[category.pk]),
            reverse("plan:recommendation_create"), reverse("plan:recommendation_edit", args=[recommendation.pk])]
    before = last_seq()
    counts = (Plan.objects.count(), Section.objects.count(), ReportingPeriod.objects.count(), Measure.objects.count(),
              Category.objects.count(), Recommendation.objects.count())
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title_az": "X", "number": "9", "code": "x", "name_az": "X", "text_az": "X",
                                 "source": "other", "cycle": "2030"}).status_code == 404, url
    assert client.post(reverse("plan:publish", args=[plan_world.pk]), {"published": "0"}).status_code == 404
    assert (Plan.objects.count(), Section.objects.count(), ReportingPeriod.objects.count(), Measure.objects.count(),
            Category.objects.count(), Recommendation.objects.count()) == counts
    assert Plan.objects.get(pk=plan_world.pk).is_published
    assert [outcome for _action, outcome in events_since(before)] == ["denied"] * (2 * len(urls) + 1)


# --- categories --------------------------------------------------------------------------------
def test_categories_page_and_an_import_using_a_new_category(plan_world, cast, login_as):
    coordinator = coordinator_client(login_as, cast)
    rows = table(html(coordinator.get(reverse("plan:categories"))), "categories")
    assert [row[0] for row in rows[1:]] == ["partnership", "prevention", "prosecution", "protection",
                                            "SDG 16.2", "SDG 5.2", "SDG 8.7"]
    response = coordinator.post(reverse("plan:categories"), {"kind": "other", "code": "victim-voice",
                                                             "name_az": "Qurbanların səsi", "name_en": "Victim voice"})
    assert response.status_code == 302
    assert Category.objects.get(code="victim-voice").kind == "other"
    response = coordinator.post(reverse("plan:categories"), {"kind": "other", "code": "victim-voice",
                                                             "name_az": "Təkrar"})
    assert response.status_code == 400 and Category.objects.filter(code="victim-voice").count() == 1
    response = coordinator.post(reverse("plan:categories"), {"kind": "pillar", "code": "punishment",
                                                             "name_az": "Cəza"})
    assert response.status_code == 400 and not Category.objects.filter(code="punishment").exists()
    pillar = Category.objects.get(code="prevention")
    response = coordinator.post(reverse("plan:category_edit", args=[pillar.pk]),
                                {"kind": "pillar", "code": "changed", "name_az": "Qarşısının alınması",
                                 "name_ru": "Профилактика", "name_en": "Prevention of trafficking"})
    assert response.status_code == 302
    pillar.refresh_from_db()
    assert (pillar.code, pillar.kind, pillar.name_en) == ("prevention", "pillar", "Prevention of trafficking")

    template = coordinator.get(reverse("plan:measures_template") + f"?plan={plan_world.pk}").content
    row = {"section": "2", "number": "2.7", "text_az": "Qurbanların təcrübəsinə əsaslanan dərslər",
           "executing_bodies": "Yardım Mərkəzi", "start_year": 2022, "end_year": 2024,
           "categories": "victim-voice; SDG 8.7"}
    response = coordinator.post(reverse("plan:import", args=[plan_world.pk]), {
        "kind": "measures", "publish": "on",
        "file": SimpleUploadedFile("m.xlsx", fill(template, [row]), content_type=xlsx.XLSX)})
    assert response.status_code == 302
    measure = Measure.objects.get(section__plan=plan_world, number="2.7")
    assert {c.code for c in measure.categories.all()} == {"victim-voice", "SDG 8.7"}
    assert measure.is_published  # the upload asked to publish


def test_the_standard_categories_come_with_the_migration(db):
    """Outside the demo: the data migration's function creates the seven standard categories."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("korpu.plan.migrations.0004_standard_categories")
    Category.objects.all().delete()  # a database flushed by another test may have lost them
    migration.seed(apps, None)
    assert sorted(Category.objects.values_list("kind", "code")) == [
        ("pillar", "partnership"), ("pillar", "prevention"), ("pillar", "prosecution"), ("pillar", "protection"),
        ("sdg", "SDG 16.2"), ("sdg", "SDG 5.2"), ("sdg", "SDG 8.7")]
    migration.seed(apps, None)
    assert Category.objects.count() == 7


# --- recommendations -------------------------------------------------------------------------------
def test_the_coordinator_creates_and_edits_a_recommendation(plan_world, cast, login_as, client):
    coordinator = coordinator_client(login_as, cast)
    round3 = Recommendation.objects.get(source="greta", cycle="Round 3 (2023)", reference="R3.2")
    form = {"source": "greta", "cycle": "Round 4 (2027)", "reference": "R3.3",
            "text_az": "Vahid statistik sistemi tam işlək etmək.", "text_ru": "Полностью запустить систему.",
            "text_en": "Make the statistical system fully operational.", "priority": "urges", "theme": "data",
            "measures": [demo_measure("1.2").pk], "previous": round3.pk, "response_az": "Qəbul edilib."}
    response = coordinator.post(reverse("plan:recommendation_create"), form)
    created = Recommendation.objects.get(cycle="Round 4 (2027)")
    assert response.status_code == 302
    assert (created.previous, created.text_ru, created.priority, created.is_published) == (
        round3, "Полностью запустить систему.", "urges", False)
    assert [m.number for m in created.measures.all()] == ["1.2"]
    assert queries.recommendation_history(created)[-1] == created

    edit = reverse("plan:recommendation_edit", args=[created.pk])
    response = coordinator.post(edit, {**form, "response_en": "Accepted; the system runs from 2028.",
                                       "measures": [demo_measure("1.2").pk, demo_measure("5.1").pk]})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.response_en == "Accepted; the system runs from 2028." and created.measures.count() == 2
    page = html(coordinator.get(reverse("plan:recommendation", args=[created.pk])))
    assert "Accepted; the system runs from 2028." in page
    # The earliest cycle cannot name a later one as its predecessor.
    round2 = round3.previous
    response = coordinator.post(reverse("plan:recommendation_edit", args=[round2.pk]), {
        "source": "greta", "cycle": round2.cycle, "reference": round2.reference, "text_az": round2.text_az,
        "previous": created.pk})
    assert response.status_code == 400
    assert "A recommendation cannot repeat itself or a later one." in html(response)
    round2.refresh_from_db()
    assert round2.previous is None
    # Not public until published.
    assert client.get(reverse("public:recommendation", args=[created.pk])).status_code == 404


def test_a_recommendations_file_with_one_bad_row_saves_nothing(plan_world, login_as, cast):
    client = coordinator_client(login_as, cast, "ru")
    rows = [
        {"source": "us_tip", "cycle": "2027", "reference": "A1", "text_az": "Birinci tövsiyə.", "measures": "2.1"},
        {"source": "unicef", "cycle": "2027", "reference": "A2", "text_az": "İkinci tövsiyə."},  # row 4
        {"source": "greta", "cycle": "Round 4 (2027)", "reference": "A3", "text_az": "Üçüncü tövsiyə."},
    ]
    recommendations, before = Recommendation.objects.count(), last_seq()
    response = client.post(reverse("plan:import", args=[plan_world.pk]), {
        "kind": "recommendations",
        "file": SimpleUploadedFile("r.xlsx", fill(xlsx.recommendations_template(plan_world), rows),
                                   content_type=xlsx.XLSX)})
    assert response.status_code == 400
    page = html(response)
    assert '<html lang="ru">' in page
    assert 'data-row="4"' in page and 'data-row="3"' not in page and 'data-row="5"' not in page
    with override("ru"):
        message = gettext("Unknown source code %(code)s; use one of: %(codes)s.") % {
            "code": "unicef", "codes": ", ".join(Recommendation.Source.values)}
        nothing = gettext("Nothing was saved. Correct these rows and upload the file again.")
    assert escape(message) in page and escape(nothing) in page
    assert Recommendation.objects.count() == recommendations
    assert last_seq() == before


# --- the demo ----------------------------------------------------------------------------------
def test_the_demo_is_sensible_today(plan_world, cast):
    """Not every measure is late; some bodies reported on time; the successor is ready but unpublished."""
    statuses = [m.status for row in queries.plan_tree(plan_world) for m in row.measures]
    assert statuses.count("completed") == 3 and statuses.count("late") == 6
    successor = Plan.objects.get(start_year=2025)
    assert not successor.is_published
    assert successor.sections.count() == 4 and successor.periods.count() == 5
    later = [m.status for row in queries.plan_tree(successor, today=successor.periods.get(year=2026).due_on)
             for m in row.measures]
    assert "late" not in later and later.count("in_progress") == 4
    rates = {r.organisation.short_name: (r.expected, r.submitted, r.on_time)
             for r in queries.reporting_rate(plan_world, plan_world.periods.get(year=2023))}
    # 2023: the police were late with 2.1 and 4.1; the Centre late with 2.1, and its 2.2 was returned.
    assert rates["İAQMBİ"] == (4, 4, 2) and rates["Yardım Mərkəzi"] == (4, 3, 2)
    measures = Measure.objects.filter(section__plan__in=[plan_world, successor])
    assert all(m.text_ru and m.text_en and m.expected_result_az and m.expected_result_ru for m in measures)
    indicators = Indicator.objects.filter(measure__section__plan=plan_world)
    assert indicators.exclude(computed_key="").count() == 3 and indicators.filter(computed_key="").count() == 4
    assert set(ProgressReport.objects.values_list("organisation__short_name", flat=True)) == {
        "İAQMBİ", "Yardım Mərkəzi"}


def test_the_status_export_in_russian_has_russian_labels(plan_world, login_as):
    import openpyxl

    response = login_as("fokal").get(reverse("plan:export_xlsx", args=[plan_world.pk]) + "?lang=ru")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["A1"].value == plan_world.title_ru
    with override("ru"):
        assert workbook.worksheets[1].cell(row=1, column=9).value == gettext("Status")
    texts = {row[1]: row[2] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert texts["3.1"] == demo_measure("3.1").text_ru
