#!/usr/bin/env python
"""Server-side timings of the case pages at scale, each beside the same data in bare SQL.

    .venv/bin/python benchmarks/bench_cases.py                      # korpu_bench, 200 runs
    .venv/bin/python benchmarks/bench_cases.py --database korpu_bench_1m --label after

For each user (an NGO case worker, a police investigator, a shelter manager) and each page:

* **page**: ``django.test.Client.get`` against the real view, with a two-factor-verified session
  (``force_login`` + the django-otp device id in the session, as ``tests/conftest.py`` does); the
  time is ``time.perf_counter`` around the call, so it covers middleware (session, user, OTP
  device, memberships, idle-timeout session save), the view, the audit event each read writes, and
  template rendering. Queries are counted with ``CaptureQueriesContext`` on the warm-up requests
  (timed requests run without it).
* **queryset**: the real query functions (``korpu.cases.queries`` / ``korpu.shelters.queries``)
  evaluated as the page does (rows of the page plus the paginator's count), without the web layer.
* **bare SQL**: hand-written SQL for the same rows and displayed columns through a psycopg cursor
  on its own connection (no decryption, no audit, no rendering): the floor the page is compared to.
  ``ratio`` is page p95 / bare-SQL p95.

Results: a rich table on the terminal and JSON in ``benchmarks/results/<date>-<cases>[-label].json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

USERS = {"ngo": "qht1", "police": "polis", "shelter": "siginacaq1"}
LIST_FILTER = {"exploitation": "SexualExploitation", "status": "Active"}

# --- bare SQL ------------------------------------------------------------------------------------
# The scoping predicate of korpu.cases.queries.cases_visible_to, written by hand.
SCOPE = """EXISTS (SELECT 1 FROM cases_caseaccess a WHERE a.case_id = c.id AND a.organisation_id = ANY(%(orgs)s)
                   AND (a.expires_at IS NULL OR a.expires_at > now()))"""
LIST_COLUMNS = """c.id, c.number, c.identified_on, c.trafficking_status, c.status, p.gender,
       p.age_at_identification, o.name, o.short_name,
       (SELECT array_agg(e.exploitation ORDER BY e.exploitation) FROM cases_caseexploitation e
         WHERE e.case_id = c.id) AS exploitation"""
LIST_SQL = f"""SELECT {LIST_COLUMNS}
  FROM cases_case c JOIN cases_person p ON p.id = c.person_id
  JOIN accounts_organisation o ON o.id = c.owner_organisation_id
 WHERE {SCOPE} {{filters}}
 ORDER BY c.identified_on DESC, c.id DESC LIMIT 25 OFFSET %(offset)s"""
LIST_FILTER_SQL = """AND c.status = %(status)s AND EXISTS (SELECT 1 FROM cases_caseexploitation x
                      WHERE x.case_id = c.id AND x.exploitation = %(exploitation)s)"""
COUNT_SQL = f"SELECT count(*) FROM cases_case c WHERE {SCOPE} {{filters}}"
CASE_SQL = f"""SELECT c.*, p.*, oo.name AS owner_name, io.name AS identifying_name, cw.full_name AS worker,
  (SELECT json_agg(a.sections) FROM cases_caseaccess a WHERE a.case_id = c.id AND a.organisation_id = ANY(%(orgs)s)
     AND (a.expires_at IS NULL OR a.expires_at > now())) AS access_sections,
  (SELECT json_agg(e.exploitation ORDER BY e.exploitation) FROM cases_caseexploitation e
    WHERE e.case_id = c.id) AS exploitation,
  (SELECT json_agg(json_build_object('decision', d.decision, 'decided_on', d.decided_on, 'basis', d.basis,
          'created_at', d.created_at, 'organisation', o.name, 'by', u.full_name) ORDER BY d.decided_on DESC, d.id DESC)
     FROM cases_statusdecision d JOIN accounts_organisation o ON o.id = d.organisation_id
     JOIN accounts_user u ON u.id = d.decided_by_id WHERE d.case_id = c.id) AS decisions,
  (SELECT json_agg(json_build_object('status', r.status, 'created_at', r.created_at, 'decided_at', r.decided_at,
          'ended_at', r.ended_at, 'from', f.name, 'from_short', f.short_name, 'to', t.name, 'to_short', t.short_name)
          ORDER BY r.created_at DESC, r.id DESC)
     FROM cases_referral r JOIN accounts_organisation f ON f.id = r.from_organisation_id
     JOIN accounts_organisation t ON t.id = r.to_organisation_id
    WHERE r.case_id = c.id AND (r.from_organisation_id = ANY(%(orgs)s) OR r.to_organisation_id = ANY(%(orgs)s)
          OR c.owner_organisation_id = ANY(%(orgs)s))) AS referrals,
  (SELECT row_to_json(x) FROM (SELECT * FROM cases_consent WHERE case_id = c.id
     ORDER BY created_at DESC, id DESC LIMIT 1) x) AS consent,
  (SELECT json_agg(json_build_object('type', s.service_type, 'outcome', s.outcome, 'planned_on', s.planned_on,
          'delivered_on', s.delivered_on, 'amount', s.amount, 'notes', s.notes, 'created_at', s.created_at,
          'provider', pr.name, 'provider_short', pr.short_name) ORDER BY s.planned_on, s.id)
     FROM cases_service s JOIN accounts_organisation pr ON pr.id = s.provider_id WHERE s.case_id = c.id) AS services,
  (SELECT json_agg(row_to_json(f) ORDER BY f.due_on, f.id) FROM cases_followup f WHERE f.case_id = c.id) AS follow_ups,
  (SELECT json_agg(row_to_json(r) ORDER BY r.assessed_on DESC, r.id DESC) FROM cases_reintegrationassessment r
    WHERE r.case_id = c.id) AS assessments,
  (SELECT json_agg(json_build_object('text', n.text, 'created_at', n.created_at, 'author', u.full_name,
          'organisation', o.name) ORDER BY n.created_at DESC, n.id DESC)
     FROM cases_note n JOIN accounts_user u ON u.id = n.author_id
     JOIN accounts_organisation o ON o.id = n.organisation_id
    WHERE n.case_id = c.id) AS notes,
  (SELECT json_agg(json_build_object('filename', t.filename, 'size', t.size, 'by', u.full_name)
          ORDER BY t.created_at DESC, t.id DESC)
     FROM cases_attachment t JOIN accounts_user u ON u.id = t.uploaded_by_id WHERE t.case_id = c.id) AS attachments,
  (SELECT json_agg(json_build_object('admitted_on', ad.admitted_on, 'discharged_on', ad.discharged_on,
          'facility', fa.name, 'category', ca.category) ORDER BY ad.admitted_on DESC, ad.id DESC)
     FROM shelters_admission ad JOIN shelters_facility fa ON fa.id = ad.facility_id
     JOIN shelters_capacity ca ON ca.id = ad.capacity_id WHERE ad.case_id = c.id) AS admissions,
  (SELECT json_agg(row_to_json(i) ORDER BY i.opened_on DESC, i.id DESC) FROM justice_investigation i
     JOIN justice_investigation_victims v ON v.investigation_id = i.id WHERE v.case_id = c.id) AS investigations,
  (SELECT row_to_json(k) FROM (SELECT master_key_id, wrapped_key FROM core_datakey WHERE id = c.data_key_id) k) AS key
  FROM cases_case c JOIN cases_person p ON p.id = c.person_id
  JOIN accounts_organisation oo ON oo.id = c.owner_organisation_id
  JOIN accounts_organisation io ON io.id = c.identifying_organisation_id
  LEFT JOIN accounts_user cw ON cw.id = c.case_worker_id
 WHERE c.id = %(case_id)s AND {SCOPE}"""
INBOX_SQL = """SELECT r.id, r.urgency, r.status, r.created_at, c.number, f.name, t.name
  FROM cases_referral r JOIN cases_case c ON c.id = r.case_id
  JOIN accounts_organisation f ON f.id = r.from_organisation_id
  JOIN accounts_organisation t ON t.id = r.to_organisation_id
 WHERE r.to_organisation_id = ANY(%(orgs)s) ORDER BY r.created_at DESC, r.id DESC LIMIT 25"""
INBOX_COUNT_SQL = "SELECT count(*) FROM cases_referral r WHERE r.to_organisation_id = ANY(%(orgs)s)"
BEDS_SQL = """SELECT f.id, f.name, f.region, ca.category, ca.beds, count(ad.id) AS occupied
  FROM shelters_capacity ca JOIN shelters_facility f ON f.id = ca.facility_id
  LEFT JOIN shelters_admission ad ON ad.capacity_id = ca.id AND ad.discharged_on IS NULL
 WHERE f.is_active GROUP BY f.id, f.name, f.region, ca.id, ca.category, ca.beds ORDER BY f.name, ca.category"""


# --- measuring -----------------------------------------------------------------------------------
def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[k]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "p95": round(_pct(values, 0.95), 2),
            "max": round(max(values), 2), "mean": round(statistics.fmean(values), 2), "n": len(values)}


@dataclass
class Result:
    user: str
    page: str
    url: str
    page_ms: dict[str, float] = field(default_factory=dict)
    queries: list[int] = field(default_factory=list)
    audit_per_request: float = 0.0
    queryset_ms: dict[str, float] = field(default_factory=dict)
    sql_ms: dict[str, float] = field(default_factory=dict)
    count_sql_ms: dict[str, float] | None = None
    rows: int = 0
    total: int | None = None
    cpu_ms: dict[str, float] = field(default_factory=dict)
    pg_cpu_ms: float | None = None

    @property
    def ratio(self) -> float:
        return round(self.page_ms["p95"] / self.sql_ms["p95"], 1) if self.sql_ms.get("p95") else float("nan")


def _proc_cpu_ms(pid: int) -> float | None:
    """User + system CPU of a process (the PostgreSQL backend) in ms, from /proc (Linux only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def timed(fn: Callable[[int], Any], iterations: int, warmup: int) -> list[float]:
    for i in range(warmup):
        fn(i)
    out = []
    for i in range(iterations):
        started = time.perf_counter()
        fn(warmup + i)
        out.append((time.perf_counter() - started) * 1000)
    return out


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        import psycopg
        from django.db import connection

        self.args = args
        self.connection = connection
        self.raw = psycopg.connect(_common.database_url(args.database, args.server), autocommit=True)
        # No server-side prepared statements (as Django's backend): a generic plan cached after five
        # runs of one text would time another plan than the page's queries get.
        self.raw.prepare_threshold = None
        self.results: list[Result] = []

    # -- helpers
    def client(self, user: Any) -> Any:
        from django.test import Client
        from django_otp import DEVICE_ID_SESSION_KEY

        from korpu.accounts.demo import totp_device

        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
        return client

    def sql(self, query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        if "orgs" in params:  # IN (1, 2) as the ORM writes it: the planner reads "= ANY(array)" less well
            query = query.replace("= ANY(%(orgs)s)", "IN (" + ",".join(str(int(o)) for o in params["orgs"]) + ")")
        with self.raw.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    def page(self, result: Result, client: Any, urls: Callable[[int], str]) -> None:
        """Time the view; count queries and audit events on the warm-ups."""
        from django.test.utils import CaptureQueriesContext

        from korpu.core.models import AuditEvent

        counts = []
        for i in range(self.args.warmup):
            with CaptureQueriesContext(self.connection) as ctx:
                response = client.get(urls(i))
            if response.status_code != 200:
                raise RuntimeError(f"{urls(i)} answered {response.status_code} for {result.user}")
            counts.append(len(ctx.captured_queries))
        before = AuditEvent.objects.count()

        def get(i: int) -> None:
            response = client.get(urls(self.args.warmup + i))
            if response.status_code != 200:
                raise RuntimeError(f"{urls(i)} answered {response.status_code}")

        # CPU as well as wall time: on a shared machine the wall time includes waiting for a core;
        # Python's CPU (per request) and the PostgreSQL backend's CPU (mean) do not.
        cpu: list[float] = []

        def get_cpu(i: int) -> None:
            started = time.process_time()
            get(i)
            cpu.append((time.process_time() - started) * 1000)

        backend = self.connection.connection.info.backend_pid if self.connection.connection else None
        pg_before = _proc_cpu_ms(backend) if backend else None
        result.page_ms = summary(timed(get_cpu, self.args.iterations, 0))
        pg_after = _proc_cpu_ms(backend) if backend else None
        result.cpu_ms = summary(cpu)
        if pg_before is not None and pg_after is not None:
            result.pg_cpu_ms = round((pg_after - pg_before) / self.args.iterations, 2)
        result.audit_per_request = round((AuditEvent.objects.count() - before) / self.args.iterations, 2)
        result.queries = sorted(set(counts))

    def bare(self, result: Result, query: str, params: Callable[[int], dict[str, Any]],
             count_query: str | None = None) -> None:
        rows = self.sql(query, params(0))
        result.rows = len(rows)
        result.sql_ms = summary(timed(lambda i: self.sql(query, params(i)), self.args.iterations, self.args.warmup))
        if count_query is not None:
            result.total = self.sql(count_query, params(0))[0][0]
            result.count_sql_ms = summary(timed(lambda i: self.sql(count_query, params(i)), self.args.iterations // 2,
                                                self.args.warmup // 2))

    def queryset(self, result: Result, fn: Callable[[int], Any]) -> None:
        from korpu.core import crypto

        def run(i: int) -> None:
            fn(i)
            crypto.clear_key_cache()  # as the request middleware does

        result.queryset_ms = summary(timed(run, self.args.iterations, self.args.warmup))

    # -- scenarios
    def run_user(self, kind: str, username: str) -> None:
        import inspect

        from korpu.accounts.models import User
        from korpu.cases import queries
        from korpu.shelters import queries as shelter_queries

        try:  # mirror the views of the code under test (before: Paginator and full rows)
            from korpu.core.paginator import BoundedPaginator as Paginator
        except ImportError:
            from django.core.paginator import Paginator  # type: ignore[assignment]
        rows_kw = {"summary": True} if "summary" in inspect.signature(queries.case_list).parameters else {}

        user = User.objects.get(username=username)
        client = self.client(user)
        orgs = sorted(queries.victim_data_organisation_ids(user))
        label = f"{kind} ({username})"
        filters = dict(LIST_FILTER)
        filter_qs = "&".join(f"{k}={v}" for k, v in LIST_FILTER.items())
        base = {"orgs": orgs, **LIST_FILTER}
        total = self.sql(COUNT_SQL.format(filters=LIST_FILTER_SQL), base)[0][0]
        pages = max(1, math.ceil(total / 25))
        deep = min(self.args.deep_page, pages)

        def list_queryset(f: Any, page_number: int) -> Callable[[int], Any]:
            def run(_i: int) -> None:
                u = User.objects.get(pk=user.pk)  # a fresh user per request, as the middleware gives
                page = Paginator(queries.case_list(u, f, **rows_kw), 25).get_page(page_number)
                rows = list(page.object_list)
                [list(c.exploitations.all()) for c in rows]
            return run

        lists = [
            ("case list, filtered, p1", f"/cases/?{filter_qs}", LIST_FILTER_SQL, filters, 1),
            (f"case list, filtered, p{deep}", f"/cases/?{filter_qs}&page={deep}", LIST_FILTER_SQL, filters, deep),
            ("case list, unfiltered, p1", "/cases/", "", {}, 1),
        ]
        if deep == 1:
            del lists[1]
        for name, url, filter_sql, f, page_number in lists:
            r = Result(label, name, url)
            self.page(r, client, lambda _i, url=url: url)
            self.queryset(r, list_queryset(f, page_number))
            self.bare(r, LIST_SQL.format(filters=filter_sql),
                      lambda _i, fs=filter_sql, p=page_number: {**base, "offset": (p - 1) * 25},
                      COUNT_SQL.format(filters=filter_sql))
            self.add(r)

        # API list (limit/offset pagination: a count bounded at ten pages ahead, and a slice).
        r = Result(label, "API /api/v1/cases?limit=25", "/api/v1/cases?limit=25")
        self.page(r, client, lambda _i: "/api/v1/cases?limit=25")

        def api_qs(_i: int) -> None:
            u = User.objects.get(pk=user.pk)
            qs = queries.case_list(u, {}, **rows_kw)
            qs[:25 * 11 + 1].count()  # korpu.core.api_pagination.BoundedLimitOffsetPagination
            for c in qs[:25]:
                [e.exploitation for e in c.exploitations.all()]
        self.queryset(r, api_qs)
        self.bare(r, LIST_SQL.format(filters=""), lambda _i: {**base, "offset": 0}, COUNT_SQL.format(filters=""))
        self.add(r)

        # Case page: random visible cases.
        need = self.args.iterations + 2 * self.args.warmup
        ids = [row[0] for row in self.sql(
            """SELECT case_id FROM cases_caseaccess WHERE organisation_id = ANY(%(orgs)s)
               AND (expires_at IS NULL OR expires_at > now()) ORDER BY random() LIMIT %(n)s""",
            {"orgs": orgs, "n": need})]
        random.Random(7).shuffle(ids)
        r = Result(label, "case page", "/cases/<id>/")
        self.page(r, client, lambda i: f"/cases/{ids[i % len(ids)]}/")

        def case_qs(i: int) -> None:
            u = User.objects.get(pk=user.pk)
            case = queries.case_for(u, ids[i % len(ids)])
            queries.case_detail(u, case)
            shelter_queries.managed_facilities(u).exists()
        self.queryset(r, case_qs)
        self.bare(r, CASE_SQL, lambda i: {"orgs": orgs, "case_id": ids[i % len(ids)]})
        self.add(r)

        # Referral inbox.
        r = Result(label, "referral inbox", "/referrals/inbox/")
        self.page(r, client, lambda _i: "/referrals/inbox/")

        def inbox_qs(_i: int) -> None:
            u = User.objects.get(pk=user.pk)
            page = Paginator(queries.referral_inbox(u), 25).get_page(1)
            list(page.object_list)
            page.paginator.num_pages  # noqa: B018
        self.queryset(r, inbox_qs)
        self.bare(r, INBOX_SQL, lambda _i: {"orgs": orgs}, INBOX_COUNT_SQL)
        self.add(r)

        # Bed board.
        r = Result(label, "bed board", "/beds/")
        self.page(r, client, lambda _i: "/beds/")

        def beds_qs(_i: int) -> None:
            u = User.objects.get(pk=user.pk)
            shelter_queries.bed_board(u)
            set(shelter_queries.managed_facilities(u).values_list("pk", flat=True))
        self.queryset(r, beds_qs)
        self.bare(r, BEDS_SQL, lambda _i: {})
        self.add(r)

    def add(self, r: Result) -> None:
        self.results.append(r)
        if self.args.verbose:
            print(f"  {r.user:24} {r.page:28} page p50 {r.page_ms['p50']:7.1f} p95 {r.page_ms['p95']:7.1f} "
                  f"cpu {r.cpu_ms['p50']:5.1f}+{r.pg_cpu_ms} "
                  f"q={r.queries} sql p95 {r.sql_ms['p95']:6.1f} ratio {r.ratio}", file=sys.stderr, flush=True)

    def explain(self) -> None:
        """EXPLAIN ANALYZE of the ORM's list queries for each user (``--explain``)."""
        from korpu.accounts.models import User
        from korpu.cases import queries

        for kind, username in self.users():
            user = User.objects.get(username=username)
            for f in (dict(LIST_FILTER), {}):
                qs = queries.case_list(user, f)
                print(f"\n### {kind} {username} {f}: rows\n", qs[:25].explain(analyze=True, buffers=True))
                print(f"\n### {kind} {username} {f}: count\n",
                      qs.order_by().values("pk").explain(analyze=True, buffers=True))

    def users(self) -> list[tuple[str, str]]:
        wanted = self.args.users.split(",") if self.args.users else list(USERS)
        return [(k, USERS[k]) for k in wanted]


def render(results: list[Result], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col, justify in [("user", "left"), ("page", "left"), ("p50 ms", "right"), ("p95 ms", "right"),
                         ("max ms", "right"), ("CPU py p50/p95 + pg", "right"), ("queries", "right"),
                         ("audit/req", "right"),
                         ("queryset p50/p95", "right"), ("bare SQL p50/p95", "right"), ("count SQL p50", "right"),
                         ("ratio p95", "right"), ("rows/total", "right")]:
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in results:
        q = "–".join(str(n) for n in (r.queries[0], r.queries[-1])) if len(r.queries) > 1 else str(r.queries[0])
        pg = f" + {r.pg_cpu_ms:.1f}" if r.pg_cpu_ms is not None else ""
        table.add_row(r.user, r.page, f"{r.page_ms['p50']:.1f}", f"{r.page_ms['p95']:.1f}", f"{r.page_ms['max']:.1f}",
                      f"{r.cpu_ms['p50']:.1f}/{r.cpu_ms['p95']:.1f}{pg}", q, f"{r.audit_per_request:g}",
                      f"{r.queryset_ms['p50']:.1f} / {r.queryset_ms['p95']:.1f}",
                      f"{r.sql_ms['p50']:.2f} / {r.sql_ms['p95']:.2f}",
                      f"{r.count_sql_ms['p50']:.1f}" if r.count_sql_ms else "–", f"{r.ratio:g}×",
                      f"{r.rows}/{r.total}" if r.total is not None else str(r.rows))
    Console(width=200).print(table)


def metadata(args: argparse.Namespace, bench: Bench) -> dict[str, Any]:
    from django.db import connection

    from korpu.cases.models import Case, CaseAccess, Referral

    settings = {row[0]: row[1] for row in bench.sql(
        "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%(n)s)",
        {"n": ["shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "synchronous_commit",
               "jit", "max_parallel_workers_per_gather"]})}
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=_common.REPO_DIR, check=False).stdout.strip()
    except OSError:
        head = ""
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"), "label": args.label, "database": args.database,
        "cases": Case.objects.count(), "case_access_rows": CaseAccess.objects.count(),
        "referrals": Referral.objects.count(), "iterations": args.iterations, "warmup": args.warmup,
        "postgres": connection.cursor().connection.info.server_version, "pg_settings": settings,
        "python": platform.python_version(), "git_head": head, "cpus": os.cpu_count(),
        "load_average": os.getloadavg(), "code": args.code or "working tree", "nice": -args.priority,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=_common.DEFAULT_DATABASE)
    parser.add_argument("--server", default=_common.DEFAULT_SERVER)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--deep-page", type=int, default=100, help="the deep list page (capped at the last page)")
    parser.add_argument("--users", default="", help=f"comma-separated subset of {','.join(USERS)}")
    parser.add_argument("--label", default="", help="a tag for the results file (before, after, …)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the list queries and exit")
    parser.add_argument("--priority", type=int, default=0, metavar="N",
                        help="renice this process and its PostgreSQL backends to -N (root; for shared machines)")
    parser.add_argument("--code", default="", help="a directory holding another korpu package to measure instead")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("KORPU_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    # One persistent connection, as a busy worker has (the default 60 s would reconnect mid-run).
    os.environ.setdefault("KORPU_DB_CONN_MAX_AGE", "3600")
    _common.setup_django(args.database, args.server, code_dir=args.code or None)
    import korpu

    print(f"code: {Path(korpu.__file__).parent}", file=sys.stderr)
    bench = Bench(args)
    if args.priority:
        # On a shared machine: run this process and its two PostgreSQL backends ahead of other jobs
        # (needs root), so the timings approach those of a server that is not running anything else.
        from django.db import connection

        connection.ensure_connection()
        for pid in (0, connection.connection.info.backend_pid, bench.raw.info.backend_pid):
            os.setpriority(os.PRIO_PROCESS, pid, -args.priority)
    if args.explain:
        bench.explain()
        return 0
    meta = metadata(args, bench)
    for kind, username in bench.users():
        bench.run_user(kind, username)
    meta["load_average_after"] = os.getloadavg()
    title = (f"Körpü at {meta['cases']:,} cases — {args.iterations} runs after {args.warmup} warm-ups, "
             f"load average {meta['load_average'][0]:.1f}→{meta['load_average_after'][0]:.1f} "
             f"(ms; ratio = page p95 / bare SQL p95)")
    render(bench.results, title)
    _common.RESULTS_DIR.mkdir(exist_ok=True)
    name = f"{dt.date.today().isoformat()}-{meta['cases']}{'-' + args.label if args.label else ''}.json"
    out = _common.RESULTS_DIR / name
    out.write_text(json.dumps({"meta": meta, "results": [
        {"user": r.user, "page": r.page, "url": r.url, "page_ms": r.page_ms, "python_cpu_ms": r.cpu_ms,
         "postgres_cpu_ms_mean": r.pg_cpu_ms, "queries": r.queries,
         "audit_events_per_request": r.audit_per_request, "queryset_ms": r.queryset_ms, "bare_sql_ms": r.sql_ms,
         "count_sql_ms": r.count_sql_ms, "ratio_p95": r.ratio, "rows": r.rows, "total": r.total}
        for r in bench.results]}, indent=2, default=str) + "\n")
    print(f"results: {out.relative_to(_common.REPO_DIR)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
