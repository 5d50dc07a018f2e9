"""The demo coalition, seen through the pages: a proposal in every state, the meeting of 20 October 2020
(organisations only, no person named), members with synthetic contact people, published campaigns."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from korpu.engagement import demo as engagement_demo
from korpu.engagement.models import Meeting, Participant, Proposal
from korpu.plan import demo as plan_demo
from tests.engagement.helpers import by_testid, html, plain

MEETING = "Baş İdarə ilə QHT Koalisiyasının görüşü"


def test_the_demo_has_a_proposal_in_every_state(cast, login_en):
    plan_demo.load()
    engagement_demo.load()
    client = login_en("qht3")
    listing = html(client.get(reverse("engagement:proposals")))
    options = re.findall(r'<option value="([a-z_]+)"', listing)
    assert options == list(Proposal.Status.values)
    for status in Proposal.Status.values:
        page = html(client.get(reverse("engagement:proposals") + f"?status={status}"))
        rows = re.findall(r'<a href="/proposals/(\d+)/">', page)
        assert len(rows) == 1, (status, rows)
        detail = html(client.get(reverse("engagement:proposal", args=[int(rows[0])])))
        shown = plain(by_testid(detail, "proposal-status", "</small>"))
        assert shown == str(Proposal.Status(status).label), status
        assert MEETING in plain(by_testid(detail, "proposal-meeting", "</dd>"))
    # The accepted one feeds the plan's measure 2.1, shown with a link to the measure.
    accepted = Proposal.objects.get(status=Proposal.Status.ACCEPTED)
    measures = by_testid(html(client.get(reverse("engagement:proposal", args=[accepted.pk]))), "proposal-measures",
                         "</dd>")
    assert re.search(r'<a href="/plan/measures/\d+/">2\.1</a>', measures)


def test_the_demo_meeting_names_organisations_only(cast, login_en, anonymous_en):
    plan_demo.load()
    engagement_demo.load()
    meeting = Meeting.objects.get(held_on=dt.date(2020, 10, 20))
    assert meeting.title == MEETING and meeting.is_public
    assert not Participant.objects.filter(meeting=meeting).exclude(person_name="").exists()
    assert not Participant.objects.filter(meeting=meeting, organisation__isnull=True).exists()

    listing = html(anonymous_en.get(reverse("engagement:public_meetings")))
    assert MEETING in listing
    page = html(anonymous_en.get(reverse("engagement:public_meeting", args=[meeting.pk])))
    files = by_testid(page, "public-files", "</ul>")
    assert "Görüşün gündəliyi" in files
    (href,) = re.findall(r'href="([^"]+)"', files)
    response = anonymous_en.get(href)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert len(re.findall(r"<figure>", page)) == 1

    # Staff see the members' synthetic contact people; the public never does.
    coalition = html(login_en("polis").get(reverse("engagement:coalition")))
    for name, *_rest in engagement_demo.CONTACTS["ngo1"]:
        assert name in coalition
        assert name not in page and name not in listing
    assert 'data-testid="chair"' in coalition
    # The campaigns are published.
    public = html(anonymous_en.get(reverse("engagement:public_campaigns")))
    past = by_testid(public, "past-campaigns", "</ul>")
    assert "Diqqətli ol!" in past and "Əmək miqrantları üçün məlumat günləri" in past
    calendar = by_testid(public, "calendar", "</ul>")
    assert "qaynar xətti tanıdaq" in calendar and "Şəki şəhər mədəniyyət mərkəzi" in calendar
