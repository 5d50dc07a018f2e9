"""The action plan's charts (drawn by :mod:`korpu.core.charts`, written by ``core/_chart.html``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from korpu.core.charts import PALETTE, Chart, Series, grouped_columns, stacked_bars
from korpu.core.i18n import localized
from korpu.plan.models import Assessment, ImplementationStatus

STATUS_COLOURS = {
    ImplementationStatus.COMPLETED: "#2e7d32",
    ImplementationStatus.IN_PROGRESS: "#1f5f9e",
    ImplementationStatus.NOT_STARTED: "#8c8c8c",
    ImplementationStatus.LATE: "#b3261e",
}
LEVEL_COLOURS = {
    Assessment.Level.NOT_STARTED: "#8c8c8c",
    Assessment.Level.IN_PROGRESS: "#1f5f9e",
    Assessment.Level.PARTIAL: "#b26a00",
    Assessment.Level.FULL: "#2e7d32",
}


def section_progress(tree: Sequence[Any]) -> Chart:
    """Measures by status in each section of a plan (``queries.plan_tree``)."""
    series = [Series(status, str(ImplementationStatus(status).label), STATUS_COLOURS[ImplementationStatus(status)])
              for status in ImplementationStatus.values]
    categories = [(f"{row.section.number}. {localized(row.section, 'title')}", row.status_counts) for row in tree]
    return stacked_bars("section-progress", _("Progress by section"),
                        _("For each section, the number of its measures in each status; the same numbers are in "
                          "the table below."), series, categories)


def recommendation_matrix(matrix: dict[str, Any]) -> Chart:
    """Recommendations by source and current assessment (``queries.recommendation_matrix``)."""
    series = [Series(level, str(label), LEVEL_COLOURS[Assessment.Level(level)]) for level, label in matrix["levels"]]
    categories = [(str(row["label"]), row["cells"]) for row in matrix["rows"]]
    return stacked_bars("recommendation-matrix", _("Recommendations by source and assessment"),
                        _("For each source, the number of recommendations at each level of implementation; the "
                          "same numbers are in the table."), series, categories)


def reporting_rates(history: Sequence[tuple[Any, Sequence[Any]]]) -> Chart:
    """Each body's reporting rate (submitted as a share of expected) per year
    (``queries.reporting_rate_history``). A body with nothing expected in a year has no column there."""
    bodies: dict[int, Any] = {}
    for _period, rows in history:
        for row in rows:
            bodies.setdefault(row.organisation.pk, row.organisation)
    ordered = sorted(bodies.values(), key=lambda o: o.name)
    series = [Series(str(o.pk), o.short_name or o.name, PALETTE[i % len(PALETTE)]) for i, o in enumerate(ordered)]
    groups = []
    for period, rows in history:
        rates = {row.organisation.pk: row.rate for row in rows if row.expected}
        groups.append((str(period.year), [rates.get(o.pk) for o in ordered]))
    return grouped_columns("reporting-rates", _("Reporting rate over the years"),
                           _("For each year, the share of expected reports each executing body submitted; the "
                             "same numbers are in the table below."), series, groups)
