"""The plan itself, kept by the coordinator's office: plans, sections, reporting periods, categories,
measures and indicators with their targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation
from korpu.core import audit, figures
from korpu.core.access import Actor
from korpu.plan.actions._common import _changed, _require_manager, _strip
from korpu.plan.models import Category, Indicator, IndicatorTarget, Measure, Plan, ReportingPeriod, Section

# --- the plan itself (the coordinator's office) ----------------------------------------------------
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
