"""Import and export of the action plan: status as XLSX or PDF, templates, and the upload page.

Exports and templates are open to every staff user (the plan is not victim data, see
``korpu.plan.queries``); importing is for the National Coordinator's office only, and anyone else
gets the same 404 as for a missing page (with a "denied" audit event).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from korpu.core import documents
from korpu.core.downloads import file_download
from korpu.core.uploads import WorkbookField
from korpu.plan import pdf, queries, sheets
from korpu.plan.models import Plan

PDF = documents.PDF
LANGUAGES = [code for code, _name in settings.LANGUAGES]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), widget=forms.RadioSelect,
                             choices=[("measures", gettext_lazy("Measures of this plan")),
                                      ("recommendations", gettext_lazy("Recommendations"))], initial="measures")
    file = WorkbookField(label=gettext_lazy("Workbook (.xlsx) made from the template"))
    publish = forms.BooleanField(label=gettext_lazy("Publish what is imported on the public portal at once"),
                                 required=False, help_text=gettext_lazy(
                                     "Otherwise the new measures or recommendations stay internal until each is "
                                     "published from its page."))


def _language(request: HttpRequest) -> str:
    """``?lang=az|ru|en``, else the language of the page."""
    wanted = request.GET.get("lang", "")
    if wanted in LANGUAGES:
        return wanted
    current = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return current if current in LANGUAGES else settings.LANGUAGE_CODE


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    return file_download(data, content_type=content_type, filename=filename)


def _plan_name(plan: Plan, language: str) -> str:
    return f"korpu-plan-{plan.start_year}-{plan.end_year}-{language}-{timezone.localdate():%Y%m%d}"


@login_required
@require_GET
def plan_export_xlsx_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = queries.plan_for(request.user, plan_id)
    language = _language(request)
    return _download(sheets.plan_status_xlsx(plan, language), sheets.XLSX, f"{_plan_name(plan, language)}.xlsx")


@login_required
@require_GET
def plan_export_pdf_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = queries.plan_for(request.user, plan_id)
    language = _language(request)
    return _download(pdf.plan_status_pdf(plan, language), PDF, f"{_plan_name(plan, language)}.pdf")


def _template_plan(request: HttpRequest) -> Plan | None:
    plan_id = request.GET.get("plan", "")
    return queries.plan_for(request.user, int(plan_id)) if plan_id.isdigit() else None


@login_required
@require_GET
def measures_template_view(request: HttpRequest) -> HttpResponse:
    """The measures template; ``?plan=<id>`` fills the picklists with that plan's sections and years."""
    plan = _template_plan(request)
    suffix = f"-{plan.start_year}-{plan.end_year}" if plan else ""
    return _download(sheets.measures_template(plan), sheets.XLSX, f"korpu-measures-template{suffix}.xlsx")


@login_required
@require_GET
def recommendations_template_view(request: HttpRequest) -> HttpResponse:
    plan = _template_plan(request)
    return _download(sheets.recommendations_template(plan), sheets.XLSX, "korpu-recommendations-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Upload a filled template: every row is checked; on any error the rows are listed and nothing is saved."""
    queries.require_manager(request.user, "plan.import", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    htmx = bool(request.headers.get("HX-Request"))
    context: dict[str, Any] = {"plan": plan, "form": form, "errors": [], "warnings": [], "checked": None}
    if request.method != "POST" or not form.is_valid():
        return render(request, "plan/plan_import.html", context, status=400 if form.errors and not htmx else 200)
    kind = form.cleaned_data["kind"]
    upload = form.cleaned_data["file"]
    result = sheets.read_measures(upload, plan) if kind == "measures" else sheets.read_recommendations(upload, plan)
    context.update({"checked": len(result.rows), "invalid": len(result.invalid_rows), "kind": kind,
                    "errors": result.errors, "warnings": result.warnings})
    if result.ok:
        try:
            publish = form.cleaned_data["publish"]
            created = (sheets.apply_measures(result, request.user, publish=publish) if kind == "measures"
                       else sheets.apply_recommendations(result, request.user, publish=publish))
        except sheets.ImportRefused as refused:
            context["errors"] = refused.issues
            context["invalid"] = len({issue.row for issue in refused.issues})
        else:
            count = len(created)
            if kind == "measures":
                messages.success(request, ngettext("Imported %(count)d measure.", "Imported %(count)d measures.",
                                                   count) % {"count": count})
                target = reverse("plan:detail", args=[plan.pk])
            else:
                messages.success(request, ngettext("Imported %(count)d recommendation.",
                                                   "Imported %(count)d recommendations.", count) % {"count": count})
                target = reverse("plan:recommendations")
            for warning in result.warnings:
                messages.warning(request, str(warning))
            if htmx:
                response = HttpResponse("")
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    # htmx swaps only 2xx answers; a plain form post gets the honest 400.
    return render(request, "plan/plan_import.html", context, status=200 if htmx else 400)
