"""Who can reach what in the action plan: every page of ``korpu/plan/urls.py`` and every operation of the
plan API (enumerated from ``korpu.api.api`` at run time), for each role, against a small world of its own.

The expectations are stated here from the rules (``korpu.plan.queries``), not read back from the code:

* every staff user reads plans, sections, periods, measures, indicators, categories, recommendations and
  the exports (published or not);
* the coordinator's office (``analitik``) shapes the plan: anyone else gets a 404 from those pages and
  operations; the office's other actions (lock a period, publish a measure or a recommendation, assess,
  return or accept a report) are refused by the action (422 in the API, a message on the page);
* a report and its files are visible to its body's focal points and to the office only (else 404); only
  the body's focal points write, submit and attach files while it is a draft or returned;
* anonymous callers get 401 (API) or the login page.

A refused POST changes no row of any plan table. Each allowed POST is run once as a positive control, in
a transaction rolled back afterwards, and must change something: the payload is one that would act."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, reverse

from korpu.accounts import actions as account_actions
from korpu.accounts.models import Role
from korpu.core.access import SYSTEM
from korpu.core.models import AuditEvent
from korpu.plan import actions
from korpu.plan import urls as plan_urls
from korpu.plan.models import Category
from tests.plan.test_api import PDF, token_client

ANONYMOUS, FOCAL, COORDINATOR, STAFF = "anonymous", "fokal", "analitik", "qht1"
ROLES = [ANONYMOUS, FOCAL, COORDINATOR, STAFF]
MISSING = 987654321
API_PREFIX = "/api/v1/plan"

# What each page or operation needs of its caller (see the module's docstring):
#   read       every staff user
#   manage     the coordinator's office; anyone else 404 (the coordinator's pages' gate)
#   office     the coordinator's office; anyone else is refused by the action
#   report     the report (or file) is visible: its body's focal points and the office
#   write      its body's focal points, on an editable report; the office is refused, others 404
#   review     the office, on a submitted report; the body's focal points are refused, others 404
#   report_for the body's focal points write its report on a measure it executes; anyone else 404
#   import     the office; the file is checked (this matrix sends one that is refused)
API_RULES = {
    "GET /plans": "read", "POST /plans": "manage", "GET /plans/{plan_id}": "read",
    "POST /plans/{plan_id}": "manage", "POST /plans/{plan_id}/publish": "manage",
    "POST /plans/{plan_id}/unpublish": "manage", "POST /plans/{plan_id}/sections": "manage",
    "POST /sections/{section_id}": "manage", "POST /plans/{plan_id}/periods": "manage",
    "POST /periods/{period_id}": "manage", "POST /periods/{period_id}/lock": "office",
    "POST /periods/{period_id}/unlock": "office", "GET /categories": "read", "POST /categories": "manage",
    "POST /categories/{category_id}": "manage", "POST /plans/{plan_id}/measures": "manage",
    "GET /measures/{measure_id}": "read", "POST /measures/{measure_id}": "manage",
    "POST /measures/{measure_id}/publish": "office", "POST /measures/{measure_id}/unpublish": "office",
    "POST /measures/{measure_id}/indicators": "manage", "POST /indicators/{indicator_id}": "manage",
    "POST /measures/{measure_id}/reports/{period_id}/{organisation_id}": "report_for",
    "GET /reports/{report_id}": "report", "POST /reports/{report_id}/submit": "write",
    "POST /reports/{report_id}/return": "review", "POST /reports/{report_id}/accept": "review",
    "GET /reports/{report_id}/evidence": "report", "POST /reports/{report_id}/evidence": "write",
    "GET /evidence/{evidence_id}": "report", "POST /evidence/{evidence_id}/delete": "write",
    "GET /review-queue": "read", "GET /plans/{plan_id}/my-reporting": "read",
    "GET /plans/{plan_id}/reporting-rate": "read", "GET /plans/{plan_id}/export.xlsx": "read",
    "GET /plans/{plan_id}/export.pdf": "read", "GET /templates/measures.xlsx": "read",
    "GET /templates/recommendations.xlsx": "read", "POST /plans/{plan_id}/import": "import",
    "GET /recommendations": "read", "POST /recommendations": "manage",
    "GET /recommendations/{recommendation_id}": "read", "POST /recommendations/{recommendation_id}": "manage",
    "POST /recommendations/{recommendation_id}/publish": "office",
    "POST /recommendations/{recommendation_id}/unpublish": "office",
    "POST /recommendations/{recommendation_id}/assessments": "office",
}

# Pages: (shape, rule for GET, rule for POST). Shapes: "read" (GET shows it, POST changes nothing),
# "form" (GET shows it, POST acts), "post" (POST only: GET 405), "get" (GET only: POST 405).
PAGES = {
    "plan:list": ("read", "read", None), "plan:create": ("form", "manage", "manage"),
    "plan:categories": ("form", "manage", "manage"), "plan:category_edit": ("form", "manage", "manage"),
    "plan:detail": ("read", "read", None), "plan:edit": ("form", "manage", "manage"),
    "plan:publish": ("post", None, "manage"), "plan:section_create": ("form", "manage", "manage"),
    "plan:section_edit": ("form", "manage", "manage"), "plan:period_create": ("form", "manage", "manage"),
    "plan:period_edit": ("form", "manage", "manage"), "plan:measure_create": ("form", "manage", "manage"),
    "plan:reporting_rate": ("read", "read", None), "plan:measure": ("read", "read", None),
    "plan:measure_edit": ("form", "manage", "manage"), "plan:measure_publish": ("post", None, "office"),
    "plan:indicator_create": ("form", "manage", "manage"), "plan:indicator_edit": ("form", "manage", "manage"),
    "plan:report_edit": ("form", "report_for", "report_for"), "plan:report": ("form", "report", "review"),
    "plan:evidence_upload": ("post", None, "write"), "plan:evidence": ("get", "report", None),
    "plan:evidence_delete": ("post", None, "write"), "plan:period_lock": ("post", None, "office"),
    "plan:export_xlsx": ("get", "read", None), "plan:export_pdf": ("get", "read", None),
    "plan:import": ("form", "manage", "import"), "plan:measures_template": ("get", "read", None),
    "plan:recommendations_template": ("get", "read", None), "plan:recommendations": ("read", "read", None),
    "plan:recommendation_create": ("form", "manage", "manage"), "plan:recommendation": ("form", "read", "office"),
    "plan:recommendation_edit": ("form", "manage", "manage"),
}


# --- the world ---------------------------------------------------------------------------------
@pytest.fixture
def world(cast: dict[str, Any]) -> dict[str, Any]:
    """A plan of 2040–2042, made through the actions: one section, two periods, a measure of the
    Assistance Centre and the police with an indicator, the Centre's draft report with a file, the
    police's submitted report, a category and a recommendation."""
    office, assistance, police = cast["analitik"], cast["assistance"], cast["police"]
    police_focal = cast["polis2"]
    account_actions.membership_add(by=SYSTEM, user=police_focal, organisation=police, role=Role.PLAN_FOCAL_POINT)
    police_focal.refresh_from_db()
    plan = actions.plan_save(by=office, title_az="Matris planı", start_year=2040, end_year=2042)
    section = actions.section_save(by=office, plan=plan, number="1", title_az="Bölmə", order=1)
    period = actions.period_save(by=office, plan=plan, year=2040, due_on=dt.date(2041, 1, 31))
    actions.period_save(by=office, plan=plan, year=2041, due_on=dt.date(2042, 1, 31))
    measure = actions.measure_create(by=office, section=section, number="1.1", text_az="Tədbir", start_year=2040,
                                     end_year=2042, executing_bodies=[assistance, police])
    indicator = actions.indicator_save(by=office, measure=measure, name_az="Göstərici", targets={2040: 5})
    category = actions.category_save(by=office, kind=Category.Kind.OTHER, code="matrix", name_az="Matris")
    own = actions.report_save(by=cast["fokal"], measure=measure, period=period, organisation=assistance,
                              text="Görülən iş.", implementation="in_progress")
    evidence = actions.evidence_add(by=cast["fokal"], report=own, filename="akt.pdf", data=PDF)
    foreign = actions.report_save(by=police_focal, measure=measure, period=period, organisation=police,
                                  text="Polisin hesabatı.", implementation="in_progress")
    foreign = actions.report_submit(by=police_focal, report=foreign)
    recommendation = actions.recommendation_save(by=office, source="greta", cycle="2040", text_az="Tövsiyə")
    return {"cast": cast, "plan": plan, "section": section, "period": period, "measure": measure,
            "indicator": indicator, "category": category, "own": own, "foreign": foreign, "evidence": evidence,
            "recommendation": recommendation}


@dataclass(frozen=True)
class Ref:
    kind: str
    value: int
    obj: Any = None
    label: str = ""


def refs_for(param: str, world: dict[str, Any]) -> list[Ref]:
    def one(kind: str, key: str) -> list[Ref]:
        return [Ref(kind, world[key].pk, world[key], key), Ref(kind, MISSING, None, "missing")]

    simple = {"plan_id": "plan", "section_id": "section", "period_id": "period", "measure_id": "measure",
              "indicator_id": "indicator", "category_id": "category", "evidence_id": "evidence",
              "recommendation_id": "recommendation"}
    if param in simple:
        return one(param.removesuffix("_id"), simple[param])
    if param == "report_id":
        return [Ref("report", world["own"].pk, world["own"], "own"),
                Ref("report", world["foreign"].pk, world["foreign"], "foreign"),
                Ref("report", MISSING, None, "missing")]
    if param == "organisation_id":
        cast = world["cast"]
        return [Ref("organisation", cast["assistance"].pk, cast["assistance"], "assistance"),
                Ref("organisation", cast["police"].pk, cast["police"], "police")]
    raise AssertionError(f"no world object for the path parameter {param!r}: add one to refs_for()")


def targets_for(params: list[str], world: dict[str, Any]) -> list[dict[str, Ref]]:
    """Every real combination, and each parameter missing once (with the others real)."""
    choices = [refs_for(p, world) for p in params]
    real = [[r for r in c if r.obj is not None] for c in choices]
    found = [dict(zip(params, combo, strict=True)) for combo in itertools.product(*real)]
    for i, param in enumerate(params):
        missing = [r for r in choices[i] if r.obj is None]
        if missing:
            found.append({p: (missing[0] if p == param else real[j][0]) for j, p in enumerate(params)})
    return found


def expectation(rule: str, username: str, refs: dict[str, Ref], world: dict[str, Any]) -> str:
    """'ok', 'hidden' (404), 'refused' (the action says no) or 'anonymous'."""
    if username == ANONYMOUS:
        return "anonymous"
    if any(r.obj is None for r in refs.values()):
        return "hidden"
    office = username == COORDINATOR
    report_ref = refs.get("report_id") or (Ref("report", 0, world["own"]) if "evidence_id" in refs else None)
    report = report_ref.obj if report_ref else None
    mine = report is not None and username == FOCAL and report.organisation_id == world["cast"]["assistance"].pk
    if rule == "read":
        return "ok"
    if rule == "manage":
        return "ok" if office else "hidden"
    if rule == "office":
        return "ok" if office else "refused"
    if rule == "import":
        return "refused" if office else "hidden"  # the file sent here is not a workbook
    if rule == "report_for":
        return "ok" if username == FOCAL and refs["organisation_id"].label == "assistance" else "hidden"
    sees = office or mine
    if rule == "report":
        return "ok" if sees else "hidden"
    if rule == "write":
        return "ok" if mine and report.status == "draft" else ("refused" if sees else "hidden")
    if rule == "review":
        return "ok" if office and report.status == "submitted" else ("refused" if sees else "hidden")
    raise AssertionError(rule)


# --- payloads ----------------------------------------------------------------------------------
def api_payload(op: str, world: dict[str, Any]) -> dict[str, Any] | None:
    cast = world["cast"]
    measure = {"section_id": world["section"].pk, "number": "1.9", "text_az": "Yeni tədbir", "start_year": 2040,
               "end_year": 2042, "executing_body_ids": [cast["assistance"].pk, cast["police"].pk]}
    recommendation = {"source": "greta", "cycle": "2041", "text_az": "Yeni tövsiyə"}
    payloads: dict[str, dict[str, Any] | None] = {
        "POST /plans": {"title_az": "Yeni plan", "start_year": 2040, "end_year": 2042},
        "POST /plans/{plan_id}": {"title_az": "Dəyişdirilmiş plan", "start_year": 2040, "end_year": 2042},
        "POST /plans/{plan_id}/sections": {"number": "2", "title_az": "İkinci bölmə"},
        "POST /sections/{section_id}": {"number": "1", "title_az": "Dəyişdirilmiş bölmə", "order": 1},
        "POST /plans/{plan_id}/periods": {"year": 2042, "due_on": "2043-01-31"},
        "POST /periods/{period_id}": {"year": 2040, "due_on": "2041-02-28"},
        "POST /categories": {"kind": "other", "code": "matrix-2", "name_az": "Yeni"},
        "POST /categories/{category_id}": {"kind": "other", "name_az": "Dəyişdirilmiş"},
        "POST /plans/{plan_id}/measures": measure,
        "POST /measures/{measure_id}": {**measure, "number": "1.1", "text_az": "Dəyişdirilmiş tədbir"},
        "POST /measures/{measure_id}/indicators": {"name_az": "Yeni göstərici", "targets": [{"year": 2041,
                                                                                            "value": 3}]},
        "POST /indicators/{indicator_id}": {"name_az": "Dəyişdirilmiş göstərici"},
        "POST /measures/{measure_id}/reports/{period_id}/{organisation_id}": {"implementation": "completed",
                                                                             "text": "Yeni mətn."},
        "POST /reports/{report_id}/return": {"comment": "Düzəldin."},
        "POST /reports/{report_id}/accept": {"comment": ""},
        "POST /reports/{report_id}/evidence": {"file": "<pdf>"},
        "POST /plans/{plan_id}/import": {"kind": "measures", "file": "<txt>"},
        "POST /recommendations": recommendation,
        "POST /recommendations/{recommendation_id}": {**recommendation, "cycle": "2040"},
        "POST /recommendations/{recommendation_id}/assessments": {"level": "partial"},
    }
    return payloads.get(op)


def page_payload(name: str, world: dict[str, Any]) -> dict[str, Any]:
    cast = world["cast"]
    measure = {"section": world["section"].pk, "number": "1.9", "text_az": "Yeni tədbir", "start_year": 2040,
               "end_year": 2042, "executing_bodies": [cast["assistance"].pk, cast["police"].pk]}
    recommendation = {"source": "greta", "cycle": "2041", "text_az": "Yeni tövsiyə"}
    return {
        "plan:create": {"title_az": "Yeni plan", "start_year": 2040, "end_year": 2042},
        "plan:edit": {"title_az": "Dəyişdirilmiş plan", "start_year": 2040, "end_year": 2042},
        "plan:publish": {"published": "1"},
        "plan:categories": {"kind": "other", "code": "matrix-2", "name_az": "Yeni"},
        "plan:category_edit": {"kind": "other", "code": "matrix", "name_az": "Dəyişdirilmiş"},
        "plan:section_create": {"number": "2", "title_az": "İkinci bölmə", "order": 2},
        "plan:section_edit": {"number": "1", "title_az": "Dəyişdirilmiş bölmə", "order": 1},
        "plan:period_create": {"year": 2042, "due_on": "2043-01-31"},
        "plan:period_edit": {"year": 2040, "due_on": "2041-02-28"},
        "plan:measure_create": measure,
        "plan:measure_edit": {**measure, "number": "1.1", "text_az": "Dəyişdirilmiş tədbir"},
        "plan:measure_publish": {"published": "1"},
        "plan:indicator_create": {"name_az": "Yeni göstərici", "target_2041": "3"},
        "plan:indicator_edit": {"name_az": "Dəyişdirilmiş göstərici"},
        "plan:report_edit": {"implementation": "completed", "text": "Yeni mətn."},
        "plan:report": {"command": "accept", "comment": ""},
        "plan:evidence_upload": {"file": "<pdf>"},
        "plan:evidence_delete": {},
        "plan:period_lock": {"locked": "1"},
        "plan:import": {"kind": "measures", "file": "<txt>"},
        "plan:recommendation_create": recommendation,
        "plan:recommendation_edit": {**recommendation, "cycle": "2040"},
        "plan:recommendation": {"command": "assess", "level": "partial"},
    }.get(name, {"title_az": "X", "number": "9", "text_az": "X"})


UPLOADS: dict[str, Callable[[], SimpleUploadedFile]] = {
    "<pdf>": lambda: SimpleUploadedFile("sübut.pdf", PDF, content_type="application/pdf"),
    "<txt>": lambda: SimpleUploadedFile("notes.txt", b"not a workbook", content_type="text/plain"),
}


def send(client: Client, url: str, data: dict[str, Any] | None, *, api: bool) -> Any:
    if data is not None and any(isinstance(v, str) and v in UPLOADS for v in data.values()):
        return client.post(url, {k: UPLOADS[v]() if isinstance(v, str) and v in UPLOADS else v
                                 for k, v in data.items()})
    if not api:
        return client.post(url, data or {})
    if data is None:
        return client.post(url)
    return client.post(url, json.dumps(data), content_type="application/json")


# --- observing ---------------------------------------------------------------------------------
def snapshot() -> dict[str, Any]:
    state = {}
    with connection.cursor() as cursor:
        for model in apps.get_app_config("plan").get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            state[table] = [tuple(map(str, row)) for row in cursor.fetchall()]
    return state


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [table for table in before if before[table] != after[table]]


def api_operations() -> list[tuple[str, list[str]]]:
    from korpu.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "plan" not in operation.get("tags", []):
                continue
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            found.append((f"{method.upper()} {path.removeprefix(API_PREFIX)}", params))
    return found


def page_patterns() -> list[tuple[str, list[str]]]:
    found = []
    for pattern in plan_urls.urlpatterns:
        assert isinstance(pattern, URLPattern), "nested includes are not enumerated"
        found.append((f"{plan_urls.app_name}:{pattern.name}", list(pattern.pattern.converters)))
    return found


def test_every_operation_and_page_has_an_expectation_for_every_role(world: dict[str, Any]) -> None:
    operations = dict(api_operations())
    assert set(operations) == set(API_RULES), "classify the new plan operations in API_RULES"
    pages = dict(page_patterns())
    assert set(pages) == set(PAGES), "classify the new plan pages in PAGES"
    for op, params in operations.items():
        assert op.startswith("GET") or api_payload(op, world) is not None or op in NO_BODY, \
            f"{op}: give it a payload in api_payload() or list it in NO_BODY"
        for refs in targets_for(params, world) if params else [{}]:
            assert {expectation(API_RULES[op], u, refs, world) for u in ROLES} <= VERDICTS, op
    for name, params in pages.items():
        _shape, get_rule, post_rule = PAGES[name]
        for refs in targets_for(params, world) if params else [{}]:
            for rule in (get_rule, post_rule):
                if rule:
                    assert {expectation(rule, u, refs, world) for u in ROLES} <= VERDICTS, name


VERDICTS = {"ok", "hidden", "refused", "anonymous"}
NO_BODY = {"POST /plans/{plan_id}/publish", "POST /plans/{plan_id}/unpublish", "POST /periods/{period_id}/lock",
           "POST /periods/{period_id}/unlock", "POST /measures/{measure_id}/publish",
           "POST /measures/{measure_id}/unpublish", "POST /reports/{report_id}/submit",
           "POST /evidence/{evidence_id}/delete", "POST /recommendations/{recommendation_id}/publish",
           "POST /recommendations/{recommendation_id}/unpublish"}
SUCCESS = {"POST": {200, 201, 204}, "GET": {200}}


def check(client: Client, method: str, url: str, data: dict[str, Any] | None, verdict: str, *, api: bool,
          acts: bool, context: str, real: bool = False) -> None:
    """One request; a POST that must not act is compared with the tables before and after it. A hidden
    object that exists (``real``) leaves a ``denied`` audit event."""
    seq = last_seq()
    if method == "GET":
        response = client.get(url)
        if verdict == "hidden" and real:
            assert AuditEvent.objects.filter(seq__gt=seq, outcome=AuditEvent.Outcome.DENIED).exists(), context
        status = response.status_code
        if verdict == "anonymous":
            assert status == (401 if api else 302), context
            if not api:
                assert response["Location"].startswith(reverse("accounts:login")), context
        else:
            expected = {"ok": {200}, "hidden": {404}, "refused": {200}}[verdict]
            if verdict == "ok" and url == reverse("plan:list"):
                expected = {200, 302}  # one plan: the list goes straight to it for anyone but the office
            assert status in expected, (context, status)
        return
    before = snapshot()
    if verdict == "ok" and acts:
        seq = last_seq()
        with transaction.atomic():
            response = send(client, url, data, api=api)
            after = snapshot()
            recorded = AuditEvent.objects.filter(seq__gt=seq, outcome=AuditEvent.Outcome.OK).exclude(
                action__in=("api_token.use", "login")).exists()
            transaction.set_rollback(True)
        status = response.status_code
        assert status in (SUCCESS["POST"] if api else {200, 302}), (context, status, response.content[:300])
        # Unpublishing what is not published changes no row, but the action still runs and records it.
        assert changed(before, after) or recorded, f"{context}: the positive control did nothing"
        return
    response = send(client, url, data, api=api)
    status = response.status_code
    assert not changed(before, snapshot()), f"{context}: a refused POST changed {changed(before, snapshot())}"
    if verdict == "anonymous":
        assert status == (401 if api else 302), (context, status)
    elif verdict == "hidden":
        assert status == 404, (context, status)
        if real:
            assert AuditEvent.objects.filter(seq__gt=seq, outcome=AuditEvent.Outcome.DENIED).exists(), context
    elif verdict == "refused":
        assert status in ({422} if api else {200, 302, 400}), (context, status)
    else:  # a read page answering a POST
        assert status in (200, 302), (context, status)


def test_the_plan_access_matrix(world: dict[str, Any], login_as: Any) -> None:
    cast = world["cast"]
    clients = {ANONYMOUS: Client()}
    pages_clients = {ANONYMOUS: Client()}
    for username in (FOCAL, COORDINATOR, STAFF):
        clients[username] = token_client(cast[username])
        pages_clients[username] = login_as(username)
    checked = 0
    for op, params in api_operations():
        method, path = op.split(" ", 1)
        rule = API_RULES[op]
        for refs in targets_for(params, world) if params else [{}]:
            url = API_PREFIX + path.format(**{k: r.value for k, r in refs.items()})
            label = ",".join(f"{k}={r.label}" for k, r in refs.items())
            for username in ROLES:
                verdict = expectation(rule, username, refs, world)
                check(clients[username], method, url, api_payload(op, world), verdict, api=True,
                      acts=rule != "import", context=f"{username} {op} [{label}]",
                      real=all(r.obj is not None for r in refs.values()))
                checked += 1
    for name, params in page_patterns():
        shape, get_rule, post_rule = PAGES[name]
        for refs in targets_for(params, world) if params else [{}]:
            url = reverse(name, kwargs={k: r.value for k, r in refs.items()})
            label = ",".join(f"{k}={r.label}" for k, r in refs.items())
            for username in ROLES:
                client = pages_clients[username]
                context = f"{username} {name} [{label}]"
                if shape == "post":
                    if username != ANONYMOUS:
                        assert client.get(url).status_code == 405, context
                else:
                    check(client, "GET", url, None, expectation(get_rule, username, refs, world), api=False,
                          acts=False, context=context, real=all(r.obj is not None for r in refs.values()))
                if shape == "get":
                    if username != ANONYMOUS:
                        assert client.post(url).status_code == 405, context
                    continue
                verdict = expectation(post_rule, username, refs, world) if post_rule else (
                    "anonymous" if username == ANONYMOUS else ("hidden" if expectation(
                        get_rule, username, refs, world) == "hidden" else "read"))
                check(client, "POST", url, page_payload(name, world), verdict, api=False,
                      acts=post_rule not in (None, "import"), context=context,
                      real=all(r.obj is not None for r in refs.values()))
                checked += 1
    assert checked > 300
