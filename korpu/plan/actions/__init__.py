"""Every change to the action plan, its reports and the recommendations.

One module per part: ``reports`` (progress reports, evidence, locking a period, the e-mails about
reports and the scheduled reminders), ``structure`` (plans, sections, reporting periods, categories,
measures, indicators) and ``recommendations``; ``_common`` holds what they share. Every action is
imported here, so ``korpu.plan.actions.report_save`` is the name to call."""

from korpu.plan.actions.recommendations import (
    RECOMMENDATION_FIELDS,
    assessment_record,
    recommendation_save,
    recommendation_set_published,
)
from korpu.plan.actions.reports import (
    EDITABLE,
    EVIDENCE_FOLDER,
    ReminderResult,
    evidence_add,
    evidence_delete,
    missing_reports,
    period_lock,
    report_accept,
    report_editable_by,
    report_reminders_send,
    report_return,
    report_save,
    report_submit,
    reporting_bodies,
)
from korpu.plan.actions.structure import (
    INDICATOR_FIELDS,
    MEASURE_TEXT_FIELDS,
    PLAN_FIELDS,
    category_save,
    indicator_save,
    measure_create,
    measure_set_published,
    measure_update,
    period_save,
    plan_save,
    plan_set_published,
    section_save,
)

__all__ = [
    "EDITABLE",
    "EVIDENCE_FOLDER",
    "INDICATOR_FIELDS",
    "MEASURE_TEXT_FIELDS",
    "PLAN_FIELDS",
    "RECOMMENDATION_FIELDS",
    "ReminderResult",
    "assessment_record",
    "category_save",
    "evidence_add",
    "evidence_delete",
    "indicator_save",
    "measure_create",
    "measure_set_published",
    "measure_update",
    "missing_reports",
    "period_lock",
    "period_save",
    "plan_save",
    "plan_set_published",
    "recommendation_save",
    "recommendation_set_published",
    "report_accept",
    "report_editable_by",
    "report_reminders_send",
    "report_return",
    "report_save",
    "report_submit",
    "reporting_bodies",
    "section_save",
]
