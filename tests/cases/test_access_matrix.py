"""Who can reach what: every page of cases/shelters/justice and every case-related API operation, for
every role of the cast, against objects of their own and of other organisations.

The URL patterns and the OpenAPI paths are enumerated at run time, so a URL or operation added later
is exercised without touching this file; ``test_every_url_is_classified`` then asks for it to be
classified (read page, form, or POST-only action) and given a positive control, which proves its
payload is one that *would* change data for a user who is allowed.

The expected visibility is stated here from the rules, not read back from ``CaseAccess``:

* a case is visible to an organisation that owns it, holds an accepted referral (while it lasts) or
  a live grant — and only to users holding a victim-data role there (police investigator, NGO case
  worker, shelter manager);
* a referral to the victim-data staff of its sending and receiving organisations;
* a facility, and its admissions, to the shelter managers of the operating organisation;
* an investigation, and the investigation section of a case, to police investigators of the body;
* administrators, auditors, analysts, focal points and coalition coordinators see no victim data.

Invisible → a GET answers 404 (never 403, 200 or 500) and leaves a ``denied`` audit event for the
actor; a POST answers 404 or a refusal and changes nothing (every row of every cases/shelters/justice
table and the stored files are compared) and sends no e-mail.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from korpu.accounts.demo import USERS as CAST_SPECS
from korpu.cases import actions
from korpu.cases.models import AccessGrant, Referral
from korpu.core.models import AuditEvent
from korpu.shelters import actions as shelter_actions
from tests.cases.conftest import INVESTIGATION_NUMBER, NAMES, NOTE_TEXT, tiny_png

# --- the rules, stated independently of the code ---------------------------------------------
VICTIM_DATA_ROLES = {"police_investigator", "ngo_case_worker", "shelter_manager"}
ROLE = {spec.username: spec.role for spec in CAST_SPECS}
ORG = {spec.username: spec.organisation for spec in CAST_SPECS}
ANONYMOUS = "anonymous"
MATRIX_USERS = ["polis", "qht1", "siginacaq1", "qht2", "siginacaq2", "qht3", "analitik", "fokal", "koalisiya",
                "auditor", "admin", ANONYMOUS]
APPS = ("cases", "shelters", "justice")
API_TAGS = {"cases", "shelters", "justice"}
MISSING = 987654321

# How each page behaves. "read": GET shows it, POST changes nothing; "form": GET shows it, POST acts;
# "post": POST only (GET → 405, before any lookup); "get": GET only (POST → 405).
URL_KIND = {
    "cases:list": "read", "cases:create": "form",
    "cases:export_htcds": "get", "cases:import_htcds": "form", "cases:detail": "read", "cases:edit": "form",
    "cases:action_form": "read",
    "cases:decision": "post", "cases:consent": "post", "cases:consent_withdraw": "post", "cases:refer": "post",
    "cases:service": "post", "cases:service_deliver": "post", "cases:follow_up": "post",
    "cases:follow_up_done": "post", "cases:assessment": "post", "cases:note": "post", "cases:attachment": "post",
    "cases:attachment_download": "read", "cases:close": "post", "cases:grant": "post",
    "cases:referral_inbox": "read", "cases:referral_outbox": "read", "cases:referral_detail": "form",
    "cases:tasks": "read",
    "cases:identity": "read", "cases:photo": "read", "cases:photo_upload": "post", "cases:status": "post",
    "cases:support_plan": "post", "cases:support_plan_end": "post", "cases:trafficking_event": "post",
    "cases:grant_revoke": "post",
    "shelters:bed_board": "read", "shelters:facility": "read", "shelters:admit": "post",
    "shelters:admission_form": "get",
    "shelters:discharge": "post",
    "shelters:facility_list": "read", "shelters:facility_create": "form", "shelters:facility_edit": "form",
    "shelters:facility_close": "post", "shelters:facility_reopen": "post",
    "justice:list": "form", "justice:figures": "read", "justice:detail": "read", "justice:command": "post",
    "justice:unlink": "post",
}


# Pages and operations that show one part (section) of a case: a user who sees the case without that
# part gets a 404 and a "denied" event, like one who does not see the case.
SECTION_OF = {
    "cases:identity": "identity", "GET /api/v1/cases/{case_id}/identity": "identity",
    "cases:photo": "identity", "GET /api/v1/cases/{case_id}/photo": "identity",
    "cases:attachment_download": "notes", "GET /api/v1/cases/{case_id}/attachments/{attachment_id}": "notes",
}
ALL_SECTIONS = {"identity", "services", "admission", "notes", "investigation"}


def paramless_rule(name: str, username: str) -> str:
    """For a page or operation with no object in its path: 'ok', 'hidden' or 'redirect'."""
    role = ROLE[username]
    if name in ("justice:list", "GET /api/v1/investigations", "POST /api/v1/investigations"):
        if role == "police_investigator":
            return "ok"
        return "redirect" if role == "coordinator_analyst" and name == "justice:list" else "hidden"
    if name in ("justice:figures", "GET /api/v1/justice/figures"):
        return "ok" if role in ("police_investigator", "coordinator_analyst") else "hidden"
    if name in ("shelters:facility_list", "shelters:facility_create", "GET /api/v1/facilities",
                "POST /api/v1/facilities"):
        return "ok" if role == "shelter_manager" else "hidden"  # a facility's operator: its shelter managers
    return "ok" if role in VICTIM_DATA_ROLES else "hidden"


@dataclass
class Rules:
    """Visibility of the world's objects, derived from owners, referrals and grants."""

    world: dict[str, Any]
    org_key: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        cast = self.world["cast"]
        self.org_key = {cast[key].pk: key for key in ("police", "ngo1", "ngo2", "ngo3", "coordinator",
                                                      "assistance", "intl")}

    def case_orgs(self, case: Any) -> set[str]:
        case.refresh_from_db()
        orgs = {self.org_key[case.owner_organisation_id]}
        orgs |= {self.org_key[r.to_organisation_id]
                 for r in Referral.objects.filter(case=case, status=Referral.Status.ACCEPTED)}
        orgs |= {self.org_key[g.organisation_id]
                 for g in AccessGrant.objects.filter(case=case, revoked_at__isnull=True,
                                                     expires_at__gt=timezone.now())}
        return orgs

    def sees_case(self, username: str, case: Any) -> bool:
        return ROLE[username] in VICTIM_DATA_ROLES and ORG[username] in self.case_orgs(case)

    def sections(self, username: str, case: Any) -> set[str]:
        """The parts of ``case`` the user sees: the owner's (all, without the investigation for an owner
        that is not law enforcement), the parts each accepted referral and live grant opened; the
        investigation for police investigators only."""
        if not self.sees_case(username, case):
            return set()
        org = ORG[username]
        cast = self.world["cast"]
        found: set[str] = set()
        if self.org_key[case.owner_organisation_id] == org:
            found |= ALL_SECTIONS if org == "police" else ALL_SECTIONS - {"investigation"}
        for referral in Referral.objects.filter(case=case, status=Referral.Status.ACCEPTED,
                                                to_organisation=cast[org]):
            found |= set(referral.sections)
        for grant in AccessGrant.objects.filter(case=case, organisation=cast[org], revoked_at__isnull=True,
                                                expires_at__gt=timezone.now()):
            found |= set(grant.sections)
        if ROLE[username] != "police_investigator":
            found.discard("investigation")
        return found

    def sees_referral(self, username: str, referral: Any) -> bool:
        parties = {self.org_key[referral.from_organisation_id], self.org_key[referral.to_organisation_id]}
        return ROLE[username] in VICTIM_DATA_ROLES and ORG[username] in parties

    def manages(self, username: str, facility: Any) -> bool:
        return ROLE[username] == "shelter_manager" and ORG[username] == self.org_key[facility.operator_id]

    def sees_investigation(self, username: str, investigation: Any) -> bool:
        return (ROLE[username] == "police_investigator"
                and ORG[username] == self.org_key[investigation.investigating_body_id])


# --- targets: every combination of world objects for a path's parameters -----------------------
@dataclass(frozen=True)
class Ref:
    """One value for one path parameter: a world object, a missing id, or a command word."""

    kind: str
    value: Any
    obj: Any = None
    label: str = ""


JUSTICE_COMMANDS = ["status", "link", "prosecution", "outcome"]
REFERRAL_COMMANDS = ["accept", "decline", "revoke", "complete"]


def refs_for(param: str, world: dict[str, Any], *, api_op: str = "") -> list[Ref]:
    def objs(kind: str, *keys: str) -> list[Ref]:
        found = [Ref(kind, world[k].pk, world[k], k) for k in keys]
        return [*found, Ref(kind, MISSING, None, "missing")]

    if param == "case_id":
        return objs("case", "case_a", "case_b", "case_c")
    if param == "referral_id":
        return objs("referral", "referral_a_police", "referral_a_ngo2", "referral_b_ngo3")
    if param in ("service_id", "follow_up_id", "attachment_id", "grant_id", "plan_id"):
        return objs("sub", {"service_id": "service_a", "follow_up_id": "follow_up_a",
                            "attachment_id": "attachment_a", "grant_id": "grant_a",
                            "plan_id": "support_plan_a"}[param])
    if param == "facility_id":
        return objs("facility", "facility_ngo1", "facility_ngo2")
    if param == "admission_id":
        return objs("admission", "admission_a")
    if param == "investigation_id":
        return objs("investigation", "investigation")
    if param == "name":  # the case page's lazily loaded action forms
        return [Ref("form", "referral", None, "referral"), Ref("form", "close", None, "close"),
                Ref("form", "bogus", None, "missing")]
    if param == "command":
        words = REFERRAL_COMMANDS if "referral" in api_op else JUSTICE_COMMANDS
        return [*(Ref("command", w, None, w) for w in words), Ref("command", "bogus", None, "missing")]
    raise AssertionError(f"no world object for the path parameter {param!r}: add one to refs_for()")


@dataclass
class Target:
    refs: dict[str, Ref]

    @property
    def label(self) -> str:
        return ",".join(f"{k}={r.label}" for k, r in self.refs.items()) or "-"

    def kwargs(self) -> dict[str, Any]:
        return {k: r.value for k, r in self.refs.items()}


def targets_for(params: list[str], world: dict[str, Any], *, api_op: str = "") -> list[Target]:
    choices = [refs_for(p, world, api_op=api_op) for p in params]
    return [Target(dict(zip(params, combo, strict=True))) for combo in itertools.product(*choices)]


def expectation(name: str, username: str, target: Target, rules: Rules) -> tuple[str, bool]:
    """('ok' | 'hidden' | 'redirect', whether a real object of someone else is involved)."""
    if username == ANONYMOUS:
        return "anonymous", False
    if not target.refs:
        verdict = paramless_rule(name, username)
        return verdict, verdict == "hidden"
    visible, foreign, missing = True, False, False
    case_ref = target.refs.get("case_id")
    for ref in target.refs.values():
        if ref.kind in ("command", "form"):
            missing |= ref.value == "bogus"
            continue
        if ref.obj is None:
            missing = True
            continue
        if ref.kind == "case":
            seen = rules.sees_case(username, ref.obj)
        elif ref.kind == "sub":
            belongs = case_ref is not None and case_ref.obj is not None and ref.obj.case_id == case_ref.obj.pk
            seen = belongs and rules.sees_case(username, ref.obj.case)
        elif ref.kind == "referral":
            seen = rules.sees_referral(username, ref.obj)
        elif ref.kind == "facility":
            seen = rules.manages(username, ref.obj)
        elif ref.kind == "admission":
            seen = rules.manages(username, ref.obj.facility)
        elif ref.kind == "investigation":
            seen = rules.sees_investigation(username, ref.obj)
        else:  # pragma: no cover
            raise AssertionError(ref.kind)
        visible &= seen
        foreign |= not seen
    if missing or not visible:
        return "hidden", foreign or ROLE[username] not in VICTIM_DATA_ROLES
    if name in SECTION_OF and case_ref is not None and SECTION_OF[name] not in rules.sections(username, case_ref.obj):
        return "hidden", True
    return "ok", False


# --- observing the database, the files and the mail -------------------------------------------
def snapshot() -> dict[str, Any]:
    """Every row of every cases/shelters/justice table (raw, as stored), the stored files, the mail."""
    state: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for label in APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                table = model._meta.db_table
                cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
                state[table] = [tuple(map(str, row)) for row in cursor.fetchall()]
    state["files"] = sorted(default_storage.listdir("attachments")[1]) if default_storage.exists("attachments") \
        else []
    state["photos"] = sorted(default_storage.listdir("photos")[1]) if default_storage.exists("photos") else []
    state["mail"] = len(mail.outbox)
    return state


def assert_unchanged(before: dict[str, Any], after: dict[str, Any], context: str) -> None:
    changed = [table for table in before if before[table] != after.get(table)]
    assert not changed, f"{context}: changed {changed}"


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def denied_since(seq: int, user: Any) -> bool:
    return AuditEvent.objects.filter(seq__gt=seq, outcome=AuditEvent.Outcome.DENIED, actor=user).exists()


def names_hidden_from(username: str, rules: Rules) -> list[str]:
    """Every name word of the world's cases that this user may not see."""
    world = rules.world
    hidden = []
    for key, words in NAMES.items():
        if username == ANONYMOUS or not rules.sees_case(username, world[f"case_{key.lower()}"]):
            hidden.extend(words)
    return hidden


def leaked(words: list[str], content: bytes) -> list[str]:
    text = content.decode("utf-8", "replace")
    return [w for w in words if w in text or json.dumps(w)[1:-1] in text]


# --- payloads: what an allowed user would send ---------------------------------------------------
def html_variants(name: str, world: dict[str, Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    today = timezone.localdate().isoformat()
    cast = world["cast"]
    intake = {"given_name": "Matris", "family_name": "Sınaqova", "gender": "Feminine",
              "age_at_identification": "22", "identified_on": today, "identification_channel": "hotline",
              "exploitation": ["ForcedLabour"], "consent_data_processing": "on"}
    variants: dict[str, list[dict[str, Any]]] = {
        "cases:create": [intake],
        "cases:import_htcds": [{"file": "<xlsx>"}],
        "cases:edit": [{**intake, "given_name": "Dəyişdirilmiş"}],
        "cases:decision": [{"decision": "not_victim", "decided_on": today, "basis": "Matrix basis."}],
        "cases:consent": [{"data_processing": "on", "share_ngo": "on", "given_on": today}],
        "cases:consent_withdraw": [{"withdrawn_on": today}],
        "cases:refer": [{"to_organisation": cast["ngo3"].pk, "reason": "Other", "urgency": "routine",
                         "override_basis": "Court order 12/2025"}],
        "cases:service": [{"service_type": "medical", "outcome": "planned"}],
        "cases:service_deliver": [{"delivered_on": today}],
        "cases:follow_up": [{"due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat()}],
        "cases:follow_up_done": [{"notes": "Reached by phone."}],
        "cases:assessment": [{"level": "in_progress", "income": "on"}],
        "cases:note": [{"text": "A matrix note."}],
        "cases:attachment": [{"file": "<png>"}],
        "cases:close": [{"status": "Closed", "reason": "Reintegrated."}],
        "cases:grant": [{"organisation": cast["ngo3"].pk, "reason": "Joint casework.", "days": "7"}],
        "cases:grant_revoke": [{}],
        "cases:status": [{"status": "FollowUp"}],
        "cases:photo_upload": [{"file": "<png>"}],
        "cases:support_plan": [{"plan_type": "Legal", "objectives": "Matrix objectives.", "planned_end": today}],
        "cases:support_plan_end": [{"actual_end": today}],
        "cases:trafficking_event": [{"event_type": "Transit", "country": "GE", "city": "Tbilisi"}],
        "cases:referral_detail": [{"command": "accept"}, {"command": "decline", "reason": "No capacity."},
                                  {"command": "revoke"}, {"command": "complete"}],
        "shelters:admit": [{"facility": world[f].pk, "category": "women", "admitted_on": today}
                           for f in ("facility_ngo1", "facility_ngo2")],
        "shelters:discharge": [{"discharged_on": today}],
        "shelters:facility_create": [{"operator": cast["ngo1"].pk, "name": "Matris Evi", "region": "Bakı",
                                      "address": "matrix street 9", "beds_women": "2", "beds_men": "0",
                                      "beds_children": "0", "beds_mother_children": "0"}],
        "shelters:facility_edit": [{"name": "Dəyişdirilmiş Ev", "region": "Gəncə", "address": "matrix street 10",
                                    "beds_women": "4", "beds_men": "1", "beds_children": "0",
                                    "beds_mother_children": "0"}],
        "justice:list": [{"number": "CR-MATRIX-1", "article": "144-2", "opened_on": today, "suspects": "1",
                          "victim_numbers": ""}],
    }
    if name == "justice:command":
        return [{
            "status": {"status": "closed"},
            "link": {"case_number": world["case_b"].number},
            "prosecution": {"filed_on": today, "court": "Bakı Ağır Cinayətlər Məhkəməsi", "defendants": "1"},
            "outcome": {"prosecution": world["prosecution"].pk, "decided_on": today, "result": "conviction",
                        "persons": "1", "sentence_months": "60"},
        }.get(kwargs.get("command", ""), {})]
    return variants.get(name, [{}])


def htcds_workbook() -> bytes:
    """A one-row HTCDS toolkit workbook (owner left empty: the importing user's organisation)."""
    import openpyxl

    from korpu.cases import htcds

    codes, labels = htcds.toolkit_header()
    values = {"prs_FirstName": "İdxal", "prs_SecondName": "Sınaqlı", "con_Consent": "Yes", "prs_Gender": "Feminine"}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(codes)
    sheet.append(labels)
    sheet.append([1, *(values.get(code) for code in codes[1:])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


UPLOADS: dict[str, Callable[[], SimpleUploadedFile]] = {
    "<png>": lambda: SimpleUploadedFile("scan.png", tiny_png(b"matrix"), content_type="image/png"),
    "<xlsx>": lambda: SimpleUploadedFile("cases.xlsx", htcds_workbook(), content_type=XLSX),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def materialise(data: dict[str, Any]) -> dict[str, Any]:
    """Fresh file objects for each request (an upload is consumed when read)."""
    return {k: UPLOADS[v]() if isinstance(v, str) and v in UPLOADS else v for k, v in data.items()}


def api_post(client: Client, url: str, data: dict[str, Any] | None) -> Any:
    """POST to the API: JSON, or multipart when the payload carries a file."""
    if data is None:
        return client.post(url)
    if any(isinstance(v, str) and v in UPLOADS for v in data.values()):
        return client.post(url, materialise(data))
    return client.post(url, json.dumps(data), content_type="application/json")


def api_payload(op: str, world: dict[str, Any], kwargs: dict[str, Any]) -> dict[str, Any] | None:
    today = timezone.localdate().isoformat()
    cast = world["cast"]
    path = op.split(" ", 1)[1]
    payloads: dict[str, dict[str, Any] | None] = {
        "POST /api/v1/cases": {"person": {"given_name": "Matris", "family_name": "Sınaqova",
                                          "age_at_identification": 22},
                               "identification_channel": "hotline", "exploitation": ["ForcedLabour"],
                               "consent": {"data_processing": True, "share_ngo": True}},
        "POST /api/v1/cases/{case_id}/status-decision": {"decision": "not_victim", "decided_on": today,
                                                         "basis": "Matrix basis."},
        "POST /api/v1/cases/{case_id}/consent": {"data_processing": True, "share_ngo": True},
        "POST /api/v1/cases/{case_id}/consent/withdraw": {"withdrawn_on": today},
        "POST /api/v1/cases/{case_id}/status": {"status": "FollowUp"},
        "POST /api/v1/cases/{case_id}/update": {"person": {"marital_status": "Married", "home_phone": "+994120"},
                                                "case": {"age_when_trafficked": 20}},
        "POST /api/v1/cases/{case_id}/trafficking-events": {"event_type": "Transit", "country": "GE"},
        "POST /api/v1/cases/{case_id}/grants": {"organisation_id": cast["ngo3"].pk, "reason": "Joint casework.",
                                                "days": 7},
        "POST /api/v1/cases/{case_id}/grants/{grant_id}/revoke": None,
        "POST /api/v1/cases/{case_id}/services/{service_id}/deliver": {"delivered_on": today},
        "POST /api/v1/cases/{case_id}/follow-ups/{follow_up_id}/done": {"notes": "Reached by phone."},
        "POST /api/v1/cases/{case_id}/assessments": {"level": "in_progress", "income": True},
        "POST /api/v1/cases/{case_id}/support-plans": {"plan_type": "Legal", "objectives": "Matrix objectives."},
        "POST /api/v1/cases/{case_id}/support-plans/{plan_id}/end": {"actual_end": today},
        "POST /api/v1/cases/{case_id}/attachments": {"file": "<png>"},  # multipart
        "POST /api/v1/cases/{case_id}/photo": {"file": "<png>"},  # multipart
        "POST /api/v1/cases/{case_id}/referrals": {"to_organisation_id": cast["ngo3"].pk, "reason": "Other",
                                                   "override_basis": "Court order 12/2025"},
        "POST /api/v1/cases/{case_id}/services": {"service_type": "medical"},
        "POST /api/v1/cases/{case_id}/follow-ups": {
            "due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat()},
        "POST /api/v1/cases/{case_id}/notes": {"text": "A matrix note."},
        "POST /api/v1/cases/{case_id}/close": {"status": "Closed", "reason": "Reintegrated."},
        "POST /api/v1/referrals/{referral_id}/{command}": {"reason": "No capacity."},
        "POST /api/v1/admissions": {"case_id": kwargs.get("case_id"), "facility_id": kwargs.get("facility_id"),
                                    "category": "women", "admitted_on": today},
        "POST /api/v1/admissions/{admission_id}/discharge": {"discharged_on": today},
        "POST /api/v1/investigations": {"number": "CR-MATRIX-2", "article": "144-2", "opened_on": today,
                                        "suspects": 1, "victim_case_ids": []},
        "POST /api/v1/facilities": {"operator_id": cast["ngo1"].pk, "name": "Matris Evi", "region": "Bakı",
                                    "address": "matrix street 9", "capacities": {"women": 2}},
        "POST /api/v1/facilities/{facility_id}": {"name": "Dəyişdirilmiş Ev", "capacities": {"women": 4}},
        "POST /api/v1/facilities/{facility_id}/close": None,
        "POST /api/v1/facilities/{facility_id}/reopen": None,
        "POST /api/v1/investigations/{investigation_id}/status": {"status": "closed"},
        "POST /api/v1/investigations/{investigation_id}/victims/{case_id}": None,
        "POST /api/v1/investigations/{investigation_id}/victims/{case_id}/unlink": None,
        "POST /api/v1/investigations/{investigation_id}/prosecutions": {
            "filed_on": today, "court": "Bakı Ağır Cinayətlər Məhkəməsi", "defendants": 1},
        "POST /api/v1/investigations/{investigation_id}/outcomes": {
            "prosecution_id": world["prosecution"].pk, "decided_on": today, "result": "conviction", "persons": 1,
            "sentence_months": 60},
    }
    assert op.startswith("GET") or op in payloads, f"{op}: add a valid payload to api_payload()"
    del path
    return payloads.get(op)


# Operations whose target objects travel in the body rather than the path.
API_BODY_TARGETS = {"POST /api/v1/admissions": ["case_id", "facility_id"]}


# --- enumerating the surface ----------------------------------------------------------------
def html_patterns() -> list[tuple[str, list[str]]]:
    found = []
    for app in APPS:
        module = __import__(f"korpu.{app}.urls", fromlist=["urlpatterns"])
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern), f"{app}: nested includes are not enumerated"
            params = list(pattern.pattern.converters)
            found.append((f"{module.app_name}:{pattern.name}", params))
    return found


def api_operations() -> list[tuple[str, list[str]]]:
    from korpu.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not API_TAGS & set(operation.get("tags", [])):
                continue
            op = f"{method.upper()} {path}"
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            found.append((op, params + API_BODY_TARGETS.get(op, [])))
    return found


def client_for(username: str, login_as: Callable[[str], Client]) -> Client:
    return Client() if username == ANONYMOUS else login_as(username)


@pytest.fixture
def rules(world: dict[str, Any]) -> Rules:
    r = Rules(world)
    # The world as the fixture promises it (a sanity check of the rules above). Case A's grant goes to
    # the international partner, where no one of the cast works.
    assert r.case_orgs(world["case_a"]) == {"ngo1", "police", "ngo2", "intl"}
    # NGO 2 runs a shelter: its referral opened identity, admission and services, not the notes.
    assert r.sections("qht2", world["case_a"]) == {"identity", "admission", "services"}
    assert r.sections("polis", world["case_a"]) == ALL_SECTIONS
    assert r.sections("qht1", world["case_a"]) == ALL_SECTIONS - {"investigation"}
    assert r.case_orgs(world["case_b"]) == {"police"}
    assert r.case_orgs(world["case_c"]) == {"ngo3"}
    return r


# --- the matrix ------------------------------------------------------------------------------
def _check_get(client: Client, url: str, expect: str, foreign: bool, user: Any, username: str, rules: Rules,
               *, kind: str, api: bool) -> None:
    seq = last_seq()
    response = client.get(url)
    status = response.status_code
    context = f"{username} GET {url} (expect {expect})"
    assert status != 500 and status != 403, context
    if expect == "anonymous":
        assert status == 401 if api else (status == 302 and "/account/login/" in response["Location"]), \
            f"{context}: {status}"
        return
    if kind == "post":
        assert status == 405, f"{context}: a POST-only page answered GET with {status}"
        return
    if expect == "ok":
        assert status == 200, f"{context}: {status}"
    elif expect == "redirect":
        assert status == 302 and response["Location"] == reverse("justice:figures"), f"{context}: {status}"
    else:
        assert status == 404, f"{context}: {status}"
        assert denied_since(seq, user), f"{context}: no 'denied' audit event"
    hidden_words = names_hidden_from(username, rules)
    assert not leaked(hidden_words, response.content), f"{context}: shows {leaked(hidden_words, response.content)}"


def _check_hidden_post(client: Client, url: str, data: dict[str, Any] | None, foreign: bool, user: Any,
                       username: str, capture: Any, *, api: bool, kind: str = "post",
                       before: dict[str, Any] | None = None) -> None:
    """``before``: the state before this request; hidden requests change nothing, so one baseline serves."""
    before = before if before is not None else snapshot()
    seq = last_seq()
    with capture(execute=True) as callbacks:
        response = api_post(client, url, data) if api else client.post(url, data)
    context = f"{username} POST {url} {sorted(data or {})}"
    status = response.status_code
    if username == ANONYMOUS:
        assert status == 401 if api else status == 302 and "/account/login/" in response["Location"], context
    elif api:
        assert status in (404, 422), f"{context}: {status} {response.content[:300]!r}"
        if status == 422:
            assert "errors" not in response.json(), f"{context}: the payload itself is invalid: {response.json()}"
    elif kind == "get":
        assert status == 405, f"{context}: a GET-only page answered POST with {status}"
    else:
        assert status in (404, 302), f"{context}: {status}"
        if status == 302:
            assert response["Location"] == reverse("justice:figures"), context
    assert not callbacks, f"{context}: scheduled {callbacks}"
    assert_unchanged(before, snapshot(), context)
    if foreign and username != ANONYMOUS and status in (404, 422) and kind != "get":
        assert denied_since(seq, user), f"{context}: no 'denied' audit event"


@pytest.mark.parametrize("username", MATRIX_USERS)
def test_html_matrix(username, world, rules, login_as, django_capture_on_commit_callbacks):
    client = client_for(username, login_as)
    user = world["cast"].get(username)
    checked = 0
    baseline = snapshot()  # reads change nothing either, so every hidden POST is compared with this
    for name, params in html_patterns():
        kind = URL_KIND.get(name, "read")
        for target in targets_for(params, world):
            url = reverse(name, kwargs=target.kwargs())
            expect, foreign = expectation(name, username, target, rules)
            _check_get(client, url, expect, foreign, user, username, rules, kind=kind, api=False)
            checked += 1
            if expect == "ok":
                continue  # allowed users' writes are the positive controls below and test_rules.py
            for data in html_variants(name, world, target.kwargs()):
                _check_hidden_post(client, url, materialise(data), foreign, user, username,
                                   django_capture_on_commit_callbacks, api=False, kind=kind, before=baseline)
    assert checked > 100


@pytest.mark.parametrize("username", MATRIX_USERS)
def test_api_matrix(username, world, rules, login_as, django_capture_on_commit_callbacks):
    client = client_for(username, login_as)
    user = world["cast"].get(username)
    operations = api_operations()
    assert len(operations) >= 20
    baseline = snapshot()
    for op, params in operations:
        method, template = op.split(" ", 1)
        path_params = [p for p in params if "{" + p + "}" in template]
        for target in targets_for(params, world, api_op=op):
            url = template.format(**{p: target.refs[p].value for p in path_params})
            expect, foreign = expectation(op, username, target, rules)
            if method == "GET":
                _check_get(client, url, expect, foreign, user, username, rules, kind="read", api=True)
            elif expect != "ok":
                _check_hidden_post(client, url, api_payload(op, world, target.kwargs()), foreign, user, username,
                                   django_capture_on_commit_callbacks, api=True, before=baseline)


# --- positive controls: the same payloads work for the users who are allowed ------------------
def _discharge_a(world: dict[str, Any]) -> None:
    shelter_actions.admission_discharge(by=world["cast"]["siginacaq2"], admission=world["admission_a"])


HTML_POSITIVE: list[tuple[str, str, dict[str, str], int, Callable[[dict[str, Any]], None] | None]] = [
    # (url name, user, path kwargs as world keys, variant index, preparation)
    ("cases:create", "qht3", {}, 0, None),
    ("cases:import_htcds", "qht3", {}, 0, None),
    ("cases:edit", "qht2", {"case_id": "case_a"}, 0, None),
    ("cases:decision", "polis", {"case_id": "case_a"}, 0, None),
    ("cases:consent", "qht1", {"case_id": "case_a"}, 0, None),
    ("cases:consent_withdraw", "qht1", {"case_id": "case_a"}, 0, None),
    ("cases:refer", "qht1", {"case_id": "case_a"}, 0, None),
    ("cases:service", "qht1", {"case_id": "case_a"}, 0, None),
    ("cases:service_deliver", "qht2", {"case_id": "case_a", "service_id": "service_a"}, 0, None),
    ("cases:follow_up", "siginacaq2", {"case_id": "case_a"}, 0, None),
    ("cases:follow_up_done", "qht1", {"case_id": "case_a", "follow_up_id": "follow_up_a"}, 0, None),
    ("cases:assessment", "qht1", {"case_id": "case_a"}, 0, None),
    ("cases:note", "polis", {"case_id": "case_a"}, 0, None),
    ("cases:attachment", "qht1", {"case_id": "case_a"}, 0, None),
    ("cases:close", "qht1", {"case_id": "case_a"}, 0, None),
    ("cases:grant", "qht1", {"case_id": "case_a"}, 0, None),
    ("cases:grant_revoke", "qht1", {"case_id": "case_a", "grant_id": "grant_a"}, 0, None),
    ("cases:status", "qht1", {"case_id": "case_a"}, 0, None),
    ("cases:photo_upload", "qht2", {"case_id": "case_a"}, 0, None),
    ("cases:support_plan", "siginacaq2", {"case_id": "case_a"}, 0, None),
    ("cases:support_plan_end", "qht1", {"case_id": "case_a", "plan_id": "support_plan_a"}, 0, None),
    ("cases:trafficking_event", "polis", {"case_id": "case_a"}, 0, None),
    ("cases:referral_detail", "qht3", {"referral_id": "referral_b_ngo3"}, 0, None),
    ("cases:referral_detail", "qht3", {"referral_id": "referral_b_ngo3"}, 1, None),
    ("cases:referral_detail", "qht1", {"referral_id": "referral_a_ngo2"}, 2, None),
    ("cases:referral_detail", "siginacaq2", {"referral_id": "referral_a_ngo2"}, 3, None),
    ("shelters:admit", "siginacaq1", {"case_id": "case_a"}, 0, _discharge_a),
    ("shelters:discharge", "siginacaq2", {"admission_id": "admission_a"}, 0, None),
    ("justice:list", "polis", {}, 0, None),
    ("justice:command", "polis", {"investigation_id": "investigation", "command": "=status"}, 0, None),
    ("justice:command", "polis", {"investigation_id": "investigation", "command": "=link"}, 0, None),
    ("justice:command", "polis", {"investigation_id": "investigation", "command": "=prosecution"}, 0, None),
    ("justice:command", "polis", {"investigation_id": "investigation", "command": "=outcome"}, 0, None),
    ("shelters:facility_create", "siginacaq1", {}, 0, None),
    ("shelters:facility_edit", "siginacaq2", {"facility_id": "facility_ngo2"}, 0, None),
    ("shelters:facility_close", "siginacaq1", {"facility_id": "facility_ngo1"}, 0, None),
    ("shelters:facility_reopen", "siginacaq1", {"facility_id": "facility_ngo1"}, 0,
     lambda w: shelter_actions.facility_set_active(by=w["cast"]["siginacaq1"], facility=w["facility_ngo1"],
                                                   active=False)),
    ("justice:unlink", "polis", {"investigation_id": "investigation", "case_id": "case_a"}, 0, None),
]

API_POSITIVE: list[tuple[str, str, dict[str, str], Callable[[dict[str, Any]], None] | None]] = [
    ("POST /api/v1/cases", "qht3", {}, None),
    ("POST /api/v1/cases/{case_id}/status-decision", "polis", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/consent", "qht2", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/consent/withdraw", "qht1", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/referrals", "qht1", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/services", "siginacaq2", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/follow-ups", "qht1", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/notes", "qht3", {"case_id": "case_c"}, None),
    ("POST /api/v1/cases/{case_id}/close", "polis", {"case_id": "case_b"}, None),
    ("POST /api/v1/cases/{case_id}/status", "qht1", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/update", "siginacaq2", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/trafficking-events", "qht2", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/grants", "qht1", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/grants/{grant_id}/revoke", "qht1", {"case_id": "case_a", "grant_id": "grant_a"},
     None),
    ("POST /api/v1/cases/{case_id}/services/{service_id}/deliver", "siginacaq2",
     {"case_id": "case_a", "service_id": "service_a"}, None),
    ("POST /api/v1/cases/{case_id}/follow-ups/{follow_up_id}/done", "qht1",
     {"case_id": "case_a", "follow_up_id": "follow_up_a"}, None),
    ("POST /api/v1/cases/{case_id}/assessments", "siginacaq2", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/support-plans", "qht1", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/support-plans/{plan_id}/end", "qht2",
     {"case_id": "case_a", "plan_id": "support_plan_a"}, None),
    ("POST /api/v1/cases/{case_id}/attachments", "polis", {"case_id": "case_a"}, None),
    ("POST /api/v1/cases/{case_id}/photo", "qht3", {"case_id": "case_c"}, None),
    ("POST /api/v1/referrals/{referral_id}/{command}", "qht3", {"referral_id": "referral_b_ngo3",
                                                                "command": "=accept"}, None),
    ("POST /api/v1/referrals/{referral_id}/{command}", "qht3", {"referral_id": "referral_b_ngo3",
                                                                "command": "=decline"}, None),
    ("POST /api/v1/referrals/{referral_id}/{command}", "polis", {"referral_id": "referral_b_ngo3",
                                                                 "command": "=revoke"}, None),
    ("POST /api/v1/referrals/{referral_id}/{command}", "polis", {"referral_id": "referral_a_police",
                                                                 "command": "=complete"}, None),
    ("POST /api/v1/admissions", "siginacaq1", {"case_id": "case_a", "facility_id": "facility_ngo1"}, _discharge_a),
    ("POST /api/v1/admissions/{admission_id}/discharge", "siginacaq2", {"admission_id": "admission_a"}, None),
    ("POST /api/v1/investigations", "polis", {}, None),
    ("POST /api/v1/facilities", "siginacaq1", {}, None),
    ("POST /api/v1/facilities/{facility_id}", "siginacaq2", {"facility_id": "facility_ngo2"}, None),
    ("POST /api/v1/facilities/{facility_id}/close", "siginacaq1", {"facility_id": "facility_ngo1"}, None),
    ("POST /api/v1/facilities/{facility_id}/reopen", "siginacaq1", {"facility_id": "facility_ngo1"},
     lambda w: shelter_actions.facility_set_active(by=w["cast"]["siginacaq1"], facility=w["facility_ngo1"],
                                                   active=False)),
    ("POST /api/v1/investigations/{investigation_id}/status", "polis", {"investigation_id": "investigation"}, None),
    ("POST /api/v1/investigations/{investigation_id}/victims/{case_id}", "polis",
     {"investigation_id": "investigation", "case_id": "case_b"}, None),
    ("POST /api/v1/investigations/{investigation_id}/victims/{case_id}/unlink", "polis",
     {"investigation_id": "investigation", "case_id": "case_a"}, None),
    ("POST /api/v1/investigations/{investigation_id}/prosecutions", "polis", {"investigation_id": "investigation"},
     None),
    ("POST /api/v1/investigations/{investigation_id}/outcomes", "polis", {"investigation_id": "investigation"},
     None),
]


def _resolve(world: dict[str, Any], spec: dict[str, str]) -> dict[str, Any]:
    return {k: v[1:] if v.startswith("=") else world[v].pk for k, v in spec.items()}


@pytest.mark.parametrize(("name", "username", "spec", "variant", "prepare"), HTML_POSITIVE,
                         ids=[f"{p[0]}-{p[1]}-{p[3]}" for p in HTML_POSITIVE])
def test_html_positive_control(name, username, spec, variant, prepare, world, rules, login_as,
                               django_capture_on_commit_callbacks):
    if prepare:
        prepare(world)
    kwargs = _resolve(world, spec)
    data = materialise(html_variants(name, world, kwargs)[variant])
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = login_as(username).post(reverse(name, kwargs=kwargs), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot() != before, f"{name} by {username} changed nothing: the matrix payload is not a valid one"
    assert not AuditEvent.objects.filter(outcome=AuditEvent.Outcome.DENIED, actor=world["cast"][username]).exists()


@pytest.mark.parametrize(("op", "username", "spec", "prepare"), API_POSITIVE,
                         ids=[f"{p[0]}-{p[1]}-{p[2].get('command', '')}" for p in API_POSITIVE])
def test_api_positive_control(op, username, spec, prepare, world, rules, login_as,
                              django_capture_on_commit_callbacks):
    if prepare:
        prepare(world)
    kwargs = _resolve(world, spec)
    template = op.split(" ", 1)[1]
    url = template.format(**{k: v for k, v in kwargs.items() if "{" + k + "}" in template})
    payload = api_payload(op, world, kwargs)
    before = snapshot()
    client = login_as(username)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_post(client, url, payload)
    assert response.status_code in (200, 201), response.content
    assert snapshot() != before


def test_every_url_and_operation_is_classified():
    """A new page or operation must be classified here and given a positive control."""
    names = {name for name, _ in html_patterns()}
    assert names - set(URL_KIND) == set(), "classify the new pages in URL_KIND"
    writers = {name for name in names if URL_KIND.get(name) in ("form", "post")}
    assert writers - {p[0] for p in HTML_POSITIVE} == set(), "give the new pages a positive control"
    writes = {op for op, _ in api_operations() if op.startswith("POST")}
    assert writes - {p[0] for p in API_POSITIVE} == set(), "give the new operations a positive control"


def test_no_victim_data_role_outside_the_rules():
    """The matrix's users cover every role, and only the three victim-data roles see case data."""
    from korpu.accounts.models import Role
    from korpu.core import access

    assert {ROLE[u] for u in MATRIX_USERS if u != ANONYMOUS} == set(Role.values)
    assert {str(r) for r in access.VICTIM_DATA_ROLES} == VICTIM_DATA_ROLES


# --- sections: the investigation part of a case ---------------------------------------------------
def _heading(language: str) -> str:
    with translation.override(language):
        return f"<h2>{gettext('Criminal proceedings')}</h2>"


@pytest.mark.parametrize("username", ["qht2", "siginacaq2", "qht1", "siginacaq1"])
def test_case_page_without_investigation_section(username, world, login_speaking):
    user = world["cast"][username]
    page = login_speaking(username).get(reverse("cases:detail", args=[world["case_a"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'lang="{user.language}"' in html  # the page is in the user's language
    assert NAMES["A"][0] not in html  # the name only on request ("Show identity")…
    assert 'data-testid="show-identity"' in html
    identity = login_speaking(username).get(reverse("cases:identity", args=[world["case_a"].pk]))
    assert identity.status_code == 200 and NAMES["A"][0] in identity.content.decode()  # …the section is shared
    assert INVESTIGATION_NUMBER not in html
    for language in ("az", "ru", "en"):
        assert _heading(language) not in html
    assert "Indicators of sexual exploitation confirmed." not in html  # the decision's basis
    body = login_speaking(username).get(f"/api/v1/cases/{world['case_a'].pk}").json()
    assert "investigation" not in body["sections"]


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_police_case_page_shows_investigation(world, login_as, language):
    client = login_as("polis")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("cases:detail", args=[world["case_a"].pk])).content.decode()
    assert INVESTIGATION_NUMBER in html
    assert _heading(language) in html
    assert "Indicators of sexual exploitation confirmed." in html
    assert NOTE_TEXT in html
    body = login_as("polis").get(f"/api/v1/cases/{world['case_a'].pk}").json()
    assert "investigation" in body["sections"]


def test_case_list_shows_only_visible_cases(world, rules, login_as):
    numbers = {k: world[f"case_{k}"].number for k in "abc"}
    for username in ("polis", "qht1", "siginacaq1", "qht2", "siginacaq2", "qht3"):
        client = login_as(username)
        html = client.get(reverse("cases:list")).content.decode()
        api = {c["number"] for c in client.get("/api/v1/cases?limit=100").json()["items"]}
        expected = {numbers[k] for k in "abc" if rules.sees_case(username, world[f"case_{k}"])}
        assert api == expected, username
        assert {n for n in numbers.values() if n in html} == expected, username
        # A filter by another organisation never widens the scope.
        for org in ("police", "ngo1", "ngo2", "ngo3"):
            filtered = client.get(f"/api/v1/cases?organisation={world['cast'][org].pk}&limit=100").json()
            assert {c["number"] for c in filtered["items"]} <= expected
            page = client.get(reverse("cases:list"), {"organisation": world["cast"][org].pk}).content.decode()
            assert {n for n in numbers.values() if n in page} <= expected


# --- access ends when its reason ends ---------------------------------------------------------------
def _assert_gone(client: Client, user: Any, case: Any, attachment: Any = None) -> None:
    seq = last_seq()
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert denied_since(seq, user)
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert case.number not in json.dumps(client.get("/api/v1/cases?limit=100").json())
    if attachment is not None:
        url = reverse("cases:attachment_download", args=[case.pk, attachment.pk])
        assert client.get(url).status_code == 404


def test_revoked_referral_ends_access(world, login_as, django_capture_on_commit_callbacks):
    case, referral = world["case_a"], world["referral_a_ngo2"]
    receivers = {u: login_as(u) for u in ("qht2", "siginacaq2")}
    for client in receivers.values():
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = login_as("qht1").post(reverse("cases:referral_detail", args=[referral.pk]), {"command": "revoke"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REVOKED and referral.ended_at is not None
    for username, client in receivers.items():
        _assert_gone(client, world["cast"][username], case, world["attachment_a"])
        # The referral itself stays readable to its receiver, without a way into the case.
        page = client.get(reverse("cases:referral_detail", args=[referral.pk])).content.decode()
        assert reverse("cases:detail", args=[case.pk]) not in page
        assert NAMES["A"][0] not in page
    # The other organisations keep theirs.
    assert login_as("polis").get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert login_as("qht1").get(reverse("cases:detail", args=[case.pk])).status_code == 200


def test_completed_referral_ends_access(world, login_as, django_capture_on_commit_callbacks):
    case = world["case_a"]
    with django_capture_on_commit_callbacks(execute=True):
        # The body is optional in the schema but must still be JSON (an empty body is a 400).
        response = login_as("polis").post(f"/api/v1/referrals/{world['referral_a_police'].pk}/complete", "{}",
                                          content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "completed"
    for username in ("polis", "polis2"):
        _assert_gone(login_as(username), world["cast"][username], case, world["attachment_a"])
    # The investigation stays with the police, but it no longer opens the victim's case.
    page = login_as("polis").get(reverse("justice:detail", args=[world["investigation"].pk]))
    assert page.status_code == 200 and NAMES["A"][0] not in page.content.decode()


def test_declined_referral_gives_no_access(world, login_as):
    case, referral = world["case_b"], world["referral_b_ngo3"]
    client = login_as("qht3")
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    client.post(reverse("cases:referral_detail", args=[referral.pk]), {"command": "decline", "reason": "Full."})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    _assert_gone(client, world["cast"]["qht3"], case)


def test_grant_lasts_until_revoked_or_expired(world, login_as):
    case, cast = world["case_a"], world["cast"]
    client = login_as("qht3")
    _assert_gone(client, cast["qht3"], case)
    grant = actions.grant_create(by=cast["qht1"], case=case, organisation=cast["ngo3"], reason="Legal aid.", days=3)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    actions.grant_revoke(by=cast["qht1"], grant=grant)
    _assert_gone(client, cast["qht3"], case)

    grant = actions.grant_create(by=cast["qht1"], case=case, organisation=cast["ngo3"], reason="Legal aid.", days=3)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    past = timezone.now() - dt.timedelta(minutes=1)
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=past)
    from korpu.cases.models import CaseAccess

    CaseAccess.objects.filter(grant=grant).update(expires_at=past)
    _assert_gone(client, cast["qht3"], case)
    # An expired grant lets nothing be written either.
    before = snapshot()
    response = client.post(reverse("cases:note", args=[case.pk]), {"text": "late"})
    assert response.status_code == 404
    assert_unchanged(before, snapshot(), "note after expiry")


def test_error_pages_are_not_confirmations(world, login_as):
    """A missing case and someone else's case answer byte-for-byte alike (no existence oracle)."""
    client = login_as("qht3")
    foreign = client.get(reverse("cases:detail", args=[world["case_a"].pk]))
    missing = client.get(reverse("cases:detail", args=[MISSING]))
    assert foreign.status_code == missing.status_code == 404
    # Tokens differ per response and the language switcher carries the requested path; the rest is equal.
    strip = re.compile(rb'value="[^"]*"|"X-CSRFToken": "[^"]*"|nonce="[^"]*"')
    assert strip.sub(b"", foreign.content) == strip.sub(b"", missing.content)
    api_foreign = client.get(f"/api/v1/cases/{world['case_a'].pk}")
    api_missing = client.get(f"/api/v1/cases/{MISSING}")
    assert api_foreign.status_code == api_missing.status_code == 404
    assert api_foreign.content == api_missing.content


# --- refusals inside a case the user can see --------------------------------------------------------
# The matrix above skips every write on an object the user may see: the rules below are the refusals
# inside a visible case. Each changes nothing, sends nothing, and leaves a "denied" event. A page answers
# with the case page and the message (302) or a 404 (a part of the case not shared); the API with 422
# (or 404).
REFUSALS: list[tuple[str, str, dict[str, str], dict[str, Any] | None, int, str]] = [
    # (page name or API operation, user, path kwargs as world keys, payload (None: the matrix's), status,
    #  the denied action)
    ("cases:decision", "qht1", {"case_id": "case_a"}, None, 302, "case.status_decision"),
    ("cases:decision", "siginacaq2", {"case_id": "case_a"}, None, 302, "case.status_decision"),
    ("POST /api/v1/cases/{case_id}/status-decision", "qht2", {"case_id": "case_a"}, None, 422,
     "case.status_decision"),
    ("cases:close", "polis", {"case_id": "case_a"}, None, 302, "case.close"),
    ("POST /api/v1/cases/{case_id}/close", "qht2", {"case_id": "case_a"}, None, 422, "case.close"),
    ("cases:grant", "polis", {"case_id": "case_a"}, None, 302, "grant.create"),
    ("POST /api/v1/cases/{case_id}/grants", "siginacaq2", {"case_id": "case_a"}, None, 422, "grant.create"),
    ("cases:grant_revoke", "polis", {"case_id": "case_a", "grant_id": "grant_a"}, None, 302, "grant.revoke"),
    ("POST /api/v1/cases/{case_id}/grants/{grant_id}/revoke", "qht2", {"case_id": "case_a", "grant_id": "grant_a"},
     None, 422, "grant.revoke"),
    ("cases:status", "polis", {"case_id": "case_a"}, None, 302, "case.status"),
    ("POST /api/v1/cases/{case_id}/status", "qht2", {"case_id": "case_a"}, None, 422, "case.status"),
    # The receiver revokes; the sender accepts (or declines) its own referral.
    ("cases:referral_detail", "polis", {"referral_id": "referral_a_police"}, {"command": "revoke"}, 302,
     "referral.revoke"),
    ("POST /api/v1/referrals/{referral_id}/{command}", "siginacaq2",
     {"referral_id": "referral_a_ngo2", "command": "=revoke"}, None, 422, "referral.revoke"),
    ("cases:referral_detail", "polis", {"referral_id": "referral_b_ngo3"}, {"command": "accept"}, 302,
     "referral.accept"),
    ("POST /api/v1/referrals/{referral_id}/{command}", "polis", {"referral_id": "referral_b_ngo3",
                                                                 "command": "=decline"}, None, 422,
     "referral.decline"),
    # A shelter sees identity, admission and services: not the notes and files.
    ("cases:attachment_download", "siginacaq2", {"case_id": "case_a", "attachment_id": "attachment_a"}, None, 404,
     "attachment.download"),
    ("GET /api/v1/cases/{case_id}/attachments/{attachment_id}", "qht2",
     {"case_id": "case_a", "attachment_id": "attachment_a"}, None, 404, "attachment.download"),
    ("cases:note", "siginacaq2", {"case_id": "case_a"}, None, 302, "note.create"),
    ("POST /api/v1/cases/{case_id}/notes", "qht2", {"case_id": "case_a"}, None, 422, "note.create"),
    ("cases:attachment", "qht2", {"case_id": "case_a"}, None, 302, "attachment.create"),
    ("POST /api/v1/cases/{case_id}/attachments", "siginacaq2", {"case_id": "case_a"}, None, 422,
     "attachment.create"),
    # …nor can it pass on what it does not see.
    ("cases:refer", "qht2", {"case_id": "case_a"},
     {"to_organisation": "ngo3", "reason": "Other", "urgency": "routine", "sections": ["identity", "notes"]}, 302,
     "referral.create"),
    ("POST /api/v1/cases/{case_id}/referrals", "siginacaq2", {"case_id": "case_a"},
     {"to_organisation_id": "ngo3", "reason": "Other", "sections": ["notes"]}, 422, "referral.create"),
]


@pytest.mark.parametrize(("name", "username", "spec", "payload", "status", "action"), REFUSALS,
                         ids=[f"{r[0]}-{r[1]}" for r in REFUSALS])
def test_refusals_inside_a_visible_case(name, username, spec, payload, status, action, world, rules, login_as,
                                        django_capture_on_commit_callbacks):
    user = world["cast"][username]
    kwargs = _resolve(world, spec)
    case = world[spec["case_id"]] if "case_id" in spec else world[spec["referral_id"]].case
    if "referral_id" in spec:
        assert rules.sees_referral(username, world[spec["referral_id"]])  # a refusal, not an invisible object
    else:
        assert rules.sees_case(username, case)
    organisations = {k: world["cast"][k].pk for k in ("ngo3",)}
    if payload is not None:
        payload = {k: organisations.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    client = login_as(username)
    before = snapshot()
    seq = last_seq()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        if name.startswith(("GET ", "POST ")):
            method, template = name.split(" ", 1)
            url = template.format(**{k: v for k, v in kwargs.items() if "{" + k + "}" in template})
            data = payload if payload is not None else api_payload(name, world, kwargs)
            response = client.get(url) if method == "GET" else api_post(client, url, data)
        else:
            url = reverse(name, kwargs=kwargs)
            data = payload if payload is not None else html_variants(name, world, kwargs)[0]
            response = client.get(url) if URL_KIND[name] == "read" else client.post(url, materialise(data))
    context = f"{username} {name} {kwargs}"
    assert response.status_code == status, f"{context}: {response.status_code} {response.content[:300]!r}"
    if status == 302:
        assert response["Location"] == reverse("cases:detail", args=[case.pk]) or "referrals" in response["Location"]
    if status == 422:
        assert "errors" not in response.json(), f"{context}: the payload itself is invalid"
    assert not callbacks and not mail.outbox, context
    assert_unchanged(before, snapshot(), context)
    assert AuditEvent.objects.filter(seq__gt=seq, actor=user, action=action, outcome=AuditEvent.Outcome.DENIED
                                     ).exists(), f"{context}: no denied {action}"


def test_identity_needs_the_identity_section(world, login_as):
    """A grant of the services alone shows the case, not who the person is (page, fragment and API)."""
    cast = world["cast"]
    actions.grant_create(by=cast["qht1"], case=world["case_a"], organisation=cast["ngo3"], reason="Legal aid.",
                         days=3, sections=["services"])
    client = login_as("qht3")
    page = client.get(reverse("cases:detail", args=[world["case_a"].pk])).content.decode()
    assert 'data-testid="services"' in page and 'data-testid="show-identity"' not in page
    for url in (reverse("cases:identity", args=[world["case_a"].pk]), f"/api/v1/cases/{world['case_a'].pk}/identity",
                reverse("cases:photo", args=[world["case_a"].pk])):
        seq = last_seq()
        response = client.get(url)
        assert response.status_code == 404, url
        assert denied_since(seq, cast["qht3"]), url
        assert NAMES["A"][0] not in response.content.decode()
    body = client.get(f"/api/v1/cases/{world['case_a'].pk}").json()
    assert body["person"] is None and body["sections"] == ["services"] and body["services"] is not None
