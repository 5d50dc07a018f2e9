#!/usr/bin/env python
"""Splink 5 (DuckDB) on a registry written by ``generate.py``: the baseline beside Körpü's matcher.

    python benchmarks/linkage/splink_baseline.py /tmp/linkage-20k.csv [--threshold 0.9]

``run_splink(path)`` returns ``(clusters, seconds)``: ``clusters`` maps each ``record_id`` to a cluster
label, ``seconds`` is the wall time from opening the CSV to the clusters (preprocessing included).
Splink is not a dependency of ``korpu``: ``pip install -r benchmarks/linkage/requirements.txt``.

The configuration follows Splink's documentation (the "deduplicate 50k" example and the topic
guides on data preparation, blocking and training), not a straw man:

* **Preparation** (timed): names are folded to ASCII — ``ə`` → ``a`` first (``unidecode`` would
  give ``@``; anyone looking at the folded data makes this one fix), then ``unidecode`` (Cyrillic
  → Latin), lower case, letters and spaces only. The patronymic keeps only the father's name: the
  words oğlu/qızı/оглы/кызы (folded) and the endings -ovich/-evich/-ovna/-evna are removed.
  ``birth_year`` (first four characters of the date) is derived for blocking; the date itself stays
  a string, because partial dates (``YYYY``, ``YYYY-MM``) are common and would be NULL as dates.
  Empty strings become NULL.
* **Comparisons**: ``NameComparison`` on given name, surname (term-frequency adjusted exact
  levels, Jaro-Winkler 0.92/0.88/0.7) and the patronymic's father's name; a custom date comparison
  (exact full date, Levenshtein 1 on full dates, day and month swapped, same year-month, same year,
  years one apart, else); ``ExactMatch`` on sex and on citizenship; ``LevenshteinAtThresholds``
  (1, 2) on the document number.
* **Blocking for predictions** (checked with the coverage of true pairs and the pair counts, as the
  blocking guide asks): (surname, birth year), (given name, birth date), (document number), (given
  name, surname) when the dates do not contradict (one missing or partial, or years ≤ 1 apart), the
  full birth date alone, (first 3 letters of surname, birth year, first 2 of given name), and given
  name ↔ surname swapped.
* **Training**: λ from deterministic rules (given name + surname + birth date; document number;
  recall 0.5), u by random sampling (``max_pairs`` 5·10⁶, seed 1), m by EM on two blocking rules
  (given name + surname; full birth date; at most 10⁷ pairs each), as the tutorial does.
* **Prediction** above match probability 0.5, connected components at ``--threshold`` (0.6 by
  default: tuned once on the 20 000-identity file with ``--tune``, see the README).
* ``--train FILE``: the supervised variant: m and u from the labelled file (``train_from_labels``),
  outside the timed seconds; λ still estimated on the file.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

FIELDS = ["given_name", "surname", "patronymic", "birth_date", "sex", "citizenship", "document_number"]
DEFAULT_THRESHOLD = 0.6  # tuned once on the 20 000-identity file (F1 0.80 at 0.6–0.7, 0.77 at 0.9)
EM_MAX_PAIRS = 1e7
PREDICT_THRESHOLD = 0.5
_NON_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r" +")
_PATRONYMIC_WORDS = {"oglu", "ogly", "oghlu", "ogli", "qizi", "kyzy", "gizi", "kizi", "qyzy"}
_PATRONYMIC_ENDINGS = ("ovich", "evich", "ovna", "evna")


def fold(value: str) -> str | None:
    """ASCII-fold a name: ə → a, unidecode, lower case, letters and single spaces only."""
    from unidecode import unidecode

    if not value:
        return None
    s = unidecode(value.replace("ə", "a").replace("Ə", "A").replace("ә", "a").replace("Ә", "A")).lower()
    s = _SPACES.sub(" ", _NON_LETTERS.sub("", s)).strip()
    return s or None


def father_name(patronymic: str) -> str | None:
    s = fold(patronymic)
    if s is None:
        return None
    words = [w for w in s.split(" ") if w not in _PATRONYMIC_WORDS]
    if len(words) == 1:
        for ending in _PATRONYMIC_ENDINGS:
            if words[0].endswith(ending) and len(words[0]) > len(ending) + 1:
                words[0] = words[0][: -len(ending)]
                break
    return " ".join(words) or None


def prepare(path: Path, labels: bool = False) -> dict[str, list]:
    """Read the CSV and return columns for Splink (a pyarrow-ready dict); ``labels`` keeps ``cluster_id``."""
    cols: dict[str, list] = {k: [] for k in ["unique_id", "given_name", "surname", "patronymic", "birth_date",
                                             "birth_year", "sex", "citizenship", "document_number"]}
    if labels:
        cols["cluster_id"] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if labels:
                cols["cluster_id"].append(row["cluster_id"])
            cols["unique_id"].append(int(row["record_id"]))
            cols["given_name"].append(fold(row["given_name"]))
            cols["surname"].append(fold(row["surname"]))
            cols["patronymic"].append(father_name(row["patronymic"]))
            date = row["birth_date"] or None
            cols["birth_date"].append(date)
            cols["birth_year"].append(date[:4] if date else None)
            cols["sex"].append(row["sex"] or None)
            cols["citizenship"].append(row["citizenship"] or None)
            cols["document_number"].append(row["document_number"].upper() or None)
    return cols


FULL_DATE_RULE = "l.birth_date = r.birth_date AND length(l.birth_date) = 10"
COMPATIBLE_YEARS = ("l.birth_date IS NULL OR r.birth_date IS NULL OR length(l.birth_date) < 10 "
                    "OR length(r.birth_date) < 10 OR abs(try_cast(l.birth_year AS INTEGER) "
                    "- try_cast(r.birth_year AS INTEGER)) <= 1")


def settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    full = "length(birth_date_l) = 10 AND length(birth_date_r) = 10"
    date = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.CustomLevel(f"birth_date_l = birth_date_r AND {full}", "exact full date"),
            cll.CustomLevel(f"levenshtein(birth_date_l, birth_date_r) <= 1 AND {full}", "full dates, one digit"),
            cll.CustomLevel(f"{full} AND substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) "
                            "AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) "
                            "AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)", "day and month swapped"),
            cll.CustomLevel("length(birth_date_l) >= 7 AND length(birth_date_r) >= 7 "
                            "AND substr(birth_date_l, 1, 7) = substr(birth_date_r, 1, 7)", "same year-month"),
            cll.CustomLevel("substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)", "same year"),
            cll.CustomLevel("abs(try_cast(substr(birth_date_l, 1, 4) AS INTEGER) "
                            "- try_cast(substr(birth_date_r, 1, 4) AS INTEGER)) = 1", "years one apart"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.NameComparison("patronymic"),
            date,
            cl.ExactMatch("sex"),
            cl.ExactMatch("citizenship"),
            cl.LevenshteinAtThresholds("document_number", [1, 2]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname", "birth_year"),
            block_on("given_name", "birth_date"),
            block_on("document_number"),
            # Same names, dates compatible (one missing or partial, or years at most one apart): the
            # bare (given name, surname) rule would score 100 million pairs at 1M records.
            f"l.given_name = r.given_name AND l.surname = r.surname AND ({COMPATIBLE_YEARS})",
            FULL_DATE_RULE,
            block_on("substr(surname, 1, 3)", "birth_year", "substr(given_name, 1, 2)"),
            "l.given_name = r.surname AND l.surname = r.given_name",
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def train_from_labels(train_csv: str | Path) -> dict:
    """The supervised variant's model: u by random sampling and m from ``cluster_id`` on a labelled file.

    The same courtesy Körpü's matcher had (its m/u were calibrated on a labelled file of this generator,
    seed 1, 20 000 identities): run once, offline, not part of the timed seconds. Returns the model dict
    (``linker.misc.save_model_to_json``) that ``run_splink(model=...)`` loads.
    """
    import logging

    import duckdb
    import pyarrow as pa
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    sdf = DuckDBAPI(connection=con).register(pa.table(prepare(Path(train_csv), labels=True)), table_name="train")
    linker = Linker(sdf, settings(), log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    linker.training.estimate_m_from_label_column("cluster_id")
    model = linker.misc.save_model_to_json()
    con.close()
    return model


def run_splink(path: str | Path, threshold: float = DEFAULT_THRESHOLD, verbose: bool = False,
               stats: dict | None = None, tune: list[float] | None = None,
               model: dict | None = None) -> tuple[dict[int, int], float]:
    """Cluster the registry at ``path`` with Splink 5 on DuckDB: ``({record_id: cluster}, seconds)``.

    Unsupervised (u by sampling, m by EM on this file) unless ``model`` (from :func:`train_from_labels`)
    gives m and u; λ is estimated on this file either way (it depends on the registry's size).
    """
    import copy
    import logging

    import duckdb
    import pyarrow as pa
    from splink import DuckDBAPI, Linker, block_on

    started = time.perf_counter()
    if not verbose:
        logging.getLogger("splink").setLevel(logging.ERROR)
    cols = prepare(Path(path))
    table = pa.table(cols)
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(table, table_name="registry")
    linker = Linker(sdf, copy.deepcopy(model) if model else settings(),
                    log_level=logging.INFO if verbose else logging.ERROR)

    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "birth_date"), block_on("document_number")], recall=0.5)
    if model is None:
        linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"),
                                                                           max_pairs=EM_MAX_PAIRS)
        linker.training.estimate_parameters_using_expectation_maximisation(FULL_DATE_RULE, max_pairs=EM_MAX_PAIRS)

    predictions = linker.inference.predict(threshold_match_probability=PREDICT_THRESHOLD)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold)
    rows = clustered.as_duckdbpyrelation().select("unique_id, cluster_id").fetchall()
    labels: dict[str, int] = {}
    clusters = {int(uid): labels.setdefault(str(cid), len(labels)) for uid, cid in rows}
    seconds = time.perf_counter() - started
    if stats is not None and tune:  # after the clock: the clusters at other thresholds, for tuning
        stats["tune"] = {}
        for t in tune:
            other = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions,
                                                                               threshold_match_probability=t)
            stats["tune"][t] = {int(u): str(c) for u, c in
                                other.as_duckdbpyrelation().select("unique_id, cluster_id").fetchall()}
    if stats is not None:
        stats["pairs_scored_above_0.5"] = predictions.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0]
        stats["lambda"] = linker._settings_obj._probability_two_random_records_match
    con.close()
    return clusters, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--tune", action="store_true", help="also print the metrics at thresholds 0.5–0.99")
    parser.add_argument("--train", type=Path, default=None,
                        help="supervised variant: m and u from this labelled file (e.g. seed 1, 20 000 identities)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from metrics import pairwise_metrics, read_truth

    stats: dict = {}
    tune = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99] if args.tune else None
    model = train_from_labels(args.train) if args.train else None
    clusters, seconds = run_splink(args.csv, args.threshold, args.verbose, stats, tune, model)
    truth = read_truth(args.csv)
    for t, other in stats.get("tune", {}).items():
        m = pairwise_metrics(truth, other)
        print(f"  threshold {t}: precision {m['precision']:.4f} recall {m['recall']:.4f} f1 {m['f1']:.4f}")
    m = pairwise_metrics(truth, clusters)
    print(f"splink: {len(clusters)} records, precision {m['precision']:.4f} recall {m['recall']:.4f} "
          f"f1 {m['f1']:.4f}, {m['predicted_pairs']} predicted pairs, {seconds:.1f} s "
          f"({stats.get('pairs_scored_above_0.5')} pairs scored above 0.5, λ {stats.get('lambda'):.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
