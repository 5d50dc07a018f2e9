"""Row-validated two-phase import: check every row and save nothing, then commit all or nothing.

Phase one (``read_*`` in each app) fills an :class:`ImportPlan` with one :class:`PlannedRow` per data
row, each carrying the values it will save (objects already looked up) and its :class:`RowIssue`\\ s.
The page shows the plan as a preview. Phase two calls :func:`commit_rows`, which creates the rows
through the app's actions in one transaction: a row an action still refuses rolls everything back,
or with ``skip_invalid`` only that row (in its own savepoint).

An app keeps its own rows and plans by subclassing (``CaseRow`` in ``korpu.cases.htcds`` adds the
person and case to register, and the issues that depend on who imports).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowIssue:
    """An error or warning: the sheet row (0 = the whole workbook), the column's code, a message, and
    where known the column's letter and label (for the page's table)."""

    row: int
    column: str
    message: str
    letter: str = ""
    label: str = ""

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        return _("Row %(row)d, %(column)s: %(message)s") % {
            "row": self.row, "column": self.column or "—", "message": self.message}

    def line(self) -> str:
        """The issue as a terminal line (``row 3, prs_Gender: …``); the message stays translated."""
        if self.row == 0:
            return self.message
        return f"row {self.row}, {self.column or '-'}: {self.message}"


@dataclass
class PlannedRow:
    """One data row, checked: the values to save and what is wrong with it."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)

    @property
    def all_errors(self) -> list[RowIssue]:
        """Every error of the row (a subclass adds those of a later check)."""
        return list(self.errors)

    @property
    def all_warnings(self) -> list[RowIssue]:
        return list(self.warnings)

    @property
    def valid(self) -> bool:
        return not self.all_errors


RowT = TypeVar("RowT", bound=PlannedRow)


@dataclass
class ImportPlan(Generic[RowT]):
    """What phase one found. Nothing is saved until phase two."""

    kind: str = ""
    rows: list[RowT] = field(default_factory=list)
    workbook_errors: list[RowIssue] = field(default_factory=list)
    workbook_warnings: list[RowIssue] = field(default_factory=list)
    sheet: str = ""

    @property
    def errors(self) -> list[RowIssue]:
        return [*self.workbook_errors, *(e for r in self.rows for e in r.all_errors)]

    @property
    def warnings(self) -> list[RowIssue]:
        return [*self.workbook_warnings, *(w for r in self.rows for w in r.all_warnings)]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def valid_rows(self) -> list[RowT]:
        return [r for r in self.rows if r.valid] if not self.workbook_errors else []

    @property
    def invalid_rows(self) -> list[RowT]:
        return [r for r in self.rows if not r.valid]

    def summary(self) -> tuple[int, int, int]:
        """(rows checked, valid, with errors)."""
        invalid = len(self.invalid_rows)
        return len(self.rows), len(self.rows) - invalid, invalid


class RowRefused(Exception):
    """An action refused a row: the whole commit is rolled back."""

    def __init__(self, issue: RowIssue) -> None:
        super().__init__(issue.message)
        self.issue = issue


@dataclass
class Committed(Generic[RowT]):
    """What :func:`commit_rows` saved: what each create returned, the rows skipped, and the refusals."""

    created: list[Any] = field(default_factory=list)
    skipped: int = 0
    errors: list[RowIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def commit_rows(rows: Sequence[RowT], create: Callable[[RowT], Any], *, skip_invalid: bool = False,
                finish: Callable[[Committed[RowT]], None] | None = None, database_error: str | None = None,
                progress: Callable[[int], None] | None = None) -> Committed[RowT]:
    """Phase two: ``create`` each row in one transaction.

    A row ``create`` refuses (``ValidationError``) rolls everything back and is reported as the one
    error; with ``skip_invalid`` it is skipped instead (its own savepoint is rolled back) and the others
    are kept. ``finish`` runs inside the transaction with what was committed (for the audit event). With
    ``database_error``, a database refusal (another user changed the data meanwhile) rolls back too
    and is reported with that message; without it, it propagates.
    """
    done: Committed[RowT] = Committed()
    current: RowT | None = None
    try:
        with transaction.atomic():
            for row in rows:
                current = row
                try:
                    with transaction.atomic():
                        made = create(row)
                except ValidationError as exc:
                    issue = RowIssue(row.row, "", " ".join(exc.messages))
                    if not skip_invalid:
                        raise RowRefused(issue) from exc
                    done.errors.append(issue)
                    done.skipped += 1
                else:
                    done.created.append(made)
                if progress is not None:
                    progress(1)
            if finish is not None:
                finish(done)
    except RowRefused as refused:
        done.created, done.errors = [], [*done.errors, refused.issue]
    except DatabaseError:
        if database_error is None or current is None:
            raise
        done.created, done.errors = [], [RowIssue(current.row, "", database_error)]
    return done
