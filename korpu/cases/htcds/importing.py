"""Committing an HTCDS import: phase two registers the checked rows through the case actions.

:func:`import_plan` registers the valid rows through :func:`korpu.cases.actions.case_register` (so
encryption, blind indexes, consent, owner access and audit all apply), in one transaction
(:func:`korpu.core.sheets.commit_rows`), and only when no row has an error (or with
``skip_invalid``, the valid rows only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.cases import actions, choices
from korpu.cases.htcds.reading import CaseImport, CaseRow, check_actor, victim_data_organisations
from korpu.cases.models import Case, StatusDecision
from korpu.core import audit
from korpu.core.access import Actor
from korpu.core.sheets import Committed, RowIssue, commit_rows


@dataclass
class ImportResult:
    """What :func:`import_plan` saved: the cases, and every error and warning (the plan's and its own)."""

    imported: int = 0
    cases: list[Case] = field(default_factory=list)
    skipped: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)


def import_plan(plan: CaseImport, *, by: Actor | None, skip_invalid: bool = False,
                progress: Callable[[int], None] | None = None) -> ImportResult:
    """Register the plan's rows in one transaction; nothing when any row has an error (unless ``skip_invalid``).

    ``by`` is the importing user (``None`` only for a trusted operator, see :func:`check_actor`).
    """
    if by is not None and not victim_data_organisations(by):
        audit.denied("case.import", actor=by, details={"format": "htcds"})
        raise PermissionDenied(_("You do not work with victims' data in any organisation."))
    if not plan.actor_checked or plan.checked_for is not by:
        check_actor(plan, by)
    result = ImportResult(errors=list(plan.errors), warnings=list(plan.warnings))
    if plan.workbook_errors or (plan.errors and not skip_invalid):
        return result
    rows = plan.valid_rows
    not_valid = len(plan.rows) - len(rows)

    def finish(done: Committed[CaseRow]) -> None:
        audit.record("case.import", actor=by, details={"format": "htcds", "rows": len(done.created),
                                                        "skipped": not_valid + done.skipped})

    done = commit_rows(rows, _register, skip_invalid=skip_invalid, finish=finish, progress=progress)
    result.cases = list(done.created)
    result.imported = len(result.cases)
    result.skipped = not_valid + done.skipped
    result.errors.extend(done.errors)
    return result


def _register(row: CaseRow) -> Case:
    actor = row.acting_user
    owner = row.acting_owner
    if actor is None or owner is None:
        raise ValidationError(_("You are not allowed to do this."))
    consent = None
    if row.consent is not None:
        # HTCDS consent covers the interview and the processing of the data; it names no recipient,
        # so sharing stays unconsented until a case worker records it.
        consent = {"data_processing": row.consent, "given_on": row.case["identified_on"]}
    case = actions.case_register(by=actor, person=row.person, case=row.case, exploitation=row.exploitation,
                                 consent=consent, organisation=owner)
    if row.official:
        decision = (StatusDecision.Decision.RECOGNISED if row.final_status == choices.TraffickingStatus.ACTUAL
                    else StatusDecision.Decision.NOT_VICTIM)
        actions.status_decision_record(by=actor, case=case, decision=decision, decided_on=timezone.localdate(),
                                       basis=_("Recorded from an HTCDS workbook import."))
    if row.case_status == choices.CaseStatus.FOLLOW_UP:
        actions.case_set_follow_up(by=actor, case=case)
    elif row.case_status in (choices.CaseStatus.CLOSED, choices.CaseStatus.CLOSED_REFERRED):
        actions.case_close(by=actor, case=case, status=row.case_status, reason=row.closure_reason)
    if row.note_lines:
        heading = _("Imported from an HTCDS workbook. Fields Körpü has no place for:")
        actions.note_add(by=actor, case=case, text="\n".join([heading, *row.note_lines]))
    return case
