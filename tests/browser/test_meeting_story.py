"""The meeting story in a real Chromium: the coalition coordinator records a meeting and publishes it;
a visitor who is not logged in finds it on the public portal, and its photo carries no location.

The coordinator (``koalisiya``) logs in with password and TOTP, creates the meeting through the form,
adds two member organisations and an external guest, uploads a photo with GPS EXIF, records two
decisions and a proposal and publishes the meeting. A fresh browser context with no session then
opens /public/meetings/, the meeting and its photo, and downloads the full photo by its public
address. Only the coalition membership (no page for it yet) is set up directly, before the story.
Screenshots of the meeting page and the public page are saved into ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from korpu.core.models import AuditEvent
from korpu.engagement import actions
from korpu.engagement.models import Decision, Meeting, Participant, Photo, Proposal
from tests.browser.conftest import ARTIFACTS, CSP_REPORTER, TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Baş İdarə ilə QHT Koalisiyasının rüblük görüşü"
ALT = "Görüş iştirakçıları masa arxasında"
GUEST, GUEST_AFFILIATION = "Con Smit", "ABŞ səfirliyi"
MARKERS = [b"SecretCamQ7", b"SecretModelQ7", b"GpsDatumQ7"]


def t(user: Any, message: str) -> str:
    """``message`` as the page shows it to ``user`` (their profile language decides the interface)."""
    with translation.override(user.language):
        return translation.gettext(message)


def path_of(page: Any) -> str:
    return urlparse(page.url).path


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def click_and_load(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def open_details(page: Any, form_testid: str) -> Any:
    """Open the <details> that holds the form (if any) and return the form."""
    form = page.get_by_test_id(form_testid)
    details = page.locator("details", has=form)
    if details.count() and details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(form).to_be_visible()
    return form


def expect_message(page: Any, user: Any, message: str) -> None:
    expect(page.locator("ul.messages li.success")).to_have_text(t(user, message))


def gps_jpeg() -> bytes:
    """A camera photo: camera make and model and a GPS position in its EXIF."""
    image = Image.new("RGB", (1200, 800), (40, 90, 120))
    image.paste((240, 240, 240), (100, 500, 1100, 700))
    for x in range(160, 1040, 160):
        image.paste((60, 60, 80), (x, 300, x + 90, 500))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamQ7"  # Make
    exif[0x0110] = "SecretModelQ7"  # Model
    exif[0x8825] = {1: "N", 2: (40.0, 22.0, 10.0), 3: "E", 4: (49.0, 51.0, 30.0), 18: "GpsDatumQ7"}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    data = out.getvalue()
    assert all(marker in data for marker in MARKERS)
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(0x8825)
    return data


def add_participant(page: Any, user: Any, **fields: str) -> None:
    form = open_details(page, "participant-form")
    if "organisation" in fields:
        form.locator("select[name=organisation]").select_option(label=fields["organisation"])
    for name in ("person_name", "person_title", "guest_affiliation"):
        if name in fields:
            form.locator(f"input[name={name}]").fill(fields[name])
    click_and_load(page, form.get_by_role("button", name=t(user, "Add")))
    expect_message(page, user, "The participant is added.")


def record_decision(page: Any, user: Any, text: str, responsible: str, due_on: dt.date) -> None:
    form = open_details(page, "decision-form")
    form.locator("textarea[name=text]").fill(text)
    form.locator("select[name=responsible]").select_option(label=responsible)
    form.locator("input[name=due_on]").fill(due_on.isoformat())
    click_and_load(page, form.get_by_role("button", name=t(user, "Save")))
    expect_message(page, user, "The decision is recorded.")


def test_coordinator_records_and_publishes_a_meeting(live_server, page, browser, cast, console, log_in):
    koalisiya = cast["koalisiya"]
    police, ngo1, ngo2 = cast["police"], cast["ngo1"], cast["ngo2"]
    for organisation, joined in ((ngo1, dt.date(2010, 3, 1)), (ngo2, dt.date(2012, 6, 15))):
        actions.member_save(by=koalisiya, organisation=organisation, joined_on=joined)

    # 1. The coordinator logs in (password and TOTP) and opens the meetings from the coalition page.
    log_in(koalisiya)
    expect(page.locator("html")).to_have_attribute("lang", koalisiya.language)
    click_and_load(page, page.locator("nav.mainnav").get_by_role("link", name=t(koalisiya, "Coalition"), exact=True))
    click_and_load(page, page.locator("p.subnav").get_by_role("link", name=t(koalisiya, "Meetings"), exact=True))
    click_and_load(page, page.locator("main").get_by_role("link", name=t(koalisiya, "New meeting")))
    assert path_of(page) == "/meetings/new/"

    # 2. The meeting, through the form.
    form = page.get_by_test_id("meeting-form")
    form.get_by_label(t(koalisiya, "Title"), exact=True).fill(TITLE)
    form.get_by_label(t(koalisiya, "Date"), exact=True).fill("2026-10-20")
    form.get_by_label(t(koalisiya, "Place"), exact=True).fill("Bakı")
    form.get_by_label(t(koalisiya, "Organiser"), exact=True).select_option(label=police.name)
    form.get_by_label(t(koalisiya, "Agenda (one item per line)"), exact=True).fill(
        "Milli Fəaliyyət Planı və QHT-lərlə əməkdaşlıq\nBirgə maarifləndirmə işi\nKoalisiya üzvlərinin təklifləri")
    form.get_by_label(t(koalisiya, "Public summary"), exact=True).fill(
        "Baş İdarə ilə sığınacaq saxlayan QHT-lərin rəhbərləri görüşdü.")
    click_and_load(page, form.get_by_role("button", name=t(koalisiya, "Create")))
    meeting = Meeting.objects.get()
    assert path_of(page) == f"/meetings/{meeting.pk}/"
    meeting_url = page.url
    expect(page.locator("h1")).to_contain_text(TITLE)
    yes, no = t(koalisiya, "yes,no,maybe").split(",")[:2]  # Django's yesno filter
    expect(page.get_by_test_id("meeting-public")).to_contain_text(no)

    # 3. Two member organisations and an external guest.
    add_participant(page, koalisiya, organisation=ngo1.name)
    add_participant(page, koalisiya, organisation=ngo2.name)
    add_participant(page, koalisiya, person_name=GUEST, person_title="Siyasi məsələlər üzrə müşavir",
                    guest_affiliation=GUEST_AFFILIATION)
    participants = page.get_by_test_id("participants").locator("li")
    expect(participants).to_have_count(3)
    expect(participants.nth(0)).to_have_text(ngo1.name)
    expect(participants.nth(1)).to_have_text(ngo2.name)
    expect(participants.nth(2)).to_contain_text(GUEST_AFFILIATION)
    expect(participants.nth(2)).to_contain_text(GUEST)
    guest = Participant.objects.get(is_guest=True)
    assert (guest.organisation, guest.person_name, guest.guest_affiliation) == (None, GUEST, GUEST_AFFILIATION)

    # 4. A photo straight from a camera, with its GPS position; shown to the public.
    photo_form = open_details(page, "photo-form")
    photo_form.locator("input[type=file][name=image]").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": gps_jpeg()})
    photo_form.get_by_label(t(koalisiya, "Description for people who cannot see it"), exact=True).fill(ALT)
    photo_form.get_by_label(t(koalisiya, "Show on the public portal"), exact=True).check()
    click_and_load(page, photo_form.get_by_role("button", name=t(koalisiya, "Upload")))
    expect_message(page, koalisiya, "The photo is added; its location and camera data were removed.")
    photo = Photo.objects.get()
    assert photo.is_public and (photo.width, photo.height) == (1200, 800)
    staff_image = page.locator(".gallery img").first
    expect(staff_image).to_have_attribute("alt", ALT)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=staff_image.element_handle())

    # 5. Two decisions and a proposal.
    record_decision(page, koalisiya, "Birgə maarifləndirmə planı hazırlamaq", ngo1.name, dt.date(2026, 12, 1))
    record_decision(page, koalisiya, "Rüblük görüşlərin cədvəlini razılaşdırmaq", police.name, dt.date(2026, 11, 15))
    decisions = page.get_by_test_id("decisions").locator("li")
    expect(decisions).to_have_count(2)
    expect(decisions.nth(0)).to_contain_text("Rüblük görüşlərin cədvəlini")  # ordered by due date
    expect(decisions.nth(1)).to_contain_text(ngo1.short_name)
    assert Decision.objects.filter(meeting=meeting).count() == 2

    proposal_form = open_details(page, "proposal-form")
    proposal_form.locator("select[name=from_organisation]").select_option(label=ngo2.name)
    proposal_form.locator("select[name=addressed_to]").select_option(label=police.name)
    proposal_form.locator("input[name=title]").fill("Miqrantlar üçün çoxdilli vərəqələr")
    proposal_form.locator("textarea[name=text]").fill("Sərhəd məntəqələrində çoxdilli vərəqələr paylamaq.")
    click_and_load(page, proposal_form.get_by_role("button", name=t(koalisiya, "Save")))
    expect_message(page, koalisiya, "The proposal is recorded.")
    proposal = Proposal.objects.get()
    assert (proposal.meeting, proposal.from_organisation, proposal.addressed_to) == (meeting, ngo2, police)
    expect(page.locator("main").get_by_role("link", name="Miqrantlar üçün çoxdilli vərəqələr")).to_be_visible()

    # 6. Publish.
    click_and_load(page, page.get_by_test_id("publish"))
    expect_message(page, koalisiya, "Saved.")
    expect(page.get_by_test_id("meeting-public")).to_contain_text(yes)
    meeting.refresh_from_db()
    assert meeting.is_public
    assert AuditEvent.objects.filter(action="engagement.publish", actor=koalisiya,
                                     object_id=str(meeting.pk)).exists()
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    screenshot(page, "meeting-page.png")

    # 7. A visitor with no session at all finds the meeting on the public portal.
    visitor = browser.new_context(locale="az", viewport={"width": 1280, "height": 900})
    visitor.set_default_timeout(TIMEOUT_MS)
    visitor.add_init_script(CSP_REPORTER)
    visitor.on("page", console.attach)
    try:
        public = visitor.new_page()
        public.goto(live_server.url + "/public/meetings/")
        assert path_of(public) == "/public/meetings/"
        expect(public.locator("nav.mainnav")).to_have_count(0)
        click_and_load(public, public.locator("main").get_by_role("link", name=TITLE))
        assert path_of(public) == f"/public/meetings/{meeting.pk}/"
        expect(public.locator("h1")).to_contain_text(TITLE)
        main = public.locator("main")
        expect(main).to_contain_text("sığınacaq saxlayan QHT-lərin rəhbərləri")
        for organisation in (ngo1, ngo2):
            expect(main).to_contain_text(organisation.name)
        expect(main).not_to_contain_text(GUEST)  # a guest is a named person: staff pages only
        for text in ("Birgə maarifləndirmə planı", "Miqrantlar üçün çoxdilli vərəqələr"):
            expect(main).not_to_contain_text(text)  # decisions and proposals are internal

        image = public.get_by_test_id("public-gallery").locator("img")
        expect(image).to_have_count(1)
        expect(image).to_have_attribute("alt", ALT)
        expect(image).to_have_attribute("src", f"/public/photos/{photo.pk}/thumb/")
        public.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        full_href = public.get_by_test_id("public-gallery").locator("a").get_attribute("href")
        assert full_href == f"/public/photos/{photo.pk}/full/"
        screenshot(public, "meeting-public-page.png")

        # 8. The full photo as anyone can download it: pixels only.
        response = visitor.request.get(live_server.url + full_href)
        assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
        assert not response.headers.get("set-cookie")
        data = response.body()
        for marker in MARKERS:
            assert marker not in data, marker
        assert b"Exif" not in data
        with Image.open(io.BytesIO(data)) as downloaded:
            assert downloaded.size == (1200, 800)
            assert not downloaded.getexif()
            assert not downloaded.getexif().get_ifd(0x8825)
            assert "exif" not in downloaded.info
        thumb = visitor.request.get(live_server.url + f"/public/photos/{photo.pk}/thumb/")
        assert thumb.status == 200 and b"Exif" not in thumb.body()
        assert not any(marker in thumb.body() for marker in MARKERS)

        # The staff page of the same meeting stays closed to the visitor.
        public.goto(meeting_url)
        assert re.fullmatch(r"/account/login/", path_of(public)), public.url
    finally:
        visitor.close()

    assert console.csp_violations == [], f"CSP violations: {console.csp_violations}"
    assert console.errors == [], f"console errors: {console.errors}"
