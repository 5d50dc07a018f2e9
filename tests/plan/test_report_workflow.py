"""A focal point submits, the coordinator returns, the focal point resubmits, the coordinator accepts."""

from django.core import mail
from django.urls import reverse

from korpu.plan import queries
from korpu.plan.models import ProgressReport, ReportingPeriod
from tests.plan.conftest import demo_measure


def test_submit_return_resubmit_accept(plan_world, login_as, django_capture_on_commit_callbacks):
    measure = demo_measure("2.1")
    period = ReportingPeriod.objects.get(plan=plan_world, year=2024)
    assistance = measure.executing_bodies.get(short_name="Yardım Mərkəzi")
    rate_before = {r.organisation.pk: r.submitted for r in queries.reporting_rate(plan_world, period)}
    focal = login_as("fokal")
    url = reverse("plan:report_edit", args=[measure.pk, period.pk, assistance.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = focal.post(url, {"implementation": "in_progress", "text": "Kampaniya keçirildi.",
                                    "command": "submit"})
    assert response.status_code == 302
    report = ProgressReport.objects.get(measure=measure, period=period, organisation=assistance)
    assert report.status == "submitted"
    assert any("2.1" in m.subject for m in mail.outbox)

    coordinator = login_as("analitik")
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(reverse("plan:report", args=[report.pk]), {"command": "return", "comment": "Rəqəm yoxdur."})
    report.refresh_from_db()
    assert report.status == "returned" and report.review_comment == "Rəqəm yoxdur."
    page = focal.get(url)
    assert "Rəqəm yoxdur." in page.content.decode()

    focal.post(url, {"implementation": "completed", "text": "Kampaniya: 1200 nəfər.", "command": "submit"})
    report.refresh_from_db()
    assert report.status == "submitted"
    coordinator.post(reverse("plan:report", args=[report.pk]), {"command": "accept", "comment": ""})
    report.refresh_from_db()
    assert report.status == "accepted"
    assert [e.status for e in report.events.all()] == ["submitted", "returned", "submitted", "accepted"]
    rate_after = {r.organisation.pk: r.submitted for r in queries.reporting_rate(plan_world, period)}
    assert rate_after[assistance.pk] == rate_before[assistance.pk] + 1


def test_pages_render(plan_world, login_as, client):
    coordinator = login_as("analitik")
    measure = demo_measure("3.1")
    for url in [reverse("plan:detail", args=[plan_world.pk]), reverse("plan:measure", args=[measure.pk]),
                reverse("plan:reporting_rate", args=[plan_world.pk]), reverse("plan:recommendations")]:
        assert coordinator.get(url).status_code == 200, url
    public = client.get(reverse("public:recommendations"))
    assert public.status_code == 200
    assert "Daxili qeyd" not in public.content.decode()
    assert client.get(reverse("public:plan", args=[plan_world.pk])).status_code == 200
