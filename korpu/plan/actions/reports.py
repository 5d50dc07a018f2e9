"""Progress reports (save, submit, return, accept), locking a period, evidence, the e-mails about
reports and the scheduled reminders of missing reports."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role, User, user_of
from korpu.core import access, audit
from korpu.core.access import Actor
from korpu.core.uploads import checked_file
from korpu.plan.actions._common import _require_manager
from korpu.plan.models import (
    BodyContact,
    Evidence,
    ImplementationStatus,
    IndicatorValue,
    Measure,
    ProgressReport,
    ReminderLog,
    ReportEvent,
    ReportingPeriod,
)

EVIDENCE_FOLDER = "plan/evidence"
EDITABLE = (ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED)


def reporting_bodies(by: Actor, measure: Measure) -> list[Organisation]:
    """The executing bodies of the measure for which this user is a focal point."""
    if not access.is_staff_user(by):
        return []
    mine = {m.organisation_id for m in access.memberships(by) if m.role == Role.PLAN_FOCAL_POINT}
    return [o for o in measure.executing_bodies.all() if o.pk in mine]


def _require_evidence_editable(by: Actor, report: ProgressReport, action: str, obj: Any, not_editable: str) -> None:
    """Evidence changes on the report's own terms: its body's focal point, a draft or returned report,
    an open period; each refusal says which of these failed."""
    if report.organisation not in reporting_bodies(by, report.measure):
        audit.denied(action, obj=obj, actor=by)
        raise ValidationError(_("You report only for measures your body executes."))
    if report.status not in EDITABLE:
        raise ValidationError(not_editable)
    if report.period.locked:
        raise ValidationError(_("This period is locked; reports can no longer change."))


def report_editable_by(by: Actor, report: ProgressReport) -> bool:
    """Whether ``by`` may still change the report (text, values, evidence): a focal point of its body,
    while it is a draft or returned and its period is open. The actions below check each part and say
    which one failed; pages use this to decide what to offer."""
    return (report.organisation in reporting_bodies(by, report.measure) and report.status in EDITABLE
            and not report.period.locked)


# --- reports -----------------------------------------------------------------------------------
def report_save(*, by: Actor, measure: Measure, period: ReportingPeriod, organisation: Organisation, text: str,
                implementation: str, indicator_values: Mapping[int, Decimal | None] | None = None) -> ProgressReport:
    """Create or update a draft (or a returned report) of one body for one measure and period.

    ``indicator_values`` maps indicator ids to the value for the year; ``None`` clears a value given
    before (the row is deleted, so it no longer counts once the report is accepted)."""
    if organisation not in reporting_bodies(by, measure):
        audit.denied("progress_report.save", obj=measure, actor=by)
        raise ValidationError(_("You report only for measures your body executes."))
    if period.plan_id != measure.section.plan_id:
        raise ValidationError(_("That period belongs to another plan."))
    if not measure.start_year <= period.year <= measure.end_year:
        raise ValidationError(_("The measure does not run in that year."))
    if period.locked:
        raise ValidationError(_("This period is locked; reports can no longer change."))
    if implementation not in ImplementationStatus.values or implementation == ImplementationStatus.LATE:
        raise ValidationError(_("Choose the state of implementation."))
    with transaction.atomic():
        report, created = ProgressReport.objects.select_for_update().get_or_create(
            measure=measure, period=period, organisation=organisation, defaults={"created_by": by})
        if report.status not in EDITABLE:
            raise ValidationError(_("A submitted or accepted report cannot be edited."))
        report.text = text.strip()
        report.implementation = implementation
        report.updated_at = timezone.now()
        report.save(update_fields=["text", "implementation", "updated_at"])
        valid_ids = set(measure.indicators.values_list("pk", flat=True))
        for indicator_id, value in (indicator_values or {}).items():
            if indicator_id not in valid_ids:
                raise ValidationError(_("That indicator belongs to another measure."))
            if value is None:
                IndicatorValue.objects.filter(indicator_id=indicator_id, report=report).delete()
            else:
                IndicatorValue.objects.update_or_create(indicator_id=indicator_id, report=report,
                                                        defaults={"value": value})
        audit.record("progress_report.save", obj=report, actor=by, details={"created": created})
    return report


def _transition(report: ProgressReport, *, by: Actor, to: str, allowed: Iterable[str], comment: str = "",
                action: str) -> ProgressReport:
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if locked.status not in allowed:
            raise ValidationError(_("The report cannot go from “%(a)s” to “%(b)s”.") % {
                "a": locked.get_status_display(), "b": ProgressReport.Status(to).label})
        if locked.period.locked:
            raise ValidationError(_("This period is locked; reports can no longer change."))
        now = timezone.now()
        locked.status = to
        fields = ["status"]
        if to == ProgressReport.Status.SUBMITTED:
            locked.submitted_at = now
            fields.append("submitted_at")
        else:
            locked.reviewed_at = now
            locked.review_comment = comment
            fields += ["reviewed_at", "review_comment"]
        locked.save(update_fields=fields)
        ReportEvent.objects.create(report=locked, status=to, comment=comment, by=user_of(by))
        audit.record(action, obj=locked, actor=by)
    return locked


def report_submit(*, by: Actor, report: ProgressReport) -> ProgressReport:
    if report.organisation not in reporting_bodies(by, report.measure):
        audit.denied("progress_report.submit", obj=report, actor=by)
        raise ValidationError(_("You report only for measures your body executes."))
    if not report.text.strip():
        raise ValidationError(_("Say what was done before submitting."))
    report = _transition(report, by=by, to=ProgressReport.Status.SUBMITTED,
                         allowed=list(EDITABLE), action="progress_report.submit")
    transaction.on_commit(lambda: _notify_managers(report))
    return report


def report_return(*, by: Actor, report: ProgressReport, comment: str) -> ProgressReport:
    _require_manager(by, "progress_report.return", report)
    if not comment.strip():
        raise ValidationError(_("Say what must change: a returned report needs a comment."))
    report = _transition(report, by=by, to=ProgressReport.Status.RETURNED, allowed=[ProgressReport.Status.SUBMITTED],
                         comment=comment.strip(), action="progress_report.return")
    transaction.on_commit(lambda: _notify_focal_points(report, returned=True))
    return report


def report_accept(*, by: Actor, report: ProgressReport, comment: str = "") -> ProgressReport:
    _require_manager(by, "progress_report.accept", report)
    report = _transition(report, by=by, to=ProgressReport.Status.ACCEPTED, allowed=[ProgressReport.Status.SUBMITTED],
                         comment=comment.strip(), action="progress_report.accept")
    transaction.on_commit(lambda: _notify_focal_points(report, returned=False))
    return report


def period_lock(*, by: Actor, period: ReportingPeriod, locked: bool = True) -> ReportingPeriod:
    _require_manager(by, "reporting_period.lock", period)
    with transaction.atomic():
        period.locked = locked
        period.save(update_fields=["locked"])
        audit.record("reporting_period.lock" if locked else "reporting_period.unlock", obj=period, actor=by)
    return period


def _focal_points(organisation: Organisation) -> list[User]:
    return list(User.objects.filter(memberships__organisation=organisation, memberships__is_active=True,
                                    memberships__role=Role.PLAN_FOCAL_POINT, is_active=True)
                .exclude(email="").distinct())


def _notify_focal_points(report: ProgressReport, *, returned: bool) -> None:
    for user in _focal_points(report.organisation):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = (_("Report returned: measure %(n)s, %(y)s") if returned
                       else _("Report accepted: measure %(n)s, %(y)s")) % {"n": report.measure.number,
                                                                          "y": report.period.year}
            body = f"{subject}\n\n{report.review_comment}\n\n{settings.SITE_URL}/plan/reports/{report.pk}/"
        send_mail(subject, body, None, [user.email])


def _notify_managers(report: ProgressReport) -> None:
    managers = User.objects.filter(memberships__role=Role.COORDINATOR_ANALYST, memberships__is_active=True,
                                   is_active=True).exclude(email="").distinct()
    for user in managers:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Report submitted: measure %(n)s, %(y)s, %(org)s") % {
                "n": report.measure.number, "y": report.period.year, "org": report.organisation.name}
            body = f"{subject}\n\n{settings.SITE_URL}/plan/reports/{report.pk}/"
        send_mail(subject, body, None, [user.email])


# --- evidence ------------------------------------------------------------------------------------
def evidence_add(*, by: Actor, report: ProgressReport, filename: str, data: bytes) -> Evidence:
    """Attach a file to a report: its body's focal point, while the report is a draft or returned.

    Evidence is not victim data: it is stored as uploaded (not encrypted) under ``plan/evidence/`` with a
    random name. The type is judged from the bytes, the name is sanitised, the size is limited by
    ``KORPU_ATTACHMENT_MAX_MB``."""
    _require_evidence_editable(by, report, "evidence.create", report,
                               _("Evidence can be added only while the report is a draft or returned."))
    safe_name, content_type = checked_file(filename, data)
    suffix = PurePath(safe_name).suffix.lower()
    with transaction.atomic():
        stored = default_storage.save(f"{EVIDENCE_FOLDER}/{secrets.token_hex(16)}{suffix}", ContentFile(data))
        try:
            evidence = Evidence.objects.create(report=report, filename=safe_name, content_type=content_type,
                                               size=len(data), storage_name=stored, uploaded_by=user_of(by))
            audit.record("evidence.create", obj=evidence, actor=by,
                         details={"report": report.pk, "size": len(data), "content_type": content_type})
        except Exception:
            default_storage.delete(stored)
            raise
    return evidence


def evidence_delete(*, by: Actor, evidence: Evidence) -> None:
    """Remove a file from a report, on the same terms as adding one; the stored file goes after commit."""
    report = evidence.report
    _require_evidence_editable(by, report, "evidence.delete", evidence,
                               _("Evidence can be removed only while the report is a draft or returned."))
    stored = evidence.storage_name
    with transaction.atomic():
        audit.record("evidence.delete", obj=evidence, actor=by, details={"report": report.pk})
        evidence.delete()
        transaction.on_commit(lambda: default_storage.delete(stored))


# --- report reminders ----------------------------------------------------------------------------
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


def _reminder_once(period: ReportingPeriod, organisation: Organisation, kind: str, recipients: int) -> bool:
    """Log the reminder; False when it was sent before (the log's unique key), so each goes out once."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(period=period, organisation=organisation, kind=kind, recipients=recipients)
    except IntegrityError:
        return False
    return True


def _send_reminder(users: list[tuple[str, str]], kind: str, period: ReportingPeriod, organisation: Organisation,
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


def report_reminders_send(*, today: dt.date, days_before: int | None = None) -> ReminderResult:
    """Remind the bodies with reports missing in every open period (the scheduled job calls this).

    A body's focal points are told when the due date is ``days_before`` days away (by default
    ``KORPU_PLAN_REMINDER_DAYS``) and again once it has passed; the head of the body (``BodyContact``)
    after the body's escalation delay. Each reminder is logged (``ReminderLog``) and so sent once,
    whenever the job runs; the e-mails leave when the transaction commits. Audited as
    ``jobs.report_reminders`` with the counts.
    """
    days_before = settings.PLAN_REMINDER_DAYS if days_before is None else days_before
    result = ReminderResult()
    with transaction.atomic():
        for period in ReportingPeriod.objects.filter(locked=False).select_related("plan"):
            if today < period.due_on - dt.timedelta(days=days_before):
                continue
            for organisation, measures in missing_reports(period).items():
                focal_points = [(u.email, u.language) for u in _focal_points(organisation)]
                kind = ReminderLog.Kind.DUE_SOON if today <= period.due_on else ReminderLog.Kind.OVERDUE
                if focal_points and _reminder_once(period, organisation, kind, len(focal_points)):
                    transaction.on_commit(partial(_send_reminder, focal_points, kind, period, organisation, measures))
                    if kind == ReminderLog.Kind.DUE_SOON:
                        result.due_soon += 1
                    else:
                        result.overdue += 1
                contact = BodyContact.objects.filter(organisation=organisation).first()
                if (contact is not None and today > period.due_on + dt.timedelta(days=contact.escalate_after_days)
                        and _reminder_once(period, organisation, ReminderLog.Kind.ESCALATION, 1)):
                    transaction.on_commit(partial(_send_reminder, [(contact.head_email, "")],
                                                  ReminderLog.Kind.ESCALATION, period, organisation, measures))
                    result.escalations += 1
        audit.record("jobs.report_reminders", details={"due_soon": result.due_soon, "overdue": result.overdue,
                                                       "escalations": result.escalations})
    return result
