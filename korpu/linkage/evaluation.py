"""Evaluate the production matcher on a labelled CSV, without Django or a database (ADR 0026).

The file (UTF-8, a byte-order mark tolerated) has the header exactly::

    record_id,cluster_id,given_name,surname,patronymic,birth_date,sex,citizenship,document_number

``cluster_id`` is the truth: records with one cluster id are one person. :func:`evaluate` runs
:func:`korpu.linkage.matching.link` and counts pairwise metrics: a pair is predicted to be one person when
both records are in one predicted cluster.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from korpu.linkage.matching import LinkResult, Record, link

HEADER = ["record_id", "cluster_id", "given_name", "surname", "patronymic", "birth_date", "sex", "citizenship",
          "document_number"]


class EvaluationError(Exception):
    """The labelled file cannot be read; the message names the line."""


@dataclass(frozen=True)
class Labelled:
    records: list[Record]
    clusters: list[str]  # the true cluster id of each record, by index


@dataclass(frozen=True)
class Metrics:
    precision: float
    recall: float
    f1: float
    predicted_pairs: int
    true_pairs: int
    true_positive_pairs: int

    def line(self, seconds: float) -> str:
        """The result line other tools parse: ``precision=P recall=R f1=F pairs=N seconds=S``."""
        return (f"precision={self.precision:.4f} recall={self.recall:.4f} f1={self.f1:.4f} "
                f"pairs={self.predicted_pairs} seconds={seconds:.2f}")


@lru_cache(maxsize=1 << 16)
def _check_date(text: str) -> bool:
    import datetime as dt

    parts = text.split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() and p.isascii() for p in parts):
        return False
    if len(parts[0]) != 4 or any(len(p) != 2 for p in parts[1:]):
        return False
    try:
        dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def read_labelled(path: str | Path) -> Labelled:
    """The records and true clusters of a labelled CSV; :class:`EvaluationError` names the first bad line."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            return _read(csv.reader(handle), str(path))
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot be read: {exc.strerror}") from None


def _read(reader: Any, path: str) -> Labelled:
    records: list[Record] = []
    clusters: list[str] = []
    seen: set[str] = set()
    try:
        header = next(reader, None)
        if header != HEADER:
            raise EvaluationError(f"{path}, line 1: the header must be exactly {','.join(HEADER)}")
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) != len(HEADER):
                raise EvaluationError(f"{path}, line {line}: {len(row)} fields, expected {len(HEADER)}")
            record_id, cluster_id, given, surname, patronymic, birth, sex, citizenship, document = (
                value.strip() for value in row)
            if not record_id or not cluster_id:
                raise EvaluationError(f"{path}, line {line}: record_id and cluster_id are required")
            if record_id in seen:
                raise EvaluationError(f"{path}, line {line}: duplicate record_id {record_id!r}")
            seen.add(record_id)
            if birth and not _check_date(birth):
                raise EvaluationError(f"{path}, line {line}: birth_date {birth!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
            if sex not in ("", "F", "M"):
                raise EvaluationError(f"{path}, line {line}: sex {sex!r} must be F, M or blank")
            records.append(Record(id=record_id, given_name=given, surname=surname, patronymic=patronymic,
                                  birth_date=birth, sex=sex, citizenship=citizenship.upper(),
                                  document_number=document))
            clusters.append(cluster_id)
    except UnicodeDecodeError:
        raise EvaluationError(f"{path}, line {reader.line_num + 1}: not UTF-8") from None
    except csv.Error as exc:
        raise EvaluationError(f"{path}, line {reader.line_num}: {exc}") from None
    return Labelled(records=records, clusters=clusters)


def _pairs(counts: Iterable[int]) -> int:
    return sum(c * (c - 1) // 2 for c in counts)


def pairwise_metrics(truth: Sequence[str], predicted: Sequence[int]) -> Metrics:
    """Pairwise precision, recall and F1 of predicted cluster labels against true ones (0 when undefined)."""
    true_pairs = _pairs(Counter(truth).values())
    predicted_pairs = _pairs(Counter(predicted).values())
    tp = _pairs(Counter(zip(truth, predicted, strict=True)).values())
    precision = tp / predicted_pairs if predicted_pairs else 0.0
    recall = tp / true_pairs if true_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Metrics(precision=precision, recall=recall, f1=f1, predicted_pairs=predicted_pairs,
                   true_pairs=true_pairs, true_positive_pairs=tp)


@dataclass(frozen=True)
class Evaluation:
    records: int
    metrics: Metrics
    compared: int
    seconds: float

    def summary(self) -> list[str]:
        m = self.metrics
        return [f"records={self.records} true_pairs={m.true_pairs} compared={self.compared} "
                f"true_positive_pairs={m.true_positive_pairs}",
                m.line(self.seconds)]


def score(labelled: Labelled, result: LinkResult) -> Metrics:
    """Pairwise metrics of a linkage result against the file's cluster ids."""
    label = [0] * len(labelled.records)
    for number, cluster in enumerate(result.clusters):
        for index in cluster:
            label[index] = number
    return pairwise_metrics(labelled.clusters, label)


def evaluate(path: str | Path, *, progress: Callable[[int], None] | None = None) -> Evaluation:
    """Read, link with the production matcher, and score; seconds cover reading and linking."""
    started = time.perf_counter()
    labelled = read_labelled(path)
    result = link(labelled.records, progress=progress)
    seconds = time.perf_counter() - started
    return Evaluation(records=len(labelled.records), metrics=score(labelled, result), compared=result.compared,
                      seconds=seconds)


# The field each reason code compares, for calibrate(): m and u are shares among pairs where it is known.
_FIELD_OF = {"names": "names", "given": "given", "surname": "surname", "patronymic": "patronymic", "birth": "birth",
             "sex": "sex", "citizenship": "citizenship", "document": "document"}


def _field(code: str) -> str:
    return _FIELD_OF[code.split("_", 1)[0]]


def calibrate(labelled: Labelled, *, random_pairs: int = 200_000, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Estimate ``m`` and ``u`` of every comparison level from a labelled file (for ``matching.M_U``).

    ``m``: the share of each level among the true pairs where its field is known on both sides; ``u``: the
    same among random pairs of different people. Given name and surname swapped count against both fields.
    Surname levels are also counted apart for pairs with a woman (``surname_differs_female``: a married
    surname) and without (``surname_differs_male``).
    """
    import random

    from korpu.linkage.matching import Prepared, _weigh

    prepared = [Prepared(record) for record in labelled.records]
    members: dict[str, list[int]] = {}
    for index, cluster in enumerate(labelled.clusters):
        members.setdefault(cluster, []).append(index)
    true_pairs = [(i, j) for group in members.values() for k, i in enumerate(group) for j in group[k + 1:]]
    rng = random.Random(seed)  # noqa: S311 - sampling pairs, not secrets
    n = len(prepared)
    other_pairs: list[tuple[int, int]] = []
    while n > 1 and len(other_pairs) < random_pairs:
        i, j = rng.randrange(n), rng.randrange(n)
        if labelled.clusters[i] != labelled.clusters[j]:
            other_pairs.append((i, j))

    def shares(pairs: list[tuple[int, int]]) -> dict[str, float]:
        counts: Counter[str] = Counter()
        known: Counter[str] = Counter()
        for i, j in pairs:
            a, b = prepared[i], prepared[j]
            reasons: list[str] = []
            _weigh(a, b, reasons)
            fields = {_field(code) for code in reasons if code != "birth_date_missing"}
            if "names" in fields:
                fields |= {"given", "surname"}
            for field in fields:
                known[field] += 1
            for code in reasons:
                counts[code] += 1
                if code == "names_swapped":
                    counts["given_swapped"] += 1
                if code.startswith("surname_"):
                    sex = "female" if a.female or b.female else "male"
                    known["surname_" + sex] += 1
                    counts[f"{code}_{sex}"] += 1
        out = {}
        for code, count in counts.items():
            field = "surname_female" if code.endswith("_female") else "surname_male" if code.endswith("_male") \
                else "given" if code == "given_swapped" else _field(code)
            if code != "birth_date_missing":
                out[code] = count / known[field]
        return out

    m, u = shares(true_pairs), shares(other_pairs)
    return {code: (m.get(code, 0.0), u.get(code, 0.0)) for code in sorted(set(m) | set(u))}
