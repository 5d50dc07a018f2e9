"""Charts drawn on the server as SVG (no JavaScript, nothing fetched; ADR 0013).

Each function turns numbers a query already computed into a :class:`Chart`: the geometry of every bar,
label and legend entry. ``core/_chart.html`` writes it as inline SVG with a ``<title>`` and ``<desc>``
(``role="img"``), one ``<title>`` per bar for a tooltip, ``data-category``/``data-series``/``data-value``
on every bar so a test can check the numbers, and, unless the page already shows them, a table of the
same numbers. Colours are SVG presentation attributes (``fill``), which the Content-Security-Policy
allows, unlike ``style`` attributes.

Two shapes cover the pages (the plan's charts are in ``korpu/plan/charts.py``):

* :func:`stacked_bars`: one horizontal bar per category, stacked by series, on a common scale (the
  largest total fills the width): measures by status per section, recommendations by assessment per
  source, people reached by region (one series, no legend).
* :func:`grouped_columns`: per group (a year) one column per series (a body), on a 0–100 % scale: the
  reporting rate of each body over the years.

Geometry goes into attributes as plain numbers ("12.5"); the numbers people read (totals, tooltips)
are written in their locale ("12 320" in az, "12,320" in en).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

PALETTE = ["#1f5f9e", "#b26a00", "#2e7d32", "#7b3fa0", "#b3261e", "#00838f", "#6d4c41", "#ad1457", "#455a64"]

WIDTH = 720
LABEL_WIDTH = 210
ROW_HEIGHT = 26
BAR_HEIGHT = 18
LEGEND_ROW = 22
FONT_SIZE = 12
LABEL_CHARS = 32


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    category: str
    series: str
    value: float | int
    text: str
    """The tooltip: category, series and value in words."""


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"
    full: str = ""
    """The whole text when ``text`` is shortened (shown as its tooltip)."""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    series: list[Series]
    categories: list[tuple[str, list[Any]]]
    """The numbers, for the table beside the chart: (category label, one value per series)."""
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[tuple[Label, Bar]] = field(default_factory=list)
    unit: str = ""
    show_totals: bool = True

    @property
    def rows(self) -> list[tuple[str, list[Any], Any]]:
        """The table: category, its values, and its total (when totals make sense)."""
        return [(label, values, sum(values) if self.show_totals else None) for label, values in self.categories]


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _number(value: float | int) -> str:
    """A number as its reader writes it: grouped thousands and the locale's decimal mark."""
    if float(value).is_integer():
        return formats.number_format(int(value), force_grouping=True)
    return formats.number_format(value, 1, force_grouping=True)


def _legend(series: Sequence[Series], top: float) -> tuple[list[tuple[Label, Bar]], float]:
    """Legend entries laid out left to right, wrapping; returns them and the height used."""
    entries: list[tuple[Label, Bar]] = []
    x, y = 0.0, top
    for item in series:
        needed = 18 + 7.2 * len(item.label) + 16
        if x and x + needed > WIDTH:
            x, y = 0.0, y + LEGEND_ROW
        swatch = Bar(x, y + 3, 12, 12, item.colour, "", item.label, 0, item.label)
        entries.append((Label(x + 18, y + 13, item.label), swatch))
        x += needed
    return entries, (y - top) + LEGEND_ROW


def stacked_bars(chart_id: str, title: str, desc: str, series: Sequence[Series],
                 categories: Sequence[tuple[str, Sequence[int]]], *, legend: bool = True) -> Chart:
    """Horizontal bars, one per category, stacked by series; the longest total spans the plot width.
    Without ``legend`` (one series, named by the heading above the chart) no legend is drawn."""
    chart = Chart(chart_id, title, desc, WIDTH, 0, list(series), [(c, list(v)) for c, v in categories])
    plot = WIDTH - LABEL_WIDTH - 40
    largest = max((sum(values) for _c, values in categories), default=0)
    scale = plot / largest if largest else 0.0
    y = 0.0
    for category, values in categories:
        chart.labels.append(Label(LABEL_WIDTH - 8, y + BAR_HEIGHT - 5, _short(category), "end", category))
        x = float(LABEL_WIDTH)
        for item, value in zip(series, values, strict=True):
            if value:
                width = round(value * scale, 2)
                chart.bars.append(Bar(round(x, 2), y, width, BAR_HEIGHT, item.colour, category, item.label, value,
                                      f"{category} · {item.label}: {_number(value)}"))
                x += width
        chart.labels.append(Label(round(x + 6, 2), y + BAR_HEIGHT - 5, _number(sum(values))))
        y += ROW_HEIGHT
    if not categories:
        chart.labels.append(Label(0, 14, _("No data yet.")))
        y = ROW_HEIGHT
    chart.lines.append(Line(LABEL_WIDTH, 0, LABEL_WIDTH, y - (ROW_HEIGHT - BAR_HEIGHT)))
    chart.legend, used = _legend(series, y + 8) if legend else ([], 0.0)
    chart.height = int(y + 8 + used)
    return chart


def grouped_columns(chart_id: str, title: str, desc: str, series: Sequence[Series],
                    groups: Sequence[tuple[str, Sequence[float | int | None]]], *, maximum: float = 100,
                    unit: str = "%") -> Chart:
    """Vertical columns: per group one column per series, on a 0–``maximum`` scale with gridlines.
    A value of ``None`` (nothing expected) draws no column."""
    chart = Chart(chart_id, title, desc, WIDTH, 0, list(series), [(g, list(v)) for g, v in groups], unit=unit,
                  show_totals=False)
    left, top, plot_height = 44.0, 8.0, 180.0
    plot_width = WIDTH - left - 8
    for step in range(5):
        share = step / 4
        y = round(top + plot_height * (1 - share), 2)
        chart.lines.append(Line(left, y, WIDTH - 8, y))
        chart.labels.append(Label(left - 6, y + 4, f"{_number(maximum * share)}{unit}", "end"))
    slot = plot_width / max(len(groups), 1)
    column = min(28.0, (slot - 12) / max(len(series), 1))
    for index, (group, values) in enumerate(groups):
        start = left + slot * index + (slot - column * len(series)) / 2
        for position, (item, value) in enumerate(zip(series, values, strict=True)):
            if value is None:
                continue
            height = round(plot_height * min(float(value), maximum) / maximum, 2)
            chart.bars.append(Bar(round(start + column * position, 2), round(top + plot_height - height, 2),
                                  round(column - 2, 2), height, item.colour, group, item.label, value,
                                  f"{group} · {item.label}: {_number(value)}{unit}"))
        chart.labels.append(Label(round(left + slot * index + slot / 2, 2), top + plot_height + 16, group, "middle"))
    if not groups:
        chart.labels.append(Label(left + 8, top + plot_height / 2, _("No data yet.")))
    chart.legend, used = _legend(series, top + plot_height + 30)
    chart.height = int(top + plot_height + 30 + used)
    return chart
