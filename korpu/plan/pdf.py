"""The plan status report as PDF, typeset by Typst through :mod:`korpu.core.documents`.

The template ``templates_typst/plan_status.typ`` reads the data this module gathers: every text in
it, the labels included, is already in the chosen language (``translation.override`` +
``localized``). Fonts and the rendering are the kernel's, the same for every document.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from korpu.core import documents
from korpu.core.i18n import localized
from korpu.plan import queries
from korpu.plan.models import ImplementationStatus, Measure, Plan

TEMPLATE = Path(__file__).resolve().parent / "templates_typst" / "plan_status.typ"


def _labels() -> dict[str, str]:
    return {
        "report": _("Implementation status of the action plan"),
        "period": _("Period"),
        "adopting_act": _("Adopting act"),
        "generated": _("Generated on"),
        "summary": _("Measures by status"),
        "status": _("Status"),
        "measures": _("Measures"),
        "share": _("Share"),
        "total": _("Total"),
        "sections": _("Sections"),
        "section": _("Section"),
        "progress": _("Completed"),
        "number": "№",
        "measure": _("Measure"),
        "bodies": _("Executing bodies"),
        "no_measures": _("No measures yet."),
        "indicators": _("Indicators"),
        "indicator": _("Indicator"),
        "unit": _("Unit"),
        "baseline": _("Baseline"),
        "year": _("Year"),
        "target": _("Target"),
        "reported": _("Reported"),
        "computed": _("From the records"),
        # Typst fills in {page} and {pages}.
        "page_of": _("Page %(page)s of %(pages)s") % {"page": "{page}", "pages": "{pages}"},
    }


def plan_status_data(plan: Plan, language: str) -> dict[str, Any]:
    """Everything the template shows, in ``language``."""
    with translation.override(language):
        today = timezone.localdate()
        tree = queries.plan_tree(plan, today=today)
        statuses = [code for code, _label in ImplementationStatus.choices]
        labels = {code: str(ImplementationStatus(code).label) for code in statuses}
        totals: Counter[str] = Counter()
        sections = []
        indicator_measures = {m.pk: m for m in Measure.objects.filter(
            pk__in=[item.measure.pk for row in tree for item in row.measures], indicators__isnull=False)
            .distinct().prefetch_related("indicators__targets")}
        for row in tree:
            counts = row.counts
            totals.update(counts)
            sections.append({
                "number": row.section.number,
                "title": localized(row.section, "title", language),
                "progress": row.progress,
                "progress_text": _("%(p)s%% of %(n)s measures completed") % {"p": row.progress,
                                                                            "n": len(row.measures)},
                "counts": [{"code": s, "label": labels[s], "count": counts[s]} for s in statuses if counts.get(s)],
                "measures": [{
                    "number": item.measure.number,
                    "text": localized(item.measure, "text", language),
                    "bodies": "; ".join(b.short_name or b.name for b in item.measure.executing_bodies.all()),
                    "period": f"{item.measure.start_year}–{item.measure.end_year}",
                    "status": item.status,
                    "status_label": labels[item.status],
                } for item in row.measures],
                "indicators": [line for item in row.measures if item.measure.pk in indicator_measures
                               for line in _indicator(indicator_measures[item.measure.pk], today)],
            })
        total = sum(totals.values())
        title = localized(plan, "title", language)
        act = localized(plan, "adopting_act", language)
        if act and plan.adopted_on:
            act = f"{act}, {formats.date_format(plan.adopted_on, 'DATE_FORMAT')}"
        return {
            "lang": language,
            "title": title,
            "period": f"{plan.start_year}–{plan.end_year}",
            "act": act,
            "generated": formats.date_format(today, "DATE_FORMAT"),
            "footer": f"Körpü · {title}" if len(title) <= 90 else f"Körpü · {title[:87]}…",
            "labels": _labels(),
            "summary": [{"code": s, "label": labels[s], "count": totals[s],
                         "share": round(100 * totals[s] / total) if total else 0} for s in statuses],
            "total": total,
            "sections": sections,
        }


def _text(value: Any) -> str:
    return "—" if value is None else value if isinstance(value, str) else formats.number_format(value)


def _indicator(measure: Measure, today: Any) -> list[dict[str, str]]:
    """The indicators of a measure for its latest year so far (the last year once it has ended)."""
    year = min(measure.end_year, today.year)
    if year < measure.start_year:
        year = measure.start_year
    return [{
        "number": measure.number,
        "name": localized(row.indicator, "name"),
        "unit": row.indicator.unit,
        "baseline": _text(row.indicator.baseline) + (f" ({row.indicator.baseline_year})"
                                                     if row.indicator.baseline_year else ""),
        "year": str(row.year),
        "target": _text(row.target),
        "reported": _text(row.reported),
        "computed": _text(row.computed_for_export),
    } for row in queries.indicator_table(measure, [year])]


def plan_status_pdf(plan: Plan, language: str) -> bytes:
    """The plan status report as PDF bytes, in ``language`` (az, ru or en)."""
    return documents.render_pdf(TEMPLATE, plan_status_data(plan, language))
