"""The coalition activity report: PDF and XLSX in az, ru and en, disclosure control, the page and its errors.

The world: the demo plan and coalition (the meeting of 20 October 2020 with six proposals, two
campaigns in 2021 and 2022), then case records made through the real actions: NGO 1 (the chair)
refers 3 cases to NGO 2 and 7 to NGO 3, and delivers 6 psychological and 2 legal-aid services, all
within the period 1 January 2020 – today; one more referral to NGO 2 and one more service fall on
31 December 2019, just outside it. The PDFs are also written to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from korpu.cases import actions as case_actions
from korpu.cases import choices
from korpu.cases.models import Referral, Service
from korpu.core.models import AuditEvent
from korpu.engagement import demo as engagement_demo
from korpu.engagement import report
from korpu.plan import demo as plan_demo
from korpu.stats.disclosure import SECONDARY, suppress, suppress_table

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MEETING = "Baş İdarə ilə QHT Koalisiyasının görüşü"
NGO1 = "Ümid Körpüsü İctimai Birliyi"
NGO2 = "Həyat İşığı Reabilitasiya Mərkəzi"
NGO3 = "Gələcək Naminə Gənclər Birliyi"
START = dt.date(2020, 1, 1)
FULL_CONSENT = {"data_processing": True, "share_law_enforcement": True, "share_ngo": True,
                "share_government": True, "share_international": True, "contact_by_law_enforcement": True}
HEADING_KEYS = ["meetings", "proposals", "campaigns"]
SHEET_KEYS = ["sheet_overview", "meetings", "proposals", "campaigns", "sheet_reach", "sheet_members"]
# Words the message catalogues already translate (a heading, a region, a target group): the report in
# az and ru must show them in that language, not in English.
TRANSLATED = {"az": ["Görüşlər", "Bakı", "Tələbələr"], "ru": ["Встречи", "Баку", "Студенты"],
              "en": ["Meetings", "Baku", "Students"]}


def headings(language: str) -> list[str]:
    return [report.text(key, language) for key in HEADING_KEYS]


def sheets(language: str) -> list[str]:
    return [report.text(key, language)[:31] for key in SHEET_KEYS]


# --- disclosure control ----------------------------------------------------------------------------
def test_suppress_hides_one_to_four_and_keeps_zero() -> None:
    assert settings.DISCLOSURE_THRESHOLD == 5
    assert [suppress(n) for n in range(8)] == [0, "<5", "<5", "<5", "<5", 5, 6, 7]
    assert suppress(2, threshold=3) == "<3" and suppress(3, threshold=3) == 3
    assert suppress(1000) == 1000


def test_suppress_follows_the_setting_and_refuses_nonsense(settings: Any) -> None:
    settings.DISCLOSURE_THRESHOLD = 10
    assert suppress(9) == "<10" and suppress(10) == 10
    with pytest.raises(ValueError):
        suppress(-1)
    with pytest.raises(ValueError):
        suppress(1, threshold=1)


def test_suppress_table_secondary_suppression() -> None:
    rows = [
        {"name": "one hidden", "a": 3, "b": 6, "c": 10, "total": 19},   # b is the next smallest non-zero
        {"name": "two hidden", "a": 1, "b": 2, "c": 8, "total": 11},    # the total gives only a + b
        {"name": "none hidden", "a": 0, "b": 5, "c": 9, "total": 14},
        {"name": "alone", "a": 2, "b": 0, "c": 0, "total": 2},          # nothing else to hide
        {"name": "tie", "a": 3, "b": 7, "c": 7, "total": 17},           # first in column order
        {"name": "zero skipped", "a": 4, "b": 0, "c": 12, "total": 16},  # a zero is never the second cell
    ]
    original = [dict(r) for r in rows]
    assert suppress_table(rows, ["a", "b", "c"]) == [
        {"name": "one hidden", "a": "<5", "b": SECONDARY, "c": 10, "total": 19},
        {"name": "two hidden", "a": "<5", "b": "<5", "c": 8, "total": 11},
        {"name": "none hidden", "a": 0, "b": 5, "c": 9, "total": 14},
        {"name": "alone", "a": "<5", "b": 0, "c": 0, "total": 2},
        {"name": "tie", "a": "<5", "b": SECONDARY, "c": 7, "total": 17},
        {"name": "zero skipped", "a": "<5", "b": 0, "c": SECONDARY, "total": 16},
    ]
    assert rows == original  # the input is not changed
    assert SECONDARY == "x"
    assert suppress_table([{"a": 5, "b": 9}], ["a", "b"], threshold=6) == [{"a": "<6", "b": "x"}]
    assert suppress_table([], ["a"]) == []


# --- the world ---------------------------------------------------------------------------------------
def _case(cast: dict[str, Any], index: int) -> Any:
    return case_actions.case_register(
        by=cast["qht1"],
        person={"given_name": f"Rəna{index}", "family_name": "Nümunəli", "gender": choices.Gender.FEMININE,
                "age_at_identification": 25, "citizenships": ["AZ"]},
        case={"identification_channel": choices.IdentificationChannel.NGO_OUTREACH,
              "identified_on": timezone.localdate() - dt.timedelta(days=3), "country_of_origin": "AZ",
              "exploitation_countries": ["TR"]},
        exploitation=[choices.Exploitation.SEXUAL], consent=FULL_CONSENT)


def _before_start() -> dt.datetime:
    zone = timezone.get_current_timezone()
    return timezone.make_aware(dt.datetime(2019, 12, 31, 23, 30), zone)


@pytest.fixture
def world(cast: dict[str, Any]) -> dict[str, Any]:
    plan_demo.load()  # the plan first: the demo proposals feed its measure 2.1
    engagement_demo.load()  # needs the cast's users and organisations (koalisiya, police, ngo1-3)
    cases = [_case(cast, i) for i in range(11)]
    refer, reason = case_actions.referral_create, choices.ReferralReason.ADDITIONAL_SERVICES
    for case in cases[:3]:
        refer(by=cast["qht1"], case=case, to_organisation=cast["ngo2"], reason=reason)
    for case in cases[3:10]:
        refer(by=cast["qht1"], case=case, to_organisation=cast["ngo3"], reason=reason)
    outside = refer(by=cast["qht1"], case=cases[10], to_organisation=cast["ngo2"], reason=reason)
    Referral.objects.filter(pk=outside.pk).update(created_at=_before_start())
    today = timezone.localdate()
    for case in cases[:6]:
        case_actions.service_record(by=cast["qht1"], case=case, service_type=choices.ServiceType.PSYCHOLOGICAL,
                                    delivered_on=today)
    for case in cases[6:8]:
        case_actions.service_record(by=cast["qht1"], case=case, service_type=choices.ServiceType.LEGAL,
                                    delivered_on=today)
    case_actions.service_record(by=cast["qht1"], case=cases[9], service_type=choices.ServiceType.MEDICAL,
                                delivered_on=dt.date(2019, 12, 31))
    return {"cases": cases, "end": today}


def pdf_text(data: bytes, tmp_path: Path) -> str | None:
    """The PDF's text (pypdf, else pdftotext), whitespace collapsed; None when neither is available."""
    try:
        import pypdf
    except ImportError:
        pypdf = None
    if pypdf is not None:
        text = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    elif shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(data)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                              text=True).stdout
    else:
        return None
    return re.sub(r"\s+", " ", text)


def _member(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(row for row in data["members"]["rows"] if row["name"] == name)


# --- the data ----------------------------------------------------------------------------------------
def test_activity_data_counts(world: dict[str, Any]) -> None:
    data = report.activity_data(START, world["end"], "en")
    assert [(m["iso"], m["title"], m["participants"], m["decisions"], m["done"]) for m in data["meetings"]] == [
        ("2020-10-20", MEETING, 4, 2, 1)]
    assert {s["code"]: s["count"] for s in data["proposal_counts"]} == {
        "received": 1, "under_review": 1, "accepted": 1, "partially_accepted": 1, "declined": 1, "implemented": 1}
    assert data["proposal_total"] == 6
    fed = {p["title"]: p["measures"] for p in data["proposals"]}
    assert fed["Miqrantlar üçün çoxdilli vərəqələr"] == "2.1" and fed["Hər rayonda ayrıca sığınacaq"] == ""
    assert [(c["events"], c["people"]) for c in data["campaigns"]] == [(4, 12615), (1, 640)]
    assert data["reach"]["total"] == 13255
    assert data["reach"]["regions"][0] == {"code": "baku", "label": "Baku", "people": 12320,
                                           "people_text": "12,320", "width": 100.0}
    assert {g["code"]: g["people"] for g in data["reach"]["groups"]} == {
        "job_seekers": 12085, "students": 530, "labour_migrants": 640}
    assert data["chair"] == {"organisation": NGO1, "person": "Fərid Ağayev"}

    # The members: suppressed counts only; the referral and the service of 31 December 2019 are outside.
    assert [t["code"] for t in data["members"]["types"]] == ["psychological", "legal"]
    assert _member(data, NGO2) == {"name": NGO2, "chair": False, "referrals": "<5", "services": 0, "types": [0, 0]}
    assert _member(data, NGO3) == {"name": NGO3, "chair": False, "referrals": 7, "services": 0, "types": [0, 0]}
    assert _member(data, NGO1) == {"name": NGO1, "chair": True, "referrals": 0, "services": 8,
                                   "types": [SECONDARY, "<5"]}
    assert "Rəna" not in str(data) and not any(c.number in str(data) for c in world["cases"])
    assert Service.objects.filter(delivered_on=dt.date(2019, 12, 31)).count() == 1

    # A period of 2020 only: the meeting and its proposals, no campaign, no case record.
    year = report.activity_data(START, dt.date(2020, 12, 31), "az")
    assert len(year["meetings"]) == 1 and year["proposal_total"] == 6 and year["campaigns"] == []
    assert {r["name"]: (r["referrals"], r["services"]) for r in year["members"]["rows"]} == {
        NGO1: (0, 0), NGO2: (0, 0), NGO3: (0, 0)}
    # 2019 sees the referral to NGO 2 of 31 December 23:30 (Baku time) and the medical service.
    before = report.activity_data(dt.date(2019, 1, 1), dt.date(2019, 12, 31), "en")
    assert _member(before, NGO2)["referrals"] == "<5" and _member(before, NGO1)["types"] == ["<5"]


# --- the PDF and the workbook --------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_report_pdf_and_xlsx_in_each_language(world: dict[str, Any], login_as: Any, tmp_path: Path,
                                              language: str) -> None:
    client = login_as("koalisiya")
    query = {"start": START.isoformat(), "end": world["end"].isoformat(), "lang": language}
    response = client.get(reverse("engagement:report_pdf"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="korpu-coalition-report-20200101-')
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"coalition-report-{language}.pdf").write_bytes(pdf)

    text = pdf_text(pdf, tmp_path)
    if text is None:
        pytest.skip("neither pypdf nor pdftotext is available to read the PDF's text")
    assert MEETING in text
    for heading in headings(language):
        assert heading in text
    for word in TRANSLATED[language]:
        assert word in text, word
    assert re.search(re.escape(NGO2) + r" <5 0", text), "NGO 2's 3 referrals show as <5"
    assert re.search(re.escape(NGO3) + r" 7 0", text), "NGO 3's 7 referrals show as 7"
    assert "Fərid Ağayev" in text and NGO1 in text
    assert "70–100" in text  # the footnote explaining "<5"
    assert "Rəna" not in text

    response = client.get(reverse("engagement:report_xlsx"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == report.XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == sheets(language)
    assert workbook.sheetnames[1] == TRANSLATED[language][0]
    overview = workbook[sheets(language)[0]]
    assert overview["A1"].value == report.text("report", language)
    figures = {row[0]: row[1] for row in overview.iter_rows(min_row=1, values_only=True) if row and row[0]}
    assert figures[report.text("meetings_held", language)] == 1
    assert figures[report.text("proposals_made", language)] == 6
    assert figures[report.text("people_reached", language)] == 13255
    meetings = list(workbook[sheets(language)[1]].iter_rows(min_row=2, values_only=True))
    assert [(r[0].date(), r[1], r[3], r[4], r[5]) for r in meetings] == [(dt.date(2020, 10, 20), MEETING, 4, 2, 1)]
    assert workbook[sheets(language)[1]]["A1"].value == report.text("date", language)
    assert len(list(workbook[sheets(language)[2]].iter_rows(min_row=2))) == 6
    members = workbook[sheets(language)[5]]
    header = [c.value for c in members[1]]
    assert header[:3] == [report.text("member", language), report.text("referrals_received", language),
                          report.text("services_delivered", language)]
    rows = {r[0]: r[1:] for r in members.iter_rows(min_row=2, values_only=True) if r[0] and r[1] is not None}
    assert rows[NGO2] == ("<5", 0, 0, 0)
    assert rows[NGO3] == (7, 0, 0, 0)
    assert rows[f"{NGO1} ({report.text('chair_mark', language)})"] == (0, 8, "x", "<5")
    assert any("70–100" in str(r[0]) for r in members.iter_rows(values_only=True))

    event = AuditEvent.objects.filter(action="coalition.report").order_by("-seq").first()
    assert event is not None and event.actor_label == "koalisiya"
    assert event.details == {"format": "xlsx", "start": "2020-01-01", "end": world["end"].isoformat(),
                             "language": language}
    assert AuditEvent.objects.filter(action="coalition.report", details__format="pdf").count() == 1


# --- the page ------------------------------------------------------------------------------------------
def test_page_defaults_to_last_calendar_year_and_links(cast: Any, login_as: Any) -> None:
    client = login_as("koalisiya")
    page = client.get(reverse("engagement:report"))
    assert page.status_code == 200
    year = timezone.localdate().year - 1
    body = page.content.decode()
    assert f'value="{year}-01-01"' in body and f'value="{year}-12-31"' in body
    assert reverse("engagement:report_pdf") in body and reverse("engagement:report_xlsx") in body
    assert reverse("engagement:report") in client.get(reverse("engagement:coalition")).content.decode()


def test_anonymous_is_sent_to_login(client: Any, cast: Any) -> None:
    for name in ("report", "report_pdf", "report_xlsx"):
        response = client.get(reverse(f"engagement:{name}"), {"start": "2020-01-01", "end": "2020-12-31"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    assert not AuditEvent.objects.filter(action="coalition.report").exists()


@pytest.mark.parametrize(("query", "key"), [
    ({"start": "2020-13-01", "end": "2020-12-31"}, "error_start"),
    ({"start": "20.01.2020", "end": "2020-12-31"}, "error_start"),
    ({"start": "2020-01-01", "end": ""}, "error_end"),
    ({"start": "2020-12-31", "end": "2020-01-01"}, "error_order"),
    ({"start": "2000-01-01", "end": "2020-12-31"}, "error_long"),
    ({"start": "0001-01-01", "end": "0001-12-31"}, "error_range"),
    ({"start": "2020-01-01", "end": "2020-12-31", "lang": "de"}, "error_language"),
])
def test_bad_input_gives_a_message_in_the_users_language(cast: Any, login_as: Any, query: dict[str, str],
                                                         key: str) -> None:
    for username, language in (("koalisiya", "az"), ("qht2", "ru"), ("analitik", "en")):
        client = login_as(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for name in ("report_pdf", "report_xlsx"):
            response = client.get(reverse(f"engagement:{name}"), query)
            assert response.status_code == 400
            assert response["Content-Type"].startswith("text/html")
            body = response.content.decode()
            with translation.override(language):
                expected = str(report.TEXTS[key]).split("%(")[0]
            assert expected in body, (username, key)
    assert not AuditEvent.objects.filter(action="coalition.report").exists()


def test_missing_language_falls_back_to_the_users(world: dict[str, Any], login_as: Any, tmp_path: Path) -> None:
    client = login_as("qht2")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(reverse("engagement:report_xlsx"), {"start": "2020-01-01", "end": "2020-12-31"})
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == sheets("ru")
