#!/usr/bin/env python
"""``korpu linkage run`` over a whole PostgreSQL registry, beside Splink 5 on the same records.

    .venv/bin/python benchmarks/linkage/bench_run.py --database korpu_bench1m

1. The persons are exported, decrypted, into a CSV in the ``korpu linkage evaluate`` layout
   (``cluster_id`` = the person's id: the synthetic registry has no labelled duplicates), untimed.
   Splink gets plaintext; Körpü must decrypt — Splink is given the easier task.
2. **Körpü**: ``korpu linkage run`` as a subprocess, timed from start to exit: reading and
   decrypting every person, writing the blocking keys the persons lack (``--reindex`` deletes them
   all first, so every key is written), the batch linkage, and the link requests it files.
3. **Splink**: ``splink_baseline.run_splink`` on the CSV (DuckDB, configured as in
   ``splink_baseline.py``), timed from reading the CSV to the clusters.

Prints both times and the pairs each found; JSON in ``benchmarks/results/linkage-run-<persons>.json``.
The proposals of the run are deleted afterwards (``--keep`` keeps them).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

HEADER = ["record_id", "cluster_id", "given_name", "surname", "patronymic", "birth_date", "sex", "citizenship",
          "document_number"]


def export(path: Path) -> int:
    from korpu.cases.models import Person
    from korpu.core import crypto
    from korpu.linkage import queries

    count = 0
    last = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        while True:
            window = list(Person.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "data_key_id")[:5000])
            if not window:
                return count
            crypto.preload_data_keys([key for _pk, key in window])
            persons = list(Person.objects.filter(pk__gt=last, pk__lte=window[-1][0]).order_by("pk")
                           .only(*queries.RECORD_FIELDS))
            for person in persons:
                r = queries.record_of(person)
                writer.writerow([r.id, r.id, r.given_name, r.surname, r.patronymic, r.birth_date, r.sex,
                                 r.citizenship, r.document_number])
                count += 1
            last = persons[-1].pk
            crypto.clear_key_cache()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="korpu_bench1m")
    parser.add_argument("--csv", default="/tmp/korpu-registry-export.csv")
    parser.add_argument("--reindex", action="store_true", help="delete every blocking key first (all rewritten)")
    parser.add_argument("--keep", action="store_true", help="keep the link requests the run files")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--reuse-csv", action="store_true", help="keep an export already written")
    args = parser.parse_args()
    _common.setup_django(args.database)
    from django.db import connection

    from korpu.linkage.models import LinkRequest

    csv_path = Path(args.csv)
    started = time.perf_counter()
    persons = export(csv_path) if not (args.reuse_csv and csv_path.exists()) else sum(1 for _ in csv_path.open()) - 1
    print(f"exported {persons:,} persons in {time.perf_counter() - started:.1f} s (untimed)", flush=True)
    if args.reindex:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE linkage_blockingkey")
    before = LinkRequest.objects.count()
    connection.close()

    env = {**os.environ}
    korpu = str(Path(sys.executable).with_name("korpu"))
    started = time.perf_counter()
    run = subprocess.run([korpu, "linkage", "run"], env=env, capture_output=True, text=True, timeout=7200)
    korpu_seconds = time.perf_counter() - started
    if run.returncode != 0:
        print(run.stdout[-2000:], run.stderr[-4000:], file=sys.stderr)
        return 1
    summary = run.stdout.strip().splitlines()[-1]
    fields = dict(re.findall(r"(\w+)=([\d.]+)", summary))
    print(f"korpu linkage run: {korpu_seconds:.1f} s  ({summary})", flush=True)

    result = {"date": dt.date.today().isoformat(), "persons": persons, "database": "PostgreSQL",
              "python": platform.python_version(), "machine": platform.machine(), "cores": os.cpu_count(),
              "korpu": {"seconds": round(korpu_seconds, 1), "reindexed": args.reindex, **fields}}
    if not args.skip_splink:
        from splink_baseline import run_splink

        clusters, splink_seconds = run_splink(csv_path)
        sizes: dict[object, int] = {}
        for label in clusters.values():
            sizes[label] = sizes.get(label, 0) + 1
        splink_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
        print(f"Splink 5 (DuckDB):  {splink_seconds:.1f} s  (pairs in clusters {splink_pairs:,})", flush=True)
        result["splink"] = {"seconds": round(splink_seconds, 1), "pairs": splink_pairs}
        result["ratio"] = round(korpu_seconds / splink_seconds, 2)
    if not args.keep:
        LinkRequest.objects.filter(pk__gt=0).exclude(
            pk__in=LinkRequest.objects.order_by("pk").values("pk")[:before]).delete()
    out = _common.RESULTS_DIR / f"linkage-run-{persons}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
