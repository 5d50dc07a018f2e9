"""Pairwise linkage metrics, the same for every system.

A pair of records is predicted to be the same person when both are in one predicted cluster, and
is truly the same person when both have one ``cluster_id`` in the file. Counted without listing
pairs: a group of ``c`` records holds ``c(c-1)/2`` pairs, and the true positives are the pairs
inside each (true cluster, predicted cluster) cell.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from pathlib import Path


def read_truth(path: str | Path) -> dict[int, str]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return {int(row["record_id"]): row["cluster_id"] for row in csv.DictReader(fh)}


def _pairs(counts: Counter) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def pairwise_metrics(truth: Mapping[int, object], predicted: Mapping[int, object]) -> dict[str, float | int]:
    """Precision, recall and F1 over record pairs; a record missing from ``predicted`` is a singleton."""
    true_pairs = _pairs(Counter(truth.values()))
    pred_labels = {rid: predicted.get(rid, ("singleton", rid)) for rid in truth}
    predicted_pairs = _pairs(Counter(pred_labels.values()))
    tp = _pairs(Counter((truth[rid], pred_labels[rid]) for rid in truth))
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "true_pairs": true_pairs, "predicted_pairs": predicted_pairs, "true_positive_pairs": tp,
            "records": len(truth), "predicted_clusters": len(Counter(pred_labels.values()))}
