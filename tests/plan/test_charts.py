"""The server-drawn SVG charts: their bars carry the numbers the queries computed, drawn to scale,
with a title and a description, the same numbers in a table, and no style attribute (CSP)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import translation

from korpu.core import charts as core_charts
from korpu.plan import queries
from korpu.plan.models import Assessment, ImplementationStatus, Recommendation
from tests.plan.test_io import coordinator_client
from tests.plan.test_rules import html, table


class _Svg(HTMLParser):
    """The bars (rect with data-value), title, desc and attributes of the SVG with ``data-chart=name``."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.inside = False
        self.bars: list[dict[str, str]] = []
        self.text: dict[str, str] = {"title": "", "desc": ""}
        self.current: str | None = None
        self.attributes: list[str] = []
        self.svg: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "svg" and values.get("data-chart") == self.name:
            self.inside, self.svg = True, values
        if not self.inside:
            return
        self.attributes += list(values)
        if tag == "rect" and "data-value" in values:
            self.bars.append(values)
        if tag in ("title", "desc") and not self.bars and not self.text[tag]:
            self.current = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.inside = False
        if tag in ("title", "desc"):
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.inside and self.current:
            self.text[self.current] += data


def svg(page: str, name: str) -> _Svg:
    parser = _Svg(name)
    parser.feed(page)
    assert parser.svg, f"no chart {name}"
    return parser


def values(chart: _Svg) -> dict[tuple[str, str], float]:
    return {(b["data-category"], b["data-series"]): float(b["data-value"]) for b in chart.bars}


def widths_to_scale(chart: _Svg) -> None:
    """Every bar's width is its value times one common scale."""
    scale = float(chart.bars[0]["width"]) / float(chart.bars[0]["data-value"])
    for bar in chart.bars:
        assert abs(float(bar["width"]) - float(bar["data-value"]) * scale) <= 0.02, bar


def accessible(chart: _Svg, title: str) -> None:
    assert chart.svg["role"] == "img"
    assert chart.svg["aria-labelledby"] == f"{chart.name}-title {chart.name}-desc"
    assert chart.text["title"] == title and chart.text["desc"]
    assert "style" not in chart.attributes


def test_the_section_progress_chart_matches_the_plan_tree(plan_world, cast, login_as, client):
    tree = queries.plan_tree(plan_world)
    coordinator = coordinator_client(login_as, cast)
    page = html(coordinator.get(reverse("plan:detail", args=[plan_world.pk])))
    chart = svg(page, "section-progress")
    with translation.override("en"):
        labels = {s: str(ImplementationStatus(s).label) for s in ImplementationStatus.values}
        expected = {(f"{row.section.number}. {row.section.title_en}", labels[status]): count
                    for row in tree for status, count in row.counts.items()}
        accessible(chart, "Progress by section")
    assert values(chart) == expected
    assert sum(expected.values()) == 9 and expected[("3. Protection and assistance", "Completed")] == 1
    widths_to_scale(chart)
    rows = table(page, "chart-section-progress-data")
    assert rows[0] == ["Section", *labels.values(), "Total"]
    assert rows[1:] == [[f"{row.section.number}. {row.section.title_en}", *map(str, row.status_counts),
                         str(len(row.measures))] for row in tree]
    # The public plan page draws the same chart from the published measures.
    public = svg(html(client.get(reverse("public:plan", args=[plan_world.pk]))), "section-progress")
    assert sum(values(public).values()) == 9


def test_the_recommendations_chart_matches_the_matrix(plan_world, cast, login_as, client):
    matrix = queries.recommendation_matrix(queries.recommendations_visible_to(cast["analitik"]))
    page = html(coordinator_client(login_as, cast).get(reverse("plan:recommendations")))
    chart = svg(page, "recommendation-matrix")
    with translation.override("en"):
        expected = {(str(row["label"]), str(label)): count for row in matrix["rows"]
                    for (_level, label), count in zip(Assessment.Level.choices, row["cells"], strict=True) if count}
        accessible(chart, "Recommendations by source and assessment")
        assert expected[(str(Recommendation.Source.GRETA.label), str(Assessment.Level.FULL.label))] == 1
    assert values(chart) == expected
    widths_to_scale(chart)
    # The longest bar (US TIP, 6 recommendations) spans the plot; each total is written after its bar.
    longest = max(sum(float(b["width"]) for b in chart.bars if b["data-category"] == category)
                  for category, _series in expected)
    assert round(longest) == core_charts.WIDTH - core_charts.LABEL_WIDTH - 40
    assert 'data-testid="recommendation-matrix"' in page  # the numbers stay in the matrix table
    public = svg(html(client.get(reverse("public:recommendations"))), "recommendation-matrix")
    assert sum(values(public).values()) == Recommendation.objects.filter(is_published=True).count()


def test_the_reporting_rate_chart_shows_each_body_per_year(plan_world, cast, login_as):
    history = queries.reporting_rate_history(plan_world)
    page = html(coordinator_client(login_as, cast).get(reverse("plan:reporting_rate", args=[plan_world.pk])))
    chart = svg(page, "reporting-rates")
    expected = {(str(period.year), row.organisation.short_name): row.rate for period, rows in history for row in rows
                if row.expected}
    assert values(chart) == expected
    assert expected[("2023", "İAQMBİ")] == 100 and expected[("2024", "Yardım Mərkəzi")] == 50
    assert ("2021", "Milli Koordinator") in expected and expected[("2021", "Milli Koordinator")] == 0
    # Heights on a 0–100 % scale: 100 % is the full plot height (180).
    heights = {(b["data-category"], b["data-series"]): float(b["height"]) for b in chart.bars}
    assert heights[("2023", "İAQMBİ")] == 180.0 and heights[("2024", "Yardım Mərkəzi")] == 90.0
    with translation.override("en"):
        accessible(chart, "Reporting rate over the years")
    rows = table(page, "chart-reporting-rates-data")
    assert [row[0] for row in rows[1:]] == [str(period.year) for period, _rows in history]
    bodies = sorted({row.organisation for _period, rows in history for row in rows}, key=lambda o: o.name)
    assert rows[0] == ["Year", *[o.short_name for o in bodies]]
    assert rows[-1][1:] == [f"{row.rate}%" for row in sorted(history[-1][1], key=lambda r: r.organisation.name)]


def test_charts_are_plain_svg_without_scripts_or_styles(plan_world, cast, login_as):
    page = html(coordinator_client(login_as, cast).get(reverse("plan:detail", args=[plan_world.pk])))
    figure = re.search(r"<svg.*?</svg>", page, re.S)
    assert figure is not None
    assert "<script" not in figure.group(0) and "style=" not in figure.group(0) and "href" not in figure.group(0)


def test_an_empty_chart_says_so() -> None:
    with translation.override("en"):
        chart = core_charts.stacked_bars("empty", "Nothing", "No numbers.", [core_charts.Series("a", "A", "#000")], [])
    assert chart.bars == [] and [label.text for label in chart.labels] == ["No data yet."]
    assert chart.height > 0

