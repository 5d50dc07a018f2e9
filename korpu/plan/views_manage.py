"""Pages of the National Coordinator's office that shape the plan: plans, sections, reporting periods,
measures, indicators and their targets, categories, recommendations.

Only plan managers (``access.can_manage_plan``) reach them; anyone else gets the same 404 as for a
missing page, with a "denied" audit event. Every change goes through one action of
``korpu.plan.actions``, which checks the rules again and records the change.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from korpu.core.i18n import localized
from korpu.core.views import form_page
from korpu.plan import actions, forms, queries
from korpu.plan.models import Plan, ReportingPeriod, Section


def _require_manager(request: HttpRequest, action: str, object_type: str = "", object_id: Any = "") -> None:
    queries.require_manager(request.user, action, object_type, object_id)


# Every page here is one form on its own page (``korpu.core.views.form_page``), in the plan's layout.
_form_page = partial(form_page, template="plan/form_page.html")


def _plan_back(plan: Plan) -> tuple[str, str]:
    return reverse("plan:detail", args=[plan.pk]), localized(plan, "title")


# --- plans -------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def plan_create_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request, "plan.save", "plan.Plan")
    form = forms.PlanForm(request.POST or None)
    return _form_page(request, form, lambda: actions.plan_save(by=request.user, **form.cleaned_data),
                      title=_("New action plan"), back=(reverse("plan:list"), _("Action plans")),
                      success=_("The plan is created. It is not public until you publish it."),
                      then=lambda plan: reverse("plan:edit", args=[plan.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    _require_manager(request, "plan.save", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    form = forms.PlanForm(request.POST or None, instance=plan)
    return _form_page(request, form, lambda: actions.plan_save(by=request.user, plan=plan, **form.cleaned_data),
                      title=_("The plan, its sections and reporting periods"), back=_plan_back(plan),
                      success=_("The plan is saved."), then=lambda saved: reverse("plan:edit", args=[saved.pk]),
                      template="plan/plan_edit.html",
                      extra={"plan": plan, "sections": plan.sections.order_by("order", "number"),
                             "periods": plan.periods.order_by("year")})


@login_required
@require_POST
def plan_publish_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    _require_manager(request, "plan.publish", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    published = request.POST.get("published") == "1"
    actions.plan_set_published(by=request.user, plan=plan, published=published)
    messages.success(request, _("The plan is public.") if published else _("The plan is no longer public."))
    return redirect("plan:edit", plan_id=plan.pk)


# --- sections and reporting periods ------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def section_create_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    _require_manager(request, "section.save", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    form = forms.SectionForm(request.POST or None, instance=Section(plan=plan),
                             initial={"order": plan.sections.count() + 1})
    return _form_page(request, form, lambda: actions.section_save(by=request.user, plan=plan, **form.cleaned_data),
                      title=_("New section"), back=(reverse("plan:edit", args=[plan.pk]), _("The plan")),
                      success=_("The section is saved."), then=lambda _s: reverse("plan:edit", args=[plan.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def section_edit_view(request: HttpRequest, section_id: int) -> HttpResponse:
    _require_manager(request, "section.save", "plan.Section", section_id)
    section = queries.section_for(request.user, section_id, action="section.save")
    plan = section.plan
    form = forms.SectionForm(request.POST or None, instance=section)
    return _form_page(request, form, lambda: actions.section_save(by=request.user, plan=plan, section=section,
                                                                  **form.cleaned_data),
                      title=_("Section %(number)s") % {"number": section.number},
                      back=(reverse("plan:edit", args=[plan.pk]), _("The plan")), success=_("The section is saved."),
                      then=lambda _s: reverse("plan:edit", args=[plan.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def period_create_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    _require_manager(request, "reporting_period.save", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    form = forms.PeriodForm(request.POST or None, instance=ReportingPeriod(plan=plan))
    return _form_page(request, form, lambda: actions.period_save(by=request.user, plan=plan, **form.cleaned_data),
                      title=_("New reporting period"), back=(reverse("plan:edit", args=[plan.pk]), _("The plan")),
                      success=_("The reporting period is saved."),
                      then=lambda _p: reverse("plan:edit", args=[plan.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def period_edit_view(request: HttpRequest, period_id: int) -> HttpResponse:
    _require_manager(request, "reporting_period.save", "plan.ReportingPeriod", period_id)
    period = queries.period_for(request.user, period_id, action="reporting_period.save")
    plan = period.plan
    form = forms.PeriodForm(request.POST or None, instance=period)
    return _form_page(request, form, lambda: actions.period_save(by=request.user, plan=plan, period=period,
                                                                 **form.cleaned_data),
                      title=_("Reporting period %(year)s") % {"year": period.year},
                      back=(reverse("plan:edit", args=[plan.pk]), _("The plan")),
                      success=_("The reporting period is saved."),
                      then=lambda _p: reverse("plan:edit", args=[plan.pk]))


# --- categories --------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def category_list_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request, "category.save", "plan.Category")
    form = forms.CategoryForm(request.POST or None)
    return _form_page(request, form, lambda: actions.category_save(by=request.user, **form.cleaned_data),
                      title=_("Categories of measures"), back=(reverse("plan:list"), _("Action plans")),
                      success=_("The category is saved."), then=lambda _c: reverse("plan:categories"),
                      template="plan/categories.html",
                      extra={"categories": queries.categories_visible_to(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def category_edit_view(request: HttpRequest, category_id: int) -> HttpResponse:
    _require_manager(request, "category.save", "plan.Category", category_id)
    category = queries.category_for(request.user, category_id, action="category.save")
    form = forms.CategoryForm(request.POST or None, instance=category)
    return _form_page(request, form, lambda: actions.category_save(by=request.user, category=category,
                                                                   **form.cleaned_data),
                      title=_("Category %(code)s") % {"code": category.code},
                      back=(reverse("plan:categories"), _("Categories of measures")),
                      success=_("The category is saved."), then=lambda _c: reverse("plan:categories"))


# --- measures and indicators -------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def measure_create_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    _require_manager(request, "measure.create", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    section = request.GET.get("section", "")
    initial = {"start_year": plan.start_year, "end_year": plan.end_year,
               "section": int(section) if section.isdigit() else None}
    form = forms.MeasureForm(request.POST or None, plan=plan, initial=initial)
    return _form_page(request, form, lambda: actions.measure_create(by=request.user, **form.cleaned_data),
                      title=_("New measure"), back=_plan_back(plan),
                      success=_("The measure is created. It is not public until you publish it."),
                      then=lambda measure: reverse("plan:measure", args=[measure.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit_view(request: HttpRequest, measure_id: int) -> HttpResponse:
    _require_manager(request, "measure.update", "plan.Measure", measure_id)
    measure = queries.measure_for(request.user, measure_id)
    form = forms.MeasureForm(request.POST or None, instance=measure, plan=measure.section.plan)
    return _form_page(request, form, lambda: actions.measure_update(by=request.user, measure=measure,
                                                                    **form.cleaned_data),
                      title=_("Measure %(number)s") % {"number": measure.number},
                      back=(reverse("plan:measure", args=[measure.pk]), _("The measure")),
                      success=_("The measure is saved."), then=lambda saved: reverse("plan:measure", args=[saved.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create_view(request: HttpRequest, measure_id: int) -> HttpResponse:
    _require_manager(request, "indicator.save", "plan.Measure", measure_id)
    measure = queries.measure_for(request.user, measure_id)
    form = forms.IndicatorForm(request.POST or None, measure=measure)
    return _form_page(request, form, lambda: actions.indicator_save(by=request.user, measure=measure,
                                                                    targets=form.targets(), **form.indicator_fields()),
                      title=_("New indicator of measure %(number)s") % {"number": measure.number},
                      back=(reverse("plan:measure", args=[measure.pk]), _("The measure")),
                      success=_("The indicator is saved."), then=lambda _i: reverse("plan:measure", args=[measure.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit_view(request: HttpRequest, indicator_id: int) -> HttpResponse:
    _require_manager(request, "indicator.save", "plan.Indicator", indicator_id)
    indicator = queries.indicator_for(request.user, indicator_id, action="indicator.save")
    measure = indicator.measure
    form = forms.IndicatorForm(request.POST or None, instance=indicator, measure=measure)
    return _form_page(request, form, lambda: actions.indicator_save(
        by=request.user, measure=measure, indicator=indicator, targets=form.targets(), **form.indicator_fields()),
        title=_("Indicator of measure %(number)s") % {"number": measure.number},
        back=(reverse("plan:measure", args=[measure.pk]), _("The measure")),
        success=_("The indicator is saved."), then=lambda _i: reverse("plan:measure", args=[measure.pk]))


# --- recommendations ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request, "recommendation.save", "plan.Recommendation")
    form = forms.RecommendationForm(request.POST or None)
    return _form_page(request, form, lambda: actions.recommendation_save(
        by=request.user, measures=form.cleaned_data["measures"], **form.recommendation_fields()),
        title=_("New recommendation"), back=(reverse("plan:recommendations"), _("Recommendations")),
        success=_("The recommendation is saved. It is not public until you publish it."),
        then=lambda saved: reverse("plan:recommendation", args=[saved.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit_view(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    _require_manager(request, "recommendation.save", "plan.Recommendation", recommendation_id)
    recommendation = queries.recommendation_for(request.user, recommendation_id)
    form = forms.RecommendationForm(request.POST or None, instance=recommendation)
    return _form_page(request, form, lambda: actions.recommendation_save(
        by=request.user, recommendation=recommendation, measures=form.cleaned_data["measures"],
        **form.recommendation_fields()),
        title=str(recommendation), back=(reverse("plan:recommendation", args=[recommendation.pk]),
                                         _("The recommendation")),
        success=_("The recommendation is saved."), then=lambda saved: reverse("plan:recommendation", args=[saved.pk]))

