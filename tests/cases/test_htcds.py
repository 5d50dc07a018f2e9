"""HTCDS 2.0 Excel toolkit import and export: CLI, web pages, rules and the all-or-nothing guarantee."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from korpu import cli
from korpu.cases import actions, choices, htcds, queries
from korpu.cases.models import Case, Consent, Note, Person, StatusDecision
from korpu.core.models import AuditEvent, DataKey

TOOLKIT = Path("/work/shared/reference/htcds_v2.xlsx")
TOOLKIT_VAL = Path("/work/shared/reference/htcds_v2_val.xlsx")

# The toolkit's own row 1: column A empty, the misspelt code in T, and AJ's code cell left empty.
HEADER = [None, "cas_CaseOwner", "prs_Salutation", "prs_FirstName", "prs_SecondName", "con_Consent", "prs_Birthdate",
          "prs_Gender", "prs_Citizenship", "prs_Title", "prs_Email", "prs_HomePhone", "prs_MobilePhone",
          "prs_MailingCity", "prs_MailingCountry", "prs_MailingState", "prs_MailingStreet", "prs_MailingPostalCode",
          "vic_TraffickingStatus", "vic_TraffickinStatusDecisionMakingOrg", "vic_MethodOfRecruitment",
          "vic_LocationOfRecruitment", "vic_MethodsOfControl", "vic_TypeOfExploitation", "vic_ForcedLabourIndustry",
          "vic_TypeOfSexExploitation", "vic_LocationOfExploitation", "cas_Status", "cas_ReferringOrganisation",
          "cas_IncomingReferralDate", "cas_ReferringPrimaryCaseWorker", "cas_ReasonForIncomingReferral",
          "cas_IncomingReferralDetails", "cas_ReferredOrganisation", "cas_ReferredPrimaryCaseWorker", None,
          "cas_OutgoingReferralDate", "cas_OutgoingReferralDetails", "cas_ReasonForCaseClosure"]
AJ = HEADER.index(None, 1)
# Row 2 as the toolkit has it (its mailing labels are in a different order from the codes).
LABELS = [None, "Case Owner", "Salutation", "First Name", "Second Name", "Consent", "Birthdate", "Gender",
          "Citizenship", "Title", "Email", "Home Phone", "Mobile Phone", "Mailing Street", "Mailing City",
          "Mailing State/Province", "Mailing Zip/Postal Code", "Mailing Country", "Trafficking Status",
          "Trafficking Status Decision Making Organization", "Method of Recruitment", "Location of Recruitment",
          "Methods of Control", "Type of Exploitation", "Forced Labour Industry", "Type of Sex Exploitation",
          "Location of Exploitation", "Status", "Referring Organisation", "Incoming Referral Date",
          "Referring Primary Case Worker", "Reason for Incoming Referral", "Incoming Referral Details",
          "Referred Organisation", "Referred Primary Case Worker", "Reason for Outgoing Referral",
          "Outgoing Referral Date", "Outgoing Referral Details", "Reason for Case Closure"]
COLUMNS = [c or "" for c in HEADER]
COLUMNS[AJ] = "cas_ReasonForOutgoingReferral"
COLUMNS[COLUMNS.index("vic_TraffickinStatusDecisionMakingOrg")] = "vic_TraffickingStatusDecisionMakingOrg"

GULNARE = {
    "prs_FirstName": "Gülnarə", "prs_SecondName": "Əhmədova", "con_Consent": "yes",
    "prs_Birthdate": dt.datetime(1998, 4, 12), "prs_Gender": "Feminine", "prs_Citizenship": "AZ; TR",
    "prs_Email": "gulnare@example.org", "prs_MobilePhone": "+994501234567",
    "vic_TraffickingStatus": "Possible victim of trafficking",
    "vic_MethodOfRecruitment": "Through online social networks; AtWork",
    "vic_MethodsOfControl": "DebtBondage, Withholds documents", "vic_TypeOfExploitation": "Sexual exploitation",
    "vic_TypeOfSexExploitation": "Prostitution", "vic_LocationOfExploitation": "TR", "cas_Status": "Active",
    "cas_IncomingReferralDate": "2024-03-01", "vic_LocationOfRecruitment": "Sumqayıt",
}
RESAD = {
    "cas_CaseOwner": "Ümid Körpüsü", "prs_FirstName": "Rəşad", "prs_SecondName": "Məmmədov", "con_Consent": "x",
    "prs_Birthdate": "1990-01-20", "prs_Gender": "Masculine", "prs_Citizenship": "Azerbaijan",
    "vic_TraffickingStatus": "PossibleVictimOfTrafficking", "vic_TypeOfExploitation": "ForcedLabour",
    "vic_ForcedLabourIndustry": "Construction", "vic_MethodsOfControl": "Physical threats; Threats of law enforcement",
    "vic_LocationOfExploitation": "RU; KZ", "cas_Status": "Follow up",
    "cas_IncomingReferralDate": dt.datetime(2023, 11, 5),
}
NERMIN = {
    "cas_CaseOwner": "Ümid Körpüsü İctimai Birliyi", "prs_Salutation": "Xanım", "prs_FirstName": "Nərmin",
    "prs_SecondName": "Quliyeva", "con_Consent": "no", "prs_Gender": "Feminine", "prs_Citizenship": "UZ",
    "vic_TraffickingStatus": "Possible victim of trafficking", "vic_TypeOfExploitation": "Forced labour; Servitude",
    "vic_ForcedLabourIndustry": "T_ActivitiesOfHouseholdsAsEmployers", "cas_Status": "Closed",
    "cas_ReasonForCaseClosure": "Qayıdıb evə", "cas_ReasonForOutgoingReferral": "Other",
}
# What the export writes for them: HTCDS codes, ";"-separated multiselects, Excel dates.
EXPECTED = {
    "Gülnarə": {
        "prs_SecondName": "Əhmədova", "con_Consent": True, "prs_Birthdate": dt.datetime(1998, 4, 12),
        "prs_Gender": "Feminine", "prs_Citizenship": "AZ; TR", "prs_Email": "gulnare@example.org",
        "prs_MobilePhone": "+994501234567", "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_MethodOfRecruitment": "ThroughOnlineSocialNetworks; AtWork",
        "vic_MethodsOfControl": "DebtBondage; WithholdsDocuments", "vic_TypeOfExploitation": "SexualExploitation",
        "vic_TypeOfSexExploitation": "Prostitution", "vic_LocationOfExploitation": "TR", "cas_Status": "Active",
        "cas_IncomingReferralDate": dt.datetime(2024, 3, 1), "vic_LocationOfRecruitment": "Sumqayıt",
    },
    "Rəşad": {
        "prs_SecondName": "Məmmədov", "con_Consent": True, "prs_Birthdate": dt.datetime(1990, 1, 20),
        "prs_Gender": "Masculine", "prs_Citizenship": "AZ", "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_TypeOfExploitation": "ForcedLabour", "vic_ForcedLabourIndustry": "F_Construction",
        "vic_MethodsOfControl": "PhysicalThreats; ThreatsLawEnforcement", "vic_LocationOfExploitation": "RU; KZ",
        "cas_Status": "FollowUp", "cas_IncomingReferralDate": dt.datetime(2023, 11, 5),
    },
    "Nərmin": {
        "prs_SecondName": "Quliyeva", "con_Consent": False, "prs_Birthdate": None, "prs_Gender": "Feminine",
        "prs_Citizenship": "UZ", "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_TypeOfExploitation": "ForcedLabour; Servitude",
        "vic_ForcedLabourIndustry": "T_ActivitiesOfHouseholdsAsEmployers", "cas_Status": "Closed",
        "cas_ReasonForCaseClosure": "Qayıdıb evə",
    },
}


def write_workbook(path: Path, rows: list[dict[str, Any]], *, blank_rows: int = 5) -> Path:
    """A workbook in the toolkit layout; like the toolkit, numbered empty rows follow the data."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(HEADER)
    sheet.append(LABELS)
    for index, row in enumerate(rows, start=1):
        sheet.append([index, *(row.get(code) for code in COLUMNS[1:])])
    for index in range(len(rows) + 1, len(rows) + 1 + blank_rows):
        sheet.append([index])
    workbook.save(path)
    return path


def read_back(path: Path | io.BytesIO) -> tuple[list[Any], list[Any], list[dict[str, Any]]]:
    """Row 1, row 2 and the data rows by (standard) field code, whatever columns the file has."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    codes, labels = list(rows[0]), list(rows[1])
    names = [COLUMNS[i] if i < len(COLUMNS) else code for i, code in enumerate(codes)]
    data = [dict(zip(names, row, strict=False)) | {"#": row[0]} for row in rows[2:]]
    return codes, labels, data


def counts() -> tuple[int, ...]:
    return (Case.objects.count(), Person.objects.count(), DataKey.objects.count(), AuditEvent.objects.count(),
            Consent.objects.count(), Note.objects.count())


# --- round trip ---------------------------------------------------------------------------------
def test_round_trip_through_the_cli(cast, tmp_path, capsys):
    source = write_workbook(tmp_path / "ngo.xlsx", [GULNARE, RESAD, NERMIN])

    assert cli.main(["import", "htcds", str(source), "--as", "qht1"]) == 0
    out = capsys.readouterr().out
    assert "checked 3 rows: 3 valid, 0 with errors" in out
    assert "imported 3 cases" in out

    cases = {c.person.given_name: c for c in Case.objects.select_related("person", "owner_organisation")}
    assert set(cases) == {"Gülnarə", "Rəşad", "Nərmin"}
    assert {c.owner_organisation for c in cases.values()} == {cast["ngo1"]}
    gulnare = cases["Gülnarə"]
    assert gulnare.person.family_name == "Əhmədova"
    assert gulnare.person.birth_date == dt.date(1998, 4, 12)
    assert gulnare.person.age_at_identification == 25
    assert gulnare.person.citizenships == ["AZ", "TR"]
    assert gulnare.identified_on == dt.date(2024, 3, 1)
    assert gulnare.recruitment_methods == ["ThroughOnlineSocialNetworks", "AtWork"]
    assert gulnare.means_of_control == ["DebtBondage", "WithholdsDocuments"]
    assert gulnare.case_worker == cast["qht1"]
    assert gulnare.identification_channel == choices.IdentificationChannel.OTHER
    assert cases["Rəşad"].forced_labour_industry == "F_Construction"
    assert cases["Rəşad"].status == choices.CaseStatus.FOLLOW_UP
    assert sorted(e.exploitation for e in cases["Nərmin"].exploitations.all()) == ["ForcedLabour", "Servitude"]
    assert cases["Nərmin"].status == choices.CaseStatus.CLOSED
    assert cases["Nərmin"].closure_reason == "Qayıdıb evə"

    # Names are encrypted at rest and found through the blind index.
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_name, family_name FROM cases_person")
        stored = " ".join(v for row in cursor.fetchall() for v in row)
    assert "Gülnarə" not in stored and "Əhmədova" not in stored
    found = queries.case_list(cast["qht1"], {"q": "Gülnarə Əhmədova"})
    assert [c.pk for c in found] == [gulnare.pk]

    # HTCDS consent = consent to processing; sharing stays unconsented; "no" is recorded as a refusal.
    consent = actions.current_consent(gulnare)
    assert consent is not None and consent.data_processing
    assert not (consent.share_law_enforcement or consent.share_ngo or consent.share_government
                or consent.share_international or consent.contact_by_law_enforcement)
    refusal = actions.current_consent(cases["Nərmin"])
    assert refusal is not None and not refusal.data_processing
    # Salutation has a field; what Körpü has no place for is kept in an (encrypted) note.
    assert cases["Nərmin"].person.salutation == "Xanım"
    note = Note.objects.get(case=cases["Nərmin"])
    assert "Reason for Outgoing Referral: Other" in note.text and "Salutation" not in note.text
    assert not Note.objects.filter(case=gulnare).exists()
    event = AuditEvent.objects.get(action="case.import")
    assert event.actor_id == cast["qht1"].pk and event.details == {"format": "htcds", "rows": 3, "skipped": 0}
    assert AuditEvent.objects.filter(action="case.create", actor_id=cast["qht1"].pk).count() == 3

    target = tmp_path / "export.xlsx"
    assert cli.main(["export", "htcds", str(target), "--as", "qht1"]) == 0
    assert f"exported 3 cases to {target}" in capsys.readouterr().out
    codes, labels, data = read_back(target)
    # The toolkit's columns first, in its order (AJ's code filled in), then the other HTCDS and Körpü fields.
    toolkit = [*HEADER[:AJ], "cas_ReasonForOutgoingReferral", *HEADER[AJ + 1:]]
    assert codes[:len(toolkit)] == toolkit
    assert codes[len(toolkit):] == [*htcds.EXTRA_HTCDS_COLUMNS, *htcds.KORPU_COLUMNS]
    assert labels[1:4] == ["Case Owner", "Salutation", "First Name"] and all(labels[1:])
    assert [row["#"] for row in data] == [1, 2, 3]
    by_name = {row["prs_FirstName"]: row for row in data}
    assert set(by_name) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        row = by_name[name]
        assert row["cas_CaseOwner"] == cast["ngo1"].name
        for code, value in expected.items():
            assert row[code] == value, (name, code)
    assert by_name["Gülnarə"]["kpu_IdentificationChannel"] == "other"
    assert by_name["Gülnarə"]["kpu_CaseNumber"] == gulnare.number
    export = AuditEvent.objects.get(action="case.export")
    assert export.actor_id == cast["qht1"].pk and export.details == {"format": "htcds", "rows": 3}


# Every field the export carries, filled through the actions for each kind of person the export meets.
ROUND_TRIP_PEOPLE: list[dict[str, Any]] = [
    {"person": {"salutation": "Xanım", "given_name": "Aytən", "patronymic": "Rauf qızı", "family_name": "Nəsirova",
                "title": "Tikişçi", "birth_date": dt.date(1996, 5, 17), "document_number": "AZE1234567",
                "phone": "+994501112233", "home_phone": "+994124445566", "email": "ayten@example.org",
                "address": "Nizami küç. 5, m. 12", "address_city": "Sumqayıt", "address_region": "Abşeron-Xızı",
                "address_postal_code": "AZ5000", "address_country": "AZ", "gender": "Feminine",
                "citizenships": ["AZ", "TR"], "languages": ["az", "ru", "en"], "education": "UpperSecondaryEducation",
                "disability": True, "number_of_children": 2, "marital_status": "Divorced", "deceased": False},
     "case": {"identification_channel": "hotline", "identified_on": dt.date(2024, 2, 10),
              "forced_labour_industry": "", "sexual_exploitation_types": ["Prostitution", "Pornography"],
              "means_of_control": ["DebtBondage", "WithholdsDocuments"],
              "recruitment_methods": ["ThroughOnlineSocialNetworks"], "recruitment_websites": ["Instagram"],
              "exploitation_websites": ["Telegram", "WhatsApp"], "recruitment_place": "Sumqayıt, bazar",
              "relationship_to_trafficker": "Acquainted", "country_of_origin": "AZ", "transit_countries": ["GE"],
              "exploitation_countries": ["TR", "AE"], "exploitation_start": dt.date(2023, 3, 1),
              "exploitation_end": dt.date(2023, 12, 20), "age_when_trafficked": 26},
     "exploitation": ["SexualExploitation"], "consent": {"data_processing": True, "share_ngo": True}},
    {"person": {"given_name": "Elnur", "family_name": "Babayev", "gender": "Masculine", "age_at_identification": 15,
                "citizenships": ["AZ"], "languages": ["az"], "education": "LowerSecondaryEducation",
                "number_of_children": 0, "marital_status": "Single"},
     "case": {"identification_channel": "labour_inspection", "identified_on": dt.date(2024, 6, 1),
              "forced_labour_industry": "A_AgricultureForestryAndFishing", "means_of_control": ["TakesEarnings"],
              "recruitment_methods": ["ThroughFamilyOrFamilyEvents"], "relationship_to_trafficker": "Familial",
              "country_of_origin": "AZ", "exploitation_countries": ["AZ"], "guardian_name": "Lalə Babayeva",
              "guardian_contact": "+994553334455", "identifying_organisation": "police"},
     "exploitation": ["ChildLabour"], "consent": {"data_processing": False}},
    {"person": {"given_name": "Məryəm", "family_name": "Hüseynli", "gender": "Feminine", "deceased": True,
                "birth_date": dt.date(1980, 1, 2), "citizenships": ["UZ"]},
     "case": {"identification_channel": "border", "identified_on": dt.date(2023, 9, 9)},
     "exploitation": ["Servitude"], "consent": None, "close": "Person died."},
    {"person": {"given_name": "Samir", "family_name": "Əliyev", "gender": "Masculine", "age_at_identification": 40},
     "case": {"identification_channel": "police_operation"}, "exploitation": ["ForcedLabour"], "consent": None,
     "follow_up": True},
]
ROUND_TRIP_PERSON = [f for f in actions.PERSON_FIELDS]
ROUND_TRIP_CASE = [f for f in actions.CASE_FIELDS] + ["status", "closure_reason", "trafficking_status"]


def _fields(case: Case) -> dict[str, Any]:
    case = Case.objects.select_related("person").get(pk=case.pk)
    values = {f"person.{name}": getattr(case.person, name) for name in ROUND_TRIP_PERSON}
    values |= {name: getattr(case, name) for name in ROUND_TRIP_CASE}
    values["exploitation"] = sorted(e.exploitation for e in case.exploitations.all())
    consent = actions.current_consent(case)
    values["consent.data_processing"] = None if consent is None else consent.data_processing
    values["owner"] = case.owner_organisation_id
    values["case_worker"] = case.case_worker_id
    values["closed_on"] = case.closed_on
    return values


def test_round_trip_from_the_database_into_an_empty_one(cast, tmp_path, capsys):
    """Export every case from the database, empty it, import the workbook back with `korpu import
    htcds`: every field of every person and case comes back the same."""
    qht1 = cast["qht1"]
    before: dict[str, dict[str, Any]] = {}
    for spec in ROUND_TRIP_PEOPLE:
        case_fields = dict(spec["case"])
        if "identifying_organisation" in case_fields:
            case_fields["identifying_organisation"] = cast[case_fields["identifying_organisation"]]
        case = actions.case_register(by=qht1, person=spec["person"], case=case_fields,
                                     exploitation=spec["exploitation"], consent=spec["consent"])
        if spec.get("close"):
            actions.case_close(by=qht1, case=case, status=choices.CaseStatus.CLOSED, reason=spec["close"])
        if spec.get("follow_up"):
            actions.case_set_status(by=qht1, case=case, status=choices.CaseStatus.FOLLOW_UP)
        before[spec["person"]["given_name"]] = _fields(case)
    # The derived age of a person registered with a birth date only.
    assert before["Aytən"]["person.age_at_identification"] == 27
    assert before["Məryəm"]["person.age_at_identification"] == 43

    target = tmp_path / "all.xlsx"
    assert cli.main(["export", "htcds", str(target), "--as", "qht1"]) == 0
    assert "exported 4 cases" in capsys.readouterr().out

    Case.objects.all().delete()
    Person.objects.all().delete()
    assert not Case.objects.exists() and not Consent.objects.exists()

    assert cli.main(["import", "htcds", str(target), "--as", "qht1"]) == 0
    out = capsys.readouterr().out
    assert "checked 4 rows: 4 valid, 0 with errors" in out and "warning" not in out, out
    assert "imported 4 cases" in out
    after = {c.person.given_name: _fields(c) for c in Case.objects.select_related("person")}
    assert set(after) == set(before)
    for name, fields in before.items():
        differ = {k: (v, after[name][k]) for k, v in fields.items() if after[name][k] != v}
        assert differ == {}, name
    # The old case number travels in the (encrypted) import note.
    for case in Case.objects.all():
        assert "Körpü: Case Number: " in Note.objects.get(case=case).text


def test_a_child_without_a_guardian_is_refused_by_the_import(cast, tmp_path, capsys):
    child = GULNARE | {"prs_Birthdate": dt.datetime(2012, 4, 12)}
    source = write_workbook(tmp_path / "child.xlsx", [child])
    assert cli.main(["import", "htcds", str(source), "--as", "qht1"]) == 1
    assert "row 3, kpu_GuardianName: " in capsys.readouterr().out
    assert not Case.objects.exists()


def test_the_toolkit_workbooks_import_nothing_without_error(cast, capsys):
    if not TOOLKIT.exists():
        pytest.skip(f"the HTCDS toolkit is not at {TOOLKIT}")
    before = counts()
    assert cli.main(["import", "htcds", str(TOOLKIT), "--as", "qht1"]) == 0
    out = capsys.readouterr().out
    assert "checked 0 rows: 0 valid, 0 with errors" in out and "imported 0 cases" in out
    assert counts()[:3] == before[:3]
    if TOOLKIT_VAL.exists():
        plan = htcds.read_workbook(TOOLKIT_VAL, by=cast["qht1"])
        assert (plan.sheet, plan.rows, plan.errors) == ("Case Sheet", [], [])


# --- all or nothing -------------------------------------------------------------------------------
BAD = {"prs_FirstName": "Səbinə", "prs_SecondName": "Hüseynova", "prs_Gender": "Qadınca",
       "prs_Citizenship": "AZ; XX", "prs_Birthdate": "31.02.1999"}


def test_one_bad_row_saves_nothing(cast, tmp_path, capsys):
    source = write_workbook(tmp_path / "bad.xlsx", [GULNARE, BAD, RESAD])
    before = counts()

    assert cli.main(["import", "htcds", str(source), "--as", "qht1"]) == 1
    captured = capsys.readouterr()
    assert "checked 3 rows: 2 valid, 1 with errors" in captured.out
    assert "row 4, prs_Gender: " in captured.out
    assert "row 4, prs_Citizenship: " in captured.out and "XX" in captured.out
    assert "row 4, prs_Birthdate: " in captured.out
    assert "row 3," not in captured.out and "row 5," not in captured.out
    assert "imported" not in captured.out
    assert counts() == before

    assert cli.main(["import", "htcds", str(source), "--as", "qht1", "--skip-invalid"]) == 0
    assert "imported 2 cases" in capsys.readouterr().out
    assert sorted(p.given_name for p in Person.objects.all()) == ["Gülnarə", "Rəşad"]
    assert AuditEvent.objects.get(action="case.import").details["skipped"] == 1


def test_a_broken_file_is_refused(cast, tmp_path, capsys):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    assert cli.main(["import", "htcds", str(junk), "--as", "qht1"]) == 1
    out = capsys.readouterr().out
    from django.utils import translation

    with translation.override("az"):
        expected = translation.gettext("This is not an Excel workbook (.xlsx).")
    assert "not an Excel workbook" in out or expected in out
    other = openpyxl.Workbook()
    other.active.append(["name", "gender"])
    other.save(tmp_path / "other.xlsx")
    plan = htcds.read_workbook(tmp_path / "other.xlsx")
    assert [e.row for e in plan.errors] == [1]


def test_owner_rules(cast, tmp_path):
    rows = [GULNARE | {"cas_CaseOwner": cast["ngo2"].name},                  # not qht1's organisation
            GULNARE | {"cas_CaseOwner": "Heç bir təşkilat"},                  # unknown
            GULNARE | {"cas_CaseOwner": "Milli Koordinator"},                 # nobody works with victims' data
            GULNARE | {"cas_CaseOwner": cast["ngo1"].short_name.upper()}]     # fine, by short name
    plan = htcds.read_workbook(write_workbook(tmp_path / "owners.xlsx", rows), by=cast["qht1"])
    assert [(e.row, e.column) for e in plan.errors] == [(3, "cas_CaseOwner"), (4, "cas_CaseOwner"),
                                                         (5, "cas_CaseOwner")]
    assert plan.rows[3].acting_owner == cast["ngo1"]
    # Without an importing user (CLI outside production) the owner must be named; its staff registers.
    plan = htcds.read_workbook(write_workbook(tmp_path / "system.xlsx", [GULNARE, RESAD]))
    htcds.check_actor(plan, None)
    assert [(e.row, e.column) for e in plan.errors] == [(3, "cas_CaseOwner")]
    assert plan.rows[1].acting_user is not None and plan.rows[1].acting_owner == cast["ngo1"]


# --- official status ---------------------------------------------------------------------------
ACTUAL = {"prs_FirstName": "Aygün", "prs_SecondName": "Kərimova", "prs_Gender": "Feminine",
          "vic_TraffickingStatus": "Actual victim of trafficking", "vic_TraffickinStatusDecisionMakingOrg": "Police",
          "vic_TypeOfExploitation": "SexualExploitation"}


def _actual_row() -> dict[str, Any]:
    row = dict(ACTUAL)
    row["vic_TraffickingStatusDecisionMakingOrg"] = row.pop("vic_TraffickinStatusDecisionMakingOrg")
    return row


def test_only_a_police_investigator_imports_an_official_status(cast, tmp_path, capsys):
    source = write_workbook(tmp_path / "actual.xlsx", [_actual_row()])

    assert cli.main(["import", "htcds", str(source), "--as", "qht1"]) == 0
    out = capsys.readouterr().out
    assert "warning: row 3, vic_TraffickingStatus: " in out and "imported 1 cases" in out
    case = Case.objects.get()
    assert case.trafficking_status == choices.TraffickingStatus.POSSIBLE
    assert case.status_decided_by == ""
    assert not StatusDecision.objects.exists()

    assert cli.main(["import", "htcds", str(source), "--as", "polis"]) == 0
    assert "warning" not in capsys.readouterr().out
    official = Case.objects.exclude(pk=case.pk).get()
    assert official.owner_organisation == cast["police"]
    assert official.trafficking_status == choices.TraffickingStatus.ACTUAL
    assert official.status_decided_by == choices.DecisionOrg.POLICE
    decision = StatusDecision.objects.get(case=official)
    assert decision.decided_by == cast["polis"] and decision.decision == StatusDecision.Decision.RECOGNISED

    # An NGO's own "actual victim" is not an official status either, even for a police import.
    plan = htcds.read_workbook(write_workbook(tmp_path / "ngo-actual.xlsx",
                                              [_actual_row() | {"vic_TraffickingStatusDecisionMakingOrg": "NGO"}]),
                               by=cast["polis"])
    assert plan.rows[0].final_status == choices.TraffickingStatus.POSSIBLE and len(plan.warnings) == 1


# --- web -----------------------------------------------------------------------------------------
def _upload(client, path: Path, **extra: Any):
    with path.open("rb") as handle:
        return client.post(reverse("cases:import_htcds"), {"file": handle, **extra})


def test_web_upload_shows_errors_in_the_users_language(cast, login_as, tmp_path):
    client = login_as("qht2")  # Elçin works in Russian
    client.cookies["korpu_language"] = cast["qht2"].language
    assert cast["qht2"].language == "ru"
    page = client.get(reverse("cases:import_htcds"))
    assert page.status_code == 200 and 'data-testid="import-form"' in page.content.decode()

    nameless = {"prs_Gender": "Feminine", "prs_SecondName": "Əliyeva"}
    source = write_workbook(tmp_path / "web.xlsx", [GULNARE, nameless, BAD])
    before = counts()
    response = _upload(client, source)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    with translation.override("ru"):
        required = str(translation.gettext("This field is required."))
        unknown_gender = htcds._unknown_value(["Qadınca"], "gender")
    assert required == "Обязательное поле."  # Django's own Russian catalogue
    assert escape(required) in html and escape(unknown_gender) in html
    assert "<td>4</td><td><code>prs_FirstName</code></td>" in html
    assert "<td>5</td><td><code>prs_Gender</code></td>" in html
    assert counts() == before

    response = _upload(client, source, skip_invalid="on")
    assert response.status_code == 302 and response["Location"] == reverse("cases:list")
    assert Case.objects.get().owner_organisation == cast["ngo2"]


def test_web_export_follows_filters_and_sections(cast, login_as, tmp_path):
    source = write_workbook(tmp_path / "ngo.xlsx", [GULNARE, RESAD, NERMIN])
    assert htcds.import_plan(htcds.read_workbook(source), by=cast["qht1"]).imported == 3
    client = login_as("qht1")
    listing = client.get(reverse("cases:list"), {"status": "Closed"}).content.decode()
    assert f'href="{reverse("cases:export_htcds")}?status=Closed"' in listing
    assert f'href="{reverse("cases:import_htcds")}"' in listing

    response = client.get(reverse("cases:export_htcds"), {"status": "Closed"})
    assert response.status_code == 200
    assert response["Content-Type"] == htcds_xlsx()
    assert response["Cache-Control"] == "no-store"
    _codes, _labels, data = read_back(io.BytesIO(response.content))
    assert [row["prs_FirstName"] for row in data] == ["Nərmin"]

    # An organisation granted the case without the identity section gets the case without identity.
    nermin = Case.objects.get(status=choices.CaseStatus.CLOSED)
    actions.grant_create(by=cast["qht1"], case=nermin, organisation=cast["ngo3"], reason="xidmətlər", days=5,
                         sections=["services"])
    response = login_as("qht3").get(reverse("cases:export_htcds"))
    _codes, _labels, data = read_back(io.BytesIO(response.content))
    assert len(data) == 1
    row = data[0]
    assert row["prs_Gender"] == "Feminine" and row["vic_TypeOfExploitation"] == "ForcedLabour; Servitude"
    assert all(row[code] is None for code in htcds.IDENTITY_COLUMNS)

    # Without a victim-data role: refused (404, audited); analysts see no cases.
    assert login_as("analitik").get(reverse("cases:export_htcds")).status_code == 404
    assert login_as("analitik").get(reverse("cases:import_htcds")).status_code == 404


def htcds_xlsx() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_export_never_writes_formulas(cast):
    actions.case_register(by=cast["qht1"], person={"given_name": '=HYPERLINK("http://x","y")'},
                          case={"identification_channel": "hotline"}, exploitation=[])
    data = htcds.export_workbook(Case.objects.all(), cast["qht1"])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cell = sheet.cell(row=3, column=HEADER.index("prs_FirstName") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_every_verb_has_help(capsys):
    for verb in (["import", "htcds"], ["export", "htcds"]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main([*verb, "--help"])
        assert exit_info.value.code == 0
        assert "HTCDS" in capsys.readouterr().out


def test_export_requires_a_victim_data_user(cast, tmp_path, capsys):
    assert cli.main(["export", "htcds", str(tmp_path / "x.xlsx"), "--as", "analitik"]) == 2
    assert "victims' data" in capsys.readouterr().err
    assert cli.main(["export", "htcds", str(tmp_path / "x.xlsx"), "--as", "qht1", "--status", "Nonsense"]) == 2
