"""Scheduled work for the action plan, run by `korpu jobs run` (cron-friendly, idempotent).

For every open reporting period: bodies with reports still missing get a reminder when the due date is
near, another when it has passed, and — after the body's escalation delay — the head of the body is
told. Each reminder is sent once (``ReminderLog``), so the job can run every hour. The work is the
action :func:`korpu.plan.actions.report_reminders_send`; this module only schedules it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from korpu.plan.actions import ReminderResult, missing_reports, report_reminders_send


def send_report_reminders(*, today: dt.date, days_before: int | None = None) -> ReminderResult:
    return report_reminders_send(today=today, days_before=days_before)


@dataclass
class JobResults:
    report_reminders: ReminderResult


def run_all(*, today: dt.date) -> JobResults:
    """Every scheduled job, in order. `korpu jobs run` calls this."""
    return JobResults(report_reminders=send_report_reminders(today=today))


__all__ = ["JobResults", "ReminderResult", "missing_reports", "run_all", "send_report_reminders"]
