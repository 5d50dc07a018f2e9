"""Every change to the action plan, its reports and the recommendations."""

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
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role, User, user_of
from korpu.core import access, audit, figures
from korpu.core.access import Actor
from korpu.core.uploads import checked_file
from korpu.plan.models import (
    Assessment,
    BodyContact,
    Category,
    Evidence,
    ImplementationStatus,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Measure,
    Plan,
    ProgressReport,
    Recommendation,
    ReminderLog,
    ReportEvent,
    ReportingPeriod,
    Section,
)

EVIDENCE_FOLDER = "plan/evidence"
EDITABLE = (ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED)


def _require_manager(by: Actor, action: str, obj: Any = None) -> None:
    if not access.can_manage_plan(by):
        audit.denied(action, obj=obj, actor=by)
        raise ValidationError(_("Only the National Coordinator's office may do this."))


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


# --- the plan itself (the coordinator's office) ----------------------------------------------------
def _strip(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _changed(obj: Any, fields: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in fields.items() if getattr(obj, name) != value)


PLAN_FIELDS = ("title_az", "title_ru", "title_en", "description_az", "description_ru", "description_en",
               "start_year", "end_year", "adopting_act_az", "adopting_act_ru", "adopting_act_en", "adopted_on")


def plan_save(*, by: Actor, plan: Plan | None = None, **fields: Any) -> Plan:
    """Create a plan, or change its texts, period and adopting act. A new plan is not published.

    The period cannot shrink past a measure or a reporting period of the plan."""
    _require_manager(by, "plan.save", plan)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    fields = _strip(fields)
    start, end = fields.get("start_year"), fields.get("end_year")
    if start is not None and end is not None and end < start:
        raise ValidationError(_("The end year %(end)s is before the start year %(start)s.") % {"end": end,
                                                                                             "start": start})
    with transaction.atomic():
        created = plan is None
        plan = Plan() if plan is None else Plan.objects.select_for_update().get(pk=plan.pk)
        changed = _changed(plan, fields) if not created else sorted(fields)
        for name, value in fields.items():
            setattr(plan, name, value)
        if not created:
            outside = Q(start_year__lt=plan.start_year) | Q(end_year__gt=plan.end_year)
            if Measure.objects.filter(section__plan=plan).filter(outside).exists():
                raise ValidationError(_("Some measures run outside the new period; change them first."))
            if plan.periods.exclude(year__range=(plan.start_year, plan.end_year)).exists():
                raise ValidationError(_("Some reporting periods lie outside the new period."))
        plan.full_clean()
        plan.save()
        audit.record("plan.create" if created else "plan.update", obj=plan, actor=by, details={"fields": changed})
    return plan


def plan_set_published(*, by: Actor, plan: Plan, published: bool) -> Plan:
    """Publish a plan on the public portal (its published measures with it), or take it back."""
    _require_manager(by, "plan.publish", plan)
    with transaction.atomic():
        plan.is_published = published
        plan.save(update_fields=["is_published"])
        audit.record("plan.publish" if published else "plan.unpublish", obj=plan, actor=by)
    return plan


def section_save(*, by: Actor, plan: Plan, section: Section | None = None, number: str, title_az: str,
                 title_ru: str = "", title_en: str = "", order: int | None = None) -> Section:
    """Add a section to a plan or change one (number unique in the plan)."""
    _require_manager(by, "section.save", section or plan)
    if section is not None and section.plan_id != plan.pk:
        raise ValidationError(_("That section belongs to another plan."))
    with transaction.atomic():
        created = section is None
        section = Section(plan=plan) if section is None else Section.objects.select_for_update().get(pk=section.pk)
        if order is None:
            order = section.order if not created else plan.sections.count() + 1
        fields = _strip({"number": number, "title_az": title_az, "title_ru": title_ru, "title_en": title_en,
                         "order": order})
        changed = _changed(section, fields) if not created else sorted(fields)
        for name, value in fields.items():
            setattr(section, name, value)
        section.full_clean()
        section.save()
        audit.record("section.create" if created else "section.update", obj=section, actor=by,
                     details={"plan": plan.pk, "fields": changed})
    return section


def period_save(*, by: Actor, plan: Plan, period: ReportingPeriod | None = None, year: int,
                due_on: dt.date) -> ReportingPeriod:
    """Open a reporting period (a year of the plan, with the date reports are due) or move its due date."""
    _require_manager(by, "reporting_period.save", period or plan)
    if period is not None and period.plan_id != plan.pk:
        raise ValidationError(_("That period belongs to another plan."))
    if not plan.start_year <= year <= plan.end_year:
        raise ValidationError(_("The year must lie within the plan's period (%(a)d–%(b)d).")
                              % {"a": plan.start_year, "b": plan.end_year})
    if due_on < dt.date(year, 1, 1):
        raise ValidationError(_("Reports cannot be due before the year they report on."))
    with transaction.atomic():
        created = period is None
        period = ReportingPeriod(plan=plan) if period is None else ReportingPeriod.objects.select_for_update().get(
            pk=period.pk)
        if not created and period.year != year and period.reports.exists():
            raise ValidationError(_("Reports were written for this year; its year cannot change."))
        changed = _changed(period, {"year": year, "due_on": due_on}) if not created else ["due_on", "year"]
        period.year, period.due_on = year, due_on
        period.full_clean()
        period.save()
        audit.record("reporting_period.create" if created else "reporting_period.update", obj=period, actor=by,
                     details={"plan": plan.pk, "fields": changed})
    return period


def category_save(*, by: Actor, category: Category | None = None, kind: str, code: str, name_az: str,
                  name_ru: str = "", name_en: str = "") -> Category:
    """Add a category of measures (an SDG target or a free one) or rename one. Codes are unique."""
    _require_manager(by, "category.save", category)
    if kind not in (Category.Kind.SDG, Category.Kind.OTHER) and (category is None or category.kind != kind):
        raise ValidationError(_("The four pillars are fixed; add an SDG target or another category."))
    with transaction.atomic():
        created = category is None
        category = Category() if category is None else Category.objects.select_for_update().get(pk=category.pk)
        fields = _strip({"kind": kind, "code": code, "name_az": name_az, "name_ru": name_ru, "name_en": name_en})
        if not created and category.code != fields["code"]:
            raise ValidationError(_("A category's code cannot change: imports refer to it."))
        for name, value in fields.items():
            setattr(category, name, value)
        category.full_clean()
        category.save()
        audit.record("category.create" if created else "category.update", obj=category, actor=by,
                     details={"code": category.code})
    return category


# --- measures and indicators -----------------------------------------------------------------------
def _check_measure(plan: Plan, *, start_year: int, end_year: int, deadline: dt.date | None,
                   bodies: list[Organisation], partners: list[Organisation]) -> None:
    if not bodies:
        raise ValidationError(_("Name at least one executing body."))
    if not plan.start_year <= start_year <= end_year <= plan.end_year:
        raise ValidationError(_("The measure's period must lie within the plan's period (%(a)d–%(b)d).")
                              % {"a": plan.start_year, "b": plan.end_year})
    if deadline is not None and not start_year <= deadline.year <= end_year:
        raise ValidationError(_("The deadline must fall within the measure's period."))
    both = sorted(o.name for o in bodies if o.pk in {p.pk for p in partners})
    if both:
        raise ValidationError(_("An organisation cannot be both executing body and partner: %(names)s.")
                              % {"names": "; ".join(both)})


def measure_create(*, by: Actor, section: Section, number: str, text_az: str, text_ru: str = "", text_en: str = "",
                   expected_result_az: str = "", expected_result_ru: str = "", expected_result_en: str = "",
                   start_year: int, end_year: int, deadline: dt.date | None = None,
                   executing_bodies: Iterable[Organisation], partners: Iterable[Organisation] = (),
                   categories: Iterable[Category] = (), is_published: bool = False) -> Measure:
    """Add a measure to a section of the plan (the coordinator's office only; audited).

    A new measure is internal unless ``is_published`` says otherwise (an import may publish at once)."""
    _require_manager(by, "measure.create", section)
    plan = section.plan
    bodies, partner_list = list(executing_bodies), list(partners)
    _check_measure(plan, start_year=start_year, end_year=end_year, deadline=deadline, bodies=bodies,
                   partners=partner_list)
    with transaction.atomic():
        measure = Measure(section=section, number=number.strip(), text_az=text_az.strip(), text_ru=text_ru.strip(),
                          text_en=text_en.strip(), expected_result_az=expected_result_az.strip(),
                          expected_result_ru=expected_result_ru.strip(),
                          expected_result_en=expected_result_en.strip(), start_year=start_year, end_year=end_year,
                          deadline=deadline, is_published=is_published)
        measure.full_clean()
        measure.save()
        measure.executing_bodies.set(bodies)
        measure.partners.set(partner_list)
        measure.categories.set(list(categories))
        audit.record("measure.create", obj=measure, actor=by,
                     details={"section": section.pk, "bodies": len(bodies), "partners": len(partner_list),
                              "published": is_published})
    return measure


MEASURE_TEXT_FIELDS = ("number", "text_az", "text_ru", "text_en", "expected_result_az", "expected_result_ru",
                       "expected_result_en")


def measure_update(*, by: Actor, measure: Measure, section: Section, start_year: int, end_year: int,
                   deadline: dt.date | None, executing_bodies: Iterable[Organisation],
                   partners: Iterable[Organisation] = (), categories: Iterable[Category] = (),
                   **texts: str) -> Measure:
    """Change a measure. Refused when reports already written would fall outside it: a body that has
    reported stays an executing body, and the period keeps every year with a report or a target."""
    _require_manager(by, "measure.update", measure)
    unknown = set(texts) - set(MEASURE_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields: {sorted(unknown)}")
    plan = measure.section.plan
    if section.plan_id != plan.pk:
        raise ValidationError(_("A measure stays in its plan; choose a section of the same plan."))
    bodies, partner_list, category_list = list(executing_bodies), list(partners), list(categories)
    _check_measure(plan, start_year=start_year, end_year=end_year, deadline=deadline, bodies=bodies,
                   partners=partner_list)
    with transaction.atomic():
        measure = Measure.objects.select_for_update().get(pk=measure.pk)
        kept = {o.pk for o in bodies}
        dropped = sorted(o.name for o in Organisation.objects.filter(progress_reports__measure=measure).distinct()
                         if o.pk not in kept)
        if dropped:
            raise ValidationError(_("These bodies have reported on the measure and must stay its executing "
                                    "bodies: %(names)s.") % {"names": "; ".join(dropped)})
        if measure.reports.exclude(period__year__range=(start_year, end_year)).exists():
            raise ValidationError(_("Reports exist for years outside the new period."))
        if IndicatorTarget.objects.filter(indicator__measure=measure).exclude(
                year__range=(start_year, end_year)).exists():
            raise ValidationError(_("Indicator targets exist for years outside the new period; change them "
                                    "first."))
        fields = _strip({**texts, "section": section, "start_year": start_year, "end_year": end_year,
                         "deadline": deadline})
        changed = _changed(measure, fields)
        for name, value in fields.items():
            setattr(measure, name, value)
        measure.full_clean()
        measure.save()
        measure.executing_bodies.set(bodies)
        measure.partners.set(partner_list)
        measure.categories.set(category_list)
        audit.record("measure.update", obj=measure, actor=by,
                     details={"fields": changed, "bodies": len(bodies), "partners": len(partner_list),
                              "categories": len(category_list)})
    return measure


def measure_set_published(*, by: Actor, measure: Measure, published: bool) -> Measure:
    _require_manager(by, "measure.publish", measure)
    with transaction.atomic():
        measure.is_published = published
        measure.save(update_fields=["is_published"])
        audit.record("measure.publish" if published else "measure.unpublish", obj=measure, actor=by)
    return measure


INDICATOR_FIELDS = ("name_az", "name_ru", "name_en", "unit", "baseline", "baseline_year", "computed_key")


def indicator_save(*, by: Actor, measure: Measure, indicator: Indicator | None = None,
                   targets: Mapping[int, Decimal | None] | None = None, **fields: Any) -> Indicator:
    """Add an indicator to a measure or change it, with its targets per year (``None`` removes a target).

    ``computed_key`` names a national figure of ``korpu.core.figures`` (defined by ``korpu.stats``), or is
    empty: reported only."""
    _require_manager(by, "indicator.save", indicator or measure)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    if indicator is not None and indicator.measure_id != measure.pk:
        raise ValidationError(_("That indicator belongs to another measure."))
    fields = _strip(fields)
    key = fields.get("computed_key", "")
    if key and not figures.is_known(key):
        raise ValidationError(_("Unknown statistic: %(key)s.") % {"key": key})
    targets = targets or {}
    outside = sorted(year for year in targets if not measure.start_year <= year <= measure.end_year)
    if outside:
        raise ValidationError(_("Targets can be set only for the measure's years (%(a)d–%(b)d).")
                              % {"a": measure.start_year, "b": measure.end_year})
    with transaction.atomic():
        created = indicator is None
        indicator = Indicator(measure=measure) if indicator is None else Indicator.objects.select_for_update().get(
            pk=indicator.pk)
        changed = _changed(indicator, fields) if not created else sorted(fields)
        for name, value in fields.items():
            setattr(indicator, name, value)
        indicator.full_clean()
        indicator.save()
        target_changes = 0
        for year, value in sorted(targets.items()):
            if value is None:
                target_changes += IndicatorTarget.objects.filter(indicator=indicator, year=year).delete()[0]
            else:
                IndicatorTarget.objects.update_or_create(indicator=indicator, year=year, defaults={"value": value})
                target_changes += 1
        audit.record("indicator.create" if created else "indicator.update", obj=indicator, actor=by,
                     details={"measure": measure.pk, "fields": changed, "targets": target_changes})
    return indicator


# --- recommendations ---------------------------------------------------------------------------
RECOMMENDATION_FIELDS = ("source", "cycle", "reference", "text_az", "text_ru", "text_en", "priority", "theme",
                         "previous", "response_az", "response_ru", "response_en", "is_published")


def recommendation_save(*, by: Actor, recommendation: Recommendation | None = None, measures: Iterable[Measure] = (),
                        **fields: Any) -> Recommendation:
    """Create or change a recommendation. ``previous`` (the same one in an earlier cycle) may not make a
    loop: not itself, nor a recommendation that already repeats it."""
    _require_manager(by, "recommendation.save", recommendation)
    unknown = set(fields) - set(RECOMMENDATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown recommendation fields: {sorted(unknown)}")
    fields = _strip(fields)
    with transaction.atomic():
        created = recommendation is None
        recommendation = (Recommendation() if recommendation is None
                          else Recommendation.objects.select_for_update().get(pk=recommendation.pk))
        changed = _changed(recommendation, fields) if not created else sorted(fields)
        for name, value in fields.items():
            setattr(recommendation, name, value)
        if recommendation.pk is not None and recommendation.previous_id is not None:
            earlier, seen = recommendation.previous, set()
            while earlier is not None and earlier.pk not in seen:
                if earlier.pk == recommendation.pk:
                    raise ValidationError(_("A recommendation cannot repeat itself or a later one."))
                seen.add(earlier.pk)
                earlier = earlier.previous
        recommendation.full_clean()
        recommendation.save()
        measure_list = list(measures)
        recommendation.measures.set(measure_list)
        audit.record("recommendation.save", obj=recommendation, actor=by,
                     details={"created": created, "fields": changed, "measures": len(measure_list)})
    return recommendation


def assessment_record(*, by: Actor, recommendation: Recommendation, level: str, comment: str = "") -> Assessment:
    _require_manager(by, "recommendation.assess", recommendation)
    if level not in Assessment.Level.values:
        raise ValidationError(_("Choose an assessment."))
    with transaction.atomic():
        assessment = Assessment.objects.create(recommendation=recommendation, level=level, comment=comment.strip(),
                                               by=user_of(by))
        audit.record("recommendation.assess", obj=recommendation, actor=by, details={"level": level})
    return assessment


def recommendation_set_published(*, by: Actor, recommendation: Recommendation, published: bool) -> Recommendation:
    _require_manager(by, "recommendation.publish", recommendation)
    with transaction.atomic():
        recommendation.is_published = published
        recommendation.save(update_fields=["is_published"])
        audit.record("recommendation.publish" if published else "recommendation.unpublish", obj=recommendation,
                     actor=by)
    return recommendation


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
