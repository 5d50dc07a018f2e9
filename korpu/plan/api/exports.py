"""The plan's exports, the import templates and the import."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Schema, Status
from ninja.files import UploadedFile

from korpu.core import access
from korpu.core.downloads import file_download
from korpu.plan import pdf, queries
from korpu.plan import sheets as xlsx
from korpu.plan.api.base import MAX_UPLOAD_BYTES, PDF, _language, _manager, router
from korpu.plan.models import Plan


# --- exports and imports -------------------------------------------------------------------------
def _plan_name(plan: Plan, language: str) -> str:
    return f"korpu-plan-{plan.start_year}-{plan.end_year}-{language}-{timezone.localdate():%Y%m%d}"


@router.get("/plans/{plan_id}/export.xlsx", summary="The plan's status as an Excel workbook (lang: az, ru, en)")
def plan_export_xlsx(request: HttpRequest, plan_id: int, lang: str = "") -> HttpResponse:
    plan = queries.plan_for(request.user, plan_id)
    language = _language(lang)
    return file_download(xlsx.plan_status_xlsx(plan, language), content_type=xlsx.XLSX,
                         filename=f"{_plan_name(plan, language)}.xlsx")


@router.get("/plans/{plan_id}/export.pdf", summary="The plan's status as PDF (lang: az, ru, en)")
def plan_export_pdf(request: HttpRequest, plan_id: int, lang: str = "") -> HttpResponse:
    plan = queries.plan_for(request.user, plan_id)
    language = _language(lang)
    return file_download(pdf.plan_status_pdf(plan, language), content_type=PDF,
                         filename=f"{_plan_name(plan, language)}.pdf")


class TemplateFilterIn(Schema):
    plan: int | None = Field(None, description="Fill the picklists with this plan's sections and years")


@router.get("/templates/measures.xlsx", summary="The measures import template")
def measures_template(request: HttpRequest, filters: Query[TemplateFilterIn]) -> HttpResponse:
    access.require(access.is_staff_user(request.user), action="plan.template", user=request.user)
    plan = queries.plan_for(request.user, filters.plan) if filters.plan is not None else None
    suffix = f"-{plan.start_year}-{plan.end_year}" if plan else ""
    return file_download(xlsx.measures_template(plan), content_type=xlsx.XLSX,
                         filename=f"korpu-measures-template{suffix}.xlsx")


@router.get("/templates/recommendations.xlsx", summary="The recommendations import template")
def recommendations_template(request: HttpRequest, filters: Query[TemplateFilterIn]) -> HttpResponse:
    access.require(access.is_staff_user(request.user), action="plan.template", user=request.user)
    plan = queries.plan_for(request.user, filters.plan) if filters.plan is not None else None
    return file_download(xlsx.recommendations_template(plan), content_type=xlsx.XLSX,
                         filename="korpu-recommendations-template.xlsx")


class ImportOut(Schema):
    kind: str
    created: int
    ids: list[int]
    warnings: list[str]


class ImportIssueOut(Schema):
    detail: str
    errors: list[str]


@router.post("/plans/{plan_id}/import", response={201: ImportOut, 422: ImportIssueOut},
             summary="Import measures or recommendations from a filled template: all rows or none")
def plan_import(request: HttpRequest, plan_id: int, file: File[UploadedFile],
                kind: Form[str] = "measures", publish: Form[bool] = False) -> Any:
    _manager(request, "plan.import", "plan.Plan", plan_id)
    plan = queries.plan_for(request.user, plan_id)
    if kind not in ("measures", "recommendations"):
        raise ValidationError(_("Not one of the allowed values."))
    if not (file.name or "").lower().endswith(".xlsx"):
        raise ValidationError(_("This is not an Excel workbook (.xlsx)."))
    if (file.size or 0) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20})
    result = xlsx.read_measures(file, plan) if kind == "measures" else xlsx.read_recommendations(file, plan)
    issues = list(result.errors)
    if result.ok:
        try:
            created: list[Any] = (xlsx.apply_measures(result, request.user, publish=publish) if kind == "measures"
                                  else xlsx.apply_recommendations(result, request.user, publish=publish))
        except xlsx.ImportRefused as refused:
            issues = refused.issues
        else:
            return Status(201, {"kind": kind, "created": len(created), "ids": [obj.pk for obj in created],
                                "warnings": [str(w) for w in result.warnings]})
    return Status(422, {"detail": _("Nothing was saved. Correct these rows and upload the file again."),
                        "errors": [str(i) for i in issues]})
