"""The coalition activity report: a page that asks for the period and language, and the PDF and XLSX.

Open to every logged-in staff user, like the other coalition pages (the coordinator, the member NGOs
and their partners): the report holds coalition work and, from the case records, only suppressed
totals (see :mod:`korpu.core.disclosure`). Every generation is audited as ``coalition.report`` with
the format and the period, so a series of reports over overlapping periods can be reviewed later.

Bad input (a date that is not YYYY-MM-DD, an end before the start, a period over ten years, an
unknown language) gives the page again with the message in the user's language and status 400.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from korpu.core import audit, disclosure
from korpu.core.downloads import file_download
from korpu.core.views import form_page
from korpu.engagement import report

MAX_YEARS = 10
FIRST_YEAR = 1990


def user_language() -> str:
    """The language of the page (``az``, ``ru`` or ``en``), for labels and messages."""
    current = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return current if current in report.LANGUAGES else settings.LANGUAGE_CODE


def last_calendar_year(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    year = (today or timezone.localdate()).year - 1
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class ReportForm(forms.Form):
    """The period (both days included) and the language of the report; texts in the user's language."""

    start = forms.DateField(input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(input_formats=["%Y-%m-%d"],
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    lang = forms.ChoiceField(choices=[(code, report.LANGUAGE_NAMES[code]) for code in report.LANGUAGES])

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        for name, label, error in [("start", "start", "error_start"), ("end", "end", "error_end"),
                                   ("lang", "language", "error_language")]:
            field = self.fields[name]
            field.label = report.text(label, language)
            message = report.text(error, language)
            field.error_messages = {"required": message, "invalid": message, "invalid_choice": message}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return cleaned
        last_year = timezone.localdate().year + 1
        if not (FIRST_YEAR <= start.year <= last_year and FIRST_YEAR <= end.year <= last_year):
            raise forms.ValidationError(report.text("error_range", self.language, first=FIRST_YEAR, last=last_year))
        if end < start:
            raise forms.ValidationError(report.text("error_order", self.language))
        if end >= _years_later(start, MAX_YEARS):
            raise forms.ValidationError(report.text("error_long", self.language, years=MAX_YEARS))
        return cleaned


def _report_page(request: HttpRequest, form: ReportForm, kind: str = "") -> HttpResponse:
    """The page with the form (``korpu.core.views.form_page``, submitted with GET); with ``kind`` a valid
    period answers the PDF or XLSX, an invalid one the page again with 400."""
    language = form.language
    threshold = disclosure.threshold_value()
    texts = {"t": {key: report.text(key, language) for key in ("report", "download_pdf", "download_xlsx")},
             "intro": report.text("intro", language, t=threshold, m=threshold - 1)}
    return form_page(request, form, lambda: _generate(request, form, kind), template="engagement/report.html",
                     extra=texts, method="GET")


@login_required
@require_GET
def report_view(request: HttpRequest) -> HttpResponse:
    language = user_language()
    start, end = last_calendar_year()
    return _report_page(request, ReportForm(language=language, initial={"start": start, "end": end,
                                                                        "lang": language}))


def _submitted(request: HttpRequest, kind: str) -> HttpResponse:
    language = user_language()
    data = request.GET.copy()
    if not data.get("lang"):
        data["lang"] = language
    return _report_page(request, ReportForm(data, language=language), kind)


def _generate(request: HttpRequest, form: ReportForm, kind: str) -> HttpResponse:
    start, end, wanted = form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["lang"]
    if kind == "pdf":
        content, content_type = report.activity_pdf(start, end, wanted), report.PDF
    else:
        content, content_type = report.activity_xlsx(start, end, wanted), report.XLSX
    audit.record("coalition.report", actor=request.user, details={
        "format": kind, "start": start.isoformat(), "end": end.isoformat(), "language": wanted})
    return file_download(content, content_type=content_type, filename=report.filename(start, end, wanted, kind))


@login_required
@require_GET
def report_pdf_view(request: HttpRequest) -> HttpResponse:
    return _submitted(request, "pdf")


@login_required
@require_GET
def report_xlsx_view(request: HttpRequest) -> HttpResponse:
    return _submitted(request, "xlsx")
