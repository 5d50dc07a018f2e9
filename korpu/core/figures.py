"""National figures by key, for the apps below the statistics app (ADR 0023).

An action-plan indicator may be *computed*: its value for a year is a national figure ("persons
officially recognised as victims"). The definitions need the case and justice records, which only the
statistics app (``korpu.stats``) may combine, and the plan sits below statistics in the layer order.
So the kernel keeps this registry: ``korpu.stats`` registers its definitions when the app is ready,
and the plan asks the registry by key — a dependency the right way up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    key: str
    label: object  # a lazy translation
    compute: Callable[[dt.date, dt.date], int]


_REGISTRY: dict[str, Definition] = {}


def register(*definitions: Definition) -> None:
    for definition in definitions:
        _REGISTRY[definition.key] = definition


def registered() -> dict[str, Definition]:
    """Every known figure by key (filled by ``korpu.stats`` when Django starts)."""
    return dict(_REGISTRY)


def is_known(key: str) -> bool:
    return key in _REGISTRY


def compute(key: str, year: int) -> int | None:
    """The figure for one calendar year, or None for a key no statistic defines."""
    definition = _REGISTRY.get(key)
    if definition is None:
        return None
    return definition.compute(dt.date(year, 1, 1), dt.date(year, 12, 31))


def choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(d.key, str(d.label)) for d in _REGISTRY.values()]
