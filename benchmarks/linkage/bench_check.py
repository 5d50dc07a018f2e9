#!/usr/bin/env python
"""The interactive duplicate check at registration, at scale on PostgreSQL, beside bare SQL.

    .venv/bin/python benchmarks/linkage/bench_check.py --database korpu_bench1m --probes 300

Each probe is a person of the database, read and decrypted once before timing, then changed the way
a second organisation would write her: unchanged, a typo in the surname, day and month of birth
swapped, given name and surname swapped, or no birth date (the document number kept). For each probe:

* **check**: ``korpu.linkage.queries.find_matches(user, record)`` as the registration page, the API
  and the import call it: the blocking keys' HMACs, the candidate query, decryption of up to 40
  candidates, scoring with reasons, the visibility of their cases for the user, and the audit event;
* **bare SQL**: the same candidate query and the same candidates' encrypted columns through a
  psycopg cursor on its own connection (no HMAC, no decryption, no scoring, no audit): the floor.

``found`` is the share of probes whose source person is among the candidates scored as possible.
Results: a line per measure and JSON in ``benchmarks/results/linkage-check-<persons>[-label].json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

CANDIDATES_SQL = """SELECT person_id FROM linkage_blockingkey WHERE key = ANY(%s)
 GROUP BY person_id ORDER BY count(*) DESC, person_id DESC LIMIT 40"""
PERSONS_SQL = """SELECT id, data_key_id, given_name, family_name, patronymic, birth_date, document_number, gender,
       citizenships FROM cases_person WHERE id = ANY(%s)"""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "p95": round(_pct(values, 0.95), 2),
            "max": round(max(values), 2), "n": len(values)}


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _variant(record: Any, kind: str, rng: random.Random) -> Any:
    if kind == "typo":
        return replace(record, surname=_typo(record.surname, rng))
    if kind == "day_month" and len(record.birth_date) == 10:
        y, m, d = record.birth_date.split("-")
        if int(d) <= 12:
            return replace(record, birth_date=f"{y}-{d}-{m}")
    if kind == "swapped":
        return replace(record, given_name=record.surname, surname=record.given_name)
    if kind == "no_birth_date":
        return replace(record, birth_date="")
    return record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="korpu_bench1m")
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--user", default="qht1")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    _common.setup_django(args.database)

    import psycopg
    from django.db import connection

    from korpu.accounts.models import User
    from korpu.cases.models import Person
    from korpu.core import crypto
    from korpu.linkage import queries

    rng = random.Random(args.seed)
    user = User.objects.get(username=args.user)
    persons = Person.objects.count()
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    kinds = ["same", "typo", "day_month", "swapped", "no_birth_date"]
    probes: list[tuple[int, Any, str]] = []
    while len(probes) < args.probes:
        person = Person.objects.filter(pk__gte=rng.randint(1, top)).order_by("pk").first()
        if person is None or person.given_name is None:
            continue
        kind = kinds[len(probes) % len(kinds)]
        probes.append((person.pk, _variant(queries.record_of(person), kind, rng), kind))
    crypto.clear_key_cache()
    keys = [queries.hashed_keys(record) for _pk, record, _k in probes]

    # Warm up both paths (connections, caches, plans).
    for _pk, record, _kind in probes[:10]:
        queries.find_matches(user, record)
    sql_ms: list[float] = []
    check_ms: list[float] = []
    found = 0
    with psycopg.connect(_common.database_url(args.database)) as conn:
        for key_list in keys[:10]:
            ids = [r[0] for r in conn.execute(CANDIDATES_SQL, [key_list]).fetchall()]
            conn.execute(PERSONS_SQL, [ids]).fetchall()
        for (pk, record, _kind), key_list in zip(probes, keys, strict=True):
            started = time.perf_counter()
            ids = [r[0] for r in conn.execute(CANDIDATES_SQL, [key_list]).fetchall()]
            conn.execute(PERSONS_SQL, [ids]).fetchall()
            sql_ms.append((time.perf_counter() - started) * 1000)

            crypto.clear_key_cache()  # every registration is a new request: no data key is cached
            started = time.perf_counter()
            matches = queries.find_matches(user, record)
            check_ms.append((time.perf_counter() - started) * 1000)
            found += any(m.person_id == pk for m in matches)
    connection.close()
    result = {
        "date": dt.date.today().isoformat(), "persons": persons, "probes": len(probes),
        "database": "PostgreSQL", "python": platform.python_version(), "machine": platform.machine(),
        "check_ms": _summary(check_ms), "bare_sql_ms": _summary(sql_ms),
        "ratio_p95": round(_pct(check_ms, 0.95) / _pct(sql_ms, 0.95), 1), "found": round(found / len(probes), 3),
    }
    print(f"persons={persons:,} probes={len(probes)} found={result['found']:.3f}")
    print(f"  duplicate check  p50 {result['check_ms']['p50']:7.2f} ms  p95 {result['check_ms']['p95']:7.2f} ms")
    print(f"  bare SQL         p50 {result['bare_sql_ms']['p50']:7.2f} ms  p95 {result['bare_sql_ms']['p95']:7.2f} ms"
          f"  (ratio p95 {result['ratio_p95']})")
    out = Path(__file__).resolve().parents[1] / "results" / (
        f"linkage-check-{persons}{'-' + args.label if args.label else ''}.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
