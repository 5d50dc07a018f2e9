"""Candidate pairs by blocking keys, Fellegi–Sunter scores with reasons, batch linkage (ADR 0026).

* :func:`prepare` folds a :class:`Record` once (names through :mod:`korpu.linkage.names`, the birth date
  into its parts); everything else takes a :class:`Record` or a :class:`Prepared`.
* :func:`blocking_keys` gives at most six ``(purpose, key text)`` pairs. Two records are candidates when
  they share one; the Django side stores keyed HMACs of the key texts and looks candidates up by equality.
* :func:`compare` scores a pair: each field's comparison level adds its match weight ``log2(m/u)`` from
  :data:`WEIGHTS`; the sum and :data:`PRIOR` give the posterior probability, with the reason codes that
  carry the score.
* :func:`link` blocks, scores and clusters a batch: pairs at :data:`MATCH` or above are merged by
  descending score, refusing a merge that would join records with a hard contradiction or grow a
  cluster past :data:`CLUSTER_CAP`.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import JaroWinkler, Levenshtein

from korpu.linkage.names import fold, fold_document, fold_given, fold_patronymic, fold_surname, skeleton


@dataclass(frozen=True, slots=True)
class Record:
    id: str  # opaque (a person pk as text, or the CSV record_id)
    given_name: str = ""
    surname: str = ""
    patronymic: str = ""
    birth_date: str = ""  # "YYYY-MM-DD", or partial "YYYY-MM" / "YYYY", or ""
    sex: str = ""  # "F", "M" or ""
    citizenship: str = ""  # ISO alpha-2 or ""
    document_number: str = ""


_SERIES_RE = re.compile(r"[A-Z]*")
_DATE_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


class Prepared:
    """A record folded once for blocking and comparison. Fields are empty strings / 0 when unknown."""

    __slots__ = ("citizenship", "citizenship_u", "day", "document", "document_series", "female", "given",
                 "given_as_surname", "given_sk", "given_u", "id", "month", "patronymic", "patronymic_sk",
                 "patronymic_u", "sex", "surname", "surname_sk", "surname_u", "year")

    def __init__(self, record: Record) -> None:
        self.id = record.id
        self.given = fold_given(record.given_name)
        self.surname = fold_surname(record.surname)
        self.patronymic = fold_patronymic(record.patronymic)
        self.given_sk = skeleton(self.given)
        self.surname_sk = skeleton(self.surname)
        self.patronymic_sk = skeleton(self.patronymic)
        # The given name as a surname would fold (for given name and surname swapped).
        self.given_as_surname = fold_surname(record.given_name)
        self.year, self.month, self.day = _date_parts(record.birth_date)
        sex = record.sex.strip().upper()
        self.sex = sex if sex in ("F", "M") else ""
        self.citizenship = record.citizenship.strip().upper()
        self.document = fold_document(record.document_number)
        self.document_series = _SERIES_RE.match(self.document)[0]  # type: ignore[index]  # always matches
        surname_fold = fold(record.surname)
        self.female = self.sex == "F" or (self.sex == "" and surname_fold.endswith(("ova", "ava", "ina", "ska")))
        # u of an exact agreement on this value: the table's average, or the value's frequency in a batch.
        self.given_u = WEIGHTS_U_EXACT["given"]
        self.surname_u = WEIGHTS_U_EXACT["surname"]
        self.patronymic_u = WEIGHTS_U_EXACT["patronymic"]
        self.citizenship_u = M_U["citizenship_same"][1]

    def __repr__(self) -> str:
        return (f"Prepared({self.id!r}, {self.given!r}, {self.surname!r}, {self.patronymic!r}, "
                f"{self.year}-{self.month}-{self.day}, {self.sex!r}, {self.citizenship!r}, {self.document!r})")


def _date_parts(text: str) -> tuple[int, int, int]:
    match = _DATE_RE.match(text)
    if not match:
        return 0, 0, 0
    year, month, day = (int(part) if part else 0 for part in match.groups())
    if not 1 <= month <= 12:
        month = day = 0
    if not 1 <= day <= 31:
        day = 0
    return year, month, day


def prepare(record: Record) -> Prepared:
    """Fold a record once; pass the result to :func:`blocking_keys` and :func:`compare` as often as needed."""
    return Prepared(record)


def _prepared(record: Record | Prepared) -> Prepared:
    return record if isinstance(record, Prepared) else Prepared(record)


# --- blocking ----------------------------------------------------------------------------------------------
BLOCKING_PURPOSES = ("linkage.surname_year", "linkage.given_dob", "linkage.surname_dob", "linkage.names",
                     "linkage.given_patronymic", "linkage.document")


def blocking_keys(record: Record | Prepared) -> list[tuple[str, str]]:
    """The ``(purpose, key text)`` pairs of a record (at most six); a true match is meant to share one.

    Names enter as skeletons (:func:`korpu.linkage.names.skeleton`), so spellings, scripts and vowel typos
    agree; a birth date enters with day and month in sorted order, so a day/month swap agrees.

    * ``linkage.surname_year``: surname, the given name's first letter class, birth year — a wrong day or
      month, a typo in the given name.
    * ``linkage.given_dob``: given name and full birth date — a married surname, a typo in the surname.
    * ``linkage.surname_dob``: surname, day and month, no year — a mistyped year with a typo in the given name.
    * ``linkage.names``: given name and surname in either order, no date — a missing or partial birth date,
      given name and surname swapped. The least selective key: for the commonest names its block is large,
      and :func:`link` skips blocks over :data:`BLOCK_CAP` (names that common cannot link a pair on their own).
    * ``linkage.given_patronymic``: given name, patronymic, birth year — a married surname with a partial date.
    * ``linkage.document``: the folded document number.
    """
    p = _prepared(record)
    keys: list[tuple[str, str]] = []
    given, surname, year = p.given_sk, p.surname_sk, p.year
    low, high = sorted((p.month, p.day)) if p.day else (0, 0)
    if surname and given and year:
        keys.append(("linkage.surname_year", f"{surname}|{given[0]}|{year}"))
    if given and low:
        keys.append(("linkage.given_dob", f"{given}|{year}|{low}|{high}"))
    if surname and low:
        keys.append(("linkage.surname_dob", f"{surname}|{low}|{high}"))
    if given and surname:
        first, second = sorted((skeleton(p.given_as_surname), surname))
        keys.append(("linkage.names", f"{first}|{second}"))
    if given and p.patronymic_sk and year:
        keys.append(("linkage.given_patronymic", f"{given}|{p.patronymic_sk}|{year}"))
    if len(p.document) >= 5:
        keys.append(("linkage.document", p.document))
    return keys


# --- scoring -----------------------------------------------------------------------------------------------
# m = P(level | same person), u = P(level | different people), per field and comparison level, among pairs
# where the field is known on both sides (a missing value weighs 0). Calibrated with
# korpu.linkage.evaluation.calibrate on a labelled synthetic registry (benchmarks/linkage/generate.py, seed 1,
# 20 000 identities; evaluated on other seeds), rounded. Where the synthetic data has no errors of a kind
# (a sex, citizenship or document that differs for one person), m is set to a small floor instead of 0 so one
# wrong field never vetoes a pair on its own. In link() the exact-agreement u of names and citizenship is the
# value's share of the batch (a frequent name is weak evidence), the tables' average u otherwise.
M_U: dict[str, tuple[float, float]] = {
    "given_exact": (0.86, 0.032),
    "given_similar": (0.076, 0.0061),  # skeleton equal or Jaro-Winkler ≥ 0.92
    "given_close": (0.011, 0.0117),  # Jaro-Winkler ≥ 0.85
    "given_differs": (0.0068, 0.95),
    "surname_exact": (0.80, 0.0145),
    "surname_similar": (0.082, 0.0063),
    "surname_close": (0.0065, 0.0083),
    "surname_differs": (0.065, 0.97),
    "surname_differs_female": (0.125, 0.97),  # a married surname: milder
    "names_swapped": (0.05, 0.000115),  # replaces the given name and surname levels
    "patronymic_exact": (0.907, 0.027),
    "patronymic_similar": (0.06, 0.0066),
    "patronymic_close": (0.029, 0.0108),
    "patronymic_differs": (0.0036, 0.956),
    "birth_date_exact": (0.71, 0.000041),
    "birth_date_day_month_swapped": (0.02, 0.000009),
    "birth_year_close": (0.078, 0.000077),  # same month and day, year ±1 (a typo in the year)
    "birth_year_month_same": (0.002, 0.001),  # floor: no such error in the synthetic data
    "birth_year_same": (0.002, 0.012),  # floor
    "birth_year_near": (0.0098, 0.032),  # year ±1, month or day differ (or a partial date one year off)
    "birth_date_differs": (0.0026, 0.952),
    "birth_date_partial": (0.95, 1.0),  # u is the chance of the known parts agreeing: 1/61 years, /12 months
    "sex_same": (0.99, 0.506),
    "sex_differs": (0.01, 0.494),  # floor
    "citizenship_same": (0.97, 0.728),
    "citizenship_differs": (0.03, 0.272),  # floor
    "document_exact": (0.87, 0.000001),  # u floor: no two people in the sample share a number
    "document_close": (0.127, 0.00001),  # one edit
    "document_near": (0.0038, 0.000057),  # two edits
    "document_differs": (0.01, 0.99994),  # floor: a person may hold more than one document
}
WEIGHTS: dict[str, float] = {level: math.log2(m / u) for level, (m, u) in M_U.items()}
WEIGHTS_U_EXACT: dict[str, float] = {field: M_U[f"{field}_exact"][1] for field in ("given", "surname", "patronymic")}
_M_EXACT: dict[str, float] = {field: M_U[f"{field}_exact"][0] for field in ("given", "surname", "patronymic")}
_M_CITIZENSHIP = M_U["citizenship_same"][0]
_YEARS = 61  # birth years a registry spans, for the partial-date u



def prior_for(records: int, duplicates: float = 0.9) -> float:
    """log2 prior odds that two records of a registry of ``records`` are one person.

    u above is the chance of agreement between random pairs, so the prior is the share of random pairs that
    are one person: about ``duplicates`` (other records of the same person per record) over the registry size.
    """
    return math.log2(duplicates / max(records, 100))


REGISTRY_SIZE = 30_000  # the registry compare() assumes by default (a national register of identified persons)
PRIOR = prior_for(REGISTRY_SIZE)

REASONS: tuple[str, ...] = (
    "given_exact", "given_similar", "given_close", "given_differs",
    "surname_exact", "surname_similar", "surname_close", "surname_differs",
    "names_swapped",
    "patronymic_exact", "patronymic_similar", "patronymic_close", "patronymic_differs",
    "birth_date_exact", "birth_date_day_month_swapped", "birth_year_close", "birth_year_month_same",
    "birth_year_same", "birth_year_near", "birth_date_differs", "birth_date_partial", "birth_date_missing",
    "sex_same", "sex_differs", "citizenship_same", "citizenship_differs",
    "document_exact", "document_close", "document_near", "document_differs",
)

POSSIBLE = 0.5
MATCH = 0.9


@dataclass(frozen=True)
class Comparison:
    score: float  # posterior probability of same person, 0..1
    weight: float  # log2 Bayes factor (match weight)
    reasons: tuple[str, ...]


_jw = JaroWinkler.normalized_similarity
_lev = Levenshtein.distance
W = WEIGHTS


def _name_level(field: str, x: str, y: str, x_sk: str, y_sk: str) -> str:
    if x == y:
        return "exact"
    if x_sk == y_sk:
        return "similar"
    sim = _jw(x, y)
    if sim >= 0.92:
        return "similar"
    if sim >= 0.85:
        return "close"
    return "differs"


def _exact_weight(field: str, u: float) -> float:
    return math.log2(_M_EXACT[field] / u)


def _weigh(a: Prepared, b: Prepared, reasons: list[str] | None) -> float:
    """The match weight (log2 Bayes factor, without the prior); appends the reason codes to ``reasons``."""
    w = 0.0
    # Names: given name and surname, or both swapped.
    g = _name_level("given", a.given, b.given, a.given_sk, b.given_sk) if a.given and b.given else ""
    s = _name_level("surname", a.surname, b.surname, a.surname_sk, b.surname_sk) if a.surname and b.surname else ""
    if (g in ("differs", "close") and s in ("differs", "close")
            and _jw(a.given_as_surname, b.surname) >= 0.85 and _jw(b.given_as_surname, a.surname) >= 0.85):
        w += W["names_swapped"]
        if reasons is not None:
            reasons.append("names_swapped")
    else:
        if g:
            w += _exact_weight("given", max(a.given_u, b.given_u)) if g == "exact" else W["given_" + g]
            if reasons is not None:
                reasons.append("given_" + g)
        if s:
            if s == "exact":
                w += _exact_weight("surname", max(a.surname_u, b.surname_u))
            elif s == "differs" and (a.female or b.female):
                w += W["surname_differs_female"]
            else:
                w += W["surname_" + s]
            if reasons is not None:
                reasons.append("surname_" + s)
    if a.patronymic and b.patronymic:
        p = _name_level("patronymic", a.patronymic, b.patronymic, a.patronymic_sk, b.patronymic_sk)
        w += _exact_weight("patronymic", max(a.patronymic_u, b.patronymic_u)) if p == "exact" \
            else W["patronymic_" + p]
        if reasons is not None:
            reasons.append("patronymic_" + p)
    # Birth date: compare only the parts both records know.
    date = _date_level(a, b)
    if date == "birth_date_partial":
        known = 1 / (_YEARS * (12 if a.month and b.month else 1))
        w += math.log2(M_U["birth_date_partial"][0] / known)
    elif date != "birth_date_missing":
        w += W[date]
    if reasons is not None:
        reasons.append(date)
    if a.sex and b.sex:
        if a.sex == b.sex:
            w += W["sex_same"]
            if reasons is not None:
                reasons.append("sex_same")
        else:
            w += W["sex_differs"]
            if reasons is not None:
                reasons.append("sex_differs")
    if a.citizenship and b.citizenship:
        if a.citizenship == b.citizenship:
            w += math.log2(_M_CITIZENSHIP / max(a.citizenship_u, b.citizenship_u))
            if reasons is not None:
                reasons.append("citizenship_same")
        else:
            w += W["citizenship_differs"]
            if reasons is not None:
                reasons.append("citizenship_differs")
    if a.document and b.document:
        if a.document == b.document:
            level = "document_exact"
        else:
            edits = _lev(a.document, b.document, score_cutoff=3)
            level = "document_close" if edits <= 1 else "document_near" if edits <= 2 else "document_differs"
        w += W[level]
        if reasons is not None:
            reasons.append(level)
    return w


def _date_level(a: Prepared, b: Prepared) -> str:
    if not a.year or not b.year:
        return "birth_date_missing"
    full = a.day and b.day  # a day is only parsed with its month
    if full:
        if a.year == b.year:
            if a.month == b.month:
                return "birth_date_exact" if a.day == b.day else "birth_year_month_same"
            if a.month == b.day and a.day == b.month:
                return "birth_date_day_month_swapped"
            return "birth_year_same"
        if abs(a.year - b.year) == 1:
            return "birth_year_close" if a.month == b.month and a.day == b.day else "birth_year_near"
        return "birth_date_differs"
    # Partial on at least one side: the year, and the month when both know it.
    if a.year != b.year or (a.month and b.month and a.month != b.month):
        return "birth_year_near" if abs(a.year - b.year) == 1 else "birth_date_differs"
    return "birth_date_partial"


def _probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = math.exp2(weight)
    return odds / (1.0 + odds)


def compare(a: Record | Prepared, b: Record | Prepared, *, prior: float = PRIOR) -> Comparison:
    """The posterior probability that two records are one person, its log2 match weight and the reasons.

    ``prior`` is the log2 prior odds (:func:`prior_for` the registry's size; :data:`PRIOR` by default).
    """
    reasons: list[str] = []
    weight = _weigh(_prepared(a), _prepared(b), reasons)
    return Comparison(score=_probability(weight + prior), weight=weight, reasons=tuple(reasons))


def contradicts(a: Record | Prepared, b: Record | Prepared) -> bool:
    """A hard contradiction: not one person whatever the names say (the clustering guard).

    Two different numbers of the same document series (more than two edits apart), a different sex, or
    birth years more than two apart unless month and day agree (a mistyped year).
    """
    p, q = _prepared(a), _prepared(b)
    if p.sex and q.sex and p.sex != q.sex:
        return True
    if (p.document and q.document and p.document_series == q.document_series
            and _lev(p.document, q.document, score_cutoff=3) > 2):
        return True
    return bool(p.year and q.year and abs(p.year - q.year) > 2
                and not (p.month and p.month == q.month and p.day and p.day == q.day))


# --- batch linkage -----------------------------------------------------------------------------------------
BLOCK_CAP = 400  # a block with more records is skipped: its pairs are meant to meet in a more selective one
CLUSTER_CAP = 12  # no person is expected to have more records than this in one batch


@dataclass
class LinkResult:
    pairs: list[tuple[int, int, float]]  # indexes into the input, i<j, score ≥ MATCH, kept after clustering
    clusters: list[list[int]]  # every input index in exactly one cluster (singletons included)
    compared: int  # candidate pairs scored


def _frequencies(prepared: list[Prepared]) -> None:
    """Replace the names' exact-agreement u by each value's share of the batch (floored)."""
    n = len(prepared)
    if n < 1000:  # too few records to estimate from; keep the table's average
        return
    for field in ("given", "surname", "patronymic", "citizenship"):
        counts = Counter(getattr(p, field) for p in prepared)
        present = n - counts.pop("", 0)
        if not present:
            continue
        floor = 0.5 / present
        share = {value: max(count / present, floor) for value, count in counts.items()}
        attr = field + "_u"
        for p in prepared:
            value = getattr(p, field)
            if value:
                setattr(p, attr, share[value])


def link(records: Sequence[Record], *, progress: Callable[[int], None] | None = None) -> LinkResult:
    """Block, score and cluster a batch; ``progress(n)`` is called with records scored, len(records) in all."""
    prepared = [Prepared(record) for record in records]
    _frequencies(prepared)
    n = len(prepared)
    blocks: dict[tuple[str, str], list[int]] = {}
    record_keys: list[list[tuple[str, str]]] = []
    for i, p in enumerate(prepared):
        keys = blocking_keys(p)
        record_keys.append(keys)
        for key in keys:
            blocks.setdefault(key, []).append(i)
    usable = {key: members for key, members in blocks.items() if 2 <= len(members) <= BLOCK_CAP}

    candidates: list[tuple[float, int, int]] = []
    compared = 0
    step = 0
    weigh = _weigh
    prior = prior_for(max(n, 1000))
    threshold = math.log2(MATCH / (1 - MATCH)) - prior
    for i in range(n):
        seen: set[int] = set()
        for key in record_keys[i]:
            members = usable.get(key)
            if members is not None:
                seen.update(members[bisect_right(members, i):])
        a = prepared[i]
        for j in seen:
            weight = weigh(a, prepared[j], None)
            if weight >= threshold:
                candidates.append((weight, i, j))
        compared += len(seen)
        step += 1
        if progress is not None and step == 1000:
            progress(step)
            step = 0
    if progress is not None and step:
        progress(step)

    pairs, clusters = _cluster(prepared, candidates, prior)
    return LinkResult(pairs=pairs, clusters=clusters, compared=compared)


def _cluster(prepared: list[Prepared], candidates: list[tuple[float, int, int]],
             prior: float) -> tuple[list[tuple[int, int, float]], list[list[int]]]:
    """Merge by descending weight; refuse a merge across a hard contradiction or past CLUSTER_CAP."""
    n = len(prepared)
    parent = list(range(n))
    members: dict[int, list[int]] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    kept: list[tuple[int, int, float]] = []
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    for weight, i, j in candidates:
        ri, rj = find(i), find(j)
        if ri != rj:
            left = members.get(ri, [ri])
            right = members.get(rj, [rj])
            if len(left) + len(right) > CLUSTER_CAP:
                continue
            if any(contradicts(prepared[x], prepared[y]) for x in left for y in right):
                continue
            if len(left) < len(right):
                ri, rj, left, right = rj, ri, right, left
            parent[rj] = ri
            members[ri] = left + right
            members.pop(rj, None)
        kept.append((i, j, _probability(weight + prior)))
    groups: dict[int, list[int]] = {}
    for x in range(n):
        groups.setdefault(find(x), []).append(x)
    kept.sort()
    return kept, sorted(groups.values())
