"""Every change to the action plan, its reports and the recommendations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role, User
from korpu.core import access, audit
from korpu.plan.models import (
    Assessment,
    Category,
    ImplementationStatus,
    IndicatorValue,
    Measure,
    ProgressReport,
    Recommendation,
    ReportEvent,
    ReportingPeriod,
    Section,
)


def _require_manager(by: Any, action: str, obj: Any = None) -> None:
    if not access.can_manage_plan(by):
        audit.denied(action, obj=obj, actor=by)
        raise ValidationError(_("Only the National Coordinator's office may do this."))


def reporting_bodies(by: Any, measure: Measure) -> list[Organisation]:
    """The executing bodies of the measure for which this user is a focal point."""
    if not access.is_staff_user(by):
        return []
    mine = {m.organisation_id for m in by.active_memberships() if m.role == Role.PLAN_FOCAL_POINT}
    return [o for o in measure.executing_bodies.all() if o.pk in mine]


# --- reports -----------------------------------------------------------------------------------
def report_save(*, by: Any, measure: Measure, period: ReportingPeriod, organisation: Organisation, text: str,
                implementation: str, indicator_values: dict[int, Decimal] | None = None) -> ProgressReport:
    """Create or update a draft (or a returned report) of one body for one measure and period."""
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
        if report.status not in (ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED):
            raise ValidationError(_("A submitted or accepted report cannot be edited."))
        report.text = text.strip()
        report.implementation = implementation
        report.updated_at = timezone.now()
        report.save(update_fields=["text", "implementation", "updated_at"])
        valid_ids = set(measure.indicators.values_list("pk", flat=True))
        for indicator_id, value in (indicator_values or {}).items():
            if indicator_id not in valid_ids:
                raise ValidationError(_("That indicator belongs to another measure."))
            IndicatorValue.objects.update_or_create(indicator_id=indicator_id, report=report,
                                                    defaults={"value": value})
        audit.record("progress_report.save", obj=report, actor=by, details={"created": created})
    return report


def _transition(report: ProgressReport, *, by: Any, to: str, allowed: Iterable[str], comment: str = "",
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
        ReportEvent.objects.create(report=locked, status=to, comment=comment, by=by)
        audit.record(action, obj=locked, actor=by)
    return locked


def report_submit(*, by: Any, report: ProgressReport) -> ProgressReport:
    if report.organisation not in reporting_bodies(by, report.measure):
        audit.denied("progress_report.submit", obj=report, actor=by)
        raise ValidationError(_("You report only for measures your body executes."))
    if not report.text.strip():
        raise ValidationError(_("Say what was done before submitting."))
    report = _transition(report, by=by, to=ProgressReport.Status.SUBMITTED,
                         allowed=[ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED],
                         action="progress_report.submit")
    transaction.on_commit(lambda: _notify_managers(report))
    return report


def report_return(*, by: Any, report: ProgressReport, comment: str) -> ProgressReport:
    _require_manager(by, "progress_report.return", report)
    if not comment.strip():
        raise ValidationError(_("Say what must change: a returned report needs a comment."))
    report = _transition(report, by=by, to=ProgressReport.Status.RETURNED, allowed=[ProgressReport.Status.SUBMITTED],
                         comment=comment.strip(), action="progress_report.return")
    transaction.on_commit(lambda: _notify_focal_points(report, returned=True))
    return report


def report_accept(*, by: Any, report: ProgressReport, comment: str = "") -> ProgressReport:
    _require_manager(by, "progress_report.accept", report)
    report = _transition(report, by=by, to=ProgressReport.Status.ACCEPTED, allowed=[ProgressReport.Status.SUBMITTED],
                         comment=comment.strip(), action="progress_report.accept")
    transaction.on_commit(lambda: _notify_focal_points(report, returned=False))
    return report


def period_lock(*, by: Any, period: ReportingPeriod, locked: bool = True) -> ReportingPeriod:
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


# --- recommendations ---------------------------------------------------------------------------
def recommendation_save(*, by: Any, recommendation: Recommendation | None = None, measures: Iterable[Measure] = (),
                        **fields: Any) -> Recommendation:
    _require_manager(by, "recommendation.save", recommendation)
    with transaction.atomic():
        recommendation = recommendation or Recommendation()
        for name, value in fields.items():
            setattr(recommendation, name, value)
        if recommendation.previous_id and recommendation.previous_id == recommendation.pk:
            raise ValidationError(_("A recommendation cannot repeat itself."))
        recommendation.full_clean()
        recommendation.save()
        recommendation.measures.set(list(measures))
        audit.record("recommendation.save", obj=recommendation, actor=by)
    return recommendation


def assessment_record(*, by: Any, recommendation: Recommendation, level: str, comment: str = "") -> Assessment:
    _require_manager(by, "recommendation.assess", recommendation)
    if level not in Assessment.Level.values:
        raise ValidationError(_("Choose an assessment."))
    with transaction.atomic():
        assessment = Assessment.objects.create(recommendation=recommendation, level=level, comment=comment.strip(),
                                               by=by)
        audit.record("recommendation.assess", obj=recommendation, actor=by, details={"level": level})
    return assessment


def measure_create(*, by: Any, section: Section, number: str, text_az: str, text_ru: str = "", text_en: str = "",
                   expected_result_az: str = "", expected_result_ru: str = "", expected_result_en: str = "",
                   start_year: int, end_year: int, deadline: dt.date | None = None,
                   executing_bodies: Iterable[Organisation], partners: Iterable[Organisation] = (),
                   categories: Iterable[Category] = ()) -> Measure:
    """Add a measure to a section of the plan (the coordinator's office only; audited)."""
    _require_manager(by, "measure.create", section)
    plan = section.plan
    bodies, partner_list = list(executing_bodies), list(partners)
    if not bodies:
        raise ValidationError(_("Name at least one executing body."))
    if not plan.start_year <= start_year <= end_year <= plan.end_year:
        raise ValidationError(_("The measure's period must lie within the plan's period (%(a)d–%(b)d).")
                              % {"a": plan.start_year, "b": plan.end_year})
    if deadline is not None and not start_year <= deadline.year <= end_year:
        raise ValidationError(_("The deadline must fall within the measure's period."))
    with transaction.atomic():
        measure = Measure(section=section, number=number.strip(), text_az=text_az.strip(), text_ru=text_ru.strip(),
                          text_en=text_en.strip(), expected_result_az=expected_result_az.strip(),
                          expected_result_ru=expected_result_ru.strip(),
                          expected_result_en=expected_result_en.strip(), start_year=start_year, end_year=end_year,
                          deadline=deadline)
        measure.full_clean()
        measure.save()
        measure.executing_bodies.set(bodies)
        measure.partners.set(partner_list)
        measure.categories.set(list(categories))
        audit.record("measure.create", obj=measure, actor=by,
                     details={"section": section.pk, "bodies": len(bodies), "partners": len(partner_list)})
    return measure


def measure_set_published(*, by: Any, measure: Measure, published: bool) -> Measure:
    _require_manager(by, "measure.publish", measure)
    with transaction.atomic():
        measure.is_published = published
        measure.save(update_fields=["is_published"])
        audit.record("measure.publish" if published else "measure.unpublish", obj=measure, actor=by)
    return measure


def recommendation_set_published(*, by: Any, recommendation: Recommendation, published: bool) -> Recommendation:
    _require_manager(by, "recommendation.publish", recommendation)
    with transaction.atomic():
        recommendation.is_published = published
        recommendation.save(update_fields=["is_published"])
        audit.record("recommendation.publish" if published else "recommendation.unpublish", obj=recommendation,
                     actor=by)
    return recommendation
