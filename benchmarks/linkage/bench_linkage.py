#!/usr/bin/env python
"""Körpü's batch matcher beside Splink 5 on one labelled registry, in one run.

    python benchmarks/linkage/generate.py --identities 20000 --seed 20 --out /tmp/linkage-20k.csv
    python benchmarks/linkage/bench_linkage.py /tmp/linkage-20k.csv --label 20k

On the same file, one after the other:

* **Körpü**: ``korpu.linkage.matching.link(records)``, the production batch matcher, on
  ``Record(id, given_name, surname, patronymic, birth_date, sex, citizenship, document_number)``
  built from the CSV (blank fields as ""). Its clusters are lists of indexes into the input.
* **Splink 5** on DuckDB, configured as its documentation recommends (``splink_baseline.py``),
  unsupervised (``splink``: u by sampling, m by EM on the file itself);
* **Splink 5 with labels** (``splink_labels``): the same settings with m and u estimated from a
  labelled training file (``--train``, default ``/tmp/linkage-train-seed1.csv``: seed 1, 20 000
  identities — the file Körpü's weights were calibrated on), trained in the child before the clock
  starts, as Körpü's calibration was done offline; λ is still estimated on the file.

Both get the same pairwise metrics (``metrics.py``: a pair is predicted the same person when both
records are in one predicted cluster; the truth is ``cluster_id``). ``seconds`` is wall time from
opening the CSV to the clusters, for each system (Splink's includes its preprocessing and training).
Each system runs in a forked child of this process, so ``peak MB`` is that system's own maximum
resident set size (``os.wait4``); ``--in-process`` runs both here instead (no memory figure).

Until ``korpu.linkage.matching`` exists on this branch a labelled stand-in (exact match on folded
given name + surname + birth date) takes its place, to test the harness only: its rows say
``stand-in``, and its figures are never to be reported as Körpü's.

Results: a table on the terminal and ``benchmarks/results/linkage-<label>.json``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RESULTS = HERE.parent / "results"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from metrics import pairwise_metrics, read_truth  # noqa: E402

FIELDS = ["given_name", "surname", "patronymic", "birth_date", "sex", "citizenship", "document_number"]


# --- Körpü ------------------------------------------------------------------------------------------------
def run_korpu(path: Path) -> tuple[dict[int, int], float, dict[str, Any]]:
    """``korpu.linkage.matching.link`` on the file: ({record_id: cluster}, seconds, extra)."""
    started = time.perf_counter()
    try:
        from korpu.linkage.matching import Record, link
    except ImportError as e:
        if e.name not in ("korpu.linkage", "korpu.linkage.matching"):
            raise  # the module is there but broken: that is a failure, not a missing matcher
        return _stand_in(path, started)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    records = [Record(**{"id": row["record_id"], **{f: row[f] for f in FIELDS}}) for row in rows]
    result = link(records)
    clusters: dict[int, int] = {}
    for label, members in enumerate(result.clusters):
        for i in members:
            clusters[int(rows[i]["record_id"])] = label
    seconds = time.perf_counter() - started
    return clusters, seconds, {"system": "korpu", "compared": result.compared}


def _stand_in(path: Path, started: float) -> tuple[dict[int, int], float, dict[str, Any]]:
    """NOT Körpü: exact (folded given name, surname, birth date), to exercise the harness only."""
    from splink_baseline import fold

    labels: dict[tuple, int] = {}
    clusters: dict[int, int] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rid = int(row["record_id"])
            key = (fold(row["given_name"]), fold(row["surname"]), row["birth_date"])
            if None in key or not key[2]:
                key = ("singleton", rid)  # type: ignore[assignment]
            clusters[rid] = labels.setdefault(key, len(labels))
    return clusters, time.perf_counter() - started, {"system": "stand-in", "compared": None}


# --- Splink -----------------------------------------------------------------------------------------------
def run_splink_system(path: Path, threshold: float) -> tuple[dict[int, int], float, dict[str, Any]]:
    import duckdb
    import splink
    from splink_baseline import run_splink

    stats: dict[str, Any] = {}
    clusters, seconds = run_splink(path, threshold=threshold, stats=stats)
    return clusters, seconds, {"system": "splink", "threshold": threshold, "splink": splink.__version__,
                               "duckdb": duckdb.__version__, **stats}


def run_splink_labels(path: Path, threshold: float, train: Path) -> tuple[dict[int, int], float, dict[str, Any]]:
    """Splink with m and u from a labelled training file (trained here, outside the timed seconds)."""
    import duckdb
    import splink
    from splink_baseline import run_splink, train_from_labels

    if not train.exists():
        raise SystemExit(f"{train} is missing: python benchmarks/linkage/generate.py --identities 20000 --seed 1 "
                         f"--out {train}")
    started = time.perf_counter()
    model = train_from_labels(train)
    train_seconds = time.perf_counter() - started
    stats: dict[str, Any] = {}
    clusters, seconds = run_splink(path, threshold=threshold, stats=stats, model=model)
    return clusters, seconds, {"system": "splink_labels", "threshold": threshold, "splink": splink.__version__,
                               "duckdb": duckdb.__version__, "train_file": str(train),
                               "train_seconds": round(train_seconds, 2), **stats}


# --- running ----------------------------------------------------------------------------------------------
def evaluate(fn: Callable[[], tuple[dict[int, int], float, dict[str, Any]]], truth: dict[int, str]) -> dict[str, Any]:
    clusters, seconds, extra = fn()
    return {**extra, "seconds": round(seconds, 2), **pairwise_metrics(truth, clusters)}


def in_child(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``fn`` in a forked child; its result comes back as JSON, with the child's peak RSS."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            out = fn()
        except BaseException:  # report any failure to the parent rather than dying silently
            out = {"error": traceback.format_exc()}
        with os.fdopen(write_fd, "w") as fh:
            json.dump(out, fh, default=str)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        data = fh.read()
    _, status, usage = os.wait4(pid, 0)
    out = json.loads(data) if data else {"error": f"child exited with status {status}"}
    out["peak_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux: kilobytes
    return out


def file_summary(path: Path, truth: dict[int, str]) -> dict[str, Any]:
    from collections import Counter

    sizes = Counter(truth.values())
    return {"file": str(path), "records": len(truth), "identities": len(sizes),
            "true_pairs": sum(c * (c - 1) // 2 for c in sizes.values()), "bytes": path.stat().st_size}


def render(rows: list[dict[str, Any]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in ["system", "records", "precision", "recall", "f1", "predicted pairs", "true pairs", "seconds",
                "peak MB", "compared"]:
        table.add_column(col, justify="left" if col == "system" else "right")
    for r in rows:
        if "error" in r:
            table.add_row(r.get("system", "?"), "error", *[""] * 8)
            continue
        table.add_row(r["system"], f"{r['records']:,}", f"{r['precision']:.4f}", f"{r['recall']:.4f}",
                      f"{r['f1']:.4f}", f"{r['predicted_pairs']:,}", f"{r['true_pairs']:,}", f"{r['seconds']:.1f}",
                      f"{r['peak_mb']:.0f}" if r.get("peak_mb") is not None else "–",
                      f"{r['compared']:,}" if r.get("compared") is not None else
                      (f"{r['pairs_scored_above_0.5']:,} scored" if r.get("pairs_scored_above_0.5") else "–"))
    Console(width=160).print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--label", default="", help="results file suffix (default: the file name after linkage-)")
    parser.add_argument("--systems", default="korpu,splink,splink_labels",
                        help="comma-separated: korpu, splink (unsupervised), splink_labels (m, u from --train)")
    parser.add_argument("--train", type=Path, default=Path("/tmp/linkage-train-seed1.csv"),
                        help="labelled training file for splink_labels (generate.py --identities 20000 --seed 1)")
    parser.add_argument("--splink-threshold", type=float, default=None,
                        help="Splink's clustering threshold (default: splink_baseline.DEFAULT_THRESHOLD)")
    parser.add_argument("--in-process", action="store_true", help="no forked children (no peak memory)")
    parser.add_argument("--no-write", action="store_true", help="print only, write no results file")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other systems' rows of an existing results file for the same file "
                             "(e.g. Splink at 1M measured earlier, Körpü now); each row carries its own date")
    args = parser.parse_args()

    from splink_baseline import DEFAULT_THRESHOLD

    threshold = args.splink_threshold if args.splink_threshold is not None else DEFAULT_THRESHOLD
    truth = read_truth(args.csv)
    summary = file_summary(args.csv, truth)
    label = args.label or args.csv.stem.removeprefix("linkage-")
    systems = {"korpu": lambda: run_korpu(args.csv), "splink": lambda: run_splink_system(args.csv, threshold),
               "splink_labels": lambda: run_splink_labels(args.csv, threshold, args.train)}
    rows = []
    load_before = os.getloadavg()
    for name in args.systems.split(","):
        fn = systems[name]
        print(f"{name}: running on {summary['records']:,} records …", file=sys.stderr, flush=True)
        if args.in_process:
            r = evaluate(fn, truth)
            r["peak_mb"] = None
        else:
            r = in_child(lambda fn=fn: evaluate(fn, truth))
        r.setdefault("system", name)
        r["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        r["load_average_after"] = os.getloadavg()
        if "error" in r:
            print(r["error"], file=sys.stderr)
        rows.append(r)

    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO,
                          check=False).stdout.strip()
    meta = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "label": label, **summary,
            "git_head": head, "python": platform.python_version(), "cpus": os.cpu_count(),
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "mode": "in-process" if args.in_process else "forked child per system"}
    out = RESULTS / f"linkage-{label}.json"
    if args.merge and out.exists():
        old = json.loads(out.read_text(encoding="utf-8"))
        if old["meta"].get("records") != summary["records"] or old["meta"].get("true_pairs") != summary["true_pairs"]:
            raise SystemExit(f"{out} was measured on another file; not merging")
        ran = {r["system"] for r in rows} | ({"korpu", "stand-in"} if "korpu" in args.systems.split(",") else set())
        kept = [r for r in old["results"] if r.get("system") not in ran]
        if kept:
            rows = kept + rows
            meta["merged_with"] = old["meta"].get("date")
    title = (f"{summary['records']:,} records, {summary['identities']:,} identities, {summary['true_pairs']:,} "
             f"true pairs — load {load_before[0]:.1f}→{meta['load_average_after'][0]:.1f}")
    render(rows, title)
    if any(r.get("system") == "stand-in" for r in rows):
        print("NOTE: 'stand-in' is NOT Körpü's matcher (korpu.linkage.matching is missing): harness test only.",
              file=sys.stderr)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        out.write_text(json.dumps({"meta": meta, "results": rows}, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"results: {out.relative_to(REPO)}", file=sys.stderr)
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
