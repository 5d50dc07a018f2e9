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
from functools import lru_cache

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


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DATE_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


class Prepared:
    """A record folded once for blocking and comparison. Fields are empty strings / 0 when unknown."""

    __slots__ = ("citizenship", "citizenship_w", "day", "document", "document_series", "female", "given",
                 "given_as_surname", "given_as_surname_sk", "given_sk", "given_w", "id", "month", "patronymic",
                 "patronymic_sk", "patronymic_w", "sex", "surname", "surname_sk", "surname_w", "year")

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
        self.given_as_surname_sk = skeleton(self.given_as_surname)
        self.year, self.month, self.day = _date_parts(record.birth_date)
        sex = record.sex.strip().upper()
        self.sex = sex if sex in ("F", "M") else ""
        self.citizenship = record.citizenship.strip().upper()
        self.document = fold_document(record.document_number)
        document = self.document
        self.document_series = document[: len(document) - len(document.lstrip(_LETTERS))] if document else ""
        surname_fold = fold(record.surname)
        self.female = self.sex == "F" or (self.sex == "" and surname_fold.endswith(("ova", "ava", "ina", "ska")))
        # The weight of an exact agreement on this value: from the table's average u, or (link) from the
        # value's frequency in the batch.
        self.given_w = WEIGHTS["given_exact"]
        self.surname_w = WEIGHTS["surname_exact"]
        self.patronymic_w = WEIGHTS["patronymic_exact"]
        self.citizenship_w = WEIGHTS["citizenship_same"]

    def __repr__(self) -> str:
        return (f"Prepared({self.id!r}, {self.given!r}, {self.surname!r}, {self.patronymic!r}, "
                f"{self.year}-{self.month}-{self.day}, {self.sex!r}, {self.citizenship!r}, {self.document!r})")


@lru_cache(maxsize=1 << 16)
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
    month, day = p.month, p.day
    low, high = (month, day) if month <= day else (day, month)
    if surname and given and year:
        keys.append(("linkage.surname_year", f"{surname}|{given[0]}|{year}"))
    if given and low:
        keys.append(("linkage.given_dob", f"{given}|{year}|{low}|{high}"))
    if surname and low:
        keys.append(("linkage.surname_dob", f"{surname}|{low}|{high}"))
    if given and surname:
        first, second = (p.given_as_surname_sk, surname) if p.given_as_surname_sk <= surname \
            else (surname, p.given_as_surname_sk)
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
    "given_similar": (0.067, 0.0041),  # Jaro-Winkler ≥ 0.92 on the folded forms
    "given_close": (0.02, 0.0125),  # Jaro-Winkler ≥ 0.85
    "given_differs": (0.0078, 0.95),
    "surname_exact": (0.80, 0.0145),
    "surname_similar": (0.078, 0.0031),
    "surname_close": (0.01, 0.0087),
    "surname_differs": (0.005, 0.975),  # a man (or sex unknown): a typo beyond Jaro-Winkler 0.85, rare
    "surname_differs_female": (0.126, 0.973),  # a woman: a married surname, milder
    "names_swapped": (0.05, 0.000115),  # replaces the given name and surname levels
    "patronymic_exact": (0.907, 0.027),
    "patronymic_similar": (0.051, 0.0026),
    "patronymic_close": (0.038, 0.0131),
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
_M_EXACT: dict[str, float] = {"given": M_U["given_exact"][0], "surname": M_U["surname_exact"][0],
                              "patronymic": M_U["patronymic_exact"][0], "citizenship": M_U["citizenship_same"][0]}
_YEARS = 61  # birth years a registry spans, for the partial-date u


def prior_for(records: int, duplicates: float = 0.5) -> float:
    """log2 prior odds that two records of a registry of ``records`` are one person.

    u above is the chance of agreement between random pairs, so the prior is the share of random pairs that
    are one person: about ``duplicates`` (other records of the same person per record) over the registry size.
    The synthetic registry has 0.9; 0.5 is what makes the posteriors match the observed share of true pairs
    (scores 0.5–0.6 are right about half the time): fields of one family are not independent (a sister shares
    surname, patronymic and often a birth year), so summed weights are about one bit over-confident.
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

POSSIBLE = 0.2
MATCH = 0.6


@dataclass(frozen=True)
class Comparison:
    score: float  # posterior probability of same person, 0..1
    weight: float  # log2 Bayes factor (match weight)
    reasons: tuple[str, ...]


W = WEIGHTS
_jw = JaroWinkler.normalized_similarity
_lev = Levenshtein.distance
_DATE_PARTIAL_YEAR = math.log2(M_U["birth_date_partial"][0] * _YEARS)
_DATE_PARTIAL_MONTH = math.log2(M_U["birth_date_partial"][0] * _YEARS * 12)
_SIMILAR, _CLOSE = 0.92, 0.85
_W_GIVEN = (WEIGHTS["given_similar"], WEIGHTS["given_close"], WEIGHTS["given_differs"])
_W_SURNAME = (WEIGHTS["surname_similar"], WEIGHTS["surname_close"], WEIGHTS["surname_differs"])
_W_PATRONYMIC = (WEIGHTS["patronymic_similar"], WEIGHTS["patronymic_close"], WEIGHTS["patronymic_differs"])
_W_SURNAME_DIFFERS_FEMALE = WEIGHTS["surname_differs_female"]
_LEVEL = ("exact", "similar", "close", "differs")


def _level(x: str, y: str) -> int:
    """0 exact (fold equal), 1 similar (Jaro-Winkler ≥ 0.92), 2 close (≥ 0.85), 3 differs."""
    if x == y:
        return 0
    sim = _jw(x, y, score_cutoff=_CLOSE)
    return 1 if sim >= _SIMILAR else 2 if sim else 3


def _weigh(a: Prepared, b: Prepared, reasons: list[str] | None) -> float:
    """The match weight (log2 Bayes factor, without the prior); appends the reason codes to ``reasons``.

    The one scoring function of compare() and link(): per field, the weight of its comparison level.
    """
    w = 0.0
    g = _level(a.given, b.given) if a.given and b.given else -1
    s = _level(a.surname, b.surname) if a.surname and b.surname else -1
    if (g >= 2 and s >= 2 and _jw(a.given_as_surname, b.surname) >= _CLOSE
            and _jw(b.given_as_surname, a.surname) >= _CLOSE):
        w += W["names_swapped"]
        if reasons is not None:
            reasons.append("names_swapped")
    else:
        if g >= 0:
            w += (a.given_w if a.given_w < b.given_w else b.given_w) if g == 0 else _W_GIVEN[g - 1]
            if reasons is not None:
                reasons.append("given_" + _LEVEL[g])
        if s >= 0:
            if s == 0:
                w += a.surname_w if a.surname_w < b.surname_w else b.surname_w
            elif s == 3 and (a.female or b.female):
                w += _W_SURNAME_DIFFERS_FEMALE
            else:
                w += _W_SURNAME[s - 1]
            if reasons is not None:
                reasons.append("surname_" + _LEVEL[s])
    if a.patronymic and b.patronymic:
        p = _level(a.patronymic, b.patronymic)
        w += (a.patronymic_w if a.patronymic_w < b.patronymic_w else b.patronymic_w) if p == 0 \
            else _W_PATRONYMIC[p - 1]
        if reasons is not None:
            reasons.append("patronymic_" + _LEVEL[p])
    # Birth date: compare only the parts both records know.
    if a.year and b.year:
        if a.day and b.day and a.year == b.year and a.month == b.month and a.day == b.day:
            date = "birth_date_exact"
            w += W[date]
        else:
            date = _date_level(a, b)
            if date == "birth_date_partial":
                w += _DATE_PARTIAL_MONTH if a.month and b.month else _DATE_PARTIAL_YEAR
            else:
                w += W[date]
    else:
        date = "birth_date_missing"
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
            w += a.citizenship_w if a.citizenship_w < b.citizenship_w else b.citizenship_w
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
    """The birth date level of two records that both know a year (exact agreement is checked before)."""
    if a.day and b.day:  # a day is only parsed with its month
        if a.year == b.year:
            if a.month == b.month:
                return "birth_date_exact" if a.day == b.day else "birth_year_month_same"
            if a.month == b.day and a.day == b.month:
                return "birth_date_day_month_swapped"
            return "birth_year_same"
        if abs(a.year - b.year) == 1:
            return "birth_year_close" if a.month == b.month and a.day == b.day else "birth_year_near"
        return "birth_date_differs"
    # Partial on at least one side: the year, and the month when both know it (or one's month is the other's
    # day: a day/month swap).
    if a.year != b.year:
        return "birth_year_near" if abs(a.year - b.year) == 1 else "birth_date_differs"
    if a.month and b.month and a.month != b.month and a.month != b.day and b.month != a.day:
        return "birth_date_differs"
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
BLOCK_CAP = 20  # link() splits a larger block by more attributes (_SPLITS), or skips it when none is left
CLUSTER_CAP = 12  # no person is expected to have more records than this in one batch


@dataclass
class LinkResult:
    pairs: list[tuple[int, int, float]]  # indexes into the input, i<j, score ≥ MATCH, kept after clustering
    clusters: list[list[int]]  # every input index in exactly one cluster (singletons included)
    compared: int  # candidate pairs scored


# Pseudo-records of the table's average u blended into a batch's frequencies: a small batch leans on the table,
# a large one on its own counts.
_PSEUDO_RECORDS = 100


def _frequencies(prepared: list[Prepared]) -> None:
    """Weigh an exact agreement on a name or citizenship by the value's share of the batch (its u)."""
    n = len(prepared)
    for field in ("given", "surname", "patronymic", "citizenship"):
        counts = Counter(getattr(p, field) for p in prepared)
        present = n - counts.pop("", 0)
        if not present:
            continue
        m = _M_EXACT[field]
        average = M_U["citizenship_same" if field == "citizenship" else field + "_exact"][1]
        weight = {value: math.log2(m * (present + _PSEUDO_RECORDS) / (count + _PSEUDO_RECORDS * average))
                  for value, count in counts.items()}
        attr = field + "_w"
        for p in prepared:
            value = getattr(p, field)
            if value:
                setattr(p, attr, weight[value])


def _month(p: Prepared) -> str:
    return str(p.month) if p.month else ""


def _year(p: Prepared) -> str:
    return str(p.year) if p.year else ""


def _patronymic(p: Prepared) -> str:
    return p.patronymic_sk


def _given_initial(p: Prepared) -> str:
    return p.given_sk[:1]


def _surname_initial(p: Prepared) -> str:
    return p.surname_sk[:1]


# How link() splits a block over BLOCK_CAP, per purpose: one or more chains of attributes, each chain tried in
# order until the parts are small enough. A record without the attribute leaves that chain's parts: in a block
# that large it has too little evidence to reach MATCH by that route. Given name and surname (no date) split
# both by patronymic and by year, so a pair that lacks one of them still meets by the other.
_Split = Callable[[Prepared], str]
_SPLITS: dict[str, tuple[tuple[_Split, ...], ...]] = {
    "linkage.names": ((_patronymic, _month), (_year, _month)),
    "linkage.surname_year": ((_month, _patronymic),),
    "linkage.surname_dob": ((_given_initial, _patronymic),),
    "linkage.given_patronymic": ((_month, _surname_initial),),
    "linkage.given_dob": ((_surname_initial,),),
}


def _blocks(prepared: list[Prepared], purpose: str, members: list[int]) -> list[list[int]]:
    if len(members) <= BLOCK_CAP:
        return [members]
    return [block for chain in _SPLITS.get(purpose, ()) for block in _split(prepared, members, chain)]


def _split(prepared: list[Prepared], members: list[int], splits: Sequence[_Split]) -> list[list[int]]:
    """The block itself if small enough, else its parts by the next splitting attribute (none left: dropped)."""
    if len(members) <= BLOCK_CAP:
        return [members]
    if not splits:
        return []
    parts: dict[str, list[int]] = {}
    attribute = splits[0]
    for i in members:
        value = attribute(prepared[i])
        if value:
            parts.setdefault(value, []).append(i)
    return [block for part in parts.values() if len(part) > 1 for block in _split(prepared, part, splits[1:])]


def link(records: Sequence[Record], *, progress: Callable[[int], None] | None = None) -> LinkResult:
    """Block, score and cluster a batch of records (the production matcher of the batch and the benchmark).

    Scores use the batch's own name frequencies and ``prior_for(len(records))`` (at least 1000), so they can
    differ from :func:`compare` with its defaults. ``progress(n)`` is called with the number of records whose
    candidates were scored since the last call, len(records) in all (preparing and blocking come first and
    take about a third of the time).
    """
    prepared = [Prepared(record) for record in records]
    _frequencies(prepared)
    n = len(prepared)
    blocks: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(prepared):
        for key in blocking_keys(p):
            blocks.setdefault(key, []).append(i)
    record_blocks: list[list[list[int]]] = [[] for _ in range(n)]
    for (purpose, _text), members in blocks.items():
        if len(members) > 1:
            for block in _blocks(prepared, purpose, members):
                for i in block:
                    record_blocks[i].append(block)
    del blocks

    candidates: list[tuple[float, int, int]] = []
    compared = 0
    step = 0
    weigh = _weigh
    prior = prior_for(max(n, 1000))
    threshold = math.log2(MATCH / (1 - MATCH)) - prior
    for i in range(n):
        seen: set[int] = set()
        for members in record_blocks[i]:
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
