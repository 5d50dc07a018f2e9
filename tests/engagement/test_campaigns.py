"""Campaigns through the pages: the detail page shows everything about a campaign (organisers, target
groups, channels, regions, materials, events, reach as SVG charts and tables); the coordinator edits a
campaign and its events and publishes it (new campaigns start unpublished); the list filters by year;
the public calendar lists events and channels, and a published campaign has a public page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from korpu.core.models import AuditEvent
from korpu.engagement import actions
from korpu.engagement.models import Campaign, CampaignEvent
from tests.engagement.helpers import (
    COORDINATOR_ONLY,
    by_testid,
    errors,
    events_since,
    html,
    last_seq,
    plain,
    successes,
)


def make_campaign(cast: dict[str, Any], *, title: str = "Diqqətli ol!", public: bool = False,
                  starts: dt.date = dt.date(2026, 3, 1), ends: dt.date = dt.date(2026, 6, 30)) -> Campaign:
    coordinator = cast["koalisiya"]
    campaign = actions.campaign_create(
        by=coordinator, title=title, starts_on=starts, ends_on=ends,
        organisers=[cast["police"], cast["ngo1"]], target_groups=["job_seekers", "students"],
        channels=["talks", "social_media"], regions=["baku", "lankaran_astara"],
        description="İş təkliflərindəki aldatma barədə.", materials="Vərəqə və qısa video")
    if public:
        actions.publish(by=coordinator, obj=campaign, public=True)
    return campaign


def add_event(cast: dict[str, Any], campaign: Campaign, day: dt.date, place: str, region: str, group: str,
              channel: str, people: int) -> CampaignEvent:
    return actions.campaign_event_add(by=cast["koalisiya"], campaign=campaign, held_on=day, place=place,
                                      region=region, target_group=group, channel=channel, people_reached=people)


def table_rows(fragment: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S).group(1)
    return [[plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def date_en(day: dt.date, fmt: str = "SHORT_DATE_FORMAT") -> str:
    with translation.override("en"):
        return formats.date_format(day, fmt)


def test_the_campaign_page_shows_the_whole_campaign(coalition, login_en):
    campaign = make_campaign(coalition)
    add_event(coalition, campaign, dt.date(2026, 3, 10), "Bakı Dövlət Universiteti", "baku", "students", "talks", 320)
    add_event(coalition, campaign, dt.date(2026, 4, 2), "Lənkəran məşğulluq mərkəzi", "lankaran_astara",
              "job_seekers", "talks", 85)
    add_event(coalition, campaign, dt.date(2026, 5, 5), "Sosial şəbəkələr", "baku", "job_seekers", "social_media",
              12000)
    response = login_en("qht2").get(reverse("engagement:campaign", args=[campaign.pk]))
    assert response.status_code == 200
    text = html(response)
    assert sorted(plain(by_testid(text, "campaign-organisers", "</dd>")).split(", ")) == sorted(
        [coalition["police"].name, coalition["ngo1"].name])
    assert plain(by_testid(text, "campaign-target-groups", "</dd>")) == "Students, Job seekers"
    assert plain(by_testid(text, "campaign-channels", "</dd>")) == "School and university talks, Social media"
    assert plain(by_testid(text, "campaign-regions", "</dd>")) == "Baku, Lankaran-Astara"
    assert plain(by_testid(text, "campaign-materials", "</dd>")) == "Vərəqə və qısa video"
    assert "İş təkliflərindəki aldatma barədə." in text
    assert plain(by_testid(text, "campaign-public", "</dd>")).startswith("no")
    assert table_rows(by_testid(text, "campaign-events", "</table>")) == [
        [date_en(dt.date(2026, 3, 10)), "Bakı Dövlət Universiteti", "Baku", "Students", "School and university talks",
         "320"],
        [date_en(dt.date(2026, 4, 2)), "Lənkəran məşğulluq mərkəzi", "Lankaran-Astara", "Job seekers",
         "School and university talks", "85"],
        [date_en(dt.date(2026, 5, 5)), "Sosial şəbəkələr", "Baku", "Job seekers", "Social media", "12,000"],
    ]
    # Reach: the numbers in tables, and the same as server-drawn SVG bars (no script, no style attribute).
    assert plain(by_testid(text, "reach-total", "</p>")) == "12,405"
    assert table_rows(by_testid(text, "reach-regions", "</table>")) == [["Baku", "12,320"], ["Lankaran-Astara", "85"]]
    assert table_rows(by_testid(text, "reach-groups", "</table>")) == [["Job seekers", "12,085"], ["Students", "320"]]
    chart = re.search(r'data-testid="chart-regions".*?<svg[^>]*>(.*?)</svg>', text, re.S).group(1)
    assert re.findall(r'<rect [^>]*width="([^"]+)"', chart) == ["470.0", f"{round(470 * 85 / 12320, 2)}"]
    assert [plain(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", chart)] == ["Baku", "12,320", "Lankaran-Astara",
                                                                             "85"]
    assert " style=" not in text and "<script>" not in text.replace('<script src=', "")
    # A reader sees no management controls.
    for marker in ('data-testid="campaign-publish"', 'data-testid="campaign-edit"', 'data-testid="event-form"',
                   'value="event_delete"'):
        assert marker not in text, marker


def test_the_chart_numbers_stay_plain_in_every_language(coalition, login_as):
    campaign = make_campaign(coalition)
    add_event(coalition, campaign, dt.date(2026, 3, 10), "Yer", "baku", "students", "talks", 3)
    add_event(coalition, campaign, dt.date(2026, 3, 11), "Yer", "nakhchivan", "students", "talks", 2)
    client = login_as("qht2")
    for language in ("az", "ru", "en"):
        client.cookies["korpu_language"] = language
        text = html(client.get(reverse("engagement:campaign", args=[campaign.pk])))
        chart = re.search(r'data-testid="chart-regions".*?<svg[^>]*>(.*?)</svg>', text, re.S).group(1)
        assert re.findall(r'<rect [^>]*width="([^"]+)"', chart) == ["470.0", "313.33"], language  # no decimal comma


def test_new_campaigns_wait_to_be_published(coalition, login_en, anonymous_en):
    client = login_en("koalisiya")
    response = client.post(reverse("engagement:campaign_create"), {
        "title": "Yeni kampaniya", "starts_on": "2026-05-01", "ends_on": "2026-05-31",
        "organisers": [coalition["ngo1"].pk], "channels": ["printed"], "regions": ["baku"]})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and not campaign.is_public
    assert successes(response) == ["The campaign is created. It is not on the public portal until you publish it."]
    public_url = reverse("engagement:public_campaign", args=[campaign.pk])
    assert anonymous_en.get(public_url).status_code == 404
    assert "Yeni kampaniya" not in html(anonymous_en.get(reverse("engagement:public_campaigns")))

    url = reverse("engagement:campaign", args=[campaign.pk])
    seq = last_seq()
    response = client.post(url, {"command": "publish", "public": "1"})
    assert successes(response) == ["The campaign is on the public portal."]
    campaign.refresh_from_db()
    assert campaign.is_public and events_since(seq) == [("engagement.publish", "ok")]
    assert anonymous_en.get(public_url).status_code == 200
    assert public_url in html(client.get(url))
    response = client.post(url, {"command": "publish", "public": "0"})
    assert successes(response) == ["The campaign is no longer on the public portal."]
    assert anonymous_en.get(public_url).status_code == 404
    assert client.post(url, {"command": "dance"}).status_code == 404


def test_the_coordinator_edits_a_campaign(coalition, login_en):
    campaign = make_campaign(coalition)
    add_event(coalition, campaign, dt.date(2026, 4, 2), "Yer", "baku", "students", "talks", 10)
    client = login_en("koalisiya")
    url = reverse("engagement:campaign_edit", args=[campaign.pk])
    assert url in html(client.get(reverse("engagement:campaign", args=[campaign.pk])))
    page = html(client.get(url))
    assert 'value="Diqqətli ol!"' in page and re.search(r'value="social_media"[^>]*checked', page)

    data = {"title": "Diqqətli ol! 2026", "starts_on": "2026-03-15", "ends_on": "2026-07-31",
            "organisers": [coalition["ngo2"].pk], "target_groups": ["women"], "channels": ["tv_radio"],
            "regions": ["nakhchivan"], "description": "Yeni təsvir", "materials": "Afişa"}
    seq = last_seq()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("engagement:campaign", args=[campaign.pk])
    campaign.refresh_from_db()
    assert (campaign.title, campaign.starts_on, campaign.ends_on, campaign.target_groups, campaign.channels,
            campaign.regions, campaign.description, campaign.materials) == (
        "Diqqətli ol! 2026", dt.date(2026, 3, 15), dt.date(2026, 7, 31), ["women"], ["tv_radio"], ["nakhchivan"],
        "Yeni təsvir", "Afişa")
    assert list(campaign.organisers.all()) == [coalition["ngo2"]]
    assert events_since(seq) == [("campaign.update", "ok")]
    assert AuditEvent.objects.get(seq__gt=seq).details["fields"] == [
        "channels", "description", "ends_on", "materials", "regions", "starts_on", "target_groups", "title",
        "organisers"]

    # Dates that would leave an event outside the campaign: refused, nothing changed.
    response = client.post(url, {**data, "starts_on": "2026-05-01"})
    assert response.status_code == 400
    assert "Some events of this campaign fall outside these dates: change or delete them first." in html(response)
    for bad in ({"ends_on": "2026-01-01"}, {"organisers": []}, {"regions": ["atlantis"]}, {"title": ""}):
        assert client.post(url, {**data, **bad}).status_code == 400, bad
    campaign.refresh_from_db()
    assert campaign.starts_on == dt.date(2026, 3, 15) and campaign.regions == ["nakhchivan"]


def test_the_coordinator_edits_and_deletes_events(coalition, login_en):
    campaign = make_campaign(coalition)
    event = add_event(coalition, campaign, dt.date(2026, 4, 2), "Yer", "baku", "students", "talks", 10)
    gone = add_event(coalition, campaign, dt.date(2026, 4, 3), "Başqa yer", "baku", "students", "talks", 5)
    client = login_en("koalisiya")
    url = reverse("engagement:campaign_event", args=[campaign.pk, event.pk])
    assert url in html(client.get(reverse("engagement:campaign", args=[campaign.pk])))
    response = client.post(url, {"held_on": "2026-04-05", "place": "Lənkəran", "region": "lankaran_astara",
                                 "target_group": "job_seekers", "channel": "printed", "people_reached": 140})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.held_on, event.place, event.region, event.target_group, event.channel, event.people_reached) == (
        dt.date(2026, 4, 5), "Lənkəran", "lankaran_astara", "job_seekers", "printed", 140)
    assert AuditEvent.objects.get(action="campaign.event_update").details == {
        "fields": ["channel", "held_on", "people_reached", "place", "region", "target_group"], "people": 140}
    response = client.post(url, {"held_on": "2027-01-01", "place": "X", "region": "baku", "target_group": "women",
                                 "channel": "talks", "people_reached": 1})
    assert response.status_code == 400 and "The event must fall within the campaign&#x27;s dates." in html(response)
    event.refresh_from_db()
    assert event.held_on == dt.date(2026, 4, 5)

    response = client.post(reverse("engagement:campaign", args=[campaign.pk]), {"command": "event_delete",
                                                                                  "event": gone.pk})
    assert successes(response) == ["The event is deleted."]
    assert list(campaign.events.all()) == [event]
    assert AuditEvent.objects.get(action="campaign.event_delete").details == {"campaign": campaign.pk, "people": 5}
    other = make_campaign(coalition, title="Başqa")
    foreign = add_event(coalition, other, dt.date(2026, 4, 2), "Yer", "baku", "students", "talks", 1)
    assert client.get(reverse("engagement:campaign_event", args=[campaign.pk, foreign.pk])).status_code == 404
    assert client.post(reverse("engagement:campaign", args=[campaign.pk]), {
        "command": "event_delete", "event": foreign.pk}).status_code == 404
    assert CampaignEvent.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("username", ["qht1", "polis", "analitik"])
def test_only_the_coordinator_changes_campaigns(coalition, login_en, username):
    campaign = make_campaign(coalition)
    event = add_event(coalition, campaign, dt.date(2026, 4, 2), "Yer", "baku", "students", "talks", 10)
    client = login_en(username)
    seq = last_seq()
    edit = reverse("engagement:campaign_edit", args=[campaign.pk])
    event_url = reverse("engagement:campaign_event", args=[campaign.pk, event.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"title": "X", "starts_on": "2026-03-01", "ends_on": "2026-06-30",
                              "organisers": [coalition["ngo3"].pk]}).status_code == 404
    assert client.get(event_url).status_code == 404
    assert client.post(event_url, {"held_on": "2026-04-02", "place": "X", "region": "baku", "target_group": "women",
                                   "channel": "talks", "people_reached": 99}).status_code == 404
    page = reverse("engagement:campaign", args=[campaign.pk])
    for data, action in (({"command": "publish", "public": "1"}, "engagement.publish"),
                         ({"command": "event_delete", "event": event.pk}, "campaign.event_delete")):
        response = client.post(page, data)
        assert errors(response) == [COORDINATOR_ONLY]
        assert events_since(seq)[-1] == (action, "denied")
    assert events_since(seq) == [("campaign.update", "denied"), ("campaign.update", "denied"),
                                 ("campaign.event_update", "denied"), ("campaign.event_update", "denied"),
                                 ("engagement.publish", "denied"), ("campaign.event_delete", "denied")]
    campaign.refresh_from_db()
    event.refresh_from_db()
    assert (campaign.title, campaign.is_public, event.place, event.people_reached) == ("Diqqətli ol!", False, "Yer", 10)
    assert CampaignEvent.objects.count() == 1


def test_the_year_filter(coalition, login_en):
    first = make_campaign(coalition, title="Birinci", starts=dt.date(2024, 11, 1), ends=dt.date(2025, 2, 28))
    add_event(coalition, first, dt.date(2024, 11, 5), "Yer", "baku", "students", "talks", 100)
    add_event(coalition, first, dt.date(2025, 2, 5), "Yer", "baku", "women", "talks", 7)
    second = make_campaign(coalition, title="İkinci", starts=dt.date(2026, 3, 1), ends=dt.date(2026, 3, 31))
    add_event(coalition, second, dt.date(2026, 3, 5), "Yer", "nakhchivan", "women", "talks", 40)
    client = login_en("qht2")

    text = html(client.get(reverse("engagement:campaigns")))
    control = by_testid(text, "year-filter", "</form>")
    assert re.findall(r'<option value="(\d*)"', control) == ["", "2026", "2025", "2024"]
    assert "selected" not in control
    assert plain(by_testid(text, "reach-total", "</p>")) == "147"

    text = html(client.get(reverse("engagement:campaigns") + "?year=2025"))
    control = by_testid(text, "year-filter", "</form>")
    assert re.search(r'<option value="2025" selected>', control)
    listed = by_testid(text, "campaign-list", "</table>")
    assert "Birinci" in listed and "İkinci" not in listed
    assert plain(by_testid(text, "reach-total", "</p>")) == "7"  # only the events held in 2025
    assert table_rows(by_testid(text, "reach-groups", "</table>")) == [["Women", "7"]]
    text = html(client.get(reverse("engagement:campaigns") + "?year=2026"))
    listed = by_testid(text, "campaign-list", "</table>")
    assert "İkinci" in listed and "Birinci" not in listed
    for junk in ("abc", "-1", "99999"):  # ignored: every campaign
        text = html(client.get(reverse("engagement:campaigns") + f"?year={junk}"))
        assert plain(by_testid(text, "reach-total", "</p>")) == "147", junk


def test_the_public_calendar_and_the_public_campaign_page(coalition, anonymous_en):
    today = timezone.localdate()
    running = make_campaign(coalition, title="Davam edən", public=True, starts=today - dt.timedelta(days=10),
                            ends=today + dt.timedelta(days=20))
    add_event(coalition, running, today - dt.timedelta(days=2), "Gəncə Dövlət Universiteti", "ganja_dashkasan",
              "students", "talks", 210)
    add_event(coalition, running, today + dt.timedelta(days=5), "Şəki gənclər mərkəzi", "shaki_zagatala",
              "students", "talks", 0)
    hidden = make_campaign(coalition, title="Daxili", starts=today, ends=today + dt.timedelta(days=3))

    text = html(anonymous_en.get(reverse("engagement:public_campaigns")))
    calendar = by_testid(text, "calendar", "</ul>")
    assert "Davam edən" in calendar and "Daxili" not in text
    assert plain(by_testid(calendar, "calendar-channels", "</span>")) == (
        "Channels: School and university talks, Social media")
    assert table_rows(by_testid(calendar, "calendar-events", "</table>")) == [
        [date_en(today - dt.timedelta(days=2), "DATE_FORMAT"), "Gəncə Dövlət Universiteti", "Ganja-Dashkasan"],
        [date_en(today + dt.timedelta(days=5), "DATE_FORMAT"), "Şəki gənclər mərkəzi", "Shaki-Zagatala"],
    ]
    detail_url = reverse("engagement:public_campaign", args=[running.pk])
    assert detail_url in calendar

    response = anonymous_en.get(detail_url)
    assert response.status_code == 200 and "sessionid" not in response.cookies
    page = html(response)
    assert "Davam edən" in page and "İş təkliflərindəki aldatma barədə." in page
    assert sorted(plain(by_testid(page, "campaign-organisers", "</dd>")).split(", ")) == sorted(
        [coalition["police"].name, coalition["ngo1"].name])
    assert plain(by_testid(page, "campaign-target-groups", "</dd>")) == "Students, Job seekers"
    assert plain(by_testid(page, "campaign-channels", "</dd>")) == "School and university talks, Social media"
    assert plain(by_testid(page, "campaign-regions", "</dd>")) == "Baku, Lankaran-Astara"
    assert plain(by_testid(page, "campaign-materials", "</dd>")) == "Vərəqə və qısa video"
    assert len(table_rows(by_testid(page, "campaign-events", "</table>"))) == 2
    assert plain(by_testid(page, "reach-total", "</p>")) == "210"
    # Nothing internal: who recorded it, the management controls, the staff addresses.
    for internal in (coalition["koalisiya"].full_name, 'name="command"',
                     f'href="{reverse("engagement:campaign", args=[running.pk])}"', "nav class=\"mainnav\""):
        assert internal not in page, internal
    assert anonymous_en.get(reverse("engagement:public_campaign", args=[hidden.pk])).status_code == 404
    assert anonymous_en.get(reverse("engagement:public_campaign", args=[999_999])).status_code == 404
