"""Blocking keys, scores with reasons, and batch linkage with a guard against chaining."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from korpu.linkage.matching import (
    MATCH,
    POSSIBLE,
    REASONS,
    Comparison,
    Record,
    blocking_keys,
    compare,
    contradicts,
    link,
    prepare,
)
from tests.linkage.test_names import NAME, to_cyrillic

LEYLA = Record("1", "Leyla", "Məmmədova", "Rəşid qızı", "1994-03-07", "F", "AZ", "AA1234567")


def _shares_key(a: Record, b: Record) -> bool:
    return bool(set(blocking_keys(a)) & set(blocking_keys(b)))


VARIANTS = {
    "russian": Record("2", "Лейла", "Мамедова", "Рашидовна", "1994-03-07", "F", "AZ", ""),
    "passport": Record("3", "LEYLA", "MAMMADOVA", "", "1994-03-07", "F", "", "AA 1234567"),
    "day_month_swapped": Record("4", "Leyla", "Mamedova", "Rashidovna", "1994-07-03", "F", "AZ", ""),
    "married": Record("5", "Leyla", "Hüseynova", "Rəşid qızı", "1994-03-07", "F", "AZ", ""),
    "no_birth_date": Record("6", "Leyla", "Məmmədova", "Rəşid qızı", "", "F", "AZ", "AA1234567"),
    "swapped": Record("7", "Məmmədova", "Leyla", "Rəşid qızı", "1994-03-07", "F", "AZ", ""),
    "year_typo": Record("8", "Leyla", "Məmmədova", "Rəşid qızı", "1995-03-07", "F", "AZ", ""),
    "partial_date": Record("9", "Leyla", "Mammadova", "Rashid gizi", "1994-03", "", "AZ", ""),
    "document_typo": Record("10", "Leila", "Mamedova", "", "1994", "F", "", "AA1234557"),
}


@pytest.mark.parametrize("name", VARIANTS)
def test_variants_share_a_key_and_score_as_a_match(name: str) -> None:
    other = VARIANTS[name]
    assert _shares_key(LEYLA, other)
    result = compare(LEYLA, other)
    assert result.score >= MATCH, result
    assert set(result.reasons) <= set(REASONS)


def test_keys_are_few_stable_and_purposeful() -> None:
    keys = blocking_keys(LEYLA)
    assert 1 <= len(keys) <= 6
    assert all(purpose.startswith("linkage.") and text for purpose, text in keys)
    assert keys == blocking_keys(prepare(LEYLA))
    assert ("linkage.document", "AA1234567") in keys
    assert blocking_keys(Record("x")) == []


def test_reasons_explain_the_score() -> None:
    same = compare(LEYLA, VARIANTS["russian"])
    assert same.reasons[:4] == ("given_exact", "surname_exact", "patronymic_exact", "birth_date_exact")
    assert compare(LEYLA, VARIANTS["swapped"]).reasons[0] == "names_swapped"
    assert "birth_date_day_month_swapped" in compare(LEYLA, VARIANTS["day_month_swapped"]).reasons
    assert "birth_year_close" in compare(LEYLA, VARIANTS["year_typo"]).reasons
    assert "birth_date_missing" in compare(LEYLA, VARIANTS["no_birth_date"]).reasons
    assert "birth_date_partial" in compare(LEYLA, VARIANTS["partial_date"]).reasons
    assert "document_close" in compare(LEYLA, VARIANTS["document_typo"]).reasons
    assert "document_exact" in compare(LEYLA, VARIANTS["passport"]).reasons
    assert "surname_differs" in compare(LEYLA, VARIANTS["married"]).reasons


def test_different_people_score_low() -> None:
    sister = Record("s", "Aysel", "Məmmədova", "Rəşid qızı", "1990-11-21", "F", "AZ", "")
    brother = Record("b", "Rəşad", "Məmmədov", "Rəşid oğlu", "1994-03-07", "M", "AZ", "")
    namesake = Record("n", "Leyla", "Məmmədova", "Anar qızı", "1971-05-30", "F", "AZ", "AZE7654321")
    for other in (sister, brother, namesake):
        result = compare(LEYLA, other)
        assert result.score < POSSIBLE, (other, result)
    assert "sex_differs" in compare(LEYLA, brother).reasons
    assert "document_differs" in compare(LEYLA, namesake).reasons


def test_score_is_a_probability_of_the_weight() -> None:
    result = compare(LEYLA, VARIANTS["russian"])
    assert isinstance(result, Comparison)
    assert 0 < result.score <= 1 and result.weight > 0
    assert compare(LEYLA, LEYLA).score >= result.score
    assert compare(Record("a"), Record("b")).reasons == ("birth_date_missing",)
    assert 0 < POSSIBLE < MATCH < 1


def test_contradictions() -> None:
    assert contradicts(LEYLA, Record("m", "Leyla", "Məmmədova", "", "1994-03-07", "M"))
    assert contradicts(LEYLA, Record("d", "Leyla", "Məmmədova", "", "1994-03-07", "F", "", "AA7654321"))
    assert not contradicts(LEYLA, Record("p", "Leyla", "Məmmədova", "", "1994-03-07", "F", "", "C01234567"))
    assert contradicts(LEYLA, Record("y", "Leyla", "Məmmədova", "", "1984-04-07"))
    assert not contradicts(LEYLA, Record("y", "Leyla", "Məmmədova", "", "1949-03-07"))  # year typo
    assert not contradicts(LEYLA, VARIANTS["partial_date"])


def test_link_clusters_variants_and_keeps_others_apart() -> None:
    others = [
        Record("o1", "Aysel", "Məmmədova", "Rəşid qızı", "1990-11-21", "F", "AZ"),
        Record("o2", "Rəşad", "Məmmədov", "Rəşid oğlu", "1994-03-07", "M", "AZ"),
        Record("o3", "Elvin", "Quliyev", "Anar oğlu", "1988-01-15", "M", "AZ"),
        Record("o4", "Элвин", "Кулиев", "Анарович", "1988-01-15", "M", "AZ"),
    ]
    records = [LEYLA, *VARIANTS.values(), *others]
    seen: list[int] = []
    result = link(records, progress=seen.append)
    assert sum(seen) == len(records)
    assert sorted(i for cluster in result.clusters for i in cluster) == list(range(len(records)))
    by_index = {i: n for n, cluster in enumerate(result.clusters) for i in cluster}
    leyla = {i for i in range(len(records)) if by_index[i] == by_index[0]}
    assert leyla == set(range(1 + len(VARIANTS)))
    assert by_index[len(records) - 1] == by_index[len(records) - 2]  # Elvin Quliyev in two scripts
    assert len({by_index[len(records) - 4], by_index[len(records) - 3], by_index[0]}) == 3
    assert all(i < j and score >= MATCH for i, j, score in result.pairs)
    assert result.compared >= len(result.pairs)


def test_link_refuses_to_chain_through_a_contradiction() -> None:
    # Two different men with the same name and birth date; each of their blurred records alone could join.
    a = Record("a", "Elvin", "Quliyev", "Anar oğlu", "1988-01-15", "M", "AZ", "AZE1111111")
    b = Record("b", "Elvin", "Quliyev", "Anar oğlu", "1988-01-15", "M", "AZ", "AZE2222222")
    c = Record("c", "Elvin", "Quliyev", "Anar oğlu", "1988-01-15", "M", "AZ", "")
    result = link([a, b, c])
    by_index = {i: n for n, cluster in enumerate(result.clusters) for i in cluster}
    assert by_index[0] != by_index[1]
    assert len(result.clusters) == 2


def test_link_of_nothing() -> None:
    assert link([]).clusters == []
    assert link([LEYLA]).clusters == [[0]]


def test_a_common_name_is_split_not_compared_with_everyone() -> None:
    # 300 different women called Aysel Məmmədova, born on different days, and one of them twice.
    records = [Record(str(k), "Aysel", "Məmmədova", "", f"{1950 + k % 60}-{1 + k % 12:02d}-{1 + k % 28:02d}", "F")
               for k in range(300)]
    records.append(Record("again", "Айсель", "Мамедова", "", records[7].birth_date, "F"))
    result = link(records)
    assert result.compared < 300 * 299 // 2 // 10
    assert [(i, j) for i, j, _score in result.pairs] == [(7, 300)]
    assert len(result.clusters) == 300


def test_calibrate_counts_levels_among_true_and_random_pairs() -> None:
    from korpu.linkage.evaluation import Labelled, calibrate

    records = [LEYLA, *VARIANTS.values(), Record("o", "Elvin", "Quliyev", "Anar oğlu", "1988-01-15", "M", "AZ")]
    table = calibrate(Labelled(records, ["L"] * (len(records) - 1) + ["E"]), random_pairs=50)
    m, u = table["given_exact"]
    assert 0.5 < m <= 1 and u == 0  # Leyla's records agree, Leyla and Elvin never
    assert table["sex_differs"] == (0.0, 1.0)


@given(NAME, NAME, NAME, st.dates(dt.date(1950, 1, 1), dt.date(2010, 12, 31)), st.sampled_from(["F", "M", ""]))
@hsettings(max_examples=60, deadline=None)
def test_a_record_and_its_cyrillic_copy_meet_and_match(given_name: str, surname: str, father: str,
                                                      birth: dt.date, sex: str) -> None:
    latin = Record("l", given_name, surname, f"{father} oğlu", birth.isoformat(), sex, "AZ")
    cyrillic = Record("c", to_cyrillic(given_name), to_cyrillic(surname), f"{to_cyrillic(father)} оғлу",
                      birth.isoformat(), sex, "AZ")
    assert _shares_key(latin, cyrillic)
    assert compare(latin, cyrillic).score >= MATCH
