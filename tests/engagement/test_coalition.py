"""The coalition's members and their contact people, through the pages: the list with labels, the
coordinator's member pages (join date, chair, services, regions, left date), contact people kept
encrypted, shown to logged-in partners only and never on the public portal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import formats, translation

from korpu.core import crypto
from korpu.core.models import AuditEvent
from korpu.engagement import actions
from korpu.engagement.models import ContactPerson, Member
from tests.engagement.helpers import (
    COORDINATOR_ONLY,
    by_testid,
    events_since,
    html,
    last_seq,
    new_meeting,
    plain,
    successes,
)


def row_of(text: str, member: Member) -> str:
    match = re.search(rf'<tr data-member="{member.pk}">(.*?)</tr>', text, re.S)
    assert match, member
    return match.group(1)


def cell(row: str, name: str) -> str:
    return plain(by_testid(row, name, "</td>"))


def short_date(day: dt.date) -> str:
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


# --- the list ----------------------------------------------------------------------------------------
def test_the_member_list_shows_join_date_chair_and_labels(coalition, login_en, client):
    page = login_en("qht2").get(reverse("engagement:coalition"))
    assert page.status_code == 200
    text = html(page)
    ngo1 = Member.objects.get(organisation=coalition["ngo1"])
    ngo2 = Member.objects.get(organisation=coalition["ngo2"])
    first, second = row_of(text, ngo1), row_of(text, ngo2)
    assert coalition["ngo1"].name in first and short_date(dt.date(2010, 3, 1)) in first
    assert short_date(dt.date(2012, 6, 15)) in second
    assert cell(first, "services") == "Shelter, Legal aid"
    assert cell(first, "regions") == "Baku, Absheron-Khizi"
    assert cell(second, "services") == "Vocational training" and cell(second, "regions") == "Ganja-Dashkasan"
    assert 'data-testid="chair"' in first and 'data-testid="chair"' not in second
    for code in ("legal_aid", "absheron_khizi", "ganja_dashkasan", "vocational"):
        assert code not in text.replace('name="', ""), code  # no raw code on the page
    # The list is for logged-in partners: a visitor is sent to the login page.
    response = client.get(reverse("engagement:coalition"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_labels_follow_the_interface_language(coalition, login_as):
    client = login_as("qht2")
    client.cookies["korpu_language"] = "ru"
    text = html(client.get(reverse("engagement:coalition")))
    row = row_of(text, Member.objects.get(organisation=coalition["ngo1"]))
    with translation.override("ru"):
        from korpu.engagement.models import REGIONS, Service

        expected = f"{Service.SHELTER.label}, {Service.LEGAL_AID.label}"
        regions = ", ".join(str(dict(REGIONS)[c]) for c in ("baku", "absheron_khizi"))
    assert cell(row, "services") == expected and cell(row, "regions") == regions


# --- members -----------------------------------------------------------------------------------------
def test_the_coordinator_adds_a_member_and_moves_the_chair(coalition, login_en):
    client = login_en("koalisiya")
    page = client.get(reverse("engagement:member_create"))
    assert page.status_code == 200
    choices = re.findall(r'<option value="(\d+)"', by_testid(html(page), "edit-form", "</select>"))
    assert str(coalition["ngo3"].pk) in choices
    assert str(coalition["ngo1"].pk) not in choices and str(coalition["ngo2"].pk) not in choices  # already members
    assert reverse("engagement:member_create") in html(client.get(reverse("engagement:coalition")))

    seq = last_seq()
    response = client.post(reverse("engagement:member_create"), {
        "organisation": coalition["ngo3"].pk, "joined_on": "2016-09-01", "is_chair": "on",
        "services": ["awareness", "legal_aid"], "regions": ["lankaran_astara"]})
    member = Member.objects.get(organisation=coalition["ngo3"])
    assert response.status_code == 302 and response["Location"] == reverse("engagement:member", args=[member.pk])
    assert (member.joined_on, member.is_chair, member.services, member.regions, member.left_on) == (
        dt.date(2016, 9, 1), True, ["awareness", "legal_aid"], ["lankaran_astara"], None)
    # Exactly one chair: NGO 1 gave the flag up.
    assert list(Member.objects.filter(is_chair=True)) == [member]
    assert events_since(seq) == [("coalition.member", "ok")]
    event = AuditEvent.objects.get(seq__gt=seq)
    assert event.details == {"organisation": coalition["ngo3"].pk, "created": True, "chair": True, "left": False}

    # The member page shows the membership as saved.
    text = html(client.get(reverse("engagement:member", args=[member.pk])))
    assert 'value="2016-09-01"' in text and re.search(r'name="is_chair"[^>]*checked', text)
    assert re.search(r'value="awareness"[^>]*checked', text) and re.search(r'value="lankaran_astara"[^>]*checked', text)


def test_the_chair_is_moved_not_dropped(coalition, login_en):
    client = login_en("koalisiya")
    ngo1 = Member.objects.get(organisation=coalition["ngo1"])
    url = reverse("engagement:member", args=[ngo1.pk])
    base = {"command": "member", "joined_on": "2010-03-01", "services": ["shelter"], "regions": ["baku"]}

    # Taking the flag off the chair leaves the coalition without one: refused, nothing changes.
    seq = last_seq()
    response = client.post(url, base)
    assert response.status_code == 400
    assert "The coalition needs a chair: name another member the chair instead." in html(response)
    ngo1.refresh_from_db()
    assert ngo1.is_chair and ngo1.services == ["shelter", "legal_aid"]
    assert events_since(seq) == []
    # So is the chair leaving, and a member that left becoming the chair.
    response = client.post(url, {**base, "is_chair": "on", "left_on": "2025-01-01"})
    assert response.status_code == 400 and "A member that has left cannot be the chair." in html(response)
    response = client.post(url, {**base, "is_chair": "on", "left_on": "2009-01-01"})
    assert response.status_code == 400 and "A member cannot leave before it joined." in html(response)
    ngo1.refresh_from_db()
    assert ngo1.left_on is None and ngo1.is_chair

    # Naming NGO 2 the chair moves the flag; then NGO 1 may leave.
    ngo2 = Member.objects.get(organisation=coalition["ngo2"])
    response = client.post(reverse("engagement:member", args=[ngo2.pk]), {
        "command": "member", "joined_on": "2012-06-15", "is_chair": "on", "services": ["vocational"]})
    assert response.status_code == 302 and successes(response) == ["The member is saved."]
    response = client.post(url, {**base, "left_on": "2025-01-01"})
    assert response.status_code == 302
    ngo1.refresh_from_db()
    ngo2.refresh_from_db()
    assert (ngo1.is_chair, ngo1.left_on, ngo2.is_chair) == (False, dt.date(2025, 1, 1), True)
    assert ngo2.regions == []  # the form is the whole membership: no region ticked, none kept

    # The coalition page: NGO 1 among the former members, not the current ones.
    text = html(client.get(reverse("engagement:coalition")))
    assert f'data-member="{ngo1.pk}"' not in text
    assert coalition["ngo1"].name in by_testid(text, "former-members", "</ul>")


def test_unknown_codes_and_missing_dates_are_refused(coalition, login_en):
    client = login_en("koalisiya")
    seq = last_seq()
    for data in ({"organisation": coalition["ngo3"].pk, "joined_on": "2016-09-01", "services": ["teleportation"]},
                 {"organisation": coalition["ngo3"].pk, "joined_on": "2016-09-01", "regions": ["atlantis"]},
                 {"organisation": coalition["ngo3"].pk, "joined_on": ""},
                 {"organisation": coalition["ngo1"].pk, "joined_on": "2016-09-01"}):  # already a member
        response = client.post(reverse("engagement:member_create"), data)
        assert response.status_code == 400, data
        assert 'class="error"' in html(response), data
    assert not Member.objects.filter(organisation=coalition["ngo3"]).exists()
    assert events_since(seq) == []


@pytest.mark.parametrize("username", ["qht1", "polis", "analitik"])
def test_only_the_coordinator_manages_members(coalition, login_en, username):
    client = login_en(username)
    user = coalition[username]
    member = Member.objects.get(organisation=coalition["ngo2"])
    contact = actions.contact_save(by=coalition["koalisiya"], member=member, name="Kamran Nümunəli",
                                   phone="+994 12 000 00 99")
    before = list(Member.objects.values_list("organisation", "is_chair", "joined_on", "left_on", "services"))
    seq = last_seq()

    assert client.get(reverse("engagement:member_create")).status_code == 404
    assert client.post(reverse("engagement:member_create"), {
        "organisation": coalition["ngo3"].pk, "joined_on": "2016-09-01", "is_chair": "on"}).status_code == 404
    url = reverse("engagement:member", args=[member.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"command": "member", "joined_on": "2000-01-01", "is_chair": "on"}).status_code == 404
    assert client.post(url, {"command": "contact", "name": "X", "phone": "+994 12 000 00 00"}).status_code == 404
    assert client.post(url, {"command": "contact_delete", "contact": contact.pk}).status_code == 404
    contact_url = reverse("engagement:contact", args=[member.pk, contact.pk])
    assert client.post(contact_url, {"name": "Dəyişdirilmiş", "phone": "1"}).status_code == 404

    assert events_since(seq) == [(action, "denied") for action in (
        "coalition.member", "coalition.member", "coalition.member", "coalition.member", "coalition.member",
        "coalition.member", "coalition.contact")]
    assert AuditEvent.objects.filter(seq__gt=seq).exclude(actor=user).count() == 0
    assert list(Member.objects.values_list("organisation", "is_chair", "joined_on", "left_on", "services")) == before
    assert [(c.name, c.phone) for c in ContactPerson.objects.all()] == [("Kamran Nümunəli", "+994 12 000 00 99")]
    # No link to the management pages on the list.
    text = html(client.get(reverse("engagement:coalition")))
    assert reverse("engagement:member_create") not in text and url not in text


# --- contact people ----------------------------------------------------------------------------------
SECRETS = ["Nigar Kontaktova", "Proqram meneceri", "+994 50 123 45 67", "nigar.kontakt@example.org"]


def raw_contact_columns() -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, title, phone, email FROM engagement_contactperson")
        return list(cursor.fetchall())


def test_contact_people_are_added_corrected_and_removed_through_the_member_page(coalition, login_en):
    client = login_en("koalisiya")
    member = Member.objects.get(organisation=coalition["ngo1"])
    url = reverse("engagement:member", args=[member.pk])
    seq = last_seq()
    response = client.post(url, {"command": "contact", "name": SECRETS[0], "title": SECRETS[1],
                                 "phone": SECRETS[2], "email": SECRETS[3]})
    assert response.status_code == 302 and successes(response) == ["The contact person is added."]
    contact = ContactPerson.objects.get()
    assert (contact.member, contact.name, contact.title, contact.phone, contact.email) == (member, *SECRETS)

    # Encrypted at rest: the columns hold sealed tokens, not the text.
    (raw,) = raw_contact_columns()
    for value, secret in zip(raw, SECRETS, strict=True):
        assert value.startswith(crypto.TOKEN_PREFIX + ":"), value
        assert secret not in value and secret.split()[0] not in value
    # The audit log holds ids and field names only.
    event = AuditEvent.objects.get(seq__gt=seq, action="coalition.contact")
    assert event.details == {"member": member.pk, "fields": ["email", "name", "phone", "title"]}
    assert not any(secret in str(event.details) for secret in SECRETS)

    # Shown on the member page with a link to correct it.
    text = html(client.get(url))
    listed = plain(by_testid(text, "contact-list", "</ul>"))
    assert all(secret in listed for secret in SECRETS)
    contact_url = reverse("engagement:contact", args=[member.pk, contact.pk])
    assert contact_url in text
    page = client.get(contact_url)
    assert page.status_code == 200 and 'value="Nigar Kontaktova"' in html(page)
    response = client.post(contact_url, {"name": "Nigar Kontaktova", "title": "Direktor", "phone": "",
                                         "email": "nigar.kontakt@example.org"})
    assert response.status_code == 302 and response["Location"] == url
    contact.refresh_from_db()
    assert (contact.title, contact.phone) == ("Direktor", "")
    assert AuditEvent.objects.filter(action="coalition.contact").order_by("-seq").first().details == {
        "member": member.pk, "fields": ["phone", "title"]}

    # Bad input: a message, nothing changed.
    for data, message in (
        ({"name": "", "phone": "+994 12 000 00 00"}, "This field is required."),
        ({"name": "Ad", "phone": "", "email": ""},
         "Give a phone number or an e-mail address, so the person can be reached."),
        ({"name": "Ad", "email": "not-an-address"}, "Enter a valid email address."),
        ({"name": "Ad", "phone": "call me maybe"}, "Write the phone number with digits, spaces, +, -, ( and ) only."),
    ):
        response = client.post(url, {"command": "contact", **data})
        assert response.status_code == 400, data
        assert message in html(response), data
    response = client.post(contact_url, {"name": "Nigar", "phone": "", "email": ""})
    assert response.status_code == 400
    contact.refresh_from_db()
    assert ContactPerson.objects.count() == 1 and contact.name == "Nigar Kontaktova"

    # Removing.
    response = client.post(url, {"command": "contact_delete", "contact": contact.pk})
    assert response.status_code == 302 and successes(response) == ["The contact person is removed."]
    assert not ContactPerson.objects.exists()
    assert AuditEvent.objects.filter(action="coalition.contact_delete", object_id=str(contact.pk)).exists()
    from korpu.core.models import DataKey

    assert DataKey.objects.get(pk=contact.data_key_id).is_shredded
    # A contact of another member cannot be reached through this member.
    other = actions.contact_save(by=coalition["koalisiya"], member=Member.objects.get(organisation=coalition["ngo2"]),
                                 name="Başqası", email="b@example.org")
    assert client.post(url, {"command": "contact_delete", "contact": other.pk}).status_code == 404
    assert client.get(reverse("engagement:contact", args=[member.pk, other.pk])).status_code == 404
    assert ContactPerson.objects.filter(pk=other.pk).exists()


def test_contact_people_are_for_logged_in_partners_only(coalition, login_en, anonymous_en):
    member = Member.objects.get(organisation=coalition["ngo1"])
    actions.contact_save(by=coalition["koalisiya"], member=member, name=SECRETS[0], title=SECRETS[1],
                         phone=SECRETS[2], email=SECRETS[3])
    meeting = new_meeting(coalition, public=True)
    actions.participant_add(by=coalition["koalisiya"], meeting=meeting, organisation=coalition["ngo1"])
    campaign = actions.campaign_create(by=coalition["koalisiya"], title="Açıq kampaniya",
                                       starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
                                       organisers=[coalition["ngo1"]])
    actions.publish(by=coalition["koalisiya"], obj=campaign, public=True)

    for username in ("qht2", "polis", "fokal", "auditor"):
        text = html(login_en(username).get(reverse("engagement:coalition")))
        row = row_of(text, member)
        for secret in SECRETS:
            assert secret in plain(by_testid(row, "contacts", "</td>")), (username, secret)

    anonymous = anonymous_en.get(reverse("engagement:coalition"))
    assert anonymous.status_code == 302 and "Nigar" not in html(anonymous)
    public_pages = ["/", reverse("public:home"), reverse("engagement:public_meetings"),
                    reverse("engagement:public_meeting", args=[meeting.pk]), reverse("engagement:public_campaigns"),
                    reverse("engagement:public_campaign", args=[campaign.pk]), reverse("public:recommendations")]
    for url in public_pages:
        response = anonymous_en.get(url, follow=True)
        assert response.status_code == 200, url
        for secret in SECRETS:
            assert secret not in html(response), (url, secret)
    for url in (reverse("engagement:member", args=[member.pk]),
                reverse("engagement:contact", args=[member.pk, ContactPerson.objects.get().pk])):
        response = anonymous_en.get(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert coalition["ngo1"].name in html(anonymous_en.get(reverse("engagement:public_meeting", args=[meeting.pk])))


def test_actions_refuse_contact_people_from_others(coalition):
    member = Member.objects.get(organisation=coalition["ngo1"])
    for username in ("qht1", "polis"):
        with pytest.raises(Exception, match=COORDINATOR_ONLY):
            actions.contact_save(by=coalition[username], member=member, name="X", phone="+994 12 000 00 00")
    assert not ContactPerson.objects.exists()
    assert AuditEvent.objects.filter(action="coalition.contact", outcome="denied").count() == 2


# --- the migration that encrypted contact people -----------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_contact_people_written_in_clear(cast):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("engagement", "0001_initial")])
    old = executor.loader.project_state([("engagement", "0001_initial")]).apps
    member = old.get_model("engagement", "Member").objects.create(
        organisation_id=cast["ngo1"].pk, joined_on=dt.date(2010, 3, 1))
    old.get_model("engagement", "ContactPerson").objects.create(
        member_id=member.pk, name="Köhnə Kontakt", title="Direktor", phone="+994 12 000 00 01", email="")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    (raw,) = raw_contact_columns()
    assert "Köhnə" not in raw[0] and "Direktor" not in raw[1] and raw[3] == ""
    contact = ContactPerson.objects.get()
    assert (contact.name, contact.title, contact.phone, contact.email) == (
        "Köhnə Kontakt", "Direktor", "+994 12 000 00 01", "")
    assert contact.data_key_id is not None


def test_an_unknown_member_is_a_denied_404(coalition, login_en):
    from korpu.core.models import AuditEvent

    response = login_en("koalisiya").get(reverse("engagement:member", args=[987654]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="coalition.member_view", outcome="denied", object_id="987654").count() == 1


def test_the_member_list_unwraps_contact_keys_together(coalition, login_en):
    """Each contact has its own data key; the list does not spend a query per contact on them."""
    from django.test.utils import CaptureQueriesContext

    member = Member.objects.get(organisation=coalition["ngo2"])
    client = login_en("qht2")

    def count() -> int:
        client.get(reverse("engagement:coalition"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("engagement:coalition")).status_code == 200
        return len(queries)

    actions.contact_save(by=coalition["koalisiya"], member=member, name="Aynur Birinci", email="a1@example.org")
    one = count()
    for i in range(4):
        actions.contact_save(by=coalition["koalisiya"], member=member, name=f"Kontakt {i}", email=f"k{i}@example.org")
    assert count() == one
    assert "Kontakt 3" in client.get(reverse("engagement:coalition")).content.decode()
