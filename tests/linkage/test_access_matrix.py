"""Who can reach what in record linkage: every page of ``korpu/linkage/urls.py`` and every API operation
tagged "linkage" (both enumerated at run time), for every user of the cast and an anonymous caller.

The expectations are stated here from the rules, not read back from the code:

* a case's linkage panel, candidates and links, a link request from it and unlinking it are for
  victim-data workers (police investigators, NGO case workers, shelter managers) of an organisation that
  sees the case **with its identity section** (the check compares identifiers);
* a link request is read by the victim-data workers of the asking and the asked organisation; only the
  asked one confirms or rejects it, only the asking one withdraws it (the other side is refused: a message
  on the page, 422 in the API, a ``denied`` audit event, nothing changed);
* the request list, the API check of registration fields and the tasks card need a victim-data role;
* everyone else gets a 404 (and a ``denied`` audit event); an anonymous caller the login page or a 401.

The world: NGO 1's case A ("Gülnarə Məmmədova", in Latin) is referred to the police (every section) and
to NGO 2 with the services only; NGO 3's case C is the same woman in Cyrillic; NGO 2's case D is someone
else. NGO 1 has asked NGO 3 whether A and C are one person (a pending request).

No linkage response shows any person's name, birth date or document, nor the number of a case the
caller's organisation does not see (every response body of the matrix is scanned).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import translation

from korpu.accounts.demo import USERS as CAST_SPECS
from korpu.cases import actions as case_actions
from korpu.cases import choices
from korpu.core.models import AuditEvent
from korpu.linkage import actions
from korpu.linkage import urls as linkage_urls
from korpu.linkage.models import LinkRequest, Membership
from tests.cases.conftest import FULL_CONSENT, register

VICTIM_DATA_ROLES = {"police_investigator", "ngo_case_worker", "shelter_manager"}
ROLE = {spec.username: spec.role for spec in CAST_SPECS}
ORG = {spec.username: spec.organisation for spec in CAST_SPECS}
ANONYMOUS = "anonymous"
USERS = [*(spec.username for spec in CAST_SPECS), ANONYMOUS]
MISSING = 987654321
BIRTH = dt.date(1994, 3, 12)

PERSONS = {
    "case_a": {"given_name": "Gülnarə", "family_name": "Məmmədova", "patronymic": "Rəşid qızı"},
    "case_c": {"given_name": "Гюльнара", "family_name": "Мамедова", "patronymic": "Рашидовна",
               "document_number": "AZE7654321"},
    "case_d": {"given_name": "Tərlan", "family_name": "Səfərzadə", "document_number": "AZE1112223"},
}
# Words that no linkage response may show, to anyone (the panel and the requests never name a person).
SECRETS = [*(v for p in PERSONS.values() for v in p.values()), "Rəşid", BIRTH.isoformat(),
           BIRTH.strftime("%d.%m.%Y")]

# Who sees each case (owner, accepted referrals), and with its identity section: stated from the world.
SEES = {"case_a": {"ngo1", "police", "ngo2"}, "case_c": {"ngo3"}, "case_d": {"ngo2"}}
SEES_IDENTITY = {"case_a": {"ngo1", "police"}, "case_c": {"ngo3"}, "case_d": {"ngo2"}}

# What each page and operation needs (the rules of the module's docstring):
#   case      a victim-data worker of an organisation that sees the case with its identity section
#   victim    a victim-data role
#   tasks     a victim-data role sees the card; anyone else gets an empty fragment (no card, no data)
#   request   a victim-data worker of the asking or the asked organisation
#   answer    the asked organisation; the asking one is refused; anyone else 404
#   withdraw  the asking organisation; the asked one is refused; anyone else 404
# Pages: (shape, rule). Shapes: "get" (GET only: POST 405), "post" (POST only: GET 405).
PAGES = {
    "linkage:case_panel": ("get", "case"), "linkage:request_create": ("post", "case"),
    "linkage:unlink": ("post", "case"), "linkage:requests": ("get", "victim"),
    "linkage:request_detail": ("get", "request"), "linkage:request_confirm": ("post", "answer"),
    "linkage:request_reject": ("post", "answer"), "linkage:request_withdraw": ("post", "withdraw"),
    "linkage:tasks": ("get", "tasks"),
    # The registration form's live check: a read sent as POST (the typed identifiers), answered 200.
    "linkage:check_form": ("lookup", "victim"),
}
API_RULES = {
    "POST /api/v1/linkage/check": "victim",
    "GET /api/v1/linkage/cases/{case_id}/candidates": "case",
    "GET /api/v1/linkage/cases/{case_id}/links": "case",
    "POST /api/v1/linkage/cases/{case_id}/requests": "case",
    "POST /api/v1/linkage/cases/{case_id}/unlink": "case",
    "GET /api/v1/linkage/requests": "victim",
    "GET /api/v1/linkage/requests/{request_id}": "request",
    "POST /api/v1/linkage/requests/{request_id}/confirm": "answer",
    "POST /api/v1/linkage/requests/{request_id}/reject": "answer",
    "POST /api/v1/linkage/requests/{request_id}/withdraw": "withdraw",
}
# The denied audit action of a refusal inside a visible request.
REFUSED_ACTION = {"answer": ("linkage.confirm", "linkage.reject"), "withdraw": ("linkage.withdraw",)}


# --- the world ---------------------------------------------------------------------------------
@pytest.fixture
def world(cast: dict[str, Any]) -> dict[str, Any]:
    qht1, qht2, qht3, polis = cast["qht1"], cast["qht2"], cast["qht3"], cast["polis"]
    case_a = register(qht1, PERSONS["case_a"]["given_name"], PERSONS["case_a"]["family_name"],
                      patronymic=PERSONS["case_a"]["patronymic"], birth_date=BIRTH, age=None, consent=FULL_CONSENT)
    to_police = case_actions.referral_create(by=qht1, case=case_a, to_organisation=cast["police"],
                                             reason=choices.ReferralReason.IDENTIFICATION)
    case_actions.referral_accept(by=polis, referral=to_police)
    to_ngo2 = case_actions.referral_create(by=qht1, case=case_a, to_organisation=cast["ngo2"],
                                           reason=choices.ReferralReason.ADDITIONAL_SERVICES, sections=["services"])
    case_actions.referral_accept(by=qht2, referral=to_ngo2)
    c = PERSONS["case_c"]
    case_c = register(qht3, c["given_name"], c["family_name"], patronymic=c["patronymic"], birth_date=BIRTH,
                      document_number=c["document_number"], age=None, consent=FULL_CONSENT)
    d = PERSONS["case_d"]
    case_d = register(qht2, d["given_name"], d["family_name"], gender=choices.Gender.MASCULINE, age=31,
                      document_number=d["document_number"], consent=FULL_CONSENT)
    [request] = actions.link_request(by=qht1, case=case_a, organisation=cast["ngo3"])
    assert request.to_case_id == case_c.pk, "the matcher does not find NGO 3's Cyrillic record for NGO 1"
    case_a.refresh_from_db()
    return {"cast": cast, "case_a": case_a, "case_c": case_c, "case_d": case_d, "request": request}


def victim(username: str) -> bool:
    return username != ANONYMOUS and ROLE[username] in VICTIM_DATA_ROLES


def sees_case(username: str, case_key: str) -> bool:
    return victim(username) and ORG[username] in SEES[case_key]


def hidden_numbers(username: str, world: dict[str, Any]) -> list[str]:
    return [world[k].number for k in SEES if not sees_case(username, k)]


# --- targets -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    value: int
    key: str  # a world key, or "missing"


def refs_for(param: str) -> list[str]:
    if param == "case_id":
        return ["case_a", "case_c", "case_d", "missing"]
    if param == "request_id":
        return ["request", "missing"]
    raise AssertionError(f"no world object for the path parameter {param!r}: add one to refs_for()")


def targets_for(params: list[str], world: dict[str, Any]) -> list[dict[str, Ref]]:
    combos = itertools.product(*(refs_for(p) for p in params))
    return [{p: Ref(world[k].pk if k != "missing" else MISSING, k) for p, k in zip(params, combo, strict=True)}
            for combo in combos]


def expectation(rule: str, username: str, refs: dict[str, Ref], world: dict[str, Any]) -> str:
    """'ok', 'refused' (the action says no), 'hidden' (404), 'empty' (an empty fragment) or 'anonymous'."""
    if username == ANONYMOUS:
        return "anonymous"
    if any(r.key == "missing" for r in refs.values()):
        return "hidden"
    org = ORG[username]
    if rule == "victim":
        return "ok" if victim(username) else "hidden"
    if rule == "tasks":
        return "ok" if victim(username) else "empty"
    if rule == "case":
        return "ok" if victim(username) and org in SEES_IDENTITY[refs["case_id"].key] else "hidden"
    request = world["request"]
    asking = victim(username) and world["cast"][org].pk == request.from_organisation_id
    asked = victim(username) and world["cast"][org].pk == request.to_organisation_id
    if rule == "request":
        return "ok" if asking or asked else "hidden"
    if rule == "answer":
        return "ok" if asked else ("refused" if asking else "hidden")
    if rule == "withdraw":
        return "ok" if asking else ("refused" if asked else "hidden")
    raise AssertionError(rule)


# --- payloads ------------------------------------------------------------------------------------
def page_payload(name: str, world: dict[str, Any]) -> dict[str, Any]:
    return {"linkage:request_create": {"organisation": world["cast"]["ngo3"].pk},
            "linkage:check_form": {**PERSONS["case_a"], "birth_date": BIRTH.isoformat()}}.get(name, {})


def api_payload(op: str, world: dict[str, Any]) -> dict[str, Any] | None:
    woman = {**PERSONS["case_a"], "birth_date": BIRTH.isoformat(), "gender": "Feminine", "citizenships": ["AZ"]}
    return {
        "POST /api/v1/linkage/check": woman,
        "POST /api/v1/linkage/cases/{case_id}/requests": {"organisation_id": world["cast"]["ngo3"].pk},
    }.get(op)


def send(client: Client, method: str, url: str, data: dict[str, Any] | None, *, api: bool) -> Any:
    if method == "GET":
        return client.get(url)
    if not api:
        return client.post(url, data or {})
    if data is None:
        return client.post(url)
    return client.post(url, json.dumps(data), content_type="application/json")


# --- observing -----------------------------------------------------------------------------------
def snapshot() -> dict[str, Any]:
    """Every row of every linkage and cases table (as stored)."""
    state = {}
    with connection.cursor() as cursor:
        for label in ("linkage", "cases"):
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                table = model._meta.db_table
                cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
                state[table] = [tuple(map(str, row)) for row in cursor.fetchall()]
    return state


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [table for table in before if before[table] != after[table]]


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def denied_since(seq: int, user: Any, actions_: tuple[str, ...] = ()) -> bool:
    events = AuditEvent.objects.filter(seq__gt=seq, outcome=AuditEvent.Outcome.DENIED, actor=user)
    if actions_:
        events = events.filter(action__in=actions_)
    return events.exists()


def leaked(username: str, world: dict[str, Any], content: bytes) -> list[str]:
    """The names, dates, documents and foreign case numbers a response shows (raw or JSON-escaped)."""
    text = content.decode("utf-8", "replace")
    words = [*SECRETS, *hidden_numbers(username, world)]
    return [w for w in words if w in text or json.dumps(w)[1:-1] in text]


# --- enumerating the surface ---------------------------------------------------------------------
def page_patterns() -> list[tuple[str, list[str]]]:
    found = []
    for pattern in linkage_urls.urlpatterns:
        assert isinstance(pattern, URLPattern), "nested includes are not enumerated"
        found.append((f"{linkage_urls.app_name}:{pattern.name}", list(pattern.pattern.converters)))
    return found


def api_operations() -> list[tuple[str, list[str]]]:
    from korpu.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "linkage" not in operation.get("tags", []):
                continue
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            found.append((f"{method.upper()} {path}", params))
    return found


# --- the matrix ------------------------------------------------------------------------------------
def check(client: Client, method: str, url: str, data: dict[str, Any] | None, verdict: str, *, api: bool,
          user: Any, username: str, world: dict[str, Any], rule: str, context: str, form: bool = False) -> None:
    before = snapshot()
    seq = last_seq()
    if verdict == "ok" and method == "POST":
        # Allowed writes run in a savepoint rolled back afterwards (the positive controls below prove
        # each one changes something from a fitting state).
        with transaction.atomic():
            response = send(client, method, url, data, api=api and not form)
            transaction.set_rollback(True)
    else:
        response = send(client, method, url, data, api=api and not form)
    status = response.status_code
    assert status not in (403, 500), f"{context}: {status}"
    shown = leaked(username, world, response.content)
    assert not shown, f"{context}: shows {shown}"
    if verdict == "anonymous":
        if api and not form:
            assert status == 401, f"{context}: {status}"
        else:
            assert status == 302 and response["Location"].startswith(reverse("accounts:login")), f"{context}: {status}"
        assert not changed(before, snapshot()), context
        return
    if verdict == "ok":
        if method == "GET":
            assert status == 200, f"{context}: {status} {response.content[:300]!r}"
        elif api:
            # 422: the state says no (a request already waiting, a record not linked), never the payload.
            assert status in (200, 201, 204, 422), f"{context}: {status} {response.content[:300]!r}"
            if status == 422:
                assert "errors" not in response.json(), f"{context}: the payload is invalid: {response.json()}"
        else:
            assert status == 302, f"{context}: {status}"
        assert not denied_since(seq, user), f"{context}: an allowed user left a denied event"
        return
    if verdict == "empty":
        assert status == 200 and response.content.strip() == b"", f"{context}: {status} {response.content[:200]!r}"
        assert not changed(before, snapshot()), context
        return
    assert not changed(before, snapshot()), f"{context}: changed {changed(before, snapshot())}"
    if verdict == "hidden":
        assert status == 404, f"{context}: {status} {response.content[:300]!r}"
        assert denied_since(seq, user), f"{context}: no denied audit event"
    elif verdict == "refused":
        assert status == (422 if api else 302), f"{context}: {status} {response.content[:300]!r}"
        if not api:
            assert response["Location"] == reverse("linkage:request_detail", args=[world["request"].pk]), context
        assert denied_since(seq, user, REFUSED_ACTION[rule]), f"{context}: no denied {REFUSED_ACTION[rule]}"
    else:  # pragma: no cover
        raise AssertionError(verdict)


def _clients(world: dict[str, Any], login_as: Callable[[str], Client]) -> dict[str, Client]:
    return {u: Client() if u == ANONYMOUS else login_as(u) for u in USERS}


@pytest.mark.parametrize("username", USERS)
def test_the_linkage_page_matrix(username: str, world: dict[str, Any], login_as: Any) -> None:
    client = Client() if username == ANONYMOUS else login_as(username)
    user = world["cast"].get(username)
    checked = 0
    for name, params in page_patterns():
        shape, rule = PAGES[name]
        for refs in targets_for(params, world):
            url = reverse(name, kwargs={k: r.value for k, r in refs.items()})
            label = ",".join(f"{k}={r.key}" for k, r in refs.items()) or "-"
            verdict = expectation(rule, username, refs, world)
            context = f"{username} {name} [{label}] (expect {verdict})"
            if shape == "lookup":
                wrong = client.get(url)
                assert wrong.status_code == (302 if username == ANONYMOUS else 405), context
                check(client, "POST", url, page_payload(name, world), verdict, api=True, user=user,
                      username=username, world=world, rule=rule, context="POST " + context, form=True)
            elif shape == "post":
                wrong = client.get(url)
                assert wrong.status_code == (302 if username == ANONYMOUS else 405), context
                check(client, "POST", url, page_payload(name, world), verdict, api=False, user=user,
                      username=username, world=world, rule=rule, context="POST " + context)
            else:
                check(client, "GET", url, None, verdict, api=False, user=user, username=username, world=world,
                      rule=rule, context="GET " + context)
                if name == "linkage:case_panel":  # the check itself, run from the panel
                    check(client, "GET", url + "?check=1", None, verdict, api=False, user=user, username=username,
                          world=world, rule=rule, context="GET ?check=1 " + context)
                before = snapshot()
                wrong = client.post(url, page_payload(name, world))
                assert wrong.status_code == (302 if username == ANONYMOUS else 405), context
                assert not changed(before, snapshot()), context
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("username", USERS)
def test_the_linkage_api_matrix(username: str, world: dict[str, Any], login_as: Any) -> None:
    client = Client() if username == ANONYMOUS else login_as(username)
    user = world["cast"].get(username)
    operations = api_operations()
    assert len(operations) >= 10
    for op, params in operations:
        method, template = op.split(" ", 1)
        rule = API_RULES[op]
        for refs in targets_for(params, world):
            url = template.format(**{k: r.value for k, r in refs.items()})
            label = ",".join(f"{k}={r.key}" for k, r in refs.items()) or "-"
            verdict = expectation(rule, username, refs, world)
            check(client, method, url, api_payload(op, world), verdict, api=True, user=user, username=username,
                  world=world, rule=rule, context=f"{username} {op} [{label}] (expect {verdict})")


def test_every_url_and_operation_is_classified(world: dict[str, Any]) -> None:
    """A new linkage page or operation must be classified here and given a positive control."""
    names = {name for name, _ in page_patterns()}
    assert names == set(PAGES), f"classify the linkage pages in PAGES: {names ^ set(PAGES)}"
    ops = {op for op, _ in api_operations()}
    assert ops == set(API_RULES), f"classify the linkage operations in API_RULES: {ops ^ set(API_RULES)}"
    writers = {n for n, (shape, _rule) in PAGES.items() if shape == "post"}
    assert writers <= {p[0] for p in POSITIVE}, "give the new pages a positive control"
    writes = {op for op in ops if op.startswith("POST")}
    assert writes <= {p[0] for p in POSITIVE}, "give the new operations a positive control"
    for name, params in [*page_patterns(), *api_operations()]:
        rule = PAGES[name][1] if name in PAGES else API_RULES[name]
        for refs in targets_for(params, world):
            assert {expectation(rule, u, refs, world) for u in USERS} <= {"ok", "refused", "hidden", "empty",
                                                                          "anonymous"}, name


# --- positive controls: each write acts for the user who is allowed ----------------------------------
def _withdraw(world: dict[str, Any]) -> None:
    actions.link_withdraw(by=world["cast"]["qht1"], request=world["request"])


def _confirm(world: dict[str, Any]) -> None:
    actions.link_confirm(by=world["cast"]["qht3"], request=world["request"])


POSITIVE: list[tuple[str, str, str, Callable[[dict[str, Any]], None] | None, Callable[[dict[str, Any]], bool]]] = [
    # (page or operation, user, world key of the path object, preparation, what must hold afterwards)
    ("linkage:request_create", "qht1", "case_a", _withdraw,
     lambda w: LinkRequest.objects.filter(status="pending", from_case=w["case_a"], to_case=w["case_c"]).exists()),
    ("POST /api/v1/linkage/cases/{case_id}/requests", "polis", "case_a", _withdraw,
     lambda w: LinkRequest.objects.filter(status="pending", from_organisation=w["cast"]["police"]).exists()),
    ("linkage:unlink", "siginacaq1", "case_a", _confirm, lambda w: not Membership.objects.exists()),
    ("POST /api/v1/linkage/cases/{case_id}/unlink", "qht3", "case_c", _confirm,
     lambda w: not Membership.objects.exists()),
    ("linkage:request_confirm", "qht3", "request", None,
     lambda w: Membership.objects.filter(person_id__in=[w["case_a"].person_id, w["case_c"].person_id]).count() == 2),
    ("POST /api/v1/linkage/requests/{request_id}/confirm", "qht3", "request", None,
     lambda w: LinkRequest.objects.get(pk=w["request"].pk).status == "confirmed" and Membership.objects.count() == 2),
    ("linkage:request_reject", "qht3", "request", None,
     lambda w: LinkRequest.objects.get(pk=w["request"].pk).status == "rejected" and not Membership.objects.exists()),
    ("POST /api/v1/linkage/requests/{request_id}/reject", "qht3", "request", None,
     lambda w: LinkRequest.objects.get(pk=w["request"].pk).status == "rejected"),
    ("linkage:request_withdraw", "qht1", "request", None,
     lambda w: LinkRequest.objects.get(pk=w["request"].pk).status == "withdrawn"),
    ("POST /api/v1/linkage/requests/{request_id}/withdraw", "siginacaq1", "request", None,
     lambda w: LinkRequest.objects.get(pk=w["request"].pk).status == "withdrawn"),
    ("POST /api/v1/linkage/check", "qht3", "", None,
     lambda w: AuditEvent.objects.filter(action="linkage.check", actor=w["cast"]["qht3"]).exists()),
]


@pytest.mark.parametrize(("name", "username", "key", "prepare", "holds"), POSITIVE,
                         ids=[f"{p[0]}-{p[1]}" for p in POSITIVE])
def test_positive_control(name, username, key, prepare, holds, world, login_as):
    if prepare:
        prepare(world)
    user = world["cast"][username]
    client = login_as(username)
    api = name.startswith("POST ")
    if api:
        template = name.split(" ", 1)[1]
        params = {"case_id": world[key].pk} if "{case_id}" in template else (
            {"request_id": world[key].pk} if "{request_id}" in template else {})
        url = template.format(**params)
        data = api_payload(name, world)
    else:
        param = "request_id" if key == "request" else "case_id"
        url = reverse(name, kwargs={param: world[key].pk})
        data = page_payload(name, world)
    before = snapshot()
    seq = last_seq()
    response = send(client, "POST", url, data, api=api)
    context = f"{username} {name}"
    assert response.status_code in ((200, 201, 204) if api else (302,)), f"{context}: {response.content[:300]!r}"
    if not api:
        follow = client.get(response["Location"])
        assert b'class="error"' not in follow.content and b"messages" in follow.content, context
    assert holds(world), f"{context}: did not act"
    assert changed(before, snapshot()) or name.endswith("/check"), f"{context}: changed nothing"
    assert not denied_since(seq, user), context
    assert not leaked(username, world, response.content), f"{context}: {leaked(username, world, response.content)}"
    if name.endswith("/check"):  # NGO 3's own case with its number; NGO 1's as "held by NGO 1"
        found = [(c["organisation_id"], c["case_id"], c["case_number"]) for c in response.json()]
        assert found == [(world["cast"]["ngo3"].pk, world["case_c"].pk, world["case_c"].number),
                         (world["cast"]["ngo1"].pk, None, None)], found


# --- refusals inside a visible case or request --------------------------------------------------------
def test_the_asker_cannot_answer_its_own_request(world, login_as):
    """NGO 1's worker sees her own case and the request she sent, but the answer is NGO 3's."""
    qht1, request = world["cast"]["qht1"], world["request"]
    client = login_as("qht1")
    assert client.get(reverse("linkage:case_panel", args=[world["case_a"].pk])).status_code == 200
    assert client.get(reverse("linkage:request_detail", args=[request.pk])).status_code == 200
    before = snapshot()
    for name, action in (("linkage:request_confirm", "linkage.confirm"), ("linkage:request_reject", "linkage.reject")):
        seq = last_seq()
        response = client.post(reverse(name, args=[request.pk]))
        assert response.status_code == 302
        assert denied_since(seq, qht1, (action,)), name
        page = client.get(response["Location"]).content.decode()
        with translation.override(qht1.language):
            assert translation.gettext("Only the organisation that was asked can answer this request.") in page
        seq = last_seq()
        api = client.post(f"/api/v1/linkage/requests/{request.pk}/{name.rsplit('_', 1)[1]}")
        assert api.status_code == 422 and denied_since(seq, qht1, (action,)), name
    assert not changed(before, snapshot())
    # …and NGO 3 cannot withdraw what it did not send.
    seq = last_seq()
    assert login_as("qht3").post(f"/api/v1/linkage/requests/{request.pk}/withdraw").status_code == 422
    assert denied_since(seq, world["cast"]["qht3"], ("linkage.withdraw",))
    assert not changed(before, snapshot())


@pytest.mark.parametrize("username", ["qht2", "siginacaq2"])
def test_a_case_seen_without_its_identity_cannot_be_checked(username, world, login_as):
    """NGO 2 sees case A through a referral of its services only: the case page, not the check."""
    user, case = world["cast"][username], world["case_a"]
    client = login_as(username)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200 and case.number in page.content.decode()
    assert reverse("linkage:case_panel", args=[case.pk]) not in page.content.decode()  # no panel to load
    before = snapshot()
    for method, url, data, action in (
            ("GET", reverse("linkage:case_panel", args=[case.pk]) + "?check=1", None, "linkage.panel"),
            ("GET", f"/api/v1/linkage/cases/{case.pk}/candidates", None, "linkage.check"),
            ("GET", f"/api/v1/linkage/cases/{case.pk}/links", None, "linkage.panel"),
            ("POST", reverse("linkage:request_create", args=[case.pk]), {"organisation": world["cast"]["ngo3"].pk},
             "linkage.request"),
            ("POST", reverse("linkage:unlink", args=[case.pk]), {}, "linkage.unlink")):
        seq = last_seq()
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert response.status_code == 404, url
        assert denied_since(seq, user, (action,)), url
        assert not AuditEvent.objects.filter(seq__gt=seq, action="linkage.check", outcome="ok").exists(), url
        assert not leaked(username, world, response.content), url
    assert not changed(before, snapshot())


def test_no_one_outside_learns_of_the_other_side(world, login_as):
    """The held-elsewhere candidate, the request and the tasks card name organisations only."""
    ngo1 = login_as("qht1").get(reverse("linkage:case_panel", args=[world["case_a"].pk]) + "?check=1")
    body = ngo1.content.decode()
    assert world["cast"]["ngo3"].name in body and 'data-testid="held-elsewhere"' in body
    assert world["case_c"].number not in body
    ngo3 = login_as("qht3")
    for url in (reverse("linkage:tasks"), reverse("linkage:requests"),
                reverse("linkage:request_detail", args=[world["request"].pk]), "/api/v1/linkage/requests",
                f"/api/v1/linkage/requests/{world['request'].pk}"):
        response = ngo3.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert world["case_c"].number in text and world["case_a"].number not in text, url
        assert not leaked("qht3", world, response.content), url
    # NGO 3's own check of its case says NGO 1 holds a match: no more.
    candidates = ngo3.get(f"/api/v1/linkage/cases/{world['case_c'].pk}/candidates").json()
    assert [(c["organisation_id"], c["case_id"], c["case_number"]) for c in candidates] == [
        (world["cast"]["ngo1"].pk, None, None)]


@pytest.mark.parametrize("username", ["qht2", "siginacaq2"])
def test_the_check_of_typed_fields_does_not_say_who_a_case_without_identity_is(username, world, login_as):
    """NGO 2 sees case A without its identity section: typing a name into the check must not tell it that
    case A is that person (else anyone with a services-only view could find out who each case is)."""
    woman = {**PERSONS["case_a"], "birth_date": BIRTH.isoformat(), "gender": "Feminine", "citizenships": ["AZ"]}
    response = login_as(username).post("/api/v1/linkage/check", woman, content_type="application/json")
    assert response.status_code == 200
    shown = [(c["organisation_id"], c["case_number"]) for c in response.json()]
    assert world["case_a"].number not in response.content.decode(), f"the check names case A: {shown}"


def test_every_reason_the_matcher_gives_is_shown_in_words():
    """The panel, the request page and the API show the reasons as labels: never a raw code."""
    from korpu.linkage import matching, queries

    unlabelled = [code for code in matching.REASONS if code not in queries.REASON_LABELS]
    assert unlabelled == [], f"korpu/linkage/queries.py REASON_LABELS has no label for {unlabelled}"


@pytest.mark.parametrize("answer", ["reject", "withdraw"])
def test_a_confirmed_request_is_not_rejected_or_withdrawn_from_a_stale_copy(answer, world):
    """Two answers at once (NGO 3 confirms while NGO 1 withdraws, or a second tab rejects): the second
    must be refused, not overwrite "confirmed" while the two records stay linked."""
    from django.core.exceptions import ValidationError

    cast, request = world["cast"], world["request"]
    stale = LinkRequest.objects.get(pk=request.pk)  # read by the other request before the confirmation
    actions.link_confirm(by=cast["qht3"], request=request)
    perform, by = (actions.link_reject, cast["qht3"]) if answer == "reject" else (actions.link_withdraw, cast["qht1"])
    with pytest.raises(ValidationError):
        perform(by=by, request=stale)
    assert LinkRequest.objects.get(pk=request.pk).status == LinkRequest.Status.CONFIRMED
    assert Membership.objects.count() == 2
