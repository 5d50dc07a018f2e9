"""The plan's JSON API through HTTP: every operation's positive path, refusals (422 in the caller's
language), what stays invisible (404 with a ``denied`` event), and the operations in the OpenAPI schema.

Starts from the demo (``plan_world``): the published 2020–2024 plan and its unpublished 2025–2029
successor. Clients authenticate with personal API tokens (the Assistance Centre's focal point ``fokal``,
the coordinator's analyst ``analitik``, NGO case worker ``qht1``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from korpu.accounts import actions as account_actions
from korpu.core.models import AuditEvent
from korpu.plan import sheets as xlsx
from korpu.plan.models import (
    Assessment,
    Category,
    Evidence,
    Indicator,
    Measure,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingPeriod,
    Section,
)
from tests.plan.conftest import demo_measure
from tests.plan.test_io import GOOD_MEASURES, fill
from tests.plan.test_rules import demo_report, denied

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BASE = "/api/v1/plan"


def token_client(user: Any, language: str = "en") -> Client:
    _token, secret = account_actions.api_token_create(user=user, name="api test", days=5)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=language)


def post(client: Client, path: str, data: Any = None) -> Any:
    if data is None:
        return client.post(BASE + path)
    return client.post(BASE + path, json.dumps(data), content_type="application/json")


def get(client: Client, path: str, **params: Any) -> Any:
    return client.get(BASE + path, params)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:2000]
    return response.json() if response.get("Content-Type", "").startswith("application/json") else response


@pytest.fixture
def successor(plan_world: Plan) -> Plan:
    return Plan.objects.get(start_year=2025)


def test_the_coordinator_shapes_a_plan(plan_world, cast):
    client = token_client(cast["analitik"])
    assistance, police = cast["assistance"], cast["police"]

    plan = ok(post(client, "/plans", {"title_az": "API planı", "start_year": 2030, "end_year": 2034}), 201)
    assert plan["is_published"] is False and plan["sections"] == [] and plan["periods"] == []
    listing = ok(get(client, "/plans"))
    assert plan["id"] in [p["id"] for p in listing["items"]] and listing["count"] == 3
    plan = ok(post(client, f"/plans/{plan['id']}", {"title_az": "API planı", "title_en": "API plan",
                                                    "start_year": 2030, "end_year": 2034}))
    assert Plan.objects.get(pk=plan["id"]).title_en == "API plan"

    section = ok(post(client, f"/plans/{plan['id']}/sections", {"number": "1", "title_az": "Bölmə", "order": 1}), 201)
    section = ok(post(client, f"/sections/{section['id']}", {"number": "1", "title_az": "Bölmə bir", "order": 1}))
    assert Section.objects.get(pk=section["id"]).title_az == "Bölmə bir"

    period = ok(post(client, f"/plans/{plan['id']}/periods", {"year": 2030, "due_on": "2031-01-31"}), 201)
    period = ok(post(client, f"/periods/{period['id']}", {"year": 2030, "due_on": "2031-02-15"}))
    assert period["due_on"] == "2031-02-15"
    assert ok(post(client, f"/periods/{period['id']}/lock"))["locked"] is True
    assert ok(post(client, f"/periods/{period['id']}/unlock"))["locked"] is False

    categories = ok(get(client, "/categories"))
    assert {c["code"] for c in categories} >= {"prevention", "SDG 8.7"}
    category = ok(post(client, "/categories", {"kind": "other", "code": "api-1", "name_az": "API"}), 201)
    category = ok(post(client, f"/categories/{category['id']}", {"kind": "other", "name_az": "API kateqoriya"}))
    assert Category.objects.get(pk=category["id"]).name_az == "API kateqoriya"

    measure_in = {"section_id": section["id"], "number": "1.1", "text_az": "Tədbir", "start_year": 2030,
                  "end_year": 2032, "executing_body_ids": [assistance.pk], "category_ids": [category["id"]]}
    measure = ok(post(client, f"/plans/{plan['id']}/measures", measure_in), 201)
    assert measure["is_published"] is False and measure["executing_body_ids"] == [assistance.pk]
    measure = ok(post(client, f"/measures/{measure['id']}", {**measure_in, "partner_ids": [police.pk],
                                                             "text_en": "A measure"}))
    assert measure["partner_ids"] == [police.pk] and measure["text_en"] == "A measure"
    assert ok(post(client, f"/measures/{measure['id']}/publish"))["is_published"] is True
    assert ok(post(client, f"/measures/{measure['id']}/unpublish"))["is_published"] is False

    indicator = ok(post(client, f"/measures/{measure['id']}/indicators", {
        "name_az": "Göstərici", "unit": "nəfər", "targets": [{"year": 2030, "value": "10"}]}), 201)
    assert indicator["targets"] == [{"year": 2030, "value": "10.00"}]
    indicator = ok(post(client, f"/indicators/{indicator['id']}", {
        "name_az": "Göstərici", "targets": [{"year": 2030, "value": None}, {"year": 2031, "value": 12}]}))
    assert [t["year"] for t in indicator["targets"]] == [2031]
    assert Indicator.objects.get(pk=indicator["id"]).unit == ""
    detail = ok(get(client, f"/measures/{measure['id']}"))
    assert [i["id"] for i in detail["indicators"]] == [indicator["id"]]

    assert ok(post(client, f"/plans/{plan['id']}/publish"))["is_published"] is True
    detail = ok(post(client, f"/plans/{plan['id']}/unpublish"))
    assert detail["is_published"] is False
    assert detail["sections"][0]["measures"][0]["id"] == measure["id"]
    assert detail["sections"][0]["measures"][0]["status"] == "not_started"
    assert [p["year"] for p in detail["periods"]] == [2030]


def test_the_coordinator_reviews_reports(plan_world, successor, cast):
    client = token_client(cast["analitik"])
    submitted, police_submitted = demo_report("3.1", 2024), ProgressReport.objects.get(
        measure__section__plan=successor, measure__number="3.1", period__year=2026)
    queue = ok(get(client, "/review-queue"))
    assert [r["id"] for r in queue["items"]] == [submitted.pk, police_submitted.pk]
    assert [r["id"] for r in ok(get(client, "/review-queue", plan_id=successor.pk))["items"]] == [police_submitted.pk]

    accepted = ok(post(client, f"/reports/{submitted.pk}/accept", {"comment": "Yaxşı."}))
    assert accepted["status"] == "accepted" and accepted["events"][-1]["status"] == "accepted"
    returned = ok(post(client, f"/reports/{police_submitted.pk}/return", {"comment": "Rəqəmləri yoxlayın."}))
    assert returned["status"] == "returned" and returned["review_comment"] == "Rəqəmləri yoxlayın."
    assert ok(get(client, "/review-queue"))["items"] == []

    rate = ok(get(client, f"/plans/{plan_world.pk}/reporting-rate", year=2023))
    assert rate["period"]["year"] == 2023 and {r["organisation_id"] for r in rate["rows"]} >= {
        cast["assistance"].pk, cast["police"].pk}
    assert ok(get(client, f"/plans/{plan_world.pk}/reporting-rate"))["period"]["year"] == 2024

    # A refused transition: 422, the reason in the caller's language.
    ru = token_client(cast["analitik"], "ru")
    response = post(ru, f"/reports/{submitted.pk}/accept", {"comment": ""})
    assert response.status_code == 422
    with translation.override("ru"):
        expected = gettext("The report cannot go from “%(a)s” to “%(b)s”.") % {
            "a": ProgressReport.Status.ACCEPTED.label, "b": ProgressReport.Status.ACCEPTED.label}
    assert response.json()["detail"] == expected and expected.startswith("Статус отчёта")
    assert ProgressReport.objects.get(pk=submitted.pk).events.count() == 2  # submitted, accepted: no more
    response = post(ru, f"/plans/{plan_world.pk}/sections", {"title_az": "Nömrəsiz"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "number"
    with translation.override("ru"):
        assert response.json()["errors"][0]["msg"] == gettext("This field is required.")
    response = post(ru, f"/reports/{police_submitted.pk}/submit")
    assert response.status_code == 422
    with translation.override("ru"):
        assert response.json()["detail"] == gettext("You report only for measures your body executes.")


def test_the_coordinator_manages_recommendations(plan_world, cast):
    client = token_client(cast["analitik"])
    earlier = Recommendation.objects.order_by("cycle").first()
    created = ok(post(client, "/recommendations", {"source": "greta", "cycle": "2031", "text_az": "Tövsiyə",
                                                   "measure_ids": [demo_measure("1.2").pk]}), 201)
    assert created["is_published"] is False and created["level"] == "not_started"
    updated = ok(post(client, f"/recommendations/{created['id']}", {
        "source": "greta", "cycle": "2031", "reference": "§ 9", "text_az": "Tövsiyə", "previous_id": earlier.pk,
        "measure_ids": [demo_measure("1.2").pk, demo_measure("5.1").pk]}))
    assert updated["previous_id"] == earlier.pk and len(updated["measure_ids"]) == 2
    assert created["id"] in [h["id"] for h in updated["history"]]
    assert ok(post(client, f"/recommendations/{created['id']}/publish"))["is_published"] is True
    assert ok(post(client, f"/recommendations/{created['id']}/unpublish"))["is_published"] is False
    assessed = ok(post(client, f"/recommendations/{created['id']}/assessments",
                       {"level": "partial", "comment": "Daxili qeyd."}), 201)
    assert assessed["level"] == "partial" and assessed["assessments"][0]["comment"] == "Daxili qeyd."
    assert Assessment.objects.filter(recommendation_id=created["id"]).count() == 1
    detail = ok(get(client, f"/recommendations/{created['id']}"))
    assert detail["assessments"][0]["level"] == "partial"
    listing = ok(get(client, "/recommendations", source="greta", level="partial", limit=100))
    assert created["id"] in [r["id"] for r in listing["items"]]
    assert {(r["source"], r["level"]) for r in listing["items"]} == {("greta", "partial")}
    assert ok(get(client, "/recommendations"))["count"] == Recommendation.objects.count()

    response = post(client, f"/recommendations/{created['id']}/assessments", {"level": "bogus"})
    assert response.status_code == 422 and response.json()["detail"] == "Choose an assessment."


def test_exports_templates_and_import(plan_world, cast):
    client = token_client(cast["analitik"])
    response = get(client, f"/plans/{plan_world.pk}/export.xlsx", lang="en")
    assert response.status_code == 200 and response["Content-Type"] == xlsx.XLSX
    response = get(client, f"/plans/{plan_world.pk}/export.pdf", lang="az")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert get(client, "/templates/recommendations.xlsx").status_code == 200
    template = get(client, "/templates/measures.xlsx", plan=plan_world.pk)
    assert template.status_code == 200 and template["Content-Type"] == xlsx.XLSX

    before = Measure.objects.count()
    upload = SimpleUploadedFile("filled.xlsx", fill(template.content, GOOD_MEASURES), content_type=xlsx.XLSX)
    answer = ok(client.post(f"{BASE}/plans/{plan_world.pk}/import", {"kind": "measures", "file": upload}), 201)
    assert answer["created"] == 3 and Measure.objects.count() == before + 3
    again = SimpleUploadedFile("filled.xlsx", fill(template.content, GOOD_MEASURES), content_type=xlsx.XLSX)
    refused = client.post(f"{BASE}/plans/{plan_world.pk}/import", {"kind": "measures", "file": again})
    assert refused.status_code == 422 and refused.json()["errors"]
    assert Measure.objects.count() == before + 3
    not_xlsx = SimpleUploadedFile("notes.txt", b"x", content_type="text/plain")
    refused = client.post(f"{BASE}/plans/{plan_world.pk}/import", {"kind": "measures", "file": not_xlsx})
    assert refused.status_code == 422 and refused.json()["detail"] == "This is not an Excel workbook (.xlsx)."


def test_a_focal_point_writes_and_submits_a_report(plan_world, successor, cast):
    client = token_client(cast["fokal"])
    assistance = cast["assistance"]
    plan = ok(get(client, f"/plans/{successor.pk}"))  # unpublished: staff prepare and report on it
    assert plan["is_published"] is False
    rows = ok(get(client, f"/plans/{plan_world.pk}/my-reporting"))
    draft = demo_report("2.1", 2024)
    assert {"report_id": draft.pk, "status": "draft"}.items() <= next(
        r for r in rows if r["report_id"] == draft.pk).items()

    measure = demo_measure("2.1")
    indicator = measure.indicators.first()
    values = [{"indicator_id": indicator.pk, "value": "42"}] if indicator else []
    saved = ok(post(client, f"/measures/{measure.pk}/reports/{draft.period_id}/{assistance.pk}",
                    {"implementation": "in_progress", "text": "Təlimlər keçirildi.", "indicator_values": values}))
    assert saved["id"] == draft.pk and saved["status"] == "draft" and saved["can_edit"] is True
    if indicator:
        assert saved["values"] == [{"indicator_id": indicator.pk, "value": "42.00"}]
    detail = ok(get(client, f"/measures/{measure.pk}"))
    assert detail["my_body_ids"] == [assistance.pk] and draft.pk in [r["id"] for r in detail["reports"]]

    evidence = ok(client.post(f"{BASE}/reports/{draft.pk}/evidence",
                              {"file": SimpleUploadedFile("akt.pdf", PDF, content_type="application/pdf")}), 201)
    assert evidence["filename"] == "akt.pdf" and evidence["content_type"] == "application/pdf"
    assert [e["id"] for e in ok(get(client, f"/reports/{draft.pk}/evidence"))] == [evidence["id"]]
    download = get(client, f"/evidence/{evidence['id']}")
    assert download.status_code == 200 and b"".join(download.streaming_content if download.streaming
                                                   else [download.content]) == PDF
    assert AuditEvent.objects.filter(action="evidence.download", actor=cast["fokal"]).count() == 1
    assert post(client, f"/evidence/{evidence['id']}/delete").status_code == 204
    assert not Evidence.objects.filter(pk=evidence["id"]).exists()

    submitted = ok(post(client, f"/reports/{draft.pk}/submit"))
    assert submitted["status"] == "submitted" and submitted["can_edit"] is False
    # Saving with "submit" in one call, as the page's submit button does, on the successor's draft.
    successor_draft = ProgressReport.objects.get(measure__section__plan=successor, period__year=2026,
                                                 organisation=assistance)
    both = ok(post(client, f"/measures/{successor_draft.measure_id}/reports/{successor_draft.period_id}/"
                           f"{assistance.pk}", {"implementation": "in_progress", "text": "Davam edir.",
                                                "submit": True}))
    assert both["status"] == "submitted"

    response = post(client, f"/reports/{draft.pk}/submit")
    assert response.status_code == 422
    assert response.json()["detail"] == gettext("The report cannot go from “%(a)s” to “%(b)s”.") % {
        "a": "Submitted", "b": "Submitted"}
    # Reviewing is the office's: the action refuses (422) and records the denial.
    assert post(client, f"/reports/{draft.pk}/accept", {"comment": ""}).status_code == 422
    assert denied("progress_report.accept", cast["fokal"]) == 1


def test_what_a_focal_point_and_other_staff_cannot_reach(plan_world, successor, cast):
    fokal = token_client(cast["fokal"])
    police_report = ProgressReport.objects.get(measure__section__plan=successor, measure__number="3.1",
                                               period__year=2026)
    before = ProgressReport.objects.get(pk=police_report.pk).status
    assert get(fokal, f"/reports/{police_report.pk}").status_code == 404
    assert get(fokal, f"/reports/{police_report.pk}/evidence").status_code == 404
    assert post(fokal, f"/reports/{police_report.pk}/submit").status_code == 404
    assert denied("progress_report.view", cast["fokal"]) == 3
    assert ProgressReport.objects.get(pk=police_report.pk).status == before
    # Writing for a body one is not focal point of.
    measure = police_report.measure
    response = post(fokal, f"/measures/{measure.pk}/reports/{police_report.period_id}/{cast['police'].pk}",
                    {"implementation": "in_progress", "text": "x"})
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert denied("progress_report.edit", cast["fokal"]) == 1
    # The coordinator's operations answer 404, as the coordinator's pages do.
    plans = Plan.objects.count()
    assert post(fokal, "/plans", {"title_az": "X", "start_year": 2030, "end_year": 2031}).status_code == 404
    assert post(fokal, f"/plans/{successor.pk}/publish").status_code == 404
    assert Plan.objects.count() == plans and not Plan.objects.get(pk=successor.pk).is_published
    assert denied("plan.publish", cast["fokal"]) == 1

    other = token_client(cast["qht1"])
    assert ok(get(other, f"/plans/{successor.pk}"))["id"] == successor.pk
    assert get(other, f"/reports/{demo_report('2.1', 2024).pk}").status_code == 404
    assert ok(get(other, "/review-queue"))["items"] == []
    assert ok(get(other, f"/plans/{plan_world.pk}/my-reporting")) == []
    assert post(other, f"/periods/{ReportingPeriod.objects.filter(locked=False).first().pk}/lock").status_code == 422

    assert Client().get(f"{BASE}/plans").status_code == 401
    assert get(other, "/plans/987654321").status_code == 404
    # The public reads published items only: the unpublished successor and its measures are not there.
    assert Client().get(reverse("public:plan", args=[successor.pk])).status_code == 404
    assert Client().get(reverse("public:measure", args=[measure.pk])).status_code == 404
    assert Client().get(reverse("public:plan", args=[plan_world.pk])).status_code == 200
    for path in ("/plans", f"/plans/{successor.pk}", f"/measures/{measure.pk}", f"/reports/{police_report.pk}",
                 "/review-queue", "/recommendations", "/categories"):
        assert Client().get(BASE + path).status_code == 401, path


EXPECTED_OPERATIONS = {
    "GET /plans", "POST /plans", "GET /plans/{plan_id}", "POST /plans/{plan_id}", "POST /plans/{plan_id}/publish",
    "POST /plans/{plan_id}/unpublish", "POST /plans/{plan_id}/sections", "POST /sections/{section_id}",
    "POST /plans/{plan_id}/periods", "POST /periods/{period_id}", "POST /periods/{period_id}/lock",
    "POST /periods/{period_id}/unlock", "GET /categories", "POST /categories", "POST /categories/{category_id}",
    "POST /plans/{plan_id}/measures", "GET /measures/{measure_id}", "POST /measures/{measure_id}",
    "POST /measures/{measure_id}/publish", "POST /measures/{measure_id}/unpublish",
    "POST /measures/{measure_id}/indicators", "POST /indicators/{indicator_id}",
    "POST /measures/{measure_id}/reports/{period_id}/{organisation_id}", "GET /reports/{report_id}",
    "POST /reports/{report_id}/submit", "POST /reports/{report_id}/return", "POST /reports/{report_id}/accept",
    "GET /reports/{report_id}/evidence", "POST /reports/{report_id}/evidence", "GET /evidence/{evidence_id}",
    "POST /evidence/{evidence_id}/delete", "GET /review-queue", "GET /plans/{plan_id}/my-reporting",
    "GET /plans/{plan_id}/reporting-rate", "GET /plans/{plan_id}/export.xlsx", "GET /plans/{plan_id}/export.pdf",
    "GET /templates/measures.xlsx", "GET /templates/recommendations.xlsx", "POST /plans/{plan_id}/import",
    "GET /recommendations", "POST /recommendations", "GET /recommendations/{recommendation_id}",
    "POST /recommendations/{recommendation_id}", "POST /recommendations/{recommendation_id}/publish",
    "POST /recommendations/{recommendation_id}/unpublish", "POST /recommendations/{recommendation_id}/assessments",
}


def test_every_operation_is_in_the_openapi_schema(db):
    schema = Client().get("/api/v1/openapi.json").json()
    found = {f"{method.upper()} {path.removeprefix(BASE)}" for path, operations in schema["paths"].items()
             for method, operation in operations.items() if "plan" in operation.get("tags", [])}
    assert found == EXPECTED_OPERATIONS
    assert all(path.startswith(BASE + "/") for path, operations in schema["paths"].items()
               if any("plan" in op.get("tags", []) for op in operations.values()))
