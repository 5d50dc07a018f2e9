"""Import and export of the action plan: templates, the all-or-nothing import, status as XLSX and PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from korpu.core.models import AuditEvent
from korpu.plan import queries
from korpu.plan import sheets as xlsx
from korpu.plan.models import ImplementationStatus, Measure, Recommendation
from tests.plan.conftest import demo_measure

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

ASSISTANCE = "Qurbanlara Yardım Mərkəzi"
POLICE_SHORT = "İAQMBİ"

GOOD_MEASURES: list[dict[str, Any]] = [
    {"section": "2", "number": "2.3", "text_az": "Sosial şəbəkələrdə saxta iş elanlarına qarşı kampaniya",
     "text_en": "Campaign against fake job adverts on social networks",
     "executing_bodies": f"{ASSISTANCE}; {POLICE_SHORT}", "partners": "Ümid Körpüsü", "start_year": 2022,
     "end_year": 2024, "categories": "prevention; SDG 8.7"},
    {"section": "3", "number": "3.3", "text_az": "Qurbanlar üçün qaynar xəttin 24/7 işləməsi",
     "text_ru": "Круглосуточная работа горячей линии для жертв", "executing_bodies": "Yardım Mərkəzi",
     "start_year": 2021, "end_year": 2023, "deadline": "2023-06-30"},
    {"section": "4", "number": "4.3", "text_az": "Əmək müfəttişləri üçün indikatorlar üzrə təlim",
     "executing_bodies": "İnsan Alverinə Qarşı Mübarizə Baş İdarəsi", "partners": "BMT-Tərəfdaş; Gələcək Naminə",
     "start_year": 2020, "end_year": 2020},
]


# --- helpers -----------------------------------------------------------------------------------
def fill(template: bytes, rows: list[dict[str, Any]]) -> bytes:
    """Write rows into the first sheet of a template, under the column codes of row 1."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    codes = [cell.value for cell in sheet[1]]
    for offset, values in enumerate(rows):
        for code, value in values.items():
            sheet.cell(row=xlsx.DATA_START + offset, column=codes.index(code) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: Any, plan: Any, data: bytes, kind: str = "measures") -> Any:
    return client.post(reverse("plan:import", args=[plan.pk]),
                       {"kind": kind, "file": SimpleUploadedFile("filled.xlsx", data, content_type=xlsx.XLSX)})


def coordinator_client(login_as: Any, cast: Any, language: str = "en") -> Any:
    """The coordinator, with the language cookie the login page sets from the user's language."""
    user = cast["analitik"]
    user.language = language
    user.save(update_fields=["language"])
    client = login_as("analitik")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


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


# --- templates ---------------------------------------------------------------------------------
def test_measures_template_has_codes_labels_picklists_and_instructions(plan_world, login_as, cast):
    client = coordinator_client(login_as, cast, "ru")
    response = client.get(reverse("plan:measures_template") + f"?plan={plan_world.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.code for c in xlsx.MEASURE_COLUMNS]
    with translation.override("ru"):
        assert sheet.cell(row=2, column=1).value == f"{gettext('Section number')} *"
    ranges = {str(v.sqref).split(":")[0][:1]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert ranges["A"].startswith("lists!")  # section numbers of this plan
    lists = workbook["lists"]
    assert [lists.cell(row=r, column=1).value for r in range(2, 7)] == ["1", "2", "3", "4", "5"]
    assert ASSISTANCE in [c.value for c in lists["C"]]
    assert [lists.cell(row=r, column=4).value for r in range(2, 7)] == [2020, 2021, 2022, 2023, 2024]
    instructions = " ".join(str(c.value) for c in workbook["instructions"]["A"] if c.value)
    assert "Tədbirlərin idxalı" in instructions and "Шаблон для импорта" in instructions
    assert "Template for importing measures" in instructions


def test_recommendations_template_lists_sources_and_priorities(plan_world, login_as):
    response = login_as("analitik").get(reverse("plan:recommendations_template") + f"?plan={plan_world.pk}")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == [c.code for c in xlsx.RECOMMENDATION_COLUMNS]
    lists = workbook["lists"]
    assert {lists.cell(row=r, column=1).value for r in range(2, 10)} == set(Recommendation.Source.values)
    assert "prioritized" in [c.value for c in lists["C"]]
    assert "3.1" in [c.value for c in lists["E"]]
    # Without a plan the measures template still works: no section picklist, the years of every plan.
    plain = openpyxl.load_workbook(io.BytesIO(login_as("analitik").get(reverse("plan:measures_template")).content))
    assert [c.value for c in plain.worksheets[0][1]] == [c.code for c in xlsx.MEASURE_COLUMNS]
    assert plain["lists"].cell(row=2, column=1).value is None
    assert plain["lists"].cell(row=2, column=4).value == 2020


# --- importing measures ------------------------------------------------------------------------
def test_three_valid_measures_are_created_and_audited(plan_world, login_as, cast):
    client = coordinator_client(login_as, cast, "en")
    template = client.get(reverse("plan:measures_template") + f"?plan={plan_world.pk}").content
    before = Measure.objects.count()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = upload(client, plan_world, fill(template, GOOD_MEASURES))
    assert response.status_code == 302
    assert response["Location"] == reverse("plan:detail", args=[plan_world.pk])
    assert Measure.objects.count() == before + 3
    created = {m.number: m for m in Measure.objects.filter(number__in=["2.3", "3.3", "4.3"])}
    assert {m.section.number for m in created.values()} == {"2", "3", "4"}
    assert {o.short_name for o in created["2.3"].executing_bodies.all()} == {"Yardım Mərkəzi", POLICE_SHORT}
    assert [o.short_name for o in created["2.3"].partners.all()] == ["Ümid Körpüsü"]
    assert {c.code for c in created["2.3"].categories.all()} == {"prevention", "SDG 8.7"}
    assert created["3.3"].deadline.isoformat() == "2023-06-30"
    assert created["3.3"].text_ru.startswith("Круглосуточная")
    assert not any(m.is_published for m in created.values())  # not public until published
    events = AuditEvent.objects.filter(action="measure.create", seq__gt=last)
    assert sorted(e.object_id for e in events) == sorted(str(m.pk) for m in created.values())
    assert all(e.actor_id == cast["analitik"].pk for e in events)
    assert AuditEvent.objects.filter(action="plan.import_measures", object_id=str(plan_world.pk)).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert escape("Imported 3 measures.") in page


@pytest.mark.parametrize("bad", [
    {"executing_bodies": "Mövcud Olmayan Nazirlik"},
    {"start_year": 2024, "end_year": 2022},
])
def test_one_bad_row_refuses_the_whole_file(plan_world, login_as, cast, bad):
    client = coordinator_client(login_as, cast, "en")
    rows = [dict(row) for row in GOOD_MEASURES]
    rows[1].update(bad)  # sheet row 4
    measures, events = Measure.objects.count(), AuditEvent.objects.count()
    response = upload(client, plan_world, fill(xlsx.measures_template(plan_world), rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 4" in page and 'data-row="4"' in page
    assert 'data-row="3"' not in page and 'data-row="5"' not in page
    if "executing_bodies" in bad:
        assert escape("Unknown organisation: Mövcud Olmayan Nazirlik.") in page
    else:
        assert escape("The end year 2022 is before the start year 2024.") in page
    assert Measure.objects.count() == measures
    assert AuditEvent.objects.count() == events


def test_errors_are_in_the_users_language(plan_world, login_as, cast):
    client = coordinator_client(login_as, cast, "ru")
    rows = [dict(row) for row in GOOD_MEASURES]
    rows[1]["executing_bodies"] = "Mövcud Olmayan Nazirlik"
    rows[2]["section"] = "9"
    response = upload(client, plan_world, fill(xlsx.measures_template(plan_world), rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="ru">' in page
    with translation.override("ru"):
        unknown = gettext("Unknown organisation: %(name)s.") % {"name": "Mövcud Olmayan Nazirlik"}
        no_section = gettext("The plan has no section %(number)s.") % {"number": "9"}
        nothing_saved = gettext("Nothing was saved. Correct these rows and upload the file again.")
    assert escape(unknown) in page and escape(no_section) in page and escape(nothing_saved) in page


def test_the_rules_of_a_measures_file(plan_world, cast):
    rows = [
        {**GOOD_MEASURES[0], "number": "1.1", "section": "1"},  # 3: already in the plan
        GOOD_MEASURES[1],  # 4: fine
        {**GOOD_MEASURES[1], "text_az": "Təkrar"},  # 5: same number twice in the file
        {**GOOD_MEASURES[2], "start_year": 2019, "deadline": "31.12.2026", "partners": POLICE_SHORT},  # 6
        {"section": "", "number": "", "text_az": "Yalnız mətn"},  # 7: required columns
        {**GOOD_MEASURES[0], "number": "2.9", "categories": "nope", "end_year": "iki min"},  # 8
    ]
    with translation.override("en"):
        result = xlsx.read_measures(io.BytesIO(fill(xlsx.measures_template(plan_world), rows)), plan_world)
    issues = {(e.row, e.column) for e in result.errors}
    assert (3, "number") in issues
    assert not [e for e in result.errors if e.row == 4]
    assert (5, "number") in issues
    assert {(6, "start_year"), (6, "partners")} <= issues
    assert {(7, "section"), (7, "number"), (7, "executing_bodies"), (7, "start_year"), (7, "end_year")} <= issues
    assert {(8, "categories"), (8, "end_year")} <= issues
    assert not result.ok
    with pytest.raises(xlsx.ImportRefused):
        xlsx.apply_measures(result, cast["analitik"])


def test_a_file_that_is_not_a_workbook_or_not_the_template(plan_world, login_as, cast):
    client = coordinator_client(login_as, cast, "en")
    response = upload(client, plan_world, b"not a zip at all")
    assert response.status_code == 400
    assert escape("This is not an Excel workbook (.xlsx).") in response.content.decode()
    response = upload(client, plan_world, xlsx.recommendations_template(plan_world), kind="measures")
    assert response.status_code == 400 and "section, number, text_az" in response.content.decode()


def test_an_empty_template_imports_nothing(plan_world, login_as, cast):
    client = coordinator_client(login_as, cast, "en")
    measures = Measure.objects.count()
    response = upload(client, plan_world, xlsx.measures_template(plan_world))
    assert response.status_code == 400
    assert escape("The file has no data rows (data starts in row 3).") in response.content.decode()
    assert Measure.objects.count() == measures


def test_htmx_upload_gets_a_swappable_answer(plan_world, login_as, cast):
    client = coordinator_client(login_as, cast, "en")
    rows = [{**GOOD_MEASURES[0], "end_year": 2030}]
    response = client.post(reverse("plan:import", args=[plan_world.pk]),
                           {"kind": "measures", "file": SimpleUploadedFile(
                               "f.xlsx", fill(xlsx.measures_template(plan_world), rows))},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="import-result"' in response.content.decode()
    response = client.post(reverse("plan:import", args=[plan_world.pk]),
                           {"kind": "measures", "file": SimpleUploadedFile(
                               "f.xlsx", fill(xlsx.measures_template(plan_world), GOOD_MEASURES[:1]))},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("plan:detail", args=[plan_world.pk])
    assert Measure.objects.filter(number="2.3").exists()


# --- importing recommendations -----------------------------------------------------------------
def test_recommendations_import_links_earlier_cycles(plan_world, login_as, cast):
    client = coordinator_client(login_as, cast, "en")
    round3 = Recommendation.objects.get(source="greta", cycle="Round 3 (2023)", reference="R3.2")
    rows = [
        {"source": "greta", "cycle": "Round 4 (2027)", "reference": "R3.3",
         "text_az": "Vahid statistik sistemi tam işlək vəziyyətə gətirmək.", "priority": "urges",
         "measures": "1.2", "previous_cycle": "Round 3 (2023)", "previous_reference": "R3.2"},
        {"source": "us_tip", "cycle": "2025", "reference": "T1", "text_az": "Əmək istismarını araşdırmaq.",
         "text_en": "Investigate labour exploitation.", "priority": "prioritized", "measures": "4.2; 2.1"},
        {"source": "us_tip", "cycle": "2026", "reference": "T1", "text_az": "Əmək istismarını araşdırmaq.",
         "previous_cycle": "2025", "previous_reference": "T1", "measures": "4.2"},
    ]
    before, saves = Recommendation.objects.count(), AuditEvent.objects.filter(action="recommendation.save").count()
    template = client.get(reverse("plan:recommendations_template") + f"?plan={plan_world.pk}").content
    response = upload(client, plan_world, fill(template, rows), kind="recommendations")
    assert response.status_code == 302
    assert response["Location"] == reverse("plan:recommendations")
    assert Recommendation.objects.count() == before + 3
    greta = Recommendation.objects.get(cycle="Round 4 (2027)")
    assert greta.previous == round3 and greta.priority == "urges" and not greta.is_published
    assert [m.number for m in greta.measures.all()] == ["1.2"]
    first = Recommendation.objects.get(source="us_tip", cycle="2025", reference="T1")
    second = Recommendation.objects.get(source="us_tip", cycle="2026", reference="T1")
    assert second.previous == first and first.previous is None
    assert {m.number for m in first.measures.all()} == {"4.2", "2.1"}
    assert queries.recommendation_history(second) == [first, second]
    assert AuditEvent.objects.filter(action="recommendation.save").count() == saves + 3


def test_recommendation_rules(plan_world, cast):
    rows = [
        # 3: repeats a row BELOW it
        {"source": "us_tip", "cycle": "2026", "reference": "X1", "text_az": "a", "previous_cycle": "2025",
         "previous_reference": "X1"},
        {"source": "us_tip", "cycle": "2025", "reference": "X1", "text_az": "b"},  # 4: fine
        {"source": "us_tip", "cycle": "2023", "reference": "R1.3", "text_az": "c"},  # 5: exists already
        {"source": "unicef", "cycle": "2025", "reference": "Y", "text_az": "d", "priority": "high"},  # 6
        {"source": "greta", "cycle": "Round 4", "reference": "Z", "text_az": "e", "measures": "9.9",
         "previous_cycle": "Round 1", "previous_reference": "R0"},  # 7: unknown measure, unknown previous
    ]
    with translation.override("en"):
        result = xlsx.read_recommendations(io.BytesIO(fill(xlsx.recommendations_template(), rows)), plan_world)
    by_row: dict[int, set[str]] = {}
    for issue in result.errors:
        by_row.setdefault(issue.row, set()).add(issue.column)
    assert by_row == {3: {"previous_reference"}, 5: {"reference"}, 6: {"source", "priority"},
                      7: {"measures", "previous_reference"}}
    assert "row 4, below this one" in next(e.message for e in result.errors if e.row == 3)


# --- who may import ----------------------------------------------------------------------------
def test_a_focal_point_gets_404_on_the_import_page(plan_world, login_as):
    focal = login_as("fokal")
    url = reverse("plan:import", args=[plan_world.pk])
    assert focal.get(url).status_code == 404
    before = Measure.objects.count()
    response = focal.post(url, {"kind": "measures", "file": SimpleUploadedFile(
        "f.xlsx", fill(xlsx.measures_template(plan_world), GOOD_MEASURES))})
    assert response.status_code == 404
    assert Measure.objects.count() == before
    assert AuditEvent.objects.filter(action="plan.import", outcome="denied").count() == 2
    # Exports are for every staff user.
    assert focal.get(reverse("plan:export_xlsx", args=[plan_world.pk])).status_code == 200
    detail = focal.get(reverse("plan:detail", args=[plan_world.pk])).content.decode()
    assert reverse("plan:export_pdf", args=[plan_world.pk]) in detail
    assert reverse("plan:import", args=[plan_world.pk]) not in detail


def test_the_import_page_for_the_coordinator(plan_world, login_as):
    client = login_as("analitik")
    page = client.get(reverse("plan:import", args=[plan_world.pk])).content.decode()
    assert f"{reverse('plan:measures_template')}?plan={plan_world.pk}" in page
    assert 'hx-indicator="#import-spinner"' in page and "<script>" not in page
    detail = client.get(reverse("plan:detail", args=[plan_world.pk])).content.decode()
    assert reverse("plan:import", args=[plan_world.pk]) in detail


# --- exports -----------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_plan_status_xlsx(plan_world, login_as, language):
    response = login_as("fokal").get(reverse("plan:export_xlsx", args=[plan_world.pk]) + f"?lang={language}")
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    overview, measures = workbook.worksheets[0], workbook.worksheets[1]
    assert overview["A1"].value == getattr(plan_world, f"title_{language}")
    rows = list(measures.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1"]
    tree = queries.plan_tree(plan_world)
    with translation.override(language):
        expected = {m.measure.number: str(ImplementationStatus(m.status).label) for row in tree for m in row.measures}
        assert measures.cell(row=1, column=9).value == gettext("Status")
        assert expected["3.2"] == str(ImplementationStatus.COMPLETED.label)
    assert {r[1]: r[8] for r in rows} == expected
    by_number = {r[1]: r for r in rows}
    assert by_number["3.2"][9].startswith("Yardım Mərkəzi: 2024")  # the latest accepted report of the body
    indicators = workbook.worksheets[3]
    with translation.override(language):
        assert [c.value for c in indicators[1]] == [
            "№", gettext("Indicator"), gettext("Unit"), gettext("Baseline"), gettext("Baseline year"), gettext("Year"),
            gettext("Target"), gettext("Reported by body"), gettext("Reported (accepted, total)"),
            gettext("From the records")]
    rows_3_1 = {r[5]: r for r in indicators.iter_rows(min_row=2, values_only=True) if r[0] == "3.1"}
    # Measure 3.1: baseline 35 (2019), target 60 a year; the Assistance Centre's accepted 2023 value is 55,
    # its 2024 report is still submitted (not counted); nothing was reported for 2020.
    assert rows_3_1[2023][1] == getattr(demo_measure("3.1").indicators.get(), f"name_{language}")
    assert rows_3_1[2023][2:5] == ("nəfər", 35, 2019)
    assert rows_3_1[2023][6:9] == (60, "Yardım Mərkəzi: 55", 55)
    assert rows_3_1[2024][7:9] == ("—", None) and rows_3_1[2020][7:9] == ("—", None)
    # Measure 2.1 has two reporting bodies: each one's accepted value, and their sum.
    rows_2_1 = {r[5]: r for r in indicators.iter_rows(min_row=2, values_only=True) if r[0] == "2.1"}
    assert rows_2_1[2023][7:9] == (f"Yardım Mərkəzi: 6300; {POLICE_SHORT}: 2100", 8400)
    assert rows_2_1[2023][9] is None  # reported only, not computed from the records
    # Values computed from the case records leave the protected zone through disclosure control.
    from korpu.stats import definitions, disclosure

    computed = [(r[0], r[5], r[9]) for r in indicators.iter_rows(min_row=2, values_only=True) if r[9] is not None]
    assert computed
    for number, year, shown in computed:
        indicator = demo_measure(number).indicators.exclude(computed_key="").get()
        assert shown == disclosure.suppress(definitions.compute(indicator.computed_key, year))


def test_the_export_never_writes_formulas(plan_world, cast):
    measure = demo_measure("1.1")
    measure.text_en = '=HYPERLINK("http://example.org","x")'
    measure.save()
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.plan_status_xlsx(plan_world, "en")))
    cell = next(c for c in workbook.worksheets[1]["C"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_plan_status_pdf(plan_world, login_as, tmp_path, language):
    response = login_as("fokal").get(reverse("plan:export_pdf", args=[plan_world.pk]) + f"?lang={language}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"plan-status-{language}.pdf").write_bytes(data)
    text = pdf_text(data, tmp_path)
    if text is None:  # no text extractor on this machine: the font must at least be embedded
        assert len(data) > 5000 and b"/FontFile" in data
        return
    title = getattr(plan_world, f"title_{language}")
    assert title in text
    assert "1.1" in text and "5.1" in text
    with translation.override(language):
        assert gettext("Executing bodies") in text
        # Each section lists its indicators with their baseline for the latest year (3.1: 35, from 2019).
        assert gettext("Indicators") in text and gettext("Baseline") in text
    assert re.search(r"35[.,]00 \(2019\)", text) and getattr(plan_world, f"adopting_act_{language}") in text


def test_computed_values_leave_through_disclosure_control() -> None:
    from korpu.plan.queries import IndicatorRow

    row = IndicatorRow(indicator=None, year=2024, target=None, reported=None, computed=3)
    assert row.computed_for_export == "<5"
    assert IndicatorRow(None, 2024, None, None, 7).computed_for_export == 7
    assert IndicatorRow(None, 2024, None, None, 0).computed_for_export == 0
    assert IndicatorRow(None, 2024, None, None, None).computed_for_export is None
