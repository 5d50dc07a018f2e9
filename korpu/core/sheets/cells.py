"""Reading cell values: one date parser, one yes/no parser, one "find by name" for every import.

Cells arrive as openpyxl gives them (``datetime`` for a date cell, ``int``/``float``, ``bool``, text).
Each parser answers ``None`` for what it cannot read, and the importer words the error for its column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

TRUE_WORDS = frozenset({"yes", "true", "1", "x", "✓", "✔", "y", "on", "да", "bəli", "hə"})
FALSE_WORDS = frozenset({"no", "false", "0", "n", "off", "нет", "xeyr", "yox", "✗", "✘"})
DATE_PATTERNS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
"""Dates typed as text: ISO (also with a time after it, ``2024-03-01 10:30``), day.month.year,
day/month/year."""


def blank(value: Any) -> bool:
    """An empty cell: nothing, or only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> dt.date | None:
    """A date cell, or text in one of :data:`DATE_PATTERNS`; ``None`` when it is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) >= 10 and text[4:5] == "-" and text[10:11] in ("", " ", "T"):
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
    for pattern in DATE_PATTERNS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_bool(value: Any) -> bool | None:
    """A yes/no cell: a boolean, or one of :data:`TRUE_WORDS` / :data:`FALSE_WORDS` in any case
    (Azerbaijani, Russian and English, 1/0, x, ✓); ``None`` when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    word = " ".join(str(value).split()).casefold() if value is not None else ""
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


_DOTTED_AND_DOTLESS = str.maketrans({"İ": "i", "I": "i", "ı": "i"})


def fold_name(text: str) -> str:
    """A name as the look-up compares it: runs of white space are one space, ends trimmed, case folded,
    and the Azerbaijani dotted and dotless i (İ i, I ı) taken as one letter, so "YARDIM" finds "Yardım"."""
    return " ".join(str(text).translate(_DOTTED_AND_DOTLESS).split()).casefold()


Named = TypeVar("Named")


class NameIndex(Generic[Named]):
    """Find objects (organisations) by full name or short name, the same way in every import and verb.

    Names compare by :func:`fold_name` (white space and case do not matter). When a name is the full
    name of some objects and the short name of others, the full-name matches win; more than one
    match is for the caller to refuse ("write the full name").
    """

    def __init__(self, objects: Iterable[Named], *, fields: Sequence[str] = ("name", "short_name")) -> None:
        self.fields = tuple(fields)
        self.by_key: dict[str, list[Named]] = {}
        self.full: dict[str, list[Named]] = {}
        for item in objects:
            keys = {fold_name(getattr(item, f, "") or "") for f in self.fields} - {""}
            for key in keys:
                self.by_key.setdefault(key, []).append(item)
            full = fold_name(getattr(item, self.fields[0], "") or "")
            if full:
                self.full.setdefault(full, []).append(item)

    def find(self, name: str) -> list[Named]:
        """Every object the name names (full-name matches first, and only those if there are any)."""
        key = fold_name(name)
        return list(self.full.get(key) or self.by_key.get(key, []))
