"""Excel import and export of the National Action Plan.

The package: :mod:`.columns` (the templates' columns and instructions), :mod:`.templates` (the
workbooks handed out), :mod:`.reading` (phase one: check every row), :mod:`.applying` (phase two:
create through the actions), :mod:`.status` (the status export). The row, plan and issue types, the
date parser, the organisation look-up and the workbook writing are the kernel's
(:mod:`korpu.core.sheets`), shared with the HTCDS import.

Templates: :func:`measures_template` and :func:`recommendations_template` write the workbooks the
system itself hands out. The data sheet has the column codes in row 1 (the importer finds columns
by code, in any order), human labels in the current language in row 2, and data from row 3; a
"lists" sheet holds the values the picklists offer (section numbers of the chosen plan, organisation
names, years, category, source and priority codes); an instructions sheet explains the rules in
Azerbaijani, Russian and English.

Import is two steps, as for the HTCDS import (``korpu.cases.htcds``; both on the kernel's
:mod:`korpu.core.sheets`): :func:`read_measures` and :func:`read_recommendations` check EVERY row
and save nothing; :func:`apply_measures` and :func:`apply_recommendations` create the rows through
the plan's actions (permission, validation, audit), in one transaction, and only when no row has an
error. If an action still refuses a row (another user created the same measure meanwhile),
everything is rolled back.

The rules:

* Measures: ``section`` names a section number of the chosen plan; ``number`` is unique in its
  section, neither in the plan already nor twice in the file; ``text_az`` is required (ru/en are
  optional); ``executing_bodies`` names at least one active organisation, ``partners`` any number,
  by full name or short name (case and extra spaces do not matter), separated by ";"; an
  organisation is not both executing body and partner of the same measure; ``start_year`` ≤
  ``end_year``, both within the plan's period; ``deadline`` (optional) is a date within the
  measure's period; ``categories`` (optional) are category codes separated by ";".
* Recommendations: ``source`` and ``priority`` are codes (``us_tip`` …, ``prioritized`` …; the
  label in the user's language is accepted too); ``cycle``, ``reference`` and ``text_az`` are
  required (the reference identifies a recommendation within its source and cycle, so a later cycle
  can point at it); the same source + cycle + reference may neither exist already nor appear twice;
  ``measures`` are measure numbers of the chosen plan separated by ";"; ``previous_cycle`` and
  ``previous_reference`` (with ``previous_source``, by default the row's own source) name the same
  recommendation in the earlier cycle: one that exists, or a row ABOVE in the same file.

Imported measures and recommendations are not public unless the upload asks to publish them
(``publish=True``).

Export: :func:`plan_status_xlsx` writes the plan's status (sections, measures, bodies, period,
derived status, the latest accepted report per body, indicators with unit, baseline, targets, the
reported values per body and in total, and the computed values) in the chosen language.
"""

from __future__ import annotations

from korpu.core.sheets import XLSX, PlannedRow, RowIssue
from korpu.plan.sheets.applying import apply_measures, apply_recommendations
from korpu.plan.sheets.columns import (
    DATA_START,
    INSTRUCTIONS,
    KINDS,
    MAX_ROWS,
    MEASURE_COLUMNS,
    RECOMMENDATION_COLUMNS,
    Column,
)
from korpu.plan.sheets.reading import ImportRefused, PlanImport, read_measures, read_recommendations
from korpu.plan.sheets.status import plan_status_xlsx, status_label
from korpu.plan.sheets.templates import measures_template, recommendations_template

ImportPlan = PlanImport

__all__ = ["DATA_START", "INSTRUCTIONS", "KINDS", "MAX_ROWS", "MEASURE_COLUMNS", "RECOMMENDATION_COLUMNS", "XLSX",
           "Column", "ImportPlan", "ImportRefused", "PlanImport", "PlannedRow", "RowIssue", "apply_measures",
           "apply_recommendations", "measures_template", "plan_status_xlsx", "read_measures", "read_recommendations",
           "recommendations_template", "status_label"]
