"""HTCDS 2.0 Excel export of the case list and the upload page for importing a toolkit workbook.

Each app's file-in/file-out pages live in its ``views_io`` module (cases, plan, engagement).

Both need a role that works with victims' data. The export takes the case list's filters and
writes only what the user may see (see ``korpu.cases.htcds``); the import checks every row first
and saves nothing when a row has an error, unless the user asks to skip the invalid rows.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from korpu.cases import htcds, queries
from korpu.cases.filters import CaseFilter
from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.downloads import file_download
from korpu.core.sheets import XLSX
from korpu.core.uploads import WorkbookField

MAX_MESSAGES = 50


class ImportForm(forms.Form):
    file = WorkbookField(label=gettext_lazy("HTCDS workbook (.xlsx)"))
    skip_invalid = forms.BooleanField(label=gettext_lazy("Import the valid rows and skip the rows with errors"),
                                      required=False)


def _require_victim_role(request: HttpRequest, action: str) -> None:
    access.require(access.can_see_victim_data(request.user), action=action, user=request.user)


@login_required
@require_GET
def export_htcds_view(request: HttpRequest) -> HttpResponse:
    """The filtered case list as an HTCDS toolkit workbook (audited as ``case.export``)."""
    _require_victim_role(request, "case.export")
    # The list's own filter and sort, as on the page: an invalid value is left out, the rest apply.
    case_filter = core_filters.bound(CaseFilter, request.GET, queryset=queries.case_list(request.user))
    data = htcds.export_workbook(case_filter.qs, request.user)
    return file_download(data, content_type=XLSX, filename=f"korpu-htcds-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_htcds_view(request: HttpRequest) -> HttpResponse:
    """Upload a toolkit workbook: every row is checked; errors are listed and nothing is saved."""
    _require_victim_role(request, "case.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "errors": [], "warnings": [], "checked": None}
    if request.method != "POST" or not form.is_valid():
        return render(request, "cases/import.html", context, status=400 if form.errors else 200)
    skip_invalid = form.cleaned_data["skip_invalid"]
    plan = htcds.read_workbook(form.cleaned_data["file"], by=request.user)
    checked, valid, invalid = htcds.plan_summary(plan)
    context.update({"checked": checked, "valid": valid, "invalid": invalid, "errors": plan.errors,
                    "warnings": plan.warnings})
    if plan.workbook_errors or (plan.errors and not skip_invalid):
        return render(request, "cases/import.html", context, status=400)
    result = htcds.import_plan(plan, by=request.user, skip_invalid=skip_invalid)
    if result.imported == 0 and len(result.errors) > len(plan.errors):
        context["errors"] = result.errors
        return render(request, "cases/import.html", context, status=400)
    messages.success(request, _("Imported %(count)d cases.") % {"count": result.imported})
    for issue in [*result.errors, *result.warnings][:MAX_MESSAGES]:
        messages.warning(request, str(issue))
    return redirect("cases:list")
