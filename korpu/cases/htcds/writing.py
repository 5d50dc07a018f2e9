"""Writing an HTCDS workbook: the cases a user may see, in the toolkit's layout (ADR 0021).

The toolkit's columns in the toolkit's order, then the other HTCDS fields Körpü keeps, then the
Körpü extension columns (``kpu_…``), so a workbook exported from Körpü imports back with every field.
Cells follow the kernel's rules (:mod:`korpu.core.sheets.xlsx`): text never a formula, real dates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import openpyxl
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from korpu.cases import queries
from korpu.cases.htcds.columns import EXPORT_COLUMNS, HTCDS_REFERRAL_REASONS, LABELS, toolkit_header
from korpu.cases.models import Case, CaseExploitation, Consent, Referral, Section
from korpu.core import audit
from korpu.core.sheets import xlsx as sheets


def export_workbook(cases: QuerySet[Case] | Iterable[Case], user: Any, *,
                    progress: Callable[[int], None] | None = None) -> bytes:
    """The cases ``user`` may see, in the toolkit layout; identity columns only where allowed. Audited."""
    visible = queries.cases_visible_to(user)
    org_ids = queries.victim_data_organisation_ids(user)
    if isinstance(cases, QuerySet):
        selected = cases.filter(pk__in=visible.values("pk"))
    else:
        given = list(cases)
        selected = visible.filter(pk__in=[c.pk for c in given])
    selected = selected.select_related("person", "owner_organisation", "identifying_organisation").prefetch_related(
        None).prefetch_related(
        Prefetch("exploitations", queryset=CaseExploitation.objects.order_by("exploitation")))
    rows = list(selected)
    if not isinstance(cases, QuerySet):
        order = {c.pk: i for i, c in enumerate(given)}
        rows.sort(key=lambda c: order[c.pk])
    sections = _sections(org_ids, [c.pk for c in rows])
    consents = _consents([c.pk for c in rows if Section.IDENTITY in sections.get(c.pk, set())])
    referrals = _referrals(org_ids, [c.pk for c in rows])

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    codes, labels = toolkit_header()
    # A write-only sheet takes its layout before the rows: header rows 1–2 frozen with column A,
    # the autofilter on the labels, widths from the labels, printed landscape with both header rows.
    sheets.finish_table(sheet, columns=len(codes), last_row=len(rows) + 2, header_rows=2, freeze="B3")
    sheets.set_widths(sheet, [6, *(max(12, min(40, len(LABELS[c]) + 2)) for c in EXPORT_COLUMNS)])
    for header_row in (codes, labels):
        sheet.append([sheets.stream_cell(sheet, value, bold=True) for value in header_row])
    for index, case in enumerate(rows, start=1):
        values = _export_values(case, sections.get(case.pk, set()), consents.get(case.pk),
                                referrals.get(case.pk, []), org_ids)
        line: list[Any] = [index]
        for code in EXPORT_COLUMNS:
            line.append(sheets.stream_cell(sheet, values.get(code)))
        sheet.append(line)
        if progress is not None:
            progress(1)
    data = sheets.workbook_bytes(workbook)
    audit.record("case.export", actor=user, details={"format": "htcds", "rows": len(rows)})
    return data


def _sections(org_ids: set[int], case_ids: list[int]) -> dict[int, set[str]]:
    sections: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(case_ids), 1000):
        chunk = case_ids[start:start + 1000]
        for case_id, parts in queries.live_access(org_ids).filter(case_id__in=chunk).values_list("case_id",
                                                                                                   "sections"):
            sections[case_id].update(parts)
    return sections


def _consents(case_ids: list[int]) -> dict[int, Consent]:
    current: dict[int, Consent] = {}
    for start in range(0, len(case_ids), 1000):
        for consent in Consent.objects.filter(case_id__in=case_ids[start:start + 1000]).order_by("-created_at", "-id"):
            current.setdefault(consent.case_id, consent)
    return current


def _referrals(org_ids: set[int], case_ids: list[int]) -> dict[int, list[Referral]]:
    found: dict[int, list[Referral]] = defaultdict(list)
    for start in range(0, len(case_ids), 1000):
        chunk = case_ids[start:start + 1000]
        referrals = (Referral.objects.filter(case_id__in=chunk)
                     .select_related("from_organisation", "to_organisation", "case")
                     .order_by("-created_at", "-id"))
        for referral in referrals:
            if (referral.from_organisation_id in org_ids or referral.to_organisation_id in org_ids
                    or referral.case.owner_organisation_id in org_ids):
                found[referral.case_id].append(referral)
    return found


def _htcds_reason(reason: str) -> str:
    return reason if reason in HTCDS_REFERRAL_REASONS else "Other"


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


def _export_values(case: Case, sections: set[str], consent: Consent | None, referrals: list[Referral],
                   org_ids: set[int]) -> dict[str, Any]:
    person = case.person
    languages = list(person.languages or [])
    values: dict[str, Any] = {
        "cas_CaseOwner": case.owner_organisation.name,
        "prs_Gender": person.gender,
        "prs_Citizenship": list(person.citizenships or []),
        "prs_HighestLevelOfEducation": person.education,
        "prs_NumberOfChildren": person.number_of_children,
        "prs_MaritalStatus": person.marital_status,
        "prs_PrimaryLanguage": languages[:1],
        "prs_SecondaryLanguage": languages[1:],
        "prs_Deceased": _yes(person.deceased),
        "vic_TraffickingStatus": case.trafficking_status,
        "vic_TraffickingStatusDecisionMakingOrg": case.status_decided_by,
        "vic_RelationshipToTrafficker": case.relationship_to_trafficker,
        "vic_RecruitmentWebsitesAndApps": list(case.recruitment_websites or []),
        "vic_ExploitationWebsitesAndApps": list(case.exploitation_websites or []),
        "vic_AgeWhenTrafficked": case.age_when_trafficked,
        "vic_MethodOfRecruitment": list(case.recruitment_methods or []),
        "vic_MethodsOfControl": list(case.means_of_control or []),
        "vic_TypeOfExploitation": [e.exploitation for e in case.exploitations.all()],
        "vic_ForcedLabourIndustry": case.forced_labour_industry,
        "vic_TypeOfSexExploitation": list(case.sexual_exploitation_types or []),
        "vic_LocationOfExploitation": list(case.exploitation_countries or []),
        "cas_Status": case.status,
        "cas_IncomingReferralDate": case.identified_on,
        "kpu_CaseNumber": case.number,
        "kpu_IdentificationChannel": case.identification_channel,
        "kpu_IdentifyingOrganisation": case.identifying_organisation.name,
        "kpu_AgeAtIdentification": person.age_at_identification,
        "kpu_Disability": _yes(person.disability),
        "kpu_CountryOfOrigin": case.country_of_origin,
        "kpu_TransitCountries": list(case.transit_countries or []),
        "kpu_ExploitationStart": case.exploitation_start,
        "kpu_ExploitationEnd": case.exploitation_end,
    }
    outgoing = next((r for r in referrals if r.from_organisation_id == case.owner_organisation_id), None)
    if outgoing is not None:
        values["cas_ReferredOrganisation"] = outgoing.to_organisation.name
        values["cas_OutgoingReferralDate"] = timezone.localtime(outgoing.created_at).date()
        values["cas_ReasonForOutgoingReferral"] = _htcds_reason(outgoing.reason)
    incoming = next((r for r in referrals if r.to_organisation_id in org_ids
                     and r.status in (Referral.Status.ACCEPTED, Referral.Status.COMPLETED)), None)
    if incoming is not None and case.owner_organisation_id not in org_ids:
        values["cas_ReferringOrganisation"] = incoming.from_organisation.name
        values["cas_ReasonForIncomingReferral"] = _htcds_reason(incoming.reason)
    if Section.IDENTITY in sections and person.given_name is not None:
        values.update({
            "prs_Salutation": person.salutation, "prs_Title": person.title,
            "prs_FirstName": person.given_name, "prs_SecondName": person.family_name,
            "prs_MiddleName": person.patronymic, "prs_IdentityNumber": person.document_number,
            "prs_Birthdate": person.birth_date, "prs_Email": person.email, "prs_MobilePhone": person.phone,
            "prs_HomePhone": person.home_phone, "prs_MailingStreet": person.address,
            "prs_MailingCity": person.address_city, "prs_MailingState": person.address_region,
            "prs_MailingPostalCode": person.address_postal_code, "prs_MailingCountry": person.address_country,
            "vic_LocationOfRecruitment": case.recruitment_place, "cas_ReasonForCaseClosure": case.closure_reason,
            "kpu_GuardianName": case.guardian_name, "kpu_GuardianContact": case.guardian_contact,
        })
        if consent is not None:
            values["con_Consent"] = bool(consent.data_processing and consent.withdrawn_on is None)
    return values
