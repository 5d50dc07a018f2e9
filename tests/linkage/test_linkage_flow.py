"""Record linkage through its real interfaces: the case page's panel, link requests, tasks, the API,
the HTCDS preview, identities in the national figures, and what the database keeps.

NGO 1 (qht1) and NGO 3 (qht3) register the same woman; NGO 2 (qht2) is the third organisation that
must learn nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from korpu.cases.models import Person
from korpu.core import figures, keys
from korpu.core.models import AuditEvent
from korpu.linkage import actions, queries
from korpu.linkage.models import BlockingKey, LinkRequest, Membership
from tests.cases.conftest import register

BIRTH = dt.date(1994, 3, 12)


def _pair(cast: dict[str, Any], *, held: tuple[str, str, str] = ("Гюльнара", "Мамедова", "Рашидовна")) -> Any:
    """NGO 3 holds the woman (in Cyrillic by default); NGO 1 then registers her in Latin."""
    theirs = register(cast["qht3"], held[0], held[1], patronymic=held[2], birth_date=BIRTH,
                      document_number="AZE1234567", age=None)
    mine = register(cast["qht1"], "Gülnarə", "Məmmədova", patronymic="Rəşid qızı", birth_date=BIRTH,
                    document_number="AZE1234567", age=None)
    return mine, theirs


def _year_figure(case: Any) -> int | None:
    """The national figure of persons identified in the year the case was identified."""
    return figures.compute("persons_identified", case.identified_on.year)


def test_registration_writes_only_keyed_blocking_keys(cast: dict[str, Any]) -> None:
    case = register(cast["qht1"], "Gülnarə", "Məmmədova", birth_date=BIRTH, document_number="AZE1234567", age=None)
    stored = set(BlockingKey.objects.filter(person=case.person).values_list("key", flat=True))
    assert stored and stored == set(queries.hashed_keys(queries.record_of(case.person)))
    assert all(len(k) == 40 and int(k, 16) >= 0 for k in stored)  # HMAC hex, nothing readable
    # Changing the name rewrites them.
    from korpu.cases import actions as case_actions

    case_actions.case_update(by=cast["qht1"], case=case, person={"family_name": "Əliyeva"})
    assert set(BlockingKey.objects.filter(person=case.person).values_list("key", flat=True)) != stored


def test_the_story_ngo1_asks_ngo3_confirms_ngo2_learns_nothing(cast: dict[str, Any], login_as: Any) -> None:
    mine, theirs = _pair(cast)
    before = _year_figure(mine)
    ngo1, ngo2 = login_as("qht1"), login_as("qht2")

    # NGO 1 registers and the case page's panel runs the check: NGO 3 holds a possible match, nothing else.
    panel = ngo1.get(reverse("linkage:case_panel", args=[mine.pk]) + "?check=1")
    assert panel.status_code == 200
    body = panel.content.decode()
    assert cast["ngo3"].name in body
    for secret in ("Гюльнара", "Мамедова", "Рашидовна", theirs.number, "AZE1234567", "1994"):
        assert secret not in body
    assert 'data-testid="link-request-form"' in body
    assert AuditEvent.objects.filter(action="linkage.check", actor=cast["qht1"]).exists()

    # The third NGO sees neither case's panel.
    assert ngo2.get(reverse("linkage:case_panel", args=[mine.pk]) + "?check=1").status_code == 404

    # NGO 1 sends a link request.
    response = ngo1.post(reverse("linkage:request_create", args=[mine.pk]), {"organisation": cast["ngo3"].pk})
    assert response.status_code == 302
    request = LinkRequest.objects.get()
    assert (request.from_case, request.to_case, request.status) == (mine, theirs, LinkRequest.Status.PENDING)

    # NGO 3 sees it in its tasks and on its page, with its own case; not NGO 1's record.
    ngo3 = login_as("qht3")
    tasks = ngo3.get(reverse("linkage:tasks")).content.decode()
    assert theirs.number in tasks and mine.number not in tasks
    detail = ngo3.get(reverse("linkage:request_detail", args=[request.pk])).content.decode()
    assert theirs.number in detail and mine.number not in detail and "Gülnarə" not in detail
    # The third NGO can neither read nor answer it.
    assert ngo2.get(reverse("linkage:request_detail", args=[request.pk])).status_code == 404
    assert ngo2.post(reverse("linkage:request_confirm", args=[request.pk])).status_code == 404
    # The asker cannot answer their own request.
    ngo1.post(reverse("linkage:request_confirm", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == LinkRequest.Status.PENDING

    ngo3.post(reverse("linkage:request_confirm", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == LinkRequest.Status.CONFIRMED
    assert Membership.objects.get(person=mine.person).identity_id == Membership.objects.get(
        person=theirs.person).identity_id

    # One person in the national figure now.
    assert _year_figure(mine) == (before or 0) - 1

    # NGO 1's panel lists the linked record, without NGO 3's case number (a case NGO 1 may not see).
    panel = ngo1.get(reverse("linkage:case_panel", args=[mine.pk])).content.decode()
    assert cast["ngo3"].name in panel and theirs.number not in panel

    # Every step is in the audit chain.
    for action in ("linkage.check", "linkage.request", "linkage.confirm"):
        assert AuditEvent.objects.filter(action=action).exists(), action
    assert AuditEvent.objects.filter(action="linkage.request.view", outcome=AuditEvent.Outcome.DENIED,
                                     actor=cast["qht2"]).exists()

    # Unlinking counts her twice again.
    ngo1.post(reverse("linkage:unlink", args=[mine.pk]))
    assert not Membership.objects.exists()
    assert _year_figure(mine) == before
    assert AuditEvent.objects.filter(action="linkage.unlink").exists()


def test_a_rejected_request_links_nothing(cast: dict[str, Any], login_as: Any) -> None:
    mine, _theirs = _pair(cast, held=("Gülnarə", "Məmmədova", "Rəşid qızı"))
    login_as("qht1").post(reverse("linkage:request_create", args=[mine.pk]), {"organisation": cast["ngo3"].pk})
    request = LinkRequest.objects.get()
    login_as("qht3").post(reverse("linkage:request_reject", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == LinkRequest.Status.REJECTED
    assert not Membership.objects.exists()


def test_a_request_goes_only_to_an_organisation_holding_a_match(cast: dict[str, Any], login_as: Any) -> None:
    mine, _theirs = _pair(cast)
    response = login_as("qht1").post(reverse("linkage:request_create", args=[mine.pk]),
                                     {"organisation": cast["ngo2"].pk})
    assert response.status_code == 302
    assert not LinkRequest.objects.exists()


def test_the_api_story(cast: dict[str, Any], login_as: Any) -> None:
    theirs = register(cast["qht3"], "Гюльнара", "Мамедова", patronymic="Рашидовна", birth_date=BIRTH, age=None)
    ngo1 = login_as("qht1")
    person = {"given_name": "Gülnarə", "family_name": "Məmmədova", "patronymic": "Rəşid qızı",
              "birth_date": BIRTH.isoformat(), "gender": "Feminine", "citizenships": ["AZ"]}
    checked = ngo1.post("/api/v1/linkage/check", person, content_type="application/json")
    assert checked.status_code == 200, checked.content
    [candidate] = checked.json()
    assert candidate["organisation_id"] == cast["ngo3"].pk
    assert candidate["case_id"] is None and candidate["case_number"] is None
    created = ngo1.post("/api/v1/cases", {"person": person, "identification_channel": "ngo_outreach",
                                          "exploitation": ["SexualExploitation"]}, content_type="application/json")
    assert created.status_code == 201, created.content
    answer = created.json()
    assert [c["organisation_id"] for c in answer["possible_duplicates"]] == [cast["ngo3"].pk]
    assert theirs.number not in created.content.decode()
    case_id = answer["id"]
    sent = ngo1.post(f"/api/v1/linkage/cases/{case_id}/requests", {"organisation_id": cast["ngo3"].pk},
                     content_type="application/json")
    assert sent.status_code == 201, sent.content
    [request] = sent.json()
    ngo3 = login_as("qht3")
    inbox = ngo3.get("/api/v1/linkage/requests").json()
    assert [(r["id"], r["case_number"]) for r in inbox] == [(request["id"], theirs.number)]
    assert login_as("qht2").post(f"/api/v1/linkage/requests/{request['id']}/confirm").status_code == 404
    confirmed = ngo3.post(f"/api/v1/linkage/requests/{request['id']}/confirm")
    assert confirmed.json()["status"] == "confirmed"
    links = ngo1.get(f"/api/v1/linkage/cases/{case_id}/links").json()
    assert [(r["organisation_id"], r["case_number"]) for r in links] == [(cast["ngo3"].pk, None)]
    again = ngo3.post(f"/api/v1/linkage/requests/{request['id']}/confirm")
    assert again.status_code == 422


def test_shredding_a_person_drops_their_blocking_keys(cast: dict[str, Any]) -> None:
    case = register(cast["qht1"], "Gülnarə", "Məmmədova", birth_date=BIRTH, age=None)
    assert BlockingKey.objects.filter(person=case.person).exists()
    keys.shred(data_key=case.person.data_key, reason="erasure request")
    assert not BlockingKey.objects.filter(person=case.person).exists()


@pytest.mark.django_db
def test_linkage_run_proposes_and_never_confirms(cast: dict[str, Any], capsys: Any) -> None:
    from korpu import cli

    mine, theirs = _pair(cast)
    BlockingKey.objects.all().delete()  # as before record linkage existed: the run writes them
    assert cli.main(["linkage", "run"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert "proposed=1" in last, last
    request = LinkRequest.objects.get()
    assert {request.from_case_id, request.to_case_id} == {mine.pk, theirs.pk}
    assert request.requested_by is None and request.status == LinkRequest.Status.PENDING
    assert not Membership.objects.exists()
    assert BlockingKey.objects.filter(person__in=[mine.person, theirs.person]).count() >= 2
    assert cli.main(["linkage", "run"]) == 0  # nothing proposed twice
    assert "proposed=0" in capsys.readouterr().out
    assert Person.objects.count() >= 2
    assert actions.RunSummary  # the summary type the CLI prints


def test_reimporting_exported_cases_warns_of_each_duplicate(cast: dict[str, Any], tmp_path: Any, capsys: Any) -> None:
    from korpu import cli

    names = [("Aytən", "Quliyeva"), ("Səbinə", "Hüseynova"), ("Nərmin", "Çələbiyeva"), ("Leyla", "Kərimova"),
             ("Günay", "Rzayeva"), ("Aysel", "Nəsirova")]
    numbers = [register(cast["qht1"], given, family, birth_date=dt.date(1990 + i, 5, 1 + i), age=None,
                        document_number=f"AZE55500{i}").number for i, (given, family) in enumerate(names)]
    target = tmp_path / "six.xlsx"
    assert cli.main(["export", "htcds", str(target), "--as", "qht1"]) == 0
    capsys.readouterr()
    assert cli.main(["import", "htcds", str(target), "--as", "qht1"]) == 0
    out = capsys.readouterr().out
    warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 6, out  # one per row, each naming the case it may duplicate
    assert sorted(n for w in warnings for n in numbers if n in w) == sorted(numbers)


def test_the_registration_form_checks_as_you_type(cast: dict[str, Any], login_as: Any) -> None:
    register(cast["qht3"], "Gülnarə", "Məmmədova", patronymic="Rəşid qızı", birth_date=BIRTH, age=None)
    ngo1 = login_as("qht1")
    page = ngo1.get(reverse("cases:create")).content.decode()
    assert reverse("linkage:check_form") in page
    found = ngo1.post(reverse("linkage:check_form"), {"given_name": "Gulnara", "family_name": "Mammadova",
                                                      "birth_date": BIRTH.isoformat()}).content.decode()
    assert cast["ngo3"].name in found and "Rəşid" not in found
    assert ngo1.post(reverse("linkage:check_form"), {"given_name": "Gulnara"}).content == b""
    assert login_as("koalisiya").post(reverse("linkage:check_form"), {"given_name": "Gulnara",
                                                                       "family_name": "Mammadova"}).status_code == 404


def test_every_reason_code_has_a_label() -> None:
    from korpu.linkage import matching

    assert set(queries.REASON_LABELS) == set(matching.REASONS)
