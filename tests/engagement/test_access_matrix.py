"""Who can reach what in the engagement room: every operation of the engagement API router and every URL
of ``korpu/engagement/urls.py``, for each role — anonymous, the coalition coordinator (``koalisiya``), a
member NGO's staff (``qht2``, NGO 2) and other staff (``qht3``, NGO 3, not a member).

The operations and URLs are enumerated at run time; ``test_every_operation_and_url_has_an_expectation``
fails when one is added without a line below. The expectations are stated from the rules, not read back
from the code:

* coalition data is not victim data: every logged-in partner reads the members (with their contact
  people), meetings, proposals and campaigns; the members that have left, the management pages and
  their forms are the coordinator's (others get a 404, the same as for a missing page);
* every change is the coordinator's, except that a member's staff makes proposals for their own
  organisation and marks done the decisions their organisation is responsible for, and the addressed
  body answers a proposal;
* anonymous callers get a 401 from the API and the login page from staff pages; the public pages show
  published items only;
* an unknown id is a 404 for everyone.

A refused POST (401, 404, 405, 422, or a page's redirect with an error) changes no engagement table; an
allowed one changes one (a positive control, so that the payloads are known to be ones that would act).
Allowed changes run inside a savepoint that is rolled back, so one world serves every row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, reverse

from korpu.accounts import actions as account_actions
from korpu.engagement import actions
from korpu.engagement.models import Member, Proposal
from tests.engagement.helpers import jpeg, new_meeting

COORDINATOR, MEMBER_STAFF, OTHER_STAFF, ANONYMOUS = "koalisiya", "qht2", "qht3", "anonymous"
ROLES = (COORDINATOR, MEMBER_STAFF, OTHER_STAFF, ANONYMOUS)
BASE = "/api/v1/engagement"
MISSING = 987654321
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n" + b"MatrixQ7" * 20
LOGIN = "login"  # a staff page answers an anonymous visitor with the login page


def by_role(*outcomes: Any) -> dict[str, Any]:
    assert len(outcomes) == len(ROLES)
    return dict(zip(ROLES, outcomes, strict=True))


def staff(outcome: Any, anonymous: Any) -> dict[str, Any]:
    return by_role(outcome, outcome, outcome, anonymous)


def coordinator_only(allowed: Any, refused: Any, anonymous: Any) -> dict[str, Any]:
    return by_role(allowed, refused, refused, anonymous)


# --- the world ---------------------------------------------------------------------------------
@pytest.fixture
def world(coalition: dict[str, Any]) -> dict[str, Any]:
    cast = coalition
    by = cast["koalisiya"]
    member = Member.objects.get(organisation=cast["ngo2"])
    meeting = new_meeting(cast)
    public_meeting = new_meeting(cast, title="Açıq görüş", public=True)
    campaign = actions.campaign_create(by=by, title="Diqqətli ol!", starts_on=dt.date(2026, 3, 1),
                                       ends_on=dt.date(2026, 6, 30), organisers=[cast["ngo1"]])
    public_campaign = actions.campaign_create(by=by, title="Açıq kampaniya", starts_on=dt.date(2026, 1, 1),
                                              ends_on=dt.date(2026, 12, 31), organisers=[cast["ngo2"]])
    actions.publish(by=by, obj=public_campaign, public=True)
    return {
        "cast": cast, "member": member,
        "former": actions.member_save(by=by, organisation=cast["intl"], joined_on=dt.date(2011, 1, 1),
                                      left_on=dt.date(2020, 12, 31)),
        "contact": actions.contact_save(by=by, member=member, name="Kamran Nümunəli", phone="+994 12 000 00 99"),
        "meeting": meeting, "item": meeting.agenda.first(),
        "participant": actions.participant_add(by=by, meeting=meeting, organisation=cast["ngo2"]),
        "decision": actions.decision_add(by=by, meeting=meeting, text="Vərəqə", responsible=cast["ngo2"],
                                         due_on=dt.date(2026, 12, 1)),
        "photo": actions.photo_add(by=by, meeting=meeting, data=jpeg(), alt_text="Foto"),
        "attachment": actions.attachment_add(by=by, meeting=meeting, filename="a.pdf", data=PDF, kind="agenda"),
        "proposal": actions.proposal_create(by=by, from_organisation=cast["ngo2"], addressed_to=cast["police"],
                                            title="Təklif", text="Mətn", meeting=meeting),
        "campaign": campaign,
        "event": actions.campaign_event_add(by=by, campaign=campaign, held_on=dt.date(2026, 4, 2), place="Yer",
                                            region="baku", target_group="students", channel="talks",
                                            people_reached=10),
        "public_meeting": public_meeting,
        "public_photo": actions.photo_add(by=by, meeting=public_meeting, data=jpeg(), alt_text="Açıq foto",
                                          is_public=True),
        "public_attachment": actions.attachment_add(by=by, meeting=public_meeting, filename="b.pdf", data=PDF,
                                                    kind="minutes", is_public=True),
        "public_campaign": public_campaign,
    }


# Which world object each path parameter names.
PARAM_OBJECT = {"member_id": "member", "contact_id": "contact", "meeting_id": "meeting", "item_id": "item",
                "participant_id": "participant", "decision_id": "decision", "photo_id": "photo",
                "attachment_id": "attachment", "proposal_id": "proposal", "campaign_id": "campaign",
                "event_id": "event"}


def ids(w: dict[str, Any], params: list[str], overrides: dict[str, str] | None = None) -> dict[str, Any]:
    chosen = {**PARAM_OBJECT, **(overrides or {})}
    return {p: ("full" if p == "kind" else w[chosen[p]].pk) for p in params}


# --- the API -----------------------------------------------------------------------------------
Payload = Callable[[dict[str, Any]], dict[str, Any] | None]


def _files(**fields: Any) -> Payload:
    """A multipart payload with a fresh upload in ``file``."""
    def make(w: dict[str, Any]) -> dict[str, Any]:
        data = jpeg() if fields.get("photo") else PDF
        return {"file": SimpleUploadedFile("f.jpg" if fields.get("photo") else "f.pdf", data),
                **{k: v for k, v in fields.items() if k != "photo"}}
    return make


def _json(make: Callable[[dict[str, Any]], dict[str, Any]]) -> Payload:
    return make


NO_BODY: Payload = lambda w: None  # noqa: E731
MULTIPART = {"POST /meetings/{meeting_id}/photos", "POST /meetings/{meeting_id}/attachments"}

# op → (payload, outcome for each role). A POST answered 200/201/204 must change an engagement table.
ALLOWED_ALL = staff(200, 401)
API: dict[str, tuple[Payload, dict[str, Any]]] = {
    "GET /members": (NO_BODY, ALLOWED_ALL),
    "POST /members": (_json(lambda w: {"organisation_id": w["cast"]["assistance"].pk, "joined_on": "2019-01-01"}),
                      coordinator_only(201, 422, 401)),
    "GET /members/{member_id}": (NO_BODY, ALLOWED_ALL),
    "POST /members/{member_id}": (_json(lambda w: {"services": ["shelter"]}), coordinator_only(200, 422, 401)),
    "POST /members/{member_id}/leave": (_json(lambda w: {}), coordinator_only(200, 422, 401)),
    "POST /members/{member_id}/contacts": (_json(lambda w: {"name": "X", "phone": "+994 12 000 00 00"}),
                                           coordinator_only(201, 422, 401)),
    "POST /members/{member_id}/contacts/{contact_id}": (_json(lambda w: {"name": "Y"}),
                                                        coordinator_only(200, 422, 401)),
    "POST /members/{member_id}/contacts/{contact_id}/delete": (NO_BODY, coordinator_only(204, 422, 401)),
    "GET /meetings": (NO_BODY, ALLOWED_ALL),
    "POST /meetings": (_json(lambda w: {"title": "Yeni", "held_on": "2026-10-21",
                                        "organiser_id": w["cast"]["police"].pk}), coordinator_only(201, 422, 401)),
    "GET /meetings/{meeting_id}": (NO_BODY, ALLOWED_ALL),
    "POST /meetings/{meeting_id}": (_json(lambda w: {"title": "X"}), coordinator_only(200, 422, 401)),
    "POST /meetings/{meeting_id}/publish": (_json(lambda w: {"public": True}), coordinator_only(200, 422, 401)),
    "POST /meetings/{meeting_id}/agenda": (_json(lambda w: {"text": "X"}), coordinator_only(201, 422, 401)),
    "POST /meetings/{meeting_id}/agenda/{item_id}": (_json(lambda w: {"text": "X"}), coordinator_only(200, 422, 401)),
    "POST /meetings/{meeting_id}/agenda/{item_id}/delete": (NO_BODY, coordinator_only(204, 422, 401)),
    "POST /meetings/{meeting_id}/participants": (_json(lambda w: {"organisation_id": w["cast"]["ngo3"].pk}),
                                                 coordinator_only(201, 422, 401)),
    "POST /meetings/{meeting_id}/participants/{participant_id}": (_json(lambda w: {"person_name": "X"}),
                                                                  coordinator_only(200, 422, 401)),
    "POST /meetings/{meeting_id}/participants/{participant_id}/delete": (NO_BODY, coordinator_only(204, 422, 401)),
    "GET /decisions": (NO_BODY, ALLOWED_ALL),
    "POST /meetings/{meeting_id}/decisions": (
        _json(lambda w: {"text": "X", "responsible_id": w["cast"]["ngo1"].pk, "due_on": "2026-12-01"}),
        coordinator_only(201, 422, 401)),
    "POST /meetings/{meeting_id}/decisions/{decision_id}": (_json(lambda w: {"text": "X"}),
                                                            coordinator_only(200, 422, 401)),
    "POST /meetings/{meeting_id}/decisions/{decision_id}/delete": (NO_BODY, coordinator_only(204, 422, 401)),
    # NGO 2 is responsible for the decision: its staff may mark it done.
    "POST /meetings/{meeting_id}/decisions/{decision_id}/done": (_json(lambda w: {}), by_role(200, 200, 422, 401)),
    "POST /meetings/{meeting_id}/photos": (_files(photo=True, alt_text="Foto"), coordinator_only(201, 422, 401)),
    "GET /meetings/{meeting_id}/photos/{photo_id}": (NO_BODY, ALLOWED_ALL),
    "POST /meetings/{meeting_id}/photos/{photo_id}": (_json(lambda w: {"alt_text": "X"}),
                                                      coordinator_only(200, 422, 401)),
    "POST /meetings/{meeting_id}/photos/{photo_id}/publish": (_json(lambda w: {"public": True}),
                                                              coordinator_only(200, 422, 401)),
    "POST /meetings/{meeting_id}/photos/{photo_id}/delete": (NO_BODY, coordinator_only(204, 422, 401)),
    "POST /meetings/{meeting_id}/attachments": (_files(kind="agenda"), coordinator_only(201, 422, 401)),
    "GET /meetings/{meeting_id}/attachments/{attachment_id}": (NO_BODY, ALLOWED_ALL),
    "POST /meetings/{meeting_id}/attachments/{attachment_id}/publish": (_json(lambda w: {"public": True}),
                                                                        coordinator_only(200, 422, 401)),
    "POST /meetings/{meeting_id}/attachments/{attachment_id}/delete": (NO_BODY, coordinator_only(204, 422, 401)),
    "GET /proposals": (NO_BODY, ALLOWED_ALL),
    # From NGO 2: its own staff may make it; other staff may not.
    "POST /proposals": (_json(lambda w: {"from_organisation_id": w["cast"]["ngo2"].pk, "title": "X", "text": "Y",
                                         "addressed_to_id": w["cast"]["police"].pk}), by_role(201, 201, 422, 401)),
    "GET /proposals/{proposal_id}": (NO_BODY, ALLOWED_ALL),
    # Addressed to the police: neither the proposer's staff nor others answer.
    "POST /proposals/{proposal_id}/respond": (_json(lambda w: {"status": Proposal.Status.UNDER_REVIEW}),
                                              coordinator_only(200, 422, 401)),
    "POST /proposals/{proposal_id}/measures": (_json(lambda w: {"measure_ids": []}), coordinator_only(200, 422, 401)),
    "GET /campaigns": (NO_BODY, ALLOWED_ALL),
    "POST /campaigns": (_json(lambda w: {"title": "X", "starts_on": "2026-03-01", "ends_on": "2026-03-31",
                                         "organiser_ids": [w["cast"]["ngo1"].pk]}), coordinator_only(201, 422, 401)),
    "GET /campaigns/{campaign_id}": (NO_BODY, ALLOWED_ALL),
    "POST /campaigns/{campaign_id}": (_json(lambda w: {"title": "X"}), coordinator_only(200, 422, 401)),
    "POST /campaigns/{campaign_id}/publish": (_json(lambda w: {"public": True}), coordinator_only(200, 422, 401)),
    "POST /campaigns/{campaign_id}/events": (
        _json(lambda w: {"held_on": "2026-04-03", "place": "X", "region": "baku", "target_group": "women",
                         "channel": "talks", "people_reached": 5}), coordinator_only(201, 422, 401)),
    "POST /campaigns/{campaign_id}/events/{event_id}": (_json(lambda w: {"place": "Z"}),
                                                        coordinator_only(200, 422, 401)),
    "POST /campaigns/{campaign_id}/events/{event_id}/delete": (NO_BODY, coordinator_only(204, 422, 401)),
    "GET /reach": (NO_BODY, ALLOWED_ALL),
}

# The same operations against a member that has left the coalition: the coordinator's only.
FORMER_MEMBER: dict[str, dict[str, Any]] = {
    "GET /members/{member_id}": coordinator_only(200, 404, 401),
    "POST /members/{member_id}": coordinator_only(200, 404, 401),
    "POST /members/{member_id}/leave": coordinator_only(200, 404, 401),
    "POST /members/{member_id}/contacts": coordinator_only(201, 404, 401),
}


def api_operations() -> list[tuple[str, list[str]]]:
    """Every operation of the engagement router, as ``"METHOD /path"`` (the path past ``/api/v1/engagement``)."""
    from korpu.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "engagement" not in operation.get("tags", []):
                continue
            assert path.startswith(BASE + "/"), path
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            found.append((f"{method.upper()} {path.removeprefix(BASE)}", params))
    return found


# --- the pages ---------------------------------------------------------------------------------
# name → (path parameters' objects when not the usual ones, GET outcome by role, POST data, POST outcome by
# role). POST outcomes: a status code; "302+" is a redirect that changed data, "302" one that changed none.
PUBLIC = {"meeting_id": "public_meeting", "photo_id": "public_photo", "attachment_id": "public_attachment",
          "campaign_id": "public_campaign"}
READ, MANAGE = staff(200, LOGIN), coordinator_only(200, 404, LOGIN)
PageRow = tuple[dict[str, str], dict[str, Any], Callable[[dict[str, Any]], dict[str, Any]], dict[str, Any]]
PAGES: dict[str, PageRow] = {
    "engagement:coalition": ({}, READ, lambda w: {}, staff(200, LOGIN)),
    "engagement:member_create": ({}, MANAGE, lambda w: {"organisation": w["cast"]["assistance"].pk,
                                                        "joined_on": "2019-01-01"},
                                 coordinator_only("302+", 404, LOGIN)),
    "engagement:member": ({}, MANAGE, lambda w: {"command": "member", "joined_on": "2012-06-15",
                                                 "services": ["shelter"]}, coordinator_only("302+", 404, LOGIN)),
    "engagement:contact": ({}, MANAGE, lambda w: {"name": "Y", "phone": "+994 12 000 00 00"},
                           coordinator_only("302+", 404, LOGIN)),
    "engagement:report": ({}, READ, lambda w: {}, staff(405, LOGIN)),
    # Without a period the report form answers 400 (nothing is generated).
    "engagement:report_pdf": ({}, staff(400, LOGIN), lambda w: {}, staff(405, LOGIN)),
    "engagement:report_xlsx": ({}, staff(400, LOGIN), lambda w: {}, staff(405, LOGIN)),
    "engagement:meetings": ({}, READ, lambda w: {}, staff(200, LOGIN)),
    "engagement:meeting_create": ({}, MANAGE, lambda w: {"title": "Yeni", "held_on": "2026-10-21",
                                                         "organiser": w["cast"]["police"].pk},
                                  coordinator_only("302+", 404, LOGIN)),
    "engagement:meeting": ({}, READ, lambda w: {"command": "publish", "public": "1"},
                           coordinator_only("302+", "302", LOGIN)),
    "engagement:meeting_edit": ({}, MANAGE, lambda w: {"title": "X", "held_on": "2026-10-20",
                                                       "organiser": w["cast"]["police"].pk},
                                coordinator_only("302+", 404, LOGIN)),
    "engagement:participant": ({}, MANAGE, lambda w: {"organisation": w["cast"]["ngo3"].pk},
                               coordinator_only("302+", 404, LOGIN)),
    "engagement:decision": ({}, MANAGE, lambda w: {"text": "X", "responsible": w["cast"]["ngo1"].pk,
                                                   "due_on": "2026-12-01"}, coordinator_only("302+", 404, LOGIN)),
    "engagement:photo": ({}, READ, lambda w: {}, staff(200, LOGIN)),
    "engagement:attachment": ({}, READ, lambda w: {}, staff(200, LOGIN)),
    "engagement:proposals": ({}, READ, lambda w: {}, staff(200, LOGIN)),
    "engagement:proposal_create": ({}, staff(405, LOGIN), lambda w: {
        "from_organisation": w["cast"]["ngo2"].pk, "addressed_to": w["cast"]["police"].pk, "title": "X",
        "text": "Y"}, by_role("302+", "302+", "302", LOGIN)),
    "engagement:proposal": ({}, READ, lambda w: {"status": Proposal.Status.UNDER_REVIEW},
                            coordinator_only("302+", "302", LOGIN)),
    "engagement:campaigns": ({}, READ, lambda w: {}, staff(200, LOGIN)),
    "engagement:campaign_create": ({}, staff(405, LOGIN), lambda w: {
        "title": "X", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "organisers": [w["cast"]["ngo1"].pk]},
        coordinator_only("302+", "302", LOGIN)),
    "engagement:campaign": ({}, READ, lambda w: {"command": "publish", "public": "1"},
                            coordinator_only("302+", "302", LOGIN)),
    "engagement:campaign_edit": ({}, MANAGE, lambda w: {"title": "X", "starts_on": "2026-03-01",
                                                        "ends_on": "2026-06-30", "organisers": [w["cast"]["ngo1"].pk]},
                                 coordinator_only("302+", 404, LOGIN)),
    "engagement:campaign_event": ({}, MANAGE, lambda w: {
        "held_on": "2026-04-02", "place": "Z", "region": "baku", "target_group": "students", "channel": "talks",
        "people_reached": 11}, coordinator_only("302+", 404, LOGIN)),
    "engagement:public_meetings": ({}, staff(200, 200), lambda w: {}, staff(200, 200)),
    "engagement:public_meeting": (PUBLIC, staff(200, 200), lambda w: {}, staff(200, 200)),
    "engagement:public_attachment": (PUBLIC, staff(200, 200), lambda w: {}, staff(200, 200)),
    "engagement:public_photo": (PUBLIC, staff(200, 200), lambda w: {}, staff(200, 200)),
    "engagement:public_campaigns": ({}, staff(200, 200), lambda w: {}, staff(200, 200)),
    "engagement:public_campaign": (PUBLIC, staff(200, 200), lambda w: {}, staff(200, 200)),
}
# Public pages of items that are not published: not found, for everyone.
UNPUBLISHED = ["engagement:public_meeting", "engagement:public_attachment", "engagement:public_photo",
               "engagement:public_campaign"]


def html_patterns() -> list[tuple[str, list[str]]]:
    from korpu.engagement import urls

    found = []
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern), "nested includes are not enumerated"
        found.append((f"{urls.app_name}:{pattern.name}", list(pattern.pattern.converters)))
    return found


# --- checking ----------------------------------------------------------------------------------
def snapshot() -> dict[str, list[tuple[str, ...]]]:
    """Every row of every engagement table, as stored."""
    state: dict[str, list[tuple[str, ...]]] = {}
    with connection.cursor() as cursor:
        for model in apps.get_app_config("engagement").get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            state[table] = [tuple(map(str, row)) for row in cursor.fetchall()]
    return state


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [table for table in before if before[table] != after[table]]


def run(send: Callable[..., Any], *args: Any, changes: bool, context: str) -> Any:
    """``send(*args)``: one request. An allowed change is rolled back afterwards; a refusal must change nothing."""
    before = snapshot()
    savepoint = transaction.savepoint()
    try:
        response = send(*args)
        after = snapshot()
    finally:
        transaction.savepoint_rollback(savepoint)
    changed = changed_tables(before, after)
    if changes:
        assert changed, f"{context}: the allowed request changed nothing (is its payload right?)"
    else:
        assert not changed, f"{context}: a refused or reading request changed {changed}"
    return response


def client_for(username: str, cast: dict[str, Any], login_as: Callable[[str], Client]) -> Client:
    return Client() if username == ANONYMOUS else login_as(username)


def api_headers(username: str, cast: dict[str, Any]) -> dict[str, str]:
    if username == ANONYMOUS:
        return {}
    _token, plaintext = account_actions.api_token_create(user=cast[username], name="matrix", days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def api_call(client: Client, op: str, path: str, payload: dict[str, Any] | None, headers: dict[str, str]) -> Any:
    method = op.split(" ", 1)[0]
    url = BASE + path
    if method == "GET":
        return client.get(url, **headers)
    if op in MULTIPART:
        return client.post(url, payload or {}, **headers)
    return client.post(url, json.dumps(payload or {}), content_type="application/json", **headers)


def check_api(client: Client, headers: dict[str, str], op: str, path: str, payload: dict[str, Any] | None,
              expected: int, context: str) -> None:
    writes = op.startswith("POST ") and expected in (200, 201, 204)
    response = run(api_call, client, op, path, payload, headers, changes=writes, context=context)
    assert response.status_code == expected, f"{context}: {response.status_code} {response.content[:300]!r}"
    if expected == 422:
        body = response.json()
        assert "errors" not in body, f"{context}: the payload itself is invalid: {body}"


# --- the tests ---------------------------------------------------------------------------------
def test_every_operation_and_url_has_an_expectation() -> None:
    operations = dict(api_operations())
    assert set(operations) == set(API), (sorted(set(operations) - set(API)), sorted(set(API) - set(operations)))
    assert set(FORMER_MEMBER) <= {op for op, params in operations.items() if "member_id" in params}
    pages = dict(html_patterns())
    assert set(pages) == set(PAGES), (sorted(set(pages) - set(PAGES)), sorted(set(PAGES) - set(pages)))
    for op, (_payload, outcome) in API.items():
        assert set(outcome) == set(ROLES), op
    for op, outcome in FORMER_MEMBER.items():
        assert set(outcome) == set(ROLES), op
    for name, (_overrides, get_outcome, _data, post_outcome) in PAGES.items():
        assert set(get_outcome) == set(ROLES) and set(post_outcome) == set(ROLES), name
    for params in [*operations.values(), *pages.values()]:
        assert set(params) <= {*PARAM_OBJECT, "kind"}, params


@pytest.mark.parametrize("username", ROLES)
def test_api_matrix(username: str, world: dict[str, Any], login_as: Callable[[str], Client]) -> None:
    cast = world["cast"]
    client, headers = Client(), api_headers(username, cast)
    for op, params in api_operations():
        payload, outcome = API[op]
        method, template = op.split(" ", 1)
        path = template.format(**ids(world, params))
        check_api(client, headers, op, path, payload(world), outcome[username], f"{username} {method} {path}")
        if op in FORMER_MEMBER:
            path = template.format(**ids(world, params, {"member_id": "former"}))
            check_api(client, headers, op, path, payload(world), FORMER_MEMBER[op][username],
                      f"{username} {method} {path} (former member)")
        if params:
            # An unknown id in the last place: not found, for everyone who is logged in.
            missing = {**ids(world, params), params[-1]: MISSING}
            path = template.format(**missing)
            check_api(client, headers, op, path, payload(world), 401 if username == ANONYMOUS else 404,
                      f"{username} {method} {path} (missing)")


def _page_outcome(response: Any, expected: Any, context: str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302 and "/account/login/" in response["Location"], context
    elif expected in ("302", "302+"):
        assert response.status_code == 302 and "/account/login/" not in response["Location"], context
    else:
        assert response.status_code == expected, f"{context}: {response.status_code}"


@pytest.mark.parametrize("username", ROLES)
def test_page_matrix(username: str, world: dict[str, Any], login_as: Callable[[str], Client]) -> None:
    cast = world["cast"]
    client = client_for(username, cast, login_as)
    for name, params in html_patterns():
        overrides, get_outcome, data, post_outcome = PAGES[name]
        url = reverse(name, kwargs=ids(world, params, overrides))
        response = run(client.get, url, changes=False, context=f"{username} GET {url}")
        _page_outcome(response, get_outcome[username], f"{username} GET {url}")
        expected = post_outcome[username]
        response = run(client.post, url, data(world), changes=expected == "302+",
                       context=f"{username} POST {url}")
        _page_outcome(response, expected, f"{username} POST {url}")
        ids_ = [p for p in params if p != "kind"]
        if ids_:
            missing = reverse(name, kwargs={**ids(world, params, overrides), ids_[-1]: MISSING})
            response = run(client.get, missing, changes=False, context=f"{username} GET {missing}")
            anonymous_staff_page = username == ANONYMOUS and get_outcome[ANONYMOUS] == LOGIN
            _page_outcome(response, LOGIN if anonymous_staff_page else 404, f"{username} GET {missing}")
    for name in UNPUBLISHED:
        params = dict(html_patterns())[name]
        url = reverse(name, kwargs=ids(world, params))
        response = run(client.get, url, changes=False, context=f"{username} GET {url} (unpublished)")
        assert response.status_code == 404, f"{username} GET {url} (unpublished): {response.status_code}"
