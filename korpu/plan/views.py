"""Action plan pages: tree, measure, my reports, report workflow and evidence, reporting rate,
recommendations. The coordinator's pages that shape the plan are in ``views_manage``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.downloads import file_download
from korpu.core.uploads import read_upload
from korpu.plan import actions, charts, forms, queries
from korpu.plan.filters import RecommendationFilter
from korpu.plan.models import ProgressReport


@login_required
def plan_list_view(request: HttpRequest) -> HttpResponse:
    plans = list(queries.plans_visible_to(request.user))
    can_manage = access.can_manage_plan(request.user)
    if len(plans) == 1 and not can_manage:
        return redirect("plan:detail", plan_id=plans[0].pk)
    return render(request, "plan/plan_list.html", {"plans": plans, "can_manage": can_manage})


@login_required
def plan_detail_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = queries.plan_for(request.user, plan_id)
    tree = queries.plan_tree(plan)
    return render(request, "plan/plan_detail.html", {
        "plan": plan, "tree": tree, "can_manage": access.can_manage_plan(request.user),
        "chart": charts.section_progress(tree),
        "my_rows": queries.my_reporting(request.user, plan),
        "review_queue": queries.review_queue(request.user).filter(measure__section__plan=plan),
        "periods": plan.periods.order_by("-year"),
    })


@login_required
def measure_view(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = queries.measure_for(request.user, measure_id)
    plan = measure.section.plan
    years = list(range(measure.start_year, min(measure.end_year, timezone.localdate().year) + 1))
    reports = queries.measure_reports(request.user, measure)
    return render(request, "plan/measure.html", {
        "measure": measure, "plan": plan, "reports": reports,
        "status": queries.measure_status(measure, reports, timezone.localdate()),
        "indicators": queries.indicator_blocks(measure, years),
        "can_manage": access.can_manage_plan(request.user),
        "my_bodies": actions.reporting_bodies(request.user, measure),
        "proposals": measure.proposals.select_related("from_organisation", "meeting"),
        "periods": plan.periods.filter(year__gte=measure.start_year, year__lte=measure.end_year).order_by("-year"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def report_edit_view(request: HttpRequest, measure_id: int, period_id: int, organisation_id: int) -> HttpResponse:
    """A focal point writes (or corrects a returned) report, then saves or submits it."""
    measure = queries.measure_for(request.user, measure_id)
    period = queries.period_for(request.user, period_id, plan=measure.section.plan)
    organisation = queries.reporting_organisation_for(request.user, measure, organisation_id)
    report = queries.report_of(request.user, measure, period, organisation)
    initial: dict[str, object] | None = None
    if report:
        initial = {"implementation": report.implementation, "text": report.text}
        for value in report.indicator_values.all():
            initial[f"indicator_{value.indicator_id}"] = value.value
    form = forms.ReportForm(request.POST or None, measure=measure, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = actions.report_save(by=request.user, measure=measure, period=period, organisation=organisation,
                                         text=form.cleaned_data["text"],
                                         implementation=form.cleaned_data["implementation"],
                                         indicator_values=form.indicator_values())
            if request.POST.get("command") == "submit":
                actions.report_submit(by=request.user, report=report)
                messages.success(request, _("The report is submitted to the National Coordinator's office."))
            else:
                messages.success(request, _("The draft is saved."))
            return redirect("plan:report", report_id=report.pk)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
    return render(request, "plan/report_form.html", {"form": form, "measure": measure, "period": period,
                                                     "organisation": organisation, "report": report},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def report_view(request: HttpRequest, report_id: int) -> HttpResponse:
    report = queries.report_for(request.user, report_id)
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST":
        command = request.POST.get("command")
        try:
            if command == "submit":
                actions.report_submit(by=request.user, report=report)
                messages.success(request, _("The report is submitted to the National Coordinator's office."))
            elif command in ("return", "accept"):
                if not form.is_valid():
                    raise ValidationError(_("Check the comment."))
                if command == "return":
                    actions.report_return(by=request.user, report=report, comment=form.cleaned_data["comment"])
                    messages.success(request, _("The report is returned to the body with your comment."))
                else:
                    actions.report_accept(by=request.user, report=report, comment=form.cleaned_data["comment"])
                    messages.success(request, _("The report is accepted."))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("plan:report", report_id=report.pk)
    return _report_page(request, report, form)


def _report_page(request: HttpRequest, report: ProgressReport, form: forms.ReviewForm,
                 evidence_form: forms.EvidenceForm | None = None, status: int = 200) -> HttpResponse:
    can_edit = actions.report_editable_by(request.user, report)
    return render(request, "plan/report.html", {
        "report": report, "form": form, "events": report.events.select_related("by"),
        "values": report.indicator_values.select_related("indicator"),
        "evidence": report.evidence.select_related("uploaded_by"),
        "evidence_form": evidence_form or (forms.EvidenceForm(auto_id="evidence_%s") if can_edit else None),
        "can_manage": access.can_manage_plan(request.user), "can_edit": can_edit,
    }, status=status)


@login_required
@require_POST
def evidence_upload_view(request: HttpRequest, report_id: int) -> HttpResponse:
    """A focal point attaches a file to the body's draft or returned report."""
    report = queries.report_for(request.user, report_id)
    form = forms.EvidenceForm(request.POST, request.FILES, auto_id="evidence_%s")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            actions.evidence_add(by=request.user, report=report, filename=upload.name, data=read_upload(upload))
        except ValidationError as exc:
            form.add_error("file", " ".join(exc.messages))
        else:
            messages.success(request, _("The file is attached to the report."))
            return redirect("plan:report", report_id=report.pk)
    return _report_page(request, report, forms.ReviewForm(), evidence_form=form, status=400)


@login_required
@require_GET
def evidence_download_view(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """The file, for the reporting body's focal points and the coordinator's office (else 404)."""
    evidence, data = queries.evidence_download(request.user, evidence_id)
    return file_download(data, content_type=evidence.content_type, filename=evidence.filename)


@login_required
@require_POST
def evidence_delete_view(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = queries.evidence_for(request.user, evidence_id, action="evidence.delete")
    try:
        actions.evidence_delete(by=request.user, evidence=evidence)
        messages.success(request, _("The file is removed from the report."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("plan:report", report_id=evidence.report_id)


@login_required
def reporting_rate_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = queries.plan_for(request.user, plan_id)
    periods = list(plan.periods.order_by("-year"))
    year = request.GET.get("year", "")
    period = next((p for p in periods if str(p.year) == year), periods[0] if periods else None)
    rows = queries.reporting_rate(plan, period) if period else []
    return render(request, "plan/reporting_rate.html", {
        "plan": plan, "periods": periods, "period": period, "rows": rows,
        "chart": charts.reporting_rates(queries.reporting_rate_history(plan)),
        "can_manage": access.can_manage_plan(request.user)})


@login_required
@require_POST
def period_lock_view(request: HttpRequest, period_id: int) -> HttpResponse:
    period = queries.period_for(request.user, period_id, action="reporting_period.lock")
    try:
        actions.period_lock(by=request.user, period=period, locked=request.POST.get("locked") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("plan:reporting_rate", plan_id=period.plan_id)


@login_required
@require_POST
def measure_publish_view(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = queries.measure_for(request.user, measure_id, action="measure.publish")
    try:
        actions.measure_set_published(by=request.user, measure=measure, published=request.POST.get("published") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("plan:measure", measure_id=measure.pk)


# --- recommendations ---------------------------------------------------------------------------
@login_required
def recommendation_list_view(request: HttpRequest) -> HttpResponse:
    """The matrix of every visible recommendation, and the list filtered and sorted by
    ``RecommendationFilter`` (the API's list binds the same one)."""
    recommendations = queries.recommendations_visible_to(request.user)
    listed = core_filters.bound(RecommendationFilter, request.GET, queryset=recommendations)
    matrix = queries.recommendation_matrix(recommendations)
    return render(request, "plan/recommendation_list.html", {
        "matrix": matrix, "chart": charts.recommendation_matrix(matrix),
        "rows": [(r, queries.current_level(r)) for r in listed.qs], "form": listed.form,
        "sort": core_filters.sort_links(listed, request.GET), "sort_value": core_filters.sort_key(listed),
        "can_manage": access.can_manage_plan(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_view(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = queries.recommendation_for(request.user, recommendation_id)
    form = forms.AssessmentForm(request.POST or None)
    if request.method == "POST":
        command = request.POST.get("command", "assess")
        try:
            if command == "publish":
                published = request.POST.get("published") == "1"
                actions.recommendation_set_published(by=request.user, recommendation=recommendation,
                                                     published=published)
                messages.success(request, _("The recommendation is public.") if published
                                 else _("The recommendation is no longer public."))
                return redirect("plan:recommendation", recommendation_id=recommendation.pk)
            if command != "assess":
                raise Http404
            if form.is_valid():
                actions.assessment_record(by=request.user, recommendation=recommendation, **form.cleaned_data)
                messages.success(request, _("The assessment is recorded."))
                return redirect("plan:recommendation", recommendation_id=recommendation.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("plan:recommendation", recommendation_id=recommendation.pk)
    return render(request, "plan/recommendation.html", {
        "recommendation": recommendation, "history": queries.recommendation_history(recommendation),
        "level": queries.current_level(recommendation), "form": form,
        "can_manage": access.can_manage_plan(request.user),
    }, status=400 if form.errors else 200)
