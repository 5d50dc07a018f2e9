"""The rules of the action plan: who may do what, derived statuses, reporting rates, computed
indicators, reminders, the public view, recommendations and query counts.

Most tests start from the demo plan (``plan_world``: ``korpu.plan.demo``), whose 2024 period is open
and whose earlier periods are locked. In it the Assistance Centre (focal point ``fokal``) has a
submitted report for 3.1/2024, a draft for 2.1/2024, an accepted 3.2/2024 and a returned 2.2/2023.
Tests that need exact numbers build a small plan of their own.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from korpu import cli
from korpu.accounts import actions as account_actions
from korpu.accounts.models import Organisation, Role, User
from korpu.cases import actions as case_actions
from korpu.cases import choices
from korpu.core.access import SYSTEM
from korpu.core.i18n import localized
from korpu.core.models import AuditEvent
from korpu.plan import actions, queries
from korpu.plan.models import (
    Assessment,
    Indicator,
    Measure,
    Plan,
    ProgressReport,
    Recommendation,
    ReminderLog,
    ReportEvent,
    ReportingPeriod,
    Section,
)
from korpu.shelters import actions as shelter_actions
from korpu.shelters.models import BedCategory
from korpu.stats import definitions
from tests.conftest import PASSWORD, verified_client
from tests.plan.conftest import demo_measure

FULL_CONSENT = {"data_processing": True, "share_law_enforcement": True, "share_ngo": True,
                "share_government": True, "share_international": True, "contact_by_law_enforcement": True}
INTERNAL_TEXTS = [
    "Daxili qeyd",  # the internal comment of every demo assessment
    "Görülən işlər barədə qısa məlumat",  # the text of every demo progress report
    "Keçirilmiş dərslərin sayını",  # the coordinator's comment on the returned 2.2/2023
]


# --- helpers -----------------------------------------------------------------------------------
def t(user: Any, message: str, **values: Any) -> str:
    """``message`` as Körpü shows it to ``user`` (their profile language decides)."""
    with translation.override(getattr(user, "language", "") or "az"):
        text = translation.gettext(message)
    return text % values if values else text


def shown(response: Any, message: str) -> str:
    """``message`` in the language the response was rendered in (the test client sends no preference)."""
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return translation.gettext(message)


def html(response: Any) -> str:
    return response.content.decode()


def focal_point(username: str, organisation: Organisation, *, language: str = "az") -> User:
    """One more plan focal point, made through the real action, with a confirmed TOTP device."""
    user = account_actions.user_create(
        by=SYSTEM, username=username, email=f"{username}@example.org", full_name=f"Fokal {username}",
        organisation=organisation, role=Role.PLAN_FOCAL_POINT, language=language, password=PASSWORD,
        send_invitation=False)
    TOTPDevice.objects.create(user=user, name="Körpü", confirmed=True)
    return user


def demo_report(number: str, year: int) -> ProgressReport:
    return ProgressReport.objects.get(measure__number=number, period__year=year)


def edit_url(measure: Measure, period: ReportingPeriod, organisation: Organisation) -> str:
    return reverse("plan:report_edit", args=[measure.pk, period.pk, organisation.pk])


def report_url(report: ProgressReport) -> str:
    return reverse("plan:report", args=[report.pk])


def snapshot(report: ProgressReport) -> tuple[Any, ...]:
    report.refresh_from_db()
    return (report.status, report.text, report.implementation, report.review_comment, report.submitted_at,
            report.reviewed_at, report.events.count())


def denied(action: str, actor: Any) -> int:
    return AuditEvent.objects.filter(action=action, outcome=AuditEvent.Outcome.DENIED, actor=actor).count()


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


class _Elements(HTMLParser):
    """The text of the element carrying ``attr=value`` (and of everything inside it), and its links."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base", "embed", "track"}

    def __init__(self, attr: str, value: str) -> None:
        super().__init__()
        self.attr, self.value = attr, value
        self.depth = 0
        self.found: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            if tag == "a":
                self.found[-1]["links"].append(dict(attrs).get("href"))
            if tag == "li":
                self.found[-1]["items"].append("")
            if tag not in self.VOID:
                self.depth += 1
        elif dict(attrs).get(self.attr) == self.value:
            self.found.append({"text": "", "links": [], "items": []})
            self.depth = 1 if tag not in self.VOID else 0

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.found[-1]["text"] += data
            if self.found[-1]["items"]:
                self.found[-1]["items"][-1] += data


def element(page: str, value: str, attr: str = "data-testid") -> dict[str, Any] | None:
    parser = _Elements(attr, value)
    parser.feed(page)
    return parser.found[0] if parser.found else None


def text_of(page: str, value: str, attr: str = "data-testid") -> str:
    found = element(page, value, attr)
    assert found is not None, f"no element with {attr}={value!r}"
    return " ".join(found["text"].split())


class _Table(HTMLParser):
    """The rows (cell texts) of the first table whose attribute ``attr`` is ``value``."""

    def __init__(self, attr: str, value: str) -> None:
        super().__init__()
        self.attr, self.value = attr, value
        self.inside = self.done = False
        self.rows: list[list[str]] = []
        self.cell: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and not self.done and self.value in (dict(attrs).get(self.attr) or "").split():
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None
        elif self.inside and tag == "table":
            self.inside, self.done = False, True

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell += data


def table(page: str, value: str, attr: str = "data-testid") -> list[list[str]]:
    parser = _Table(attr, value)
    parser.feed(page)
    assert parser.done, f"no table with {attr}={value!r}"
    return parser.rows


def row_status(page: str, measure: Measure) -> str:
    """The status class of a measure's row in a plan tree (staff ``<tr>`` or public ``<li>``)."""
    match = re.search(rf'data-measure="{measure.pk}">(.*?)</(?:tr|li)>', page, re.S)
    assert match, f"measure {measure.number} is not on the page"
    status = re.search(r'class="status status-(\w+)"', match.group(1))
    assert status, f"no status for measure {measure.number}"
    return status.group(1)


def heading_status(page: str) -> str:
    """The status shown in a measure page's heading."""
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert heading
    status = re.search(r'class="status status-(\w+)"', heading.group(1))
    assert status
    return status.group(1)


def local(*parts: int) -> dt.datetime:
    """A moment on the site's clock (Asia/Baku unless KORPU_TIME_ZONE says otherwise)."""
    return timezone.make_aware(dt.datetime(*parts), timezone.get_default_timezone())


def last_event_at(report: ProgressReport, when: dt.datetime) -> None:
    """Date the newest event of a report (the workflow writes it with the wall clock)."""
    event = report.events.order_by("-at", "-id").first()
    ReportEvent.objects.filter(pk=event.pk).update(at=when)


@pytest.fixture
def fokal_polis(cast: dict[str, Any]) -> User:
    """A focal point of the police department (another executing body), who reads Russian."""
    return focal_point("fokal_polis", cast["police"], language="ru")


# --- access ------------------------------------------------------------------------------------
def test_only_the_coordinator_returns_or_accepts(plan_world, cast, login_as):
    report = demo_report("3.1", 2024)
    assert report.status == ProgressReport.Status.SUBMITTED
    before = snapshot(report)

    fokal = login_as("fokal")  # may open the report (it is their body's), may not review it
    for command in ("return", "accept"):
        response = fokal.post(report_url(report), {"command": command, "comment": "Mən özüm qəbul edirəm."},
                              follow=True)
        assert response.status_code == 200
        assert shown(response, "Only the National Coordinator's office may do this.") in messages_of(response)
        assert snapshot(report) == before
        assert denied(f"progress_report.{command}", cast["fokal"]) == 1
    page = html(fokal.get(report_url(report)))
    assert 'data-testid="review-form"' not in page

    for username in ("polis", "qht1", "koalisiya", "auditor"):  # other roles cannot even open the report
        client = login_as(username)
        for command in ("return", "accept"):
            assert client.post(report_url(report), {"command": command, "comment": "x"}).status_code == 404
        assert denied("progress_report.view", cast[username]) == 2
        for action in (actions.report_return, actions.report_accept):
            with pytest.raises(ValidationError):
                action(by=cast[username], report=report, comment="x")
        assert denied("progress_report.return", cast[username]) == 1
        assert denied("progress_report.accept", cast[username]) == 1
    assert snapshot(report) == before

    response = login_as("analitik").post(report_url(report), {"command": "accept", "comment": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.ACCEPTED
    assert list(report.events.values_list("status", "by__username")) == [
        ("submitted", "fokal"), ("accepted", "analitik")]


def test_a_focal_point_cannot_write_for_a_measure_its_body_does_not_execute(plan_world, cast, login_as):
    measure = demo_measure("4.2")  # executed by the police only
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)
    fokal = login_as("fokal")
    reports, events = ProgressReport.objects.count(), ReportEvent.objects.count()
    for body in ("assistance", "police"):
        url = edit_url(measure, period, cast[body])
        assert fokal.get(url).status_code == 404
        assert fokal.post(url, {"implementation": "in_progress", "text": "Yazıram.", "command": "submit"}
                          ).status_code == 404
        with pytest.raises(ValidationError):
            actions.report_save(by=cast["fokal"], measure=measure, period=period, organisation=cast[body],
                                text="Yazıram.", implementation="in_progress")
    assert (ProgressReport.objects.count(), ReportEvent.objects.count()) == (reports, events)
    assert denied("progress_report.edit", cast["fokal"]) == 4
    assert denied("progress_report.save", cast["fokal"]) == 2
    # The measure's page offers no report link to them; the plan's "My reports" does not list it.
    assert "/report/" not in html(fokal.get(reverse("plan:measure", args=[measure.pk])))
    assert all(row["measure"] != measure for row in queries.my_reporting(cast["fokal"], plan_world))


def test_a_focal_point_of_another_body_cannot_open_its_reports(plan_world, cast, fokal_polis):
    client = verified_client(fokal_polis)
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)
    submitted, draft = demo_report("3.1", 2024), demo_report("2.1", 2024)
    before = snapshot(draft)
    for report in (submitted, draft):
        assert client.get(report_url(report)).status_code == 404
        assert client.post(report_url(report), {"command": "submit"}).status_code == 404
        assert client.get(edit_url(report.measure, period, cast["assistance"])).status_code == 404
    assert client.post(edit_url(draft.measure, period, cast["assistance"]),
                       {"implementation": "completed", "text": "Başqasının hesabatı.", "command": "submit"}
                       ).status_code == 404
    assert snapshot(draft) == before
    assert denied("progress_report.view", fokal_polis) == 4
    # Measure 2.1 is also the police's: for their own body they write a report of their own.
    assert client.get(edit_url(draft.measure, period, cast["police"])).status_code == 200

    # A membership of another kind in the Assistance Centre does not open its reports either.
    account_actions.membership_add(by=SYSTEM, user=fokal_polis, organisation=cast["assistance"],
                                   role=Role.SHELTER_MANAGER)
    fokal_polis = User.objects.get(pk=fokal_polis.pk)
    assert verified_client(fokal_polis).get(report_url(draft)).status_code == 404


def test_a_locked_period_refuses_edits_and_submissions(plan_world, cast, login_as):
    report = demo_report("2.2", 2023)  # returned, in the locked 2023 period
    assert report.status == ProgressReport.Status.RETURNED and report.period.locked
    before = snapshot(report)
    fokal = login_as("fokal")
    locked = "This period is locked; reports can no longer change."
    url = edit_url(report.measure, report.period, report.organisation)
    for command in ("save", "submit"):
        response = fokal.post(url, {"implementation": "completed", "text": "Düzəldilmiş mətn.", "command": command})
        assert response.status_code == 400
        assert shown(response, locked) in html(response)
    response = fokal.post(report_url(report), {"command": "submit"}, follow=True)
    assert shown(response, locked) in messages_of(response)
    assert snapshot(report) == before
    assert url not in html(fokal.get(report_url(report)))  # no "Edit" button
    with pytest.raises(ValidationError):
        actions.report_submit(by=cast["fokal"], report=report)

    # The coordinator cannot accept a submitted report once its period is locked; a focal point cannot lock.
    submitted = demo_report("3.1", 2024)
    with pytest.raises(ValidationError):
        actions.period_lock(by=cast["fokal"], period=submitted.period)
    assert denied("reporting_period.lock", cast["fokal"]) == 1
    actions.period_lock(by=cast["analitik"], period=submitted.period)
    before = snapshot(submitted)
    login_as("analitik").post(report_url(submitted), {"command": "accept", "comment": ""})
    assert snapshot(submitted) == before
    # Unlocked again, the same steps go through.
    actions.period_lock(by=cast["analitik"], period=submitted.period, locked=False)
    login_as("analitik").post(report_url(submitted), {"command": "accept", "comment": ""})
    submitted.refresh_from_db()
    assert submitted.status == ProgressReport.Status.ACCEPTED


def test_an_empty_report_cannot_be_submitted(plan_world, cast, login_as):
    measure = demo_measure("2.2")
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)
    fokal = login_as("fokal")
    required = "Say what was done before submitting."
    response = fokal.post(edit_url(measure, period, cast["assistance"]),
                          {"implementation": "in_progress", "text": "  \n  ", "command": "submit"})
    assert response.status_code == 400
    assert shown(response, required) in html(response)
    assert not ProgressReport.objects.filter(measure=measure, period=period,
                                             status=ProgressReport.Status.SUBMITTED).exists()
    assert not ReportEvent.objects.filter(report__measure=measure, report__period=period).exists()

    # An empty draft, saved, cannot be submitted from its page either.
    fokal.post(edit_url(measure, period, cast["assistance"]), {"implementation": "in_progress", "text": "",
                                                              "command": "save"})
    report = ProgressReport.objects.get(measure=measure, period=period)
    assert report.status == ProgressReport.Status.DRAFT
    response = fokal.post(report_url(report), {"command": "submit"}, follow=True)
    assert shown(response, required) in messages_of(response)
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.DRAFT and report.submitted_at is None
    assert not report.events.exists()
    assert not queries.review_queue(cast["analitik"]).filter(pk=report.pk).exists()


def test_a_returned_report_needs_a_comment(plan_world, cast, login_as):
    report = demo_report("3.1", 2024)
    before = snapshot(report)
    coordinator = login_as("analitik")
    for comment in ("", "   \n "):
        response = coordinator.post(report_url(report), {"command": "return", "comment": comment}, follow=True)
        assert shown(response, "Say what must change: a returned report needs a comment.") in messages_of(response)
        assert snapshot(report) == before
        with pytest.raises(ValidationError):
            actions.report_return(by=cast["analitik"], report=report, comment=comment)
    assert snapshot(report) == before
    coordinator.post(report_url(report), {"command": "return", "comment": "  Sayları əlavə edin.  "})
    report.refresh_from_db()
    assert (report.status, report.review_comment) == (ProgressReport.Status.RETURNED, "Sayları əlavə edin.")


def test_the_review_queue_lists_submitted_reports_only_for_the_coordinator(plan_world, cast, login_as):
    actions.report_submit(by=cast["fokal"], report=demo_report("2.1", 2024))
    expected = [demo_report("3.1", 2024), demo_report("2.1", 2024)]  # oldest submission first
    successor = ProgressReport.objects.get(period__plan__start_year=2025, status=ProgressReport.Status.SUBMITTED)
    assert list(queries.review_queue(cast["analitik"])) == [expected[0], successor, expected[1]]
    page = html(login_as("analitik").get(reverse("plan:detail", args=[plan_world.pk])))
    queue = element(page, "review-queue")
    assert queue is not None and queue["links"] == [report_url(r) for r in expected]
    for username in ("fokal", "polis", "auditor"):
        assert not queries.review_queue(cast[username]).exists()
        page = html(login_as(username).get(reverse("plan:detail", args=[plan_world.pk])))
        assert 'data-testid="review-queue"' not in page


# --- measure status ----------------------------------------------------------------------------
def small_plan(cast: dict[str, Any], title: str = "Sınaq planı") -> tuple[Plan, Section, dict[int, ReportingPeriod]]:
    today = timezone.localdate()
    plan = Plan.objects.create(title_az=title, start_year=2024, end_year=today.year + 1, is_published=True)
    section = Section.objects.create(plan=plan, number="1", title_az="Sınaq bölməsi", order=1)
    periods = {year: ReportingPeriod.objects.create(plan=plan, year=year, due_on=dt.date(year + 1, 1, 31))
               for year in (2024, 2025)}
    return plan, section, periods


def add_measure(section: Section, number: str, bodies: list[Organisation], *, start: int = 2024,
                end: int | None = None, deadline: dt.date | None = None) -> Measure:
    measure = Measure.objects.create(section=section, number=number, text_az=f"Tədbir {number}", start_year=start,
                                     end_year=end or section.plan.end_year, deadline=deadline, is_published=True)
    measure.executing_bodies.set(bodies)
    return measure


def make_report(by: User, measure: Measure, period: ReportingPeriod, organisation: Organisation, state: str,
           implementation: str = "in_progress", *, coordinator: User | None = None) -> ProgressReport:
    """A report of ``organisation`` brought to ``state`` through the real workflow."""
    made = actions.report_save(by=by, measure=measure, period=period, organisation=organisation,
                               text=f"{measure.number}/{period.year}: görülən işlər.", implementation=implementation)
    if state == "draft":
        return made
    made = actions.report_submit(by=by, report=made)
    if state == "accepted":
        made = actions.report_accept(by=coordinator, report=made)
    elif state == "returned":
        made = actions.report_return(by=coordinator, report=made, comment="Düzəldin.")
    return made


def test_measure_status_is_derived_from_the_reports(cast, fokal_polis, login_as, client):
    plan, section, periods = small_plan(cast)
    p24, p25 = periods[2024], periods[2025]
    fokal, coordinator = cast["fokal"], cast["analitik"]
    assistance, police = cast["assistance"], cast["police"]
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)

    def accepted(measure: Measure, period: ReportingPeriod = p24, body: Organisation = assistance,
                 implementation: str = "completed") -> ProgressReport:
        by = fokal if body == assistance else fokal_polis
        return make_report(by, measure, period, body, "accepted", implementation, coordinator=coordinator)

    m = {number: add_measure(section, number, bodies, **kwargs) for number, bodies, kwargs in [
        ("1", [assistance], {}), ("2", [assistance], {}), ("3", [assistance], {}), ("4", [assistance], {}),
        ("5", [assistance], {}), ("6", [assistance, police], {}), ("7", [assistance, police], {}),
        ("8", [assistance], {}), ("9", [assistance], {}), ("10", [assistance], {"deadline": yesterday}),
        ("11", [assistance], {"end": 2024}), ("12", [assistance], {"deadline": yesterday}),
        ("13", [assistance], {"deadline": today}), ("14", [assistance, police], {}),
    ]}
    # 1: nothing reported. 2: only a draft. 3: submitted, not yet reviewed (only accepted reports count).
    # 4: accepted "in progress".
    make_report(fokal, m["2"], p24, assistance, "draft", "completed")
    make_report(fokal, m["3"], p24, assistance, "submitted")
    accepted(m["4"], implementation="in_progress")
    # 5: an accepted "completed" of its only body. 6: both bodies accepted "completed".
    accepted(m["5"])
    accepted(m["6"])
    accepted(m["6"], body=police)
    # 7: one body completed, the other's "completed" is submitted but not accepted yet.
    accepted(m["7"])
    make_report(fokal_polis, m["7"], p24, police, "submitted", "completed")
    # 8: completed in 2024, but the newest accepted report (2025) says "in progress".
    accepted(m["8"])
    accepted(m["8"], p25, implementation="in_progress")
    # 9: completed in 2024; the 2025 report ("in progress") is submitted, not accepted: still completed.
    accepted(m["9"])
    make_report(fokal, m["9"], p25, assistance, "submitted")
    # 10: deadline passed, work in progress. 11: its last year has ended, nothing reported.
    make_report(fokal, m["10"], p24, assistance, "submitted")
    # 12: deadline passed, but completed. 13: the deadline is today: not late yet.
    accepted(m["12"])
    # 14: one of two bodies completed, the other has a returned report only.
    accepted(m["14"])
    make_report(fokal_polis, m["14"], p24, police, "returned", "completed", coordinator=coordinator)

    expected = {"1": "not_started", "2": "not_started", "3": "not_started", "4": "in_progress", "5": "completed",
                "6": "completed", "7": "in_progress", "8": "in_progress", "9": "completed", "10": "late",
                "11": "late", "12": "completed", "13": "not_started", "14": "in_progress"}
    tree = queries.plan_tree(plan)
    assert {row.measure.number: row.status for row in tree[0].measures} == expected
    assert tree[0].counts == {"not_started": 4, "in_progress": 4, "completed": 4, "late": 2}
    assert tree[0].progress == round(100 * 4 / 14)
    # A day after the deadline, 13 is late too; completed measures stay completed.
    later = {row.measure.number: row.status for row in
             queries.plan_tree(plan, today=today + dt.timedelta(days=1))[0].measures}
    assert later == {**expected, "13": "late"}

    page = html(login_as("analitik").get(reverse("plan:detail", args=[plan.pk])))
    assert {number: row_status(page, measure) for number, measure in m.items()} == expected
    public = html(client.get(reverse("public:plan", args=[plan.pk])))
    assert {number: row_status(public, measure) for number, measure in m.items()} == expected
    for number in ("1", "3", "9", "10"):
        assert heading_status(html(login_as("fokal").get(reverse("plan:measure", args=[m[number].pk])))
                              ) == expected[number]
        assert heading_status(html(client.get(reverse("public:measure", args=[m[number].pk])))) == expected[number]


# --- reporting rate ----------------------------------------------------------------------------
def test_reporting_rate_counts_expected_submitted_and_on_time(cast, fokal_polis, login_as):
    focal_coordinator = focal_point("fokal_koord", cast["coordinator"], language="en")
    plan, section, periods = small_plan(cast)
    p24 = periods[2024]  # due on 31 January 2025
    assistance, police, coordinator_office = cast["assistance"], cast["police"], cast["coordinator"]
    analitik = cast["analitik"]
    a = add_measure(section, "A", [police, assistance], end=2025)
    b = add_measure(section, "B", [assistance], end=2024)
    add_measure(section, "C", [assistance], start=2025)  # not expected for 2024
    d = add_measure(section, "D", [coordinator_office], end=2024)

    # Assistance: A first submitted at 23:30 on the due date (on time); B first submitted at 00:30 the
    # next day (late), then accepted.
    on_time = make_report(cast["fokal"], a, p24, assistance, "submitted")
    last_event_at(on_time, local(2025, 1, 31, 23, 30))
    late = make_report(cast["fokal"], b, p24, assistance, "submitted")
    last_event_at(late, local(2025, 2, 1, 0, 30))
    actions.report_accept(by=analitik, report=late)
    # Police: A submitted early, returned, resubmitted after the due date: submitted, and on time.
    resubmitted = make_report(fokal_polis, a, p24, police, "submitted")
    last_event_at(resubmitted, local(2025, 1, 10, 12, 0))
    actions.report_return(by=analitik, report=resubmitted, comment="Rəqəmlər?")
    last_event_at(resubmitted, local(2025, 1, 15, 12, 0))
    actions.report_submit(by=fokal_polis, report=resubmitted)
    last_event_at(resubmitted, local(2025, 2, 10, 12, 0))
    # Coordinator's office: D submitted on time but returned: not counted as submitted.
    returned = make_report(focal_coordinator, d, p24, coordinator_office, "returned", coordinator=analitik)
    submitted_event, returned_event = returned.events.order_by("at", "id")
    ReportEvent.objects.filter(pk=submitted_event.pk).update(at=local(2025, 1, 5))
    ReportEvent.objects.filter(pk=returned_event.pk).update(at=local(2025, 1, 6))
    # A draft counts for nothing.
    make_report(cast["fokal"], a, periods[2025], assistance, "draft")

    expected = {assistance.pk: (2, 2, 1, 100), police.pk: (1, 1, 1, 100), coordinator_office.pk: (1, 0, 0, 0)}
    rows = queries.reporting_rate(plan, p24)
    assert {r.organisation.pk: (r.expected, r.submitted, r.on_time, r.rate) for r in rows} == expected
    assert [r.organisation.name for r in rows] == sorted(r.organisation.name for r in rows)

    page = html(login_as("analitik").get(reverse("plan:reporting_rate", args=[plan.pk]) + "?year=2024"))
    for pk, (n_expected, n_submitted, n_on_time, rate) in expected.items():
        row = re.search(rf'<tr data-body="{pk}">(.*?)</tr>', page, re.S)
        assert row, pk
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                                   row.group(1), re.S)]
        assert cells[1:] == [str(n_expected), str(n_submitted), str(n_on_time), f"{rate}%"], cells
    assert len(re.findall(r"<tr data-body=", page)) == 3
    # 2025: A (police, assistance) and C (assistance) are expected; nothing submitted.
    rows = queries.reporting_rate(plan, periods[2025])
    assert {r.organisation.pk: (r.expected, r.submitted, r.on_time) for r in rows} == {
        assistance.pk: (2, 0, 0), police.pk: (1, 0, 0)}


def test_a_report_is_only_for_a_year_the_measure_runs(plan_world, cast):
    """Measure 1.1 ran in 2020–2021: no 2024 report, so the 2024 reporting rate cannot pass 100 %."""
    measure = demo_measure("1.1")
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)
    user = focal_point("fokal_polis", cast["police"])
    with pytest.raises(ValidationError):
        actions.report_save(by=user, measure=measure, period=period, organisation=cast["police"], text="Yazıram.",
                            implementation="in_progress")
    assert not ProgressReport.objects.filter(measure=measure, period=period).exists()


# --- computed indicators -----------------------------------------------------------------------
def register(cast: dict[str, Any], given: str, *, decision: str = "recognised") -> Any:
    """A case registered by NGO 1; unless ``decision`` is empty, the police decide the person's status."""
    case = case_actions.case_register(
        by=cast["qht1"],
        person={"given_name": given, "family_name": "Sınaqova", "gender": choices.Gender.FEMININE,
                "age_at_identification": 25, "citizenships": ["AZ"]},
        case={"identification_channel": choices.IdentificationChannel.NGO_OUTREACH,
              "identified_on": dt.date(2023, 12, 1), "country_of_origin": "AZ"},
        exploitation=[choices.Exploitation.SEXUAL], consent=FULL_CONSENT)
    if decision:
        referral = case_actions.referral_create(by=cast["qht1"], case=case, to_organisation=cast["police"],
                                                reason=choices.ReferralReason.IDENTIFICATION)
        case_actions.referral_accept(by=cast["polis"], referral=referral)
        case_actions.status_decision_record(by=cast["polis"], case=case, decision=decision,
                                            decided_on=dt.date(2023, 12, 20), basis="Göstəricilər var.")
        case.refresh_from_db()
    return case


def test_the_computed_indicator_counts_unique_recognised_persons_sheltered(plan_world, cast, login_as):
    manager = cast["siginacaq1"]
    facility = shelter_actions.facility_create(by=manager, operator=cast["ngo1"], name="Sınaq Evi", region="Bakı",
                                               address="Bakı, Sınaq küçəsi 1", capacities={BedCategory.WOMEN: 10})

    def admit(case: Any, on: dt.date, discharge: dt.date | None = None) -> None:
        admission = shelter_actions.admission_create(by=manager, case=case, facility=facility,
                                                     category=BedCategory.WOMEN, admitted_on=on)
        if discharge:
            shelter_actions.admission_discharge(by=manager, admission=admission, discharged_on=discharge)

    # Counted for 2024: Aysel; Bahar (admitted twice, after a discharge: one person); Ceyran.
    admit(register(cast, "Aysel"), dt.date(2024, 3, 1))
    bahar = register(cast, "Bahar")
    admit(bahar, dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    admit(bahar, dt.date(2024, 6, 1))
    admit(register(cast, "Ceyran"), dt.date(2024, 12, 31))
    # Not counted for 2024: admitted in 2023 (counted there), admitted in 2025, presumed only, not a victim.
    admit(register(cast, "Dilarə"), dt.date(2023, 12, 31), dt.date(2024, 1, 5))
    admit(register(cast, "Elmira"), dt.date(2025, 1, 1))
    admit(register(cast, "Fidan", decision=""), dt.date(2024, 5, 1))
    admit(register(cast, "Gülər", decision="not_victim"), dt.date(2024, 5, 1))

    assert definitions.compute("recognised_sheltered", 2024) == 3
    assert definitions.compute("recognised_sheltered", 2023) == 1
    assert definitions.compute("recognised_sheltered", 2025) == 1
    assert definitions.compute("no_such_statistic", 2024) is None

    indicator = Indicator.objects.get(measure__number="3.1", computed_key="recognised_sheltered")
    response = login_as("analitik").get(reverse("plan:measure", args=[indicator.measure_id]))
    page = html(response)
    assert text_of(page, f"computed-{indicator.pk}-2024") == "3"
    assert text_of(page, f"computed-{indicator.pk}-2023") == "1"
    assert text_of(page, f"computed-{indicator.pk}-2022") == "0"
    # Beside it, what the body reported (accepted reports only: 2023 is accepted, 2024 still submitted).
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert text_of(page, f"reported-{indicator.pk}-2023") == formats.localize(Decimal("55.00"))
    assert text_of(page, f"reported-{indicator.pk}-2024") == "—"


# --- reminders ---------------------------------------------------------------------------------
def run_jobs(capsys: Any, today: str) -> str:
    capsys.readouterr()
    assert cli.main(["jobs", "run", "--today", today]) == 0
    return capsys.readouterr().out.strip()


def summary(due_soon: int = 0, overdue: int = 0, escalations: int = 0) -> str:
    return f"report reminders: {due_soon} due soon, {overdue} overdue, {escalations} escalations"


def tagged(message: str) -> str:
    """``gettext`` that also names the active language: the plan's catalogues may not translate a
    reminder yet, and the test must still see which language each e-mail was written in."""
    return f"[{translation.get_language()}] {translation.gettext(message)}"


def subject(user: Any, message: str, **values: Any) -> str:
    language = getattr(user, "language", "") or "az"
    return f"[{language}] {t(user, message, **values)}"


def sent() -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail so far, sorted, then the outbox emptied."""
    out = sorted((m.to[0], m.subject) for m in mail.outbox if len(m.to) == 1)
    assert all(len(m.to) == 1 for m in mail.outbox)
    mail.outbox.clear()
    return out


@pytest.mark.django_db(transaction=True)
def test_report_reminders_due_soon_overdue_and_escalation(plan_world, cast, fokal_polis, capsys, settings,
                                                          monkeypatch):
    settings.PLAN_REMINDER_DAYS = 14
    monkeypatch.setattr(actions.reports, "_", tagged)  # the reminders are written by the action the job calls
    fokal = cast["fokal"]
    polis2 = cast["polis2"]  # the demo made this chief investigator the police's plan focal point too
    # The coordinator's office has a focal point who submits both of its 2024 reports: it gets nothing.
    fokal_koord = focal_point("fokal_koord", cast["coordinator"], language="en")
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)  # due on 2025-01-31
    for number in ("1.2", "5.1"):
        make_report(fokal_koord, demo_measure(number), period, cast["coordinator"], "submitted")
    # The Assistance Centre still lacks 2.1 (a draft) and 2.2; the police lack 2.1, 4.2 and 5.1.
    mail.outbox.clear()

    assert run_jobs(capsys, "2025-01-16") == summary()  # 15 days before: too early
    assert sent() == []

    assert run_jobs(capsys, "2025-01-21") == summary(due_soon=2)  # 10 days before
    due = {"date": "2025-01-31"}
    assert sent() == sorted([(user.email, subject(user, "Progress reports due on %(date)s", **due))
                             for user in (fokal, fokal_polis, polis2)])
    assert run_jobs(capsys, "2025-01-21") == summary()  # the same day again: nothing more
    assert run_jobs(capsys, "2025-01-31") == summary()  # the due date itself: still "due soon", sent already
    assert sent() == []

    assert run_jobs(capsys, "2025-02-01") == summary(overdue=2)
    assert sent() == sorted([(user.email, subject(user, "Progress reports overdue since %(date)s", **due))
                             for user in (fokal, fokal_polis, polis2)])
    assert run_jobs(capsys, "2025-02-01") == summary()
    assert run_jobs(capsys, "2025-02-14") == summary()  # 14 days overdue: not yet escalated
    assert sent() == []

    assert run_jobs(capsys, "2025-02-15") == summary(escalations=1)  # the Assistance Centre's head (14 days)
    escalation = subject(None, "Escalation: %(org)s has not reported for %(year)s", org=cast["assistance"].name,
                         year=2024)  # the head has no account: the site's language (az)
    outbox = list(mail.outbox)
    assert sent() == [("assistance-head@example.org", escalation)]
    assert "2.1, 2.2" in outbox[0].body
    assert run_jobs(capsys, "2025-02-16") == summary()
    assert run_jobs(capsys, "2025-03-31") == summary()
    assert sent() == []
    assert sorted(ReminderLog.objects.values_list("organisation__name", "kind")) == sorted([
        (cast["assistance"].name, "due_soon"), (cast["police"].name, "due_soon"),
        (cast["assistance"].name, "overdue"), (cast["police"].name, "overdue"),
        (cast["assistance"].name, "escalation")])
    assert not ReminderLog.objects.filter(organisation=cast["coordinator"]).exists()


@pytest.mark.django_db(transaction=True)
def test_reminders_name_the_missing_measures_and_skip_complete_bodies(plan_world, cast, fokal_polis, capsys,
                                                                      settings):
    settings.PLAN_REMINDER_DAYS = 14
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)
    # The Assistance Centre submits everything it owes for 2024: 2.1 (its draft) and 2.2.
    actions.report_submit(by=cast["fokal"], report=demo_report("2.1", 2024))
    make_report(cast["fokal"], demo_measure("2.2"), period, cast["assistance"], "submitted")
    mail.outbox.clear()

    assert run_jobs(capsys, "2025-01-21") == summary(due_soon=1)
    police = sorted([fokal_polis.email, cast["polis2"].email])
    assert sorted(m.to[0] for m in mail.outbox) == police
    assert all("2.1, 4.2, 5.1" in m.body for m in mail.outbox)
    mail.outbox.clear()
    # Long after the due date: the police are overdue; the Assistance Centre (complete) is not escalated.
    assert run_jobs(capsys, "2025-03-01") == summary(overdue=1)
    assert sorted(m.to[0] for m in mail.outbox) == police


@pytest.mark.django_db(transaction=True)
def test_a_locked_period_sends_no_reminders(plan_world, cast, capsys):
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)
    actions.period_lock(by=cast["analitik"], period=period)
    mail.outbox.clear()
    for today in ("2025-01-21", "2025-02-01", "2025-03-31"):
        assert run_jobs(capsys, today) == summary()
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


# --- the public view ---------------------------------------------------------------------------
def public_urls(plan: Plan) -> list[str]:
    urls = [reverse("public:home"), reverse("public:plan", args=[plan.pk]), reverse("public:recommendations")]
    urls += [reverse("public:measure", args=[pk]) for pk in
             Measure.objects.filter(section__plan=plan, is_published=True).values_list("pk", flat=True)]
    urls += [reverse("public:recommendation", args=[pk]) for pk in
             Recommendation.objects.filter(is_published=True).values_list("pk", flat=True)]
    return urls


def test_public_pages_need_no_login_and_show_no_internal_texts(plan_world, client):
    urls = public_urls(plan_world)
    assert len(urls) == 3 + 9 + 10
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = html(response)
        for secret in INTERNAL_TEXTS:
            assert secret not in page, (url, secret)
    # The staff pages still need a login.
    assert client.get(reverse("plan:detail", args=[plan_world.pk])).status_code == 302


def test_unpublished_items_are_not_public(plan_world, cast, client):
    hidden_measure = demo_measure("4.2")
    actions.measure_set_published(by=cast["analitik"], measure=hidden_measure, published=False)
    hidden_recommendations = list(Recommendation.objects.filter(is_published=False))
    assert [(r.source, r.cycle) for r in hidden_recommendations] == [("us_tip", "2023")]
    hidden = hidden_recommendations[0]
    draft_plan = Plan.objects.get(start_year=2025)
    assert not draft_plan.is_published
    draft_section = draft_plan.sections.get(number="1")
    draft_measure = add_measure(draft_section, "9.9", [cast["assistance"]], start=2025, end=2029)  # published
    # A published recommendation answered by the unpublished measures does not list them publicly.
    answered = Recommendation.objects.get(source="greta", cycle="Round 3 (2023)", reference="R4.1")
    answered.measures.add(draft_measure)

    assert client.get(reverse("public:plan", args=[draft_plan.pk])).status_code == 404
    assert client.get(reverse("public:plan", args=[999_999])).status_code == 404
    for measure in (hidden_measure, draft_measure):
        assert client.get(reverse("public:measure", args=[measure.pk])).status_code == 404
    assert client.get(reverse("public:recommendation", args=[hidden.pk])).status_code == 404

    home = html(client.get(reverse("public:home")))
    assert reverse("public:plan", args=[draft_plan.pk]) not in home
    assert reverse("public:plan", args=[plan_world.pk]) in home
    plan_page = html(client.get(reverse("public:plan", args=[plan_world.pk])))
    assert f'data-measure="{hidden_measure.pk}"' not in plan_page
    assert reverse("public:measure", args=[hidden_measure.pk]) not in plan_page
    assert hidden_measure.text_az not in plan_page
    assert len(re.findall(r"<li data-measure=", plan_page)) == 8
    listing = html(client.get(reverse("public:recommendations")))
    assert reverse("public:recommendation", args=[hidden.pk]) not in listing
    assert len(re.findall(r'href="/public/recommendations/\d+/"', listing)) == 10
    for recommendation in Recommendation.objects.filter(is_published=True):
        page = html(client.get(reverse("public:recommendation", args=[recommendation.pk])))
        for measure in (hidden_measure, draft_measure):
            assert reverse("public:measure", args=[measure.pk]) not in page
        assert reverse("public:recommendation", args=[hidden.pk]) not in page
    # The 2024 US TIP repeat of the hidden 2023 one shows no history: its only other cycle is unpublished.
    repeat = Recommendation.objects.get(previous=hidden)
    page = html(client.get(reverse("public:recommendation", args=[repeat.pk])))
    assert 'data-testid="history"' not in page
    # Staff still see the unpublished measure and recommendation.
    staff = verified_client(cast["fokal"])
    assert staff.get(reverse("plan:measure", args=[hidden_measure.pk])).status_code == 200
    assert staff.get(reverse("plan:recommendation", args=[hidden.pk])).status_code == 200


def test_internal_assessment_comments_are_for_the_coordinator_only(plan_world, cast, login_as):
    recommendation = Recommendation.objects.filter(is_published=True).first()
    url = reverse("plan:recommendation", args=[recommendation.pk])
    assert "Daxili qeyd" in html(login_as("analitik").get(url))
    assert "Daxili qeyd" not in html(login_as("fokal").get(url))


# --- recommendations ---------------------------------------------------------------------------
LEVELS = ["not_started", "in_progress", "partial", "full"]
# The demo's current assessments, by source: (not started, in progress, partial, full).
STAFF_MATRIX = {"us_tip": (1, 2, 2, 1), "greta": (1, 1, 1, 1), "cedaw": (0, 1, 0, 0)}
PUBLIC_MATRIX = {"us_tip": (1, 1, 2, 1), "greta": (1, 1, 1, 1), "cedaw": (0, 1, 0, 0)}  # without us_tip 2023


def matrix_numbers(rows: list[list[str]]) -> list[list[str]]:
    return [row[1:] for row in rows[1:]]


def expected_matrix(counts: dict[str, tuple[int, ...]]) -> list[list[str]]:
    return [[*map(str, cells), str(sum(cells))] for cells in counts.values()]


def test_the_recommendation_matrix_counts_source_by_current_assessment(plan_world, cast, login_as, client):
    assert [level for level, _label in Assessment.Level.choices] == LEVELS
    staff = queries.recommendation_matrix(queries.recommendations_visible_to(cast["analitik"]))
    assert {row["source"]: tuple(row["cells"]) for row in staff["rows"]} == STAFF_MATRIX
    assert [row["total"] for row in staff["rows"]] == [6, 4, 1]
    public = queries.recommendation_matrix(queries.recommendations_visible_to(None, public=True))
    assert {row["source"]: tuple(row["cells"]) for row in public["rows"]} == PUBLIC_MATRIX

    response = login_as("analitik").get(reverse("plan:recommendations"))
    rows = table(html(response), "recommendation-matrix")
    assert matrix_numbers(rows) == expected_matrix(STAFF_MATRIX)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert [row[0] for row in rows[1:]] == [str(Recommendation.Source(s).label) for s in STAFF_MATRIX]
    # Filtering the list leaves the matrix whole.
    filtered = html(login_as("analitik").get(reverse("plan:recommendations") + "?source=greta&level=full"))
    assert matrix_numbers(table(filtered, "recommendation-matrix")) == expected_matrix(STAFF_MATRIX)
    assert len(re.findall(r'href="/recommendations/\d+/"', filtered)) == 1
    assert matrix_numbers(table(html(client.get(reverse("public:recommendations"))), "matrix", "class")
                          ) == expected_matrix(PUBLIC_MATRIX)

    # A new assessment moves the recommendation to another column: the newest one counts.
    greta = Recommendation.objects.get(source="greta", reference="R4.1")
    actions.assessment_record(by=cast["analitik"], recommendation=greta, level="partial", comment="Yenidən.")
    after = queries.recommendation_matrix(queries.recommendations_visible_to(cast["analitik"]))
    assert {row["source"]: tuple(row["cells"]) for row in after["rows"]}["greta"] == (0, 1, 2, 1)
    with pytest.raises(ValidationError):
        actions.assessment_record(by=cast["fokal"], recommendation=greta, level="full")
    assert denied("recommendation.assess", cast["fokal"]) == 1


def history_rows(page: str) -> list[list[str]]:
    """The history table's rows: cycle · reference, what it repeats, text, response, assessment."""
    return table(page, "history")[1:]


def cycle_ref(recommendation: Recommendation) -> str:
    return f"{recommendation.cycle} · {recommendation.reference}"


def test_a_recommendation_page_shows_its_history_across_cycles(plan_world, login_as, client):
    coordinator = login_as("analitik")
    cycles = ["2021", "2022", "2023", "2024"]
    chain = list(Recommendation.objects.filter(source="us_tip", reference__startswith="R1.").order_by("reference"))
    assert [r.cycle for r in chain] == cycles
    for current in chain:
        response = coordinator.get(reverse("plan:recommendation", args=[current.pk]))
        page = html(response)
        rows = history_rows(page)
        assert [row[0] for row in rows] == [cycle_ref(r) for r in chain]
        assert [row[1] for row in rows] == ["—"] + [cycle_ref(r) for r in chain[:-1]]
        with translation.override(response.wsgi_request.LANGUAGE_CODE):
            # Each cycle's own government response and current assessment.
            assert [row[3] for row in rows] == [localized(r, "response") for r in chain]
            assert [row[4] for row in rows] == [str(Assessment.Level(queries.current_level(r)).label)
                                                for r in chain]
        assert element(page, "history")["links"] == [reverse("plan:recommendation", args=[r.pk])
                                                     for r in chain if r != current]
        assert [r.pk for r in queries.recommendation_history(current)] == [r.pk for r in chain]
    assert len({row[3] for row in rows}) == 2  # the first cycle's response differs from the later ones'
    # A recommendation seen in one cycle only has no history table.
    single = Recommendation.objects.get(source="cedaw")
    assert 'data-testid="history"' not in html(coordinator.get(reverse("plan:recommendation", args=[single.pk])))
    # The public page shows the same (all published) chain in order.
    public = history_rows(html(client.get(reverse("public:recommendation", args=[chain[2].pk]))))
    assert [row[0] for row in public] == [cycle_ref(r) for r in chain]


def test_the_history_follows_every_branch(plan_world, cast, login_as, client):
    """GRETA's third round split one 2019 recommendation in two: both branches show from every member."""
    round2 = Recommendation.objects.get(source="greta", cycle="Round 2 (2019)")
    branches = list(Recommendation.objects.filter(previous=round2).order_by("reference"))
    assert [r.reference for r in branches] == ["R3.2", "R6.1"]
    family = [round2, *branches]
    coordinator = login_as("analitik")
    for member in family:
        assert queries.recommendation_history(member) == family
        rows = history_rows(html(coordinator.get(reverse("plan:recommendation", args=[member.pk]))))
        assert [row[0] for row in rows] == [cycle_ref(r) for r in family]
        assert [row[1] for row in rows] == ["—", cycle_ref(round2), cycle_ref(round2)]
        public = history_rows(html(client.get(reverse("public:recommendation", args=[member.pk]))))
        assert [row[0] for row in public] == [cycle_ref(r) for r in family]
    # A third cycle repeating one branch joins the family; the public sees it once it is published.
    round4 = actions.recommendation_save(by=cast["analitik"], source="greta", cycle="Round 4 (2027)",
                                         reference="R6.2", text_az="Davam edir.", previous=branches[1])
    assert queries.recommendation_history(round2) == [*family, round4]
    assert queries.recommendation_history(round2, public=True) == family
    assert [r.generation for r in queries.recommendation_history(round4)] == [0, 1, 1, 2]
    # A loop is refused: the earliest cannot repeat the newest.
    with pytest.raises(ValidationError):
        actions.recommendation_save(by=cast["analitik"], recommendation=round2, previous=round4)
    round2.refresh_from_db()
    assert round2.previous is None


# --- query counts ------------------------------------------------------------------------------
def grow(plan: Plan, cast: dict[str, Any], n: int = 6) -> None:
    """More measures (with reports) and recommendations (with assessments and repeats)."""
    section = plan.sections.get(number="3")
    period = plan.periods.get(year=2024)
    previous = None
    for i in range(n):
        measure = add_measure(section, f"3.{10 + i}", [cast["assistance"], cast["police"]], start=2020, end=2024)
        make_report(cast["fokal"], measure, period, cast["assistance"], "submitted")
        recommendation = actions.recommendation_save(
            by=cast["analitik"], source="osce", cycle=str(2015 + i), reference=f"X{i}", text_az=f"Tövsiyə {i}",
            previous=previous, is_published=True, measures=[measure])
        actions.assessment_record(by=cast["analitik"], recommendation=recommendation, level="in_progress")
        previous = recommendation


# Session, user, TOTP device (and memberships), the page's own reads, and the session's idle-timeout
# update. The same numbers with six more measures, reports and recommendations: nothing per row.
@pytest.mark.parametrize(("username", "limit"), [("analitik", 14), ("fokal", 17)])
def test_the_plan_page_runs_a_fixed_number_of_queries(plan_world, cast, login_as, username, limit,
                                                      django_assert_max_num_queries):
    client = login_as(username)
    url = reverse("plan:detail", args=[plan_world.pk])
    client.get(url)  # the first request after login writes the session
    with django_assert_max_num_queries(limit):
        client.get(url)
    grow(plan_world, cast)
    with django_assert_max_num_queries(limit):
        page = html(client.get(url))
    assert "Tədbir 3.15" in page


def test_the_recommendations_list_runs_a_fixed_number_of_queries(plan_world, cast, login_as, client,
                                                                 django_assert_max_num_queries):
    coordinator = login_as("analitik")
    url = reverse("plan:recommendations")
    coordinator.get(url)
    pages = [(coordinator, url, 10, "Tövsiyə 5"), (client, reverse("public:recommendations"), 3, "Tövsiyə 5"),
             (client, reverse("public:plan", args=[plan_world.pk]), 6, "Tədbir 3.15")]
    for who, where, limit, _grown in pages:
        with django_assert_max_num_queries(limit):
            assert who.get(where).status_code == 200
    grow(plan_world, cast)
    for who, where, limit, grown in pages:
        with django_assert_max_num_queries(limit):
            assert grown in html(who.get(where))
