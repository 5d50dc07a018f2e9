"""The ``korpu`` command: demo, serve, manage, audit verify, keys rotate/generate, import/export htcds,
linkage run/evaluate.

Verbs are thin: parse, call a kernel function or an action, print. Each has ``--help``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _setup(mode: str | None = None) -> None:
    if mode:
        os.environ["KORPU_MODE"] = mode
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "korpu.settings")
    import django

    from korpu.core.env import ConfigurationError

    try:
        django.setup()
    except ConfigurationError as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(2)
    from korpu.core import audit
    from korpu.core.access import SYSTEM

    # Everything a CLI verb changes is recorded as done by "system" (see SystemActor).
    audit.set_context(audit.RequestContext(actor=SYSTEM))


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _progress(total: int, description: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=_console(), transient=False, disable=not sys.stderr.isatty() and total < 1000)
    task = progress.add_task(description, total=total)
    return progress, (lambda n: progress.advance(task, n))


# --- demo --------------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    if not os.environ.get("KORPU_MODE"):
        os.environ["KORPU_MODE"] = "demo"
    if args.reset:
        var = Path(os.environ.get("KORPU_VAR_DIR", "var"))
        for name in ("korpu.sqlite3", "demo-credentials.json"):
            (var / name).unlink(missing_ok=True)
    _setup()
    from django.core.management import call_command

    from korpu import demo

    console = _console()
    if not args.codes:
        console.print("[bold]Körpü demo[/bold]: preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        created = demo.ensure_demo_data()
        console.print("Demo data loaded." if created else "Demo data already present.")
    demo.print_logins(console)
    if args.no_serve or args.codes:
        return 0
    console.print(f"\nServing on [bold]http://{args.host}:{args.port}/[/bold] — press Ctrl+C to stop.")
    return _serve(bind=f"{args.host}:{args.port}", workers=1, threads=8)


# --- serve -------------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", interactive=False, verbosity=1)
    return _serve(bind=args.bind, workers=args.workers, threads=args.threads)


def _serve(*, bind: str, workers: int, threads: int) -> int:
    from gunicorn.app.base import BaseApplication

    from korpu.wsgi import application

    class KorpuServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)
            self.cfg.set("forwarded_allow_ips", os.environ.get("KORPU_FORWARDED_ALLOW_IPS", "127.0.0.1"))

        def load(self) -> Any:
            return application

    KorpuServer().run()
    return 0


# --- manage ------------------------------------------------------------------------------------
def cmd_manage(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["korpu manage", *args.rest])
    return 0


# --- audit -------------------------------------------------------------------------------------
def cmd_audit_verify(args: argparse.Namespace) -> int:
    _setup()
    from korpu.core import audit

    total = audit.count()
    progress, advance = _progress(total, "Verifying the audit chain")
    with progress:
        result = audit.verify(progress=advance)
    if result.ok:
        print(f"audit chain OK: {result.checked} events verified")
        return 0
    print(f"audit chain BROKEN at event #{result.broken_seq}: {result.reason} "
          f"({result.checked} events verified before it)", file=sys.stderr)
    return 1


# --- keys --------------------------------------------------------------------------------------
def cmd_keys_generate(args: argparse.Namespace) -> int:
    from korpu.core.crypto import generate_master_key_text

    print(generate_master_key_text())
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings

    from korpu.core import crypto, keys

    if args.generate:
        if not settings.MASTER_KEY_FILE or settings.MASTER_KEY:
            print("--generate works only when the master key comes from KORPU_MASTER_KEY_FILE.", file=sys.stderr)
            return 2
        key_file = Path(settings.MASTER_KEY_FILE)
        from korpu.core.models import DataKey

        progress, advance = _progress(DataKey.objects.filter(shredded_at__isnull=True).count(), "Re-wrapping data keys")
        with progress:
            count, kept = keys.rotate_key_file(key_file=key_file, progress=advance)
        print(f"rotated: {count} data keys re-wrapped under a new master key in {key_file}")
        print(f"the previous master key is kept in {kept}: backups taken before now need it; store it offline.")
        return 0
    try:
        keyring = crypto.keyring_from_settings()
    except crypto.CryptoError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    pending = keys.pending_rotation_count(keyring)
    progress, advance = _progress(pending, "Re-wrapping data keys")
    try:
        with progress, crypto.use_keyring(keyring):
            count = keys.rotate(keyring=keyring, progress=advance)
    except crypto.MasterKeyMissing as exc:
        print(f"{exc}: list the old key in KORPU_MASTER_KEY_PREVIOUS while rotating", file=sys.stderr)
        return 1
    print(f"rotated: {count} data keys re-wrapped under master key {keyring.current.key_id}")
    return 0


# --- generate ----------------------------------------------------------------------------------
def cmd_generate(args: argparse.Namespace) -> int:
    _setup()
    from korpu.cases import synthetic

    progress, advance = _progress(args.persons, "Generating synthetic persons and cases")
    with progress:
        made = synthetic.generate(persons=args.persons, seed=args.seed, batch=args.batch, progress=advance)
    print(f"generated: {made} synthetic persons with one case each")
    return 0


# --- import / export (HTCDS Excel) -------------------------------------------------------------
def _acting_user(username: str) -> Any:
    """The user a CLI verb acts as (``--as``): must exist, be active and work with victims' data."""
    from korpu.accounts.models import User
    from korpu.core import access

    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        print(f"no active user {username!r}", file=sys.stderr)
        return None
    if not access.can_see_victim_data(user):
        print(f"{username} does not hold a role that works with victims' data", file=sys.stderr)
        return None
    return user


def _language(user: Any) -> Any:
    from django.conf import settings
    from django.utils import translation

    return translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def cmd_import_htcds(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings

    from korpu.cases import htcds

    user = None
    if args.as_user:
        user = _acting_user(args.as_user)
        if user is None:
            return 2
    elif settings.PRODUCTION:
        print("--as USERNAME is required in production: the import is recorded as that user's action",
              file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    with _language(user):
        plan = htcds.read_workbook(path, by=user)
        checked, valid, invalid = htcds.plan_summary(plan)
        print(f"checked {checked} rows: {valid} valid, {invalid} with errors")
        for issue in plan.errors:
            print(issue.line())
        for issue in plan.warnings:
            print(f"warning: {issue.line()}")
        if plan.workbook_errors or (plan.errors and not args.skip_invalid):
            print("nothing imported", file=sys.stderr)
            return 1
        progress, advance = _progress(valid, "Importing cases")
        with progress:
            result = htcds.import_plan(plan, by=user, skip_invalid=args.skip_invalid, progress=advance)
        for issue in result.errors[len(plan.errors):]:
            print(issue.line())
    if result.imported == 0 and len(result.errors) > len(plan.errors):
        print("nothing imported", file=sys.stderr)
        return 1
    print(f"imported {result.imported} cases")
    return 0


def cmd_export_htcds(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import ValidationError

    from korpu.accounts.models import Organisation
    from korpu.cases import htcds, queries
    from korpu.core.sheets import NameIndex

    user = _acting_user(args.as_user)
    if user is None:
        return 2
    picked: dict[str, str] = {}
    for option, picklist in (("status", "case_status"), ("trafficking_status", "trafficking_status"),
                             ("exploitation", "exploitation"), ("gender", "gender")):
        text = getattr(args, option)
        if text:
            code = htcds.match_picklist(picklist, text)
            if code is None:
                print(f"--{option.replace('_', '-')}: unknown value {text!r}", file=sys.stderr)
                return 2
            picked[option] = code
    organisation = None
    if args.organisation:
        found = NameIndex(Organisation.objects.all()).find(args.organisation)
        if len(found) != 1:
            print(f"--organisation: no single organisation is called {args.organisation!r}", file=sys.stderr)
            return 2
        organisation = found[0].pk
    # The case list's own filter (korpu.cases.filters.CaseFilter) checks and applies the options.
    params = {"age_group": args.age_group, "organisation": organisation, "identified_from": args.identified_from,
              "identified_to": args.identified_to, "sort": args.sort, **picked}
    try:
        cases = queries.case_list(user, {k: v for k, v in params.items() if v})
    except ValidationError as exc:
        print(f"invalid filter: {' '.join(exc.messages)}", file=sys.stderr)
        return 2
    exported = 0
    progress, advance = _progress(cases.count(), "Exporting cases")

    def step(n: int) -> None:
        nonlocal exported
        exported += n
        advance(n)

    with progress:
        data = htcds.export_workbook(cases, user, progress=step)
    Path(args.file).write_bytes(data)
    print(f"exported {exported} cases to {args.file}")
    return 0


def _iso_date(text: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


# --- jobs --------------------------------------------------------------------------------------
def cmd_jobs_run(args: argparse.Namespace) -> int:
    _setup()
    import datetime as dt

    from django.utils import timezone

    from korpu.plan import jobs

    today = dt.date.fromisoformat(args.today) if args.today else timezone.localdate()
    results = jobs.run_all(today=today)
    reminders = results.report_reminders
    print(f"report reminders: {reminders.due_soon} due soon, {reminders.overdue} overdue, "
          f"{reminders.escalations} escalations")
    return 0


# --- linkage -----------------------------------------------------------------------------------
def cmd_linkage_evaluate(args: argparse.Namespace) -> int:
    """Pure Python: no Django setup, no database (the matcher is korpu.linkage, the file is labelled)."""
    import time

    from korpu.linkage import evaluation, matching

    started = time.perf_counter()
    try:
        labelled = evaluation.read_labelled(args.file)
    except evaluation.EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    progress, advance = _progress(len(labelled.records), "Linking records")
    progress.console.stderr = True
    with progress:
        result = matching.link(labelled.records, progress=advance)
    seconds = time.perf_counter() - started
    metrics = evaluation.score(labelled, result)
    print(f"records={len(labelled.records)} true_pairs={metrics.true_pairs} compared={result.compared} "
          f"true_positive_pairs={metrics.true_positive_pairs}")
    print(metrics.line(seconds))
    return 0


# --- linkage run --------------------------------------------------------------------------------
def cmd_linkage_run(args: argparse.Namespace) -> int:
    """Batch linkage over the whole registry: proposes links (link requests), never confirms one."""
    _setup()
    from django.db.models import Count

    from korpu.cases.models import Person
    from korpu.core.access import SYSTEM
    from korpu.linkage import actions

    total = Person.objects.aggregate(n=Count("pk"))["n"]
    progress, advance = _progress(total, "Reading and indexing persons")
    with progress:
        loading = advance
        linking_task = progress.add_task("Linking", total=total)
        summary = actions.propose_links(by=SYSTEM, batch=args.batch, load_progress=loading,
                                        link_progress=lambda n: progress.advance(linking_task, n))
    # One plain line (not the console's, which wraps at the terminal's width): other tools read it.
    print(f"persons={summary.persons} compared={summary.compared} pairs={summary.pairs} "
          f"clusters={summary.clusters} already_linked={summary.already_linked} "
          f"proposed={summary.proposed} seconds={summary.seconds:.2f}")
    return 0


# --- parser ------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="korpu", description="Körpü — counter-trafficking information system")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    demo = sub.add_parser("demo", help="set up an embedded SQLite demo with synthetic data and serve it",
                          description="Create/migrate the SQLite database under ./var, load synthetic demo data, "
                                      "print the demo logins and serve on http://127.0.0.1:8000.")
    demo.add_argument("--no-serve", action="store_true", help="set up and exit without serving")
    demo.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    demo.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    demo.add_argument("--reset", action="store_true", help="delete the demo database first and start afresh")
    demo.add_argument("--codes", action="store_true", help="only print the demo logins with current TOTP codes")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="run the production server (gunicorn, gthread workers)",
                           description="Serve Körpü with gunicorn. Configure with KORPU_* variables "
                                       "(docs/deployment.md).")
    serve.add_argument("--bind", default=os.environ.get("KORPU_BIND", "127.0.0.1:8000"), help="address:port")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("KORPU_WORKERS", "2")),
                       help="worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    serve.add_argument("--migrate", action="store_true", help="apply database migrations before serving")
    serve.set_defaults(func=cmd_serve)

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False,
                            description="Pass the remaining arguments to Django's manage.py.")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    generate = sub.add_parser("generate", help="create synthetic persons and cases (demo, benchmarks)",
                              description="Create N synthetic persons (Faker az_AZ) with one case each, with "
                                          "referrals, status decisions and services, in bulk. Needs the demo cast "
                                          "or any law-enforcement organisation with an investigator and an NGO.")
    generate.add_argument("--persons", type=int, required=True, help="how many persons to create")
    generate.add_argument("--seed", type=int, default=2020, help="random seed (default 2020)")
    generate.add_argument("--batch", type=int, default=1000, help="rows per transaction (default 1000)")
    generate.set_defaults(func=cmd_generate)

    jobs_parser = sub.add_parser("jobs", help="scheduled jobs (run from cron)")
    jobs_sub = jobs_parser.add_subparsers(dest="jobs_verb", required=True, metavar="VERB")
    jobs_run = jobs_sub.add_parser(
        "run", help="run every scheduled job once (idempotent; e.g. hourly from cron)",
        description="Send action-plan report reminders (due soon, overdue, escalation to the head of the body). "
                    "Each reminder is sent once, so running it often is safe.")
    jobs_run.add_argument("--today", help="act as if today were this date (YYYY-MM-DD)")
    jobs_run.set_defaults(func=cmd_jobs_run)

    audit_parser = sub.add_parser("audit", help="audit chain tools")
    audit_sub = audit_parser.add_subparsers(dest="audit_verb", required=True, metavar="VERB")
    verify = audit_sub.add_parser("verify", help="recompute the audit chain; exit 1 naming the first broken event",
                                  description="Recompute every event's hash and link. Exit 0 when the chain holds, "
                                              "1 naming the first broken event otherwise.")
    verify.set_defaults(func=cmd_audit_verify)

    keys_parser = sub.add_parser("keys", help="master key tools")
    keys_sub = keys_parser.add_subparsers(dest="keys_verb", required=True, metavar="VERB")
    rotate = keys_sub.add_parser(
        "rotate", help="re-wrap every data key under the current master key",
        description="Re-wrap every data key under the current master key (KORPU_MASTER_KEY[_FILE]); the old key "
                    "must be listed in KORPU_MASTER_KEY_PREVIOUS meanwhile. With --generate (key-file "
                    "deployments) a new master key is generated and installed in the key file.")
    rotate.add_argument("--generate", action="store_true", help="generate and install a new key file")
    rotate.set_defaults(func=cmd_keys_rotate)
    generate = keys_sub.add_parser("generate", help="print a new random master key (base64)")
    generate.set_defaults(func=cmd_keys_generate)

    linkage_parser = sub.add_parser("linkage", help="record linkage (duplicate persons across organisations)")
    linkage_sub = linkage_parser.add_subparsers(dest="linkage_verb", required=True, metavar="VERB")
    linkage_evaluate = linkage_sub.add_parser(
        "evaluate", help="measure the matcher on a labelled CSV (no database needed)",
        description="Link the records of a labelled CSV (header record_id,cluster_id,given_name,surname,patronymic,"
                    "birth_date,sex,citizenship,document_number) with the production matcher and print pairwise "
                    "precision, recall and F1 against cluster_id. The last line is exactly "
                    "'precision=P recall=R f1=F pairs=N seconds=S'. Exit 2 naming the line on a bad file.")
    linkage_evaluate.add_argument("file", metavar="FILE.csv", help="the labelled records (UTF-8)")
    linkage_evaluate.set_defaults(func=cmd_linkage_evaluate)
    linkage_run = linkage_sub.add_parser(
        "run", help="batch linkage over the whole registry: propose links as link requests (never confirms)",
        description="Read every person (decrypted inside this process only), write missing blocking keys, link "
                    "them with the production matcher and propose each new pair as a link request to the "
                    "organisation holding the older record. Prints a summary line.")
    linkage_run.add_argument("--batch", type=int, default=5000, help="persons read per query (default 5000)")
    linkage_run.set_defaults(func=cmd_linkage_run)

    import_parser = sub.add_parser("import", help="import cases from a file")
    import_sub = import_parser.add_subparsers(dest="import_verb", required=True, metavar="FORMAT")
    import_htcds = import_sub.add_parser(
        "htcds", help="import cases from an HTCDS 2.0 Excel toolkit workbook",
        description="Check every row of an HTCDS 2.0 toolkit workbook (row 1 field codes, row 2 labels, data from "
                    "row 3), print one line per error, and register the cases in one transaction. Nothing is "
                    "saved when any row has an error, unless --skip-invalid. Official victim status is set only "
                    "when a police investigator imports; other rows become presumed victims.")
    import_htcds.add_argument("file", metavar="FILE.xlsx", help="the workbook")
    import_htcds.add_argument("--as", dest="as_user", metavar="USERNAME",
                              help="the user who imports (required in production; needs a victim-data role); "
                                   "the cases belong to that user's organisation unless cas_CaseOwner names another "
                                   "of theirs")
    import_htcds.add_argument("--skip-invalid", action="store_true",
                              help="import the valid rows and skip the rows with errors")
    import_htcds.set_defaults(func=cmd_import_htcds)

    export_parser = sub.add_parser("export", help="export cases to a file")
    export_sub = export_parser.add_subparsers(dest="export_verb", required=True, metavar="FORMAT")
    export_htcds = export_sub.add_parser(
        "htcds", help="export the cases a user may see to an HTCDS 2.0 Excel toolkit workbook",
        description="Write the cases USERNAME may see, filtered, in the HTCDS 2.0 toolkit layout. Identity columns "
                    "are filled only where the user's access includes the identity section. Audited.")
    export_htcds.add_argument("file", metavar="FILE.xlsx", help="the workbook to write")
    export_htcds.add_argument("--as", dest="as_user", metavar="USERNAME", required=True,
                              help="the user whose access decides what is exported (needs a victim-data role)")
    export_htcds.add_argument("--status", help="case status (Active, FollowUp, Closed, ClosedReferred)")
    export_htcds.add_argument("--trafficking-status", dest="trafficking_status",
                              help="PossibleVictimOfTrafficking, ActualVictimOfTrafficking or NotAVictimOfTrafficking")
    export_htcds.add_argument("--exploitation", help="type of exploitation (HTCDS code, e.g. ForcedLabour)")
    export_htcds.add_argument("--gender", help="HTCDS gender code (e.g. Feminine)")
    export_htcds.add_argument("--age-group", dest="age_group",
                              help="age at identification: child, 18-24, 25-34, 35-49 or 50+")
    export_htcds.add_argument("--organisation", help="owner organisation (name or short name)")
    export_htcds.add_argument("--identified-from", dest="identified_from", type=_iso_date, metavar="YYYY-MM-DD",
                              help="identified on or after")
    export_htcds.add_argument("--identified-to", dest="identified_to", type=_iso_date, metavar="YYYY-MM-DD",
                              help="identified on or before")
    export_htcds.add_argument("--sort", help="number, opened, trafficking_status, status or last_activity; "
                                             "a leading '-' sorts descending (default: newest identified first)")
    export_htcds.set_defaults(func=cmd_export_htcds)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # argparse's REMAINDER refuses a leading option (`korpu manage --help`); pass all of it on.
    args = (argparse.Namespace(func=cmd_manage, rest=argv[1:]) if argv[:1] == ["manage"]
            else parser.parse_args(argv))
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
