"""Scheduled work for the action plan, run by `korpu jobs run` (cron-friendly, idempotent).

For every open reporting period: bodies with reports still missing get a reminder when the due date is
near, another when it has passed, and — after the body's escalation delay — the head of the body is
told. Each reminder is sent once (``ReminderLog``), so the job can run every hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role, User
from korpu.core import audit
from korpu.plan.models import BodyContact, Measure, ProgressReport, ReminderLog, ReportingPeriod


@dataclass
class ReminderResult:
    due_soon: int = 0
    overdue: int = 0
    escalations: int = 0


def missing_reports(period: ReportingPeriod) -> dict[Organisation, list[Measure]]:
    """Per executing body, the measures of the period it has not submitted a report for."""
    done = set(ProgressReport.objects.filter(period=period, status__in=[
        ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED]).values_list("measure_id", "organisation_id"))
    missing: dict[Organisation, list[Measure]] = {}
    for measure in Measure.objects.filter(section__plan=period.plan, start_year__lte=period.year,
                                          end_year__gte=period.year).prefetch_related("executing_bodies"):
        for body in measure.executing_bodies.all():
            if (measure.pk, body.pk) not in done:
                missing.setdefault(body, []).append(measure)
    return missing


def _once(period: ReportingPeriod, organisation: Organisation, kind: str, recipients: int) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(period=period, organisation=organisation, kind=kind, recipients=recipients)
    except IntegrityError:
        return False
    return True


def _send(users: list[tuple[str, str]], kind: str, period: ReportingPeriod, organisation: Organisation,
          measures: list[Measure]) -> None:
    numbers = ", ".join(m.number for m in measures)
    for email, language in users:
        with translation.override(language or settings.LANGUAGE_CODE):
            if kind == ReminderLog.Kind.DUE_SOON:
                subject = _("Progress reports due on %(date)s") % {"date": period.due_on.isoformat()}
            elif kind == ReminderLog.Kind.OVERDUE:
                subject = _("Progress reports overdue since %(date)s") % {"date": period.due_on.isoformat()}
            else:
                subject = _("Escalation: %(org)s has not reported for %(year)s") % {"org": organisation.name,
                                                                                   "year": period.year}
            body = _("Body: %(org)s\nYear: %(year)s\nMeasures without a submitted report: %(numbers)s\n\n"
                     "Write them in Körpü: %(link)s") % {"org": organisation.name, "year": period.year,
                                                         "numbers": numbers, "link": f"{settings.SITE_URL}/plan/"}
        send_mail(subject, body, None, [email])


def send_report_reminders(*, today: dt.date, days_before: int | None = None) -> ReminderResult:
    days_before = settings.PLAN_REMINDER_DAYS if days_before is None else days_before
    result = ReminderResult()
    for period in ReportingPeriod.objects.filter(locked=False).select_related("plan"):
        if today < period.due_on - dt.timedelta(days=days_before):
            continue
        for organisation, measures in missing_reports(period).items():
            focal_points = [(u.email, u.language) for u in User.objects.filter(
                memberships__organisation=organisation, memberships__role=Role.PLAN_FOCAL_POINT,
                memberships__is_active=True, is_active=True).exclude(email="").distinct()]
            kind = ReminderLog.Kind.DUE_SOON if today <= period.due_on else ReminderLog.Kind.OVERDUE
            if focal_points and _once(period, organisation, kind, len(focal_points)):
                transaction.on_commit(partial(_send, focal_points, kind, period, organisation, measures))
                if kind == ReminderLog.Kind.DUE_SOON:
                    result.due_soon += 1
                else:
                    result.overdue += 1
            contact = BodyContact.objects.filter(organisation=organisation).first()
            if (contact is not None and today > period.due_on + dt.timedelta(days=contact.escalate_after_days)
                    and _once(period, organisation, ReminderLog.Kind.ESCALATION, 1)):
                transaction.on_commit(partial(_send, [(contact.head_email, "")], ReminderLog.Kind.ESCALATION,
                                              period, organisation, measures))
                result.escalations += 1
    audit.record("jobs.report_reminders", details={"due_soon": result.due_soon, "overdue": result.overdue,
                                                   "escalations": result.escalations})
    return result


@dataclass
class JobResults:
    report_reminders: ReminderResult


def run_all(*, today: dt.date) -> JobResults:
    """Every scheduled job, in order. `korpu jobs run` calls this."""
    with transaction.atomic():
        reminders = send_report_reminders(today=today)
    return JobResults(report_reminders=reminders)
