"""Disclosure control for counts that leave the protected zone (reports, exports, public pages).

Why: Azerbaijan identifies some 70–100 victims of trafficking a year. Spread over organisations,
months, regions or service types, many cells of a table hold 1, 2 or 3 persons, and a reader who
knows a little (the NGO in Lənkəran that received "1" referral in March, the only shelter for men)
can tell who that person is. Counts of victims, referrals and services published outside the case
records therefore pass through this module first.

* **Primary suppression** (:func:`suppress`): a count from 1 up to ``threshold - 1`` is replaced by
  the text ``"<threshold"`` (``"<5"`` with the default ``settings.DISCLOSURE_THRESHOLD`` of 5,
  configurable with ``KORPU_DISCLOSURE_THRESHOLD``, at least 2). Zero is shown as 0: "nobody" names
  no one, and hiding it would make the table useless.
* **Secondary suppression** (:func:`suppress_table`): when a row's cells add up to a total that is
  published (services of one NGO by type, and the NGO's total), a single hidden cell could be worked
  out as total minus the others. So if exactly one cell of a row is hidden by the primary rule, the
  smallest other non-zero cell of that row is hidden too (the first such cell in column order on a
  tie) and shown as :data:`SECONDARY` (``"x"``): it is not small, so writing ``"<5"`` would be false.
  With two or more hidden cells, the total reveals only their sum.

Not covered here, and the caller's job: column totals (do not publish a total of a column that has
exactly one hidden cell) and differencing between overlapping periods (two reports whose periods
differ by a day can reveal a change of 1; every report generation is audited for that reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings

SECONDARY = "x"
"""The mark of a cell hidden only so that a primarily suppressed cell cannot be recomputed."""


def threshold_value(threshold: int | None = None) -> int:
    """The threshold in force: ``threshold`` if given, else ``settings.DISCLOSURE_THRESHOLD``."""
    value = settings.DISCLOSURE_THRESHOLD if threshold is None else threshold
    if value < 2:
        raise ValueError(f"a disclosure threshold must be at least 2; got {value}")
    return int(value)


def suppress(value: int, *, threshold: int | None = None) -> int | str:
    """``value`` when it is 0 or at least the threshold, else the text ``"<threshold"``."""
    limit = threshold_value(threshold)
    if value < 0:
        raise ValueError(f"a count cannot be negative; got {value}")
    if value == 0 or value >= limit:
        return value
    return f"<{limit}"


def suppress_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *,
                   threshold: int | None = None) -> list[dict[str, Any]]:
    """Primary and secondary suppression of each row's ``columns`` (counts that add up to the row total).

    Every other key of a row (a name, the row total) is copied unchanged: pass the total through
    :func:`suppress` yourself. Returns new dictionaries; ``rows`` are not changed.
    """
    limit = threshold_value(threshold)
    result: list[dict[str, Any]] = []
    for row in rows:
        out = dict(row)
        for column in columns:
            out[column] = suppress(int(row[column]), threshold=limit)
        hidden = [c for c in columns if 0 < int(row[c]) < limit]
        if len(hidden) == 1:
            shown = [c for c in columns if int(row[c]) >= limit]
            if shown:
                out[min(shown, key=lambda c: int(row[c]))] = SECONDARY
        result.append(out)
    return result
