#!/usr/bin/env python
"""Build (or top up) a PostgreSQL database with N synthetic cases for the benchmarks.

    .venv/bin/python benchmarks/setup_scale.py --persons 100000
    .venv/bin/python benchmarks/setup_scale.py --persons 1000000   # adds the missing 900k

Steps, each idempotent, so the script can be re-run after an interruption and only does what is
missing:

1. create the database (``--database``, default ``korpu_bench``) and run the migrations;
2. build the demo cast (``korpu.accounts.demo.build_cast``) and the extra organisations, so the
   caseload spreads over 20 NGOs and 2 police bodies: each extra NGO gets a case worker and a
   shelter manager, the second police body an investigator (all through
   ``korpu.accounts.actions`` with ``SYSTEM``), every user a confirmed TOTP device;
3. shelters: facilities with bed capacities for 12 of the NGOs (``korpu.shelters.actions``);
4. ``korpu.cases.synthetic.generate`` for the persons missing up to ``--persons`` (one case
   each), batch by batch with a progress bar; every batch commits, so an interrupted run loses at
   most one batch;
5. admissions: past (discharged) stays for about half the cases referred to a shelter NGO, and
   the beds of each capacity 60-90 % occupied by open admissions of active cases;
6. ``VACUUM ANALYZE``.

Timing of the generation is written to ``benchmarks/results/generation-<persons>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

EXTRA_NGOS = [
    ("Aydın Yol İctimai Birliyi", "Aydın Yol", "Bakı"),
    ("Qadın Təşəbbüsləri Mərkəzi", "QTM", "Sumqayıt"),
    ("Ümidli Sabah Reabilitasiya Birliyi", "Ümidli Sabah", "Şəki"),
    ("Dayaq Sosial Yardım Birliyi", "Dayaq", "Mingəçevir"),
    ("Yeni Həyat Gənclər Mərkəzi", "Yeni Həyat", "Bakı"),
    ("Şəfqət Əli İctimai Birliyi", "Şəfqət Əli", "Quba"),
    ("Miqrantlara Dəstək Mərkəzi", "MDM", "Bakı"),
    ("Körpü-Yardım Hüquq Klinikası", "Hüquq Klinikası", "Bakı"),
    ("İnam Sosial Xidmətlər Birliyi", "İnam", "Şirvan"),
    ("Günəşli Ev Uşaq Mərkəzi", "Günəşli Ev", "Lənkəran"),
    ("Bərabər Hüquqlar Təşəbbüsü", "Bərabər Hüquqlar", "Gəncə"),
    ("Həmrəylik Qadın Birliyi", "Həmrəylik", "Naxçıvan"),
    ("Açıq Qapı Reinteqrasiya Mərkəzi", "Açıq Qapı", "Bakı"),
    ("Qayğı Psixoloji Yardım Birliyi", "Qayğı", "Xaçmaz"),
    ("Dostluq Körpüsü Miqrasiya Birliyi", "Dostluq Körpüsü", "Astara"),
    ("Sağlam Gələcək Tibbi Yardım Birliyi", "Sağlam Gələcək", "Bərdə"),
    ("Ədalət Naminə Hüquq Mərkəzi", "Ədalət Naminə", "Bakı"),
]
EXTRA_POLICE = ("Regional İnsan Alverinə Qarşı Mübarizə Şöbəsi (Gəncə)", "RİAQMŞ", "Gəncə")
# (operator short name, facility name, region, capacities) — 12 NGOs run shelters.
FACILITIES = [
    ("Ümid Körpüsü", "Ümid Evi", "Bakı", {"women": 12, "mother_children": 4, "children": 6}),
    ("Ümid Körpüsü", "Ümid Evi 2", "Bakı", {"women": 10}),
    ("Həyat İşığı", "Həyat Reabilitasiya Evi", "Gəncə-Daşkəsən", {"women": 8, "men": 5}),
    ("Gələcək Naminə", "Gələcək Evi", "Lənkəran-Astara", {"women": 6, "children": 6}),
    ("Aydın Yol", "Aydın Yol Sığınacağı", "Bakı", {"women": 14, "mother_children": 6}),
    ("QTM", "QTM Qadın Evi", "Abşeron-Xızı", {"women": 10}),
    ("Ümidli Sabah", "Sabah Evi", "Şəki-Zaqatala", {"women": 6, "men": 4}),
    ("Dayaq", "Dayaq Mərkəzi", "Mərkəzi Aran", {"men": 10}),
    ("Yeni Həyat", "Yeni Həyat Evi", "Bakı", {"children": 10, "women": 6}),
    ("Şəfqət Əli", "Şəfqət Evi", "Quba-Xaçmaz", {"women": 5, "mother_children": 3}),
    ("MDM", "Miqrant Sığınacağı", "Bakı", {"men": 16, "women": 8}),
    ("Günəşli Ev", "Günəşli Ev", "Lənkəran-Astara", {"children": 12}),
    ("Günəşli Ev", "Günəşli Ev 2", "Lənkəran-Astara", {"children": 8, "mother_children": 4}),
    ("Açıq Qapı", "Açıq Qapı Evi", "Bakı", {"women": 12, "men": 6}),
    ("Həmrəylik", "Həmrəylik Evi", "Naxçıvan", {"women": 6}),
]


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(highlight=False, stderr=True)


def _password() -> str:
    path = _common.VAR_DIR / "bench-password.txt"
    if not path.exists():
        path.write_text("Bench-" + secrets.token_urlsafe(12) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def ensure_cast(console) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from korpu.accounts import actions
    from korpu.accounts.demo import build_cast
    from korpu.accounts.models import Organisation, Role, User
    from korpu.core.access import SYSTEM

    password = _password()
    if not User.objects.filter(username="polis").exists():
        with transaction.atomic():
            build_cast(password=password)
        console.print("cast built (demo organisations and users)")

    def org(name: str, short: str, kind: str, city: str, key: str) -> Organisation:
        found = Organisation.objects.filter(name=name).first()
        return found or actions.organisation_create(by=SYSTEM, name=name, org_type=kind, short_name=short, city=city,
                                                    email=f"{key}@example.org")

    def user(username: str, full_name: str, organisation: Organisation, role: str, title: str) -> None:
        if User.objects.filter(username=username).exists():
            return
        with transaction.atomic():
            created = actions.user_create(by=SYSTEM, username=username, email=f"{username}@example.org",
                                          full_name=full_name, organisation=organisation, role=role, title=title,
                                          language="az", password=password, send_invitation=False)
            TOTPDevice.objects.create(user=created, name="Körpü", confirmed=True)

    police2 = org(*EXTRA_POLICE[:2], Organisation.Type.LAW_ENFORCEMENT, EXTRA_POLICE[2], "bench-police2")
    user("bench_polis3", "Bench Müstəntiq", police2, Role.POLICE_INVESTIGATOR, "Müstəntiq")
    ngo3 = Organisation.objects.get(short_name="Gələcək Naminə")
    user("bench_siginacaq3", "Bench Sığınacaq 3", ngo3, Role.SHELTER_MANAGER, "Sığınacaq müdiri")
    for i, (name, short, city) in enumerate(EXTRA_NGOS, start=4):
        ngo = org(name, short, Organisation.Type.NGO, city, f"bench-ngo{i}")
        user(f"bench_qht{i}", f"Bench Sosial İşçi {i}", ngo, Role.NGO_CASE_WORKER, "Sosial işçi")
        user(f"bench_siginacaq{i}", f"Bench Sığınacaq {i}", ngo, Role.SHELTER_MANAGER, "Sığınacaq müdiri")
    console.print(f"organisations: {Organisation.objects.filter(org_type='NGO').count()} NGOs, "
                  f"{Organisation.objects.filter(org_type='LawEnforcement').count()} police bodies; "
                  f"users: {User.objects.count()}")


def ensure_facilities(console) -> None:  # type: ignore[no-untyped-def]
    from korpu.accounts.models import Organisation
    from korpu.core.access import SYSTEM
    from korpu.shelters import actions as shelter_actions
    from korpu.shelters.models import Facility

    for short, name, region, capacities in FACILITIES:
        if Facility.objects.filter(name=name).exists():
            continue
        operator = Organisation.objects.get(short_name=short)
        shelter_actions.facility_create(by=SYSTEM, operator=operator, name=name, region=region,
                                        address=f"{region}, (məxfi ünvan)", capacities=capacities)
    console.print(f"facilities: {Facility.objects.count()}")


_worker_queue = None


def _worker_init(database: str, server: str, queue) -> None:  # type: ignore[no-untyped-def]
    global _worker_queue
    _worker_queue = queue
    _common.setup_django(database, server)
    from django.db import connection

    with connection.cursor() as cursor:  # a bulk load: durability of each batch's commit is not needed
        cursor.execute("SET synchronous_commit TO off")


def _worker_chunk(size: int, seed: int, batch: int) -> int:
    from korpu.cases import synthetic

    return synthetic.generate(persons=size, seed=seed, batch=batch, progress=_worker_queue.put)  # type: ignore[union-attr]


def generate(console, *, target: int, batch: int, seed: int, workers: int, database: str,  # type: ignore[no-untyped-def]
             server: str) -> dict[str, float]:
    """Generate the missing persons in chunks, on ``workers`` processes (PostgreSQL works while Python builds)."""
    import multiprocessing as mp
    import queue as queue_module
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connections
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from korpu.cases.models import Case

    have = Case.objects.count()
    missing = max(target - have, 0)
    console.print(f"cases: {have:,} present, target {target:,}: generating {missing:,} "
                  f"(batch {batch:,}, {workers} worker{'s' if workers > 1 else ''})")
    if not missing:
        return {"generated": 0, "seconds": 0.0, "per_second": 0.0}
    connections.close_all()

    class Rate(ProgressColumn):
        def render(self, task):  # type: ignore[no-untyped-def]
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f}/s" if speed else "…/s", style="cyan")

    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TaskProgressColumn(), Rate(), TimeElapsedColumn(), TextColumn("ETA"),
                        TimeRemainingColumn(), console=console, refresh_per_second=2, speed_estimate_period=120)
    task = progress.add_task("persons + cases", total=missing)
    # Chunks of a few batches, each with a seed of its own (offset by what is already there, so a
    # resumed run does not replay the same names and case numbers).
    chunk = batch * 4
    chunks = [(min(chunk, missing - offset), seed + have + offset) for offset in range(0, missing, chunk)]
    started = time.perf_counter()
    done = 0
    logged = 0
    ctx = mp.get_context("spawn")
    queue = ctx.Manager().Queue()
    with progress, ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                       initargs=(database, server, queue)) as pool:
        futures = [pool.submit(_worker_chunk, size, chunk_seed, batch) for size, chunk_seed in chunks]
        while done < missing:
            try:
                n = queue.get(timeout=5)
            except queue_module.Empty:
                n = 0
            if not n:
                for f in futures:
                    if f.done() and f.exception() is not None:
                        f.result()  # re-raises the worker's error
                continue
            done += n
            progress.advance(task, n)
            if not console.is_terminal and done - logged >= 50_000:  # plain log lines under nohup
                logged = done
                elapsed = time.perf_counter() - started
                console.print(f"  {have + done:,}/{target:,}  {done / elapsed:,.0f}/s  elapsed {elapsed:,.0f}s")
        for f in futures:
            f.result()
    seconds = time.perf_counter() - started
    console.print(f"generated {missing:,} in {seconds:,.1f}s = {missing / seconds:,.0f} persons/s")
    return {"generated": missing, "seconds": round(seconds, 1), "per_second": round(missing / seconds, 1),
            "workers": workers}


def ensure_admissions(console, *, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Past stays for cases referred to shelter NGOs, and open admissions filling most beds."""
    from django.db import transaction
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from korpu.accounts.models import User
    from korpu.cases.models import Referral
    from korpu.shelters.models import Admission, Capacity

    rng = random.Random(seed)
    today = timezone.localdate()
    capacities: dict[int, list[Capacity]] = {}
    for cap in Capacity.objects.select_related("facility"):
        capacities.setdefault(cap.facility.operator_id, []).append(cap)
    managers = {m.organisation_id: m.user for u in User.objects.filter(memberships__role="shelter_manager")
                for m in u.active_memberships() if m.role == "shelter_manager"}

    def pick(operator: int, gender: str, age: int | None) -> Capacity:
        caps = capacities[operator]
        wanted = "children" if age is not None and age < 18 else ("men" if gender == "Masculine" else "women")
        fitting = [c for c in caps if c.category == wanted] or \
                  [c for c in caps if c.category == "mother_children" and wanted == "women"] or caps
        return rng.choice(fitting)

    referrals = (Referral.objects.filter(to_organisation_id__in=list(capacities),
                                         status__in=[Referral.Status.ACCEPTED, Referral.Status.COMPLETED])
                 .filter(~Exists(Admission.objects.filter(case=OuterRef("case_id"))))
                 .values_list("case_id", "to_organisation_id", "created_at", "case__person__gender",
                              "case__person__age_at_identification", "case__status"))
    made = 0
    rows: list[Admission] = []
    for case_id, operator, created, gender, age, status in referrals.iterator(chunk_size=20_000):
        if status == "Active" or rng.random() >= 0.5:
            continue  # active cases get open admissions below; about half the others stayed in a shelter
        admitted = (created + dt.timedelta(days=1)).date()
        discharged = min(admitted + dt.timedelta(days=rng.randint(20, 150)), today)
        cap = pick(operator, gender, age)
        by = managers.get(operator)
        rows.append(Admission(facility_id=cap.facility_id, capacity=cap, case_id=case_id, admitted_on=admitted,
                              discharged_on=discharged, admitted_by=by, discharged_by=by,
                              created_at=created + dt.timedelta(days=1)))
        if len(rows) >= 10_000:
            Admission.objects.bulk_create(rows)
            made += len(rows)
            rows = []
    Admission.objects.bulk_create(rows)
    made += len(rows)
    # Open admissions: 60-90 % of each capacity's beds, from active cases referred to the operator.
    opened = 0
    with transaction.atomic():
        for operator, caps in capacities.items():
            candidates = list(Referral.objects.filter(to_organisation_id=operator, status=Referral.Status.ACCEPTED,
                                                      case__status="Active")
                              .filter(~Exists(Admission.objects.filter(case=OuterRef("case_id"))))
                              .values_list("case_id", "created_at")[:500])
            rng.shuffle(candidates)
            for cap in caps:
                occupied = Admission.objects.filter(capacity=cap, discharged_on__isnull=True).count()
                wanted = int(cap.beds * rng.uniform(0.6, 0.9)) - occupied
                for _ in range(max(wanted, 0)):
                    if not candidates:
                        break
                    case_id, created = candidates.pop()
                    by = managers.get(operator)
                    Admission.objects.create(facility_id=cap.facility_id, capacity=cap, case_id=case_id,
                                             admitted_on=(created + dt.timedelta(days=1)).date(), admitted_by=by,
                                             created_at=created + dt.timedelta(days=1))
                    opened += 1
    console.print(f"admissions: {made:,} past stays and {opened} open admissions added "
                  f"(total {Admission.objects.count():,}, open {Admission.objects.filter(discharged_on=None).count()})")


def analyze(console) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    console.print(f"VACUUM ANALYZE done in {time.perf_counter() - started:,.1f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, required=True, help="target total of synthetic persons/cases")
    parser.add_argument("--database", default=_common.DEFAULT_DATABASE, help="PostgreSQL database name")
    parser.add_argument("--server", default=_common.DEFAULT_SERVER, help="postgres://user@host:port")
    parser.add_argument("--batch", type=int, default=5000, help="persons per transaction (default 5000)")
    parser.add_argument("--workers", type=int, default=2, help="generator processes (default 2)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--skip-admissions", action="store_true")
    args = parser.parse_args()

    console = _console()
    if _common.ensure_database(args.database, args.server):
        console.print(f"created database {args.database}")
    _common.setup_django(args.database, args.server)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    ensure_cast(console)
    ensure_facilities(console)
    timing = generate(console, target=args.persons, batch=args.batch, seed=args.seed, workers=args.workers,
                      database=args.database, server=args.server)
    if not args.skip_admissions:
        ensure_admissions(console, seed=args.seed)
    analyze(console)
    from korpu.cases.models import Case

    total = Case.objects.count()
    _common.RESULTS_DIR.mkdir(exist_ok=True)
    if timing["generated"]:
        out = _common.RESULTS_DIR / f"generation-{total}.json"
        out.write_text(json.dumps({"date": dt.date.today().isoformat(), "database": args.database, "total": total,
                                   "batch": args.batch, **timing}, indent=2) + "\n")
    console.print(f"[bold]ready[/bold]: {total:,} cases in {args.database} "
                  f"({time.perf_counter() - started:,.0f}s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
