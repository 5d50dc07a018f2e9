"""HTCDS 2.0 Excel toolkit import and export (the layout in ``htcds_v2.xlsx``).

The package: :mod:`.columns` (the layout and picklists), :mod:`.reading` (phase one: check every
row), :mod:`.importing` (phase two: register), :mod:`.writing` (the export). The row, plan and issue
types, the date and yes/no parsers, the organisation look-up and the workbook writing are the
kernel's (:mod:`korpu.core.sheets`), shared with the plan import.

Layout: row 1 holds the HTCDS field codes from column B, row 2 their labels, data starts in row 3,
column A is a running index. Columns are found by their code (any order, extra HTCDS columns
welcome); an empty code cell falls back to its label (the toolkit leaves AJ1 empty, its label says
"Reason for Outgoing Referral"), and the toolkit's misspelt ``vic_TraffickinStatusDecisionMakingOrg``
is read as ``vic_TraffickingStatusDecisionMakingOrg``.

Import is two steps. :func:`read_workbook` parses and checks every row and commits nothing;
:func:`import_plan` registers the valid rows through :func:`korpu.cases.actions.case_register` (so
encryption, blind indexes, consent, owner access and audit all apply), in one transaction, and
only when no row has an error (or with ``skip_invalid``, the valid rows only).

The import rules:

* Owner: ``cas_CaseOwner`` names an active organisation by name or short name that has staff
  working with victims' data. An importing user may import only into organisations where they
  hold such a role; an empty cell means the user's own (first victim-data) organisation. Without
  an importing user (CLI outside production) the owner must be named and each row is registered
  by a victim-data user of the owner organisation.
* Consent: HTCDS ``con_Consent`` is the person's informed consent to the interview and to the
  processing of the data gathered; it names no recipient. "Yes" records Körpü consent to data
  processing only; sharing with law enforcement, NGOs, state agencies or international
  organisations stays unconsented until a case worker records it (a referral asks for it). "No"
  records a refusal; an empty cell records nothing. The consent date is the identification date.
* Trafficking status: an official status (Actual, or Not a victim) is set only when the importing
  user is a police investigator of the owning law-enforcement body and the decision-making
  organisation is the police (or empty); it is recorded as a police status decision. Any other
  Actual/Not-a-victim row is imported as a presumed victim (Possible) with a warning: only the
  police anti-trafficking department decides official victim status (and Actual unlocks the state
  allowance). The decision-making organisation of a presumed victim is not kept.
* Identification date: ``cas_IncomingReferralDate`` (the date the organisation took the case on),
  else the import date. The identification channel is the Körpü extension column
  ``kpu_IdentificationChannel`` when the workbook has it (HTCDS has no such field), else "other".
* A child (by the birth date or ``kpu_AgeAtIdentification``) needs ``kpu_GuardianName``, as on the
  pages and in the API: without it the row is an error.
* HTCDS fields Körpü has no place for (the referral details, coordinates, vulnerabilities, …) are
  kept in an encrypted case note, so nothing the organisation recorded is lost; referrals are not
  created (they grant access and need consent, so they are made in Körpü).

The export writes the toolkit's columns in the toolkit's order, then the other HTCDS person and
victim-context fields Körpü keeps (``prs_MiddleName``, ``prs_IdentityNumber``, languages, …), then the
Körpü extension columns (``kpu_…``: identification channel, identifying organisation, age at
identification, disability, country of origin, transit countries, period of exploitation, guardian),
so a workbook exported from Körpü imports back into Körpü with every field (ADR 0021).
"""

from __future__ import annotations

from korpu.cases.htcds.columns import (
    EXPORT_COLUMNS,
    EXTRA_HTCDS_COLUMNS,
    IDENTITY_COLUMNS,
    KORPU_COLUMNS,
    LABELS,
    TOOLKIT_COLUMNS,
    match_picklist,
    toolkit_header,
)
from korpu.cases.htcds.columns import unknown_value as _unknown_value
from korpu.cases.htcds.importing import ImportResult, import_plan
from korpu.cases.htcds.reading import CaseImport, CaseRow, check_actor, read_workbook
from korpu.cases.htcds.writing import export_workbook
from korpu.core.sheets import ImportPlan, PlannedRow, RowIssue

RowError = RowIssue


def plan_summary(plan: CaseImport) -> tuple[int, int, int]:
    """(rows checked, valid, with errors)."""
    return plan.summary()


__all__ = ["EXPORT_COLUMNS", "EXTRA_HTCDS_COLUMNS", "IDENTITY_COLUMNS", "KORPU_COLUMNS", "LABELS", "TOOLKIT_COLUMNS",
           "CaseImport", "CaseRow", "ImportPlan", "ImportResult", "PlannedRow", "RowError", "RowIssue",
           "_unknown_value", "check_actor", "export_workbook", "import_plan", "match_picklist", "plan_summary",
           "read_workbook", "toolkit_header"]
