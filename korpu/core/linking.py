"""Record linkage as seen from below: the kernel's seam between the case registry and ``korpu.linkage``.

The case actions write persons; record linkage (``korpu.linkage``) sits above the case registry in
the layer order (ADR 0023), so the cases app may not import it. It asks this registry instead, as
the plan asks :mod:`korpu.core.figures` for national figures: ``korpu.linkage`` registers its
:class:`Linker` when Django starts, and

* :func:`index` is called by every action and import that writes a person's identifiers (the
  linker writes the person's blocking keys, blind indexes only);
* :func:`forget` is called when a person's data key is shredded (their blocking keys go too);
* :func:`check` answers the duplicate check of a registration (API, HTCDS import preview) with
  :class:`Candidate` values that carry a case number only when the asking user may see that case.

Without a registered linker (an installation without ``korpu.linkage``) the calls do nothing and
find nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Candidate:
    """A possible match of the person being registered, as the asking user may know it.

    ``case_id``/``case_number`` are set only for a case the user may see; otherwise the candidate
    says no more than which organisation holds it, its score and the reasons (field names that
    agree or differ, never their values).
    """

    score: float
    reasons: tuple[str, ...]
    organisation_id: int
    organisation_name: str
    case_id: int | None = None
    case_number: str | None = None
    reason_labels: tuple[str, ...] = field(default=())

    @property
    def visible(self) -> bool:
        return self.case_id is not None


class Linker(Protocol):
    def index(self, persons: Sequence[Any]) -> None: ...

    def forget(self, data_key_ids: Sequence[uuid.UUID]) -> None: ...

    def check(self, actor: Any, person: Mapping[str, Any], *, exclude_person: int | None = None) -> list[Candidate]:
        ...


_LINKER: list[Linker] = []


def register(linker: Linker) -> None:
    _LINKER[:] = [linker]


def index(persons: Sequence[Any]) -> None:
    """Write (or rewrite) the blocking keys of these saved persons."""
    for linker in _LINKER:
        linker.index(persons)


def forget(data_key_ids: Sequence[uuid.UUID]) -> None:
    """Drop what linkage keeps of the persons sealed under these (now shredded) data keys."""
    for linker in _LINKER:
        linker.forget(data_key_ids)


def check(actor: Any, person: Mapping[str, Any], *, exclude_person: int | None = None) -> list[Candidate]:
    """Possible matches across every organisation of a person's identifiers (registration fields)."""
    for linker in _LINKER:
        return linker.check(actor, person, exclude_person=exclude_person)
    return []
