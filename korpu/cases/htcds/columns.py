"""The HTCDS 2.0 toolkit layout: the column codes, their labels, what kind of value each holds, and
the picklists with every spelling the importer accepts (see :mod:`korpu.cases.htcds`)."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from korpu.cases import actions, choices

# --- the toolkit layout --------------------------------------------------------------------------
TOOLKIT_SPELLING = {"vic_TraffickingStatusDecisionMakingOrg": "vic_TraffickinStatusDecisionMakingOrg"}
"""Codes the toolkit spells differently from the standard; the export keeps the toolkit's spelling."""

TOOLKIT_COLUMNS: tuple[str, ...] = (
    "cas_CaseOwner", "prs_Salutation", "prs_FirstName", "prs_SecondName", "con_Consent", "prs_Birthdate",
    "prs_Gender", "prs_Citizenship", "prs_Title", "prs_Email", "prs_HomePhone", "prs_MobilePhone",
    "prs_MailingCity", "prs_MailingCountry", "prs_MailingState", "prs_MailingStreet", "prs_MailingPostalCode",
    "vic_TraffickingStatus", "vic_TraffickingStatusDecisionMakingOrg", "vic_MethodOfRecruitment",
    "vic_LocationOfRecruitment", "vic_MethodsOfControl", "vic_TypeOfExploitation", "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation", "vic_LocationOfExploitation", "cas_Status", "cas_ReferringOrganisation",
    "cas_IncomingReferralDate", "cas_ReferringPrimaryCaseWorker", "cas_ReasonForIncomingReferral",
    "cas_IncomingReferralDetails", "cas_ReferredOrganisation", "cas_ReferredPrimaryCaseWorker",
    "cas_ReasonForOutgoingReferral", "cas_OutgoingReferralDate", "cas_OutgoingReferralDetails",
    "cas_ReasonForCaseClosure",
)
"""Columns B… of the toolkit sheet, in order (standard spelling; AJ is the toolkit's empty code cell)."""

EXTRA_HTCDS_COLUMNS: tuple[str, ...] = (
    "prs_MiddleName", "prs_IdentityNumber", "prs_HighestLevelOfEducation", "prs_NumberOfChildren",
    "prs_MaritalStatus", "prs_PrimaryLanguage", "prs_SecondaryLanguage", "prs_Deceased",
    "vic_RelationshipToTrafficker", "vic_RecruitmentWebsitesAndApps", "vic_ExploitationWebsitesAndApps",
    "vic_AgeWhenTrafficked",
)
"""HTCDS 2.0 fields outside the toolkit sheet that Körpü keeps: exported after the toolkit's columns."""

KORPU_COLUMNS: tuple[str, ...] = (
    "kpu_CaseNumber", "kpu_IdentificationChannel", "kpu_IdentifyingOrganisation", "kpu_AgeAtIdentification",
    "kpu_Disability", "kpu_CountryOfOrigin", "kpu_TransitCountries", "kpu_ExploitationStart", "kpu_ExploitationEnd",
    "kpu_GuardianName", "kpu_GuardianContact",
)
"""Körpü's own fields, not in HTCDS (prefix ``kpu_``): exported last, read back by the importer."""

EXPORT_COLUMNS: tuple[str, ...] = (*TOOLKIT_COLUMNS, *EXTRA_HTCDS_COLUMNS, *KORPU_COLUMNS)

LABELS: dict[str, str] = {
    "cas_CaseOwner": "Case Owner", "prs_Salutation": "Salutation", "prs_FirstName": "First Name",
    "prs_MiddleName": "Middle Name", "prs_SecondName": "Second Name", "con_Consent": "Consent",
    "prs_Birthdate": "Birthdate", "prs_Gender": "Gender", "prs_Citizenship": "Citizenship", "prs_Title": "Title",
    "prs_Email": "Email", "prs_HomePhone": "Home Phone", "prs_MobilePhone": "Mobile Phone",
    "prs_MailingCity": "Mailing City", "prs_MailingCountry": "Mailing Country",
    "prs_MailingState": "Mailing State/Province", "prs_MailingStreet": "Mailing Street",
    "prs_MailingPostalCode": "Mailing Zip/Postal Code", "prs_IdentityNumber": "Identity Number",
    "prs_HighestLevelOfEducation": "Highest Level of Education", "prs_NumberOfChildren": "Number of Children",
    "vic_TraffickingStatus": "Trafficking Status",
    "vic_TraffickingStatusDecisionMakingOrg": "Trafficking Status Decision Making Organization",
    "vic_RelationshipToTrafficker": "Relationship to Trafficker",
    "vic_RecruitmentWebsitesAndApps": "Recruitment Websites and Apps",
    "vic_MethodOfRecruitment": "Method of Recruitment", "vic_LocationOfRecruitment": "Location of Recruitment",
    "vic_MethodsOfControl": "Methods of Control", "vic_TypeOfExploitation": "Type of Exploitation",
    "vic_ForcedLabourIndustry": "Forced Labour Industry", "vic_TypeOfSexExploitation": "Type of Sex Exploitation",
    "vic_LocationOfExploitation": "Location of Exploitation", "cas_Status": "Status",
    "cas_ReferringOrganisation": "Referring Organisation", "cas_IncomingReferralDate": "Incoming Referral Date",
    "cas_ReferringPrimaryCaseWorker": "Referring Primary Case Worker",
    "cas_ReasonForIncomingReferral": "Reason for Incoming Referral",
    "cas_IncomingReferralDetails": "Incoming Referral Details", "cas_ReferredOrganisation": "Referred Organisation",
    "cas_ReferredPrimaryCaseWorker": "Referred Primary Case Worker",
    "cas_ReasonForOutgoingReferral": "Reason for Outgoing Referral",
    "cas_OutgoingReferralDate": "Outgoing Referral Date", "cas_OutgoingReferralDetails": "Outgoing Referral Details",
    "cas_ReasonForCaseClosure": "Reason for Case Closure",
    "prs_MaritalStatus": "Marital Status", "prs_PrimaryLanguage": "Primary Language",
    "prs_SecondaryLanguage": "Secondary Language", "prs_Deceased": "Deceased",
    "vic_ExploitationWebsitesAndApps": "Exploitation Websites and Apps", "vic_AgeWhenTrafficked": "Age when Trafficked",
    "kpu_CaseNumber": "Körpü: Case Number", "kpu_IdentificationChannel": "Körpü: Identification Channel",
    "kpu_IdentifyingOrganisation": "Körpü: Identifying Organisation",
    "kpu_AgeAtIdentification": "Körpü: Age at Identification", "kpu_Disability": "Körpü: Disability",
    "kpu_CountryOfOrigin": "Körpü: Country of Origin", "kpu_TransitCountries": "Körpü: Transit Countries",
    "kpu_ExploitationStart": "Körpü: Exploitation From", "kpu_ExploitationEnd": "Körpü: Exploitation Until",
    "kpu_GuardianName": "Körpü: Guardian's Name", "kpu_GuardianContact": "Körpü: Guardian's Contact",
}
"""The standard's labels (the toolkit's row 2 swaps the five mailing labels; the export writes these)."""

# Columns the importer understands, besides those kept only in the import note.
TEXT = "text"
DATE = "date"
BOOL = "bool"
INT = "int"
PICK = "pick"
MULTI = "multi"
COUNTRY = "country"
COUNTRIES = "countries"
OWNER = "owner"
ORGANISATION = "organisation"
LANGUAGE = "language"
NOTE = "note"

HTCDS_REFERRAL_REASONS = ("AdditionalServicesRequired", "MigrationOrChangeOfLocation", "Other")

KINDS: dict[str, tuple[str, str]] = {
    # code: (kind, picklist name for PICK/MULTI)
    "cas_CaseOwner": (OWNER, ""),
    "prs_Salutation": (TEXT, ""), "prs_FirstName": (TEXT, ""), "prs_SecondName": (TEXT, ""),
    "prs_MiddleName": (TEXT, ""), "prs_Title": (TEXT, ""),
    "con_Consent": (BOOL, ""), "prs_Birthdate": (DATE, ""), "prs_Gender": (PICK, "gender"),
    "prs_Citizenship": (COUNTRIES, ""), "prs_Email": (TEXT, ""), "prs_HomePhone": (TEXT, ""),
    "prs_MobilePhone": (TEXT, ""), "prs_MailingCity": (TEXT, ""), "prs_MailingCountry": (COUNTRY, ""),
    "prs_MailingState": (TEXT, ""), "prs_MailingStreet": (TEXT, ""), "prs_MailingPostalCode": (TEXT, ""),
    "prs_IdentityNumber": (TEXT, ""), "prs_HighestLevelOfEducation": (PICK, "education"),
    "prs_NumberOfChildren": (INT, ""), "prs_MaritalStatus": (PICK, "marital_status"),
    "prs_PrimaryLanguage": (LANGUAGE, ""), "prs_SecondaryLanguage": (LANGUAGE, ""), "prs_Deceased": (BOOL, ""),
    "vic_TraffickingStatus": (PICK, "trafficking_status"),
    "vic_TraffickingStatusDecisionMakingOrg": (PICK, "decision_org"),
    "vic_RelationshipToTrafficker": (PICK, "relationship"),
    "vic_RecruitmentWebsitesAndApps": (MULTI, "website"), "vic_ExploitationWebsitesAndApps": (MULTI, "website"),
    "vic_AgeWhenTrafficked": (INT, ""),
    "vic_MethodOfRecruitment": (MULTI, "recruitment"), "vic_LocationOfRecruitment": (TEXT, ""),
    "vic_MethodsOfControl": (MULTI, "control"), "vic_TypeOfExploitation": (MULTI, "exploitation"),
    "vic_ForcedLabourIndustry": (PICK, "industry"), "vic_TypeOfSexExploitation": (MULTI, "sex_exploitation"),
    "vic_LocationOfExploitation": (COUNTRIES, ""), "cas_Status": (PICK, "case_status"),
    "cas_IncomingReferralDate": (DATE, ""), "cas_ReasonForCaseClosure": (TEXT, ""),
    # Körpü's extension columns.
    "kpu_IdentificationChannel": (PICK, "identification_channel"),
    "kpu_IdentifyingOrganisation": (ORGANISATION, ""), "kpu_AgeAtIdentification": (INT, ""),
    "kpu_Disability": (BOOL, ""), "kpu_CountryOfOrigin": (COUNTRY, ""), "kpu_TransitCountries": (COUNTRIES, ""),
    "kpu_ExploitationStart": (DATE, ""), "kpu_ExploitationEnd": (DATE, ""), "kpu_GuardianName": (TEXT, ""),
    "kpu_GuardianContact": (TEXT, ""),
    # Checked, then kept in the import note (Körpü has no field for them).
    "kpu_CaseNumber": (NOTE, ""), "cas_ReferringOrganisation": (NOTE, ""),
    "cas_ReferringPrimaryCaseWorker": (NOTE, ""), "cas_ReasonForIncomingReferral": (PICK, "referral_reason"),
    "cas_IncomingReferralDetails": (NOTE, ""), "cas_ReferredOrganisation": (NOTE, ""),
    "cas_ReferredPrimaryCaseWorker": (NOTE, ""), "cas_ReasonForOutgoingReferral": (PICK, "referral_reason"),
    "cas_OutgoingReferralDate": (DATE, ""), "cas_OutgoingReferralDetails": (NOTE, ""),
}
NOTE_CODES = ("kpu_CaseNumber", "cas_ReferringOrganisation", "cas_ReferringPrimaryCaseWorker",
              "cas_ReasonForIncomingReferral", "cas_IncomingReferralDetails", "cas_ReferredOrganisation",
              "cas_ReferredPrimaryCaseWorker", "cas_ReasonForOutgoingReferral", "cas_OutgoingReferralDate",
              "cas_OutgoingReferralDetails")
# Other codes of the HTCDS 2.0 data standard: accepted and kept in the note, never an error.
OTHER_HTCDS_CODES = ("prs_MailingLongitude", "prs_MailingLatitude", "vic_AgreementToManagePersonalData",
                     "vic_Vulnerabilities", "vic_DetailsOfVulnerabilities", "per_RoleInProcess", "per_RoleDetails",
                     "cco_CaseComment")

# The toolkit's labels where they do not simply spell the code in words (those match anyway, see key).
TOOLKIT_LABELS: dict[str, dict[str, str]] = {
    "control": {"ThreatsLawEnforcement": "Threats of law enforcement"},
    "industry": {
        "A_AgricultureForestryAndFishing": "Agriculture, forestry and fishing",
        "B_MiningAndQuarrying": "Mining and quarrying",
        "C_Manufacturing": "Manufacturing",
        "D_ElectricityGasSteamAndAirConditioningSupply": "Electricity, gas, steam and air conditioning supply",
        "E_WaterSupplySewerageWasteManagement": "Water supply; sewerage, waste management and remediation",
        "F_Construction": "Construction",
        "G_WholesaleAndRetailTradeRepairOfMotorVehicles":
            "Wholesale and retail trade; repair of motor vehicles and motorcycles",
        "H_TransportationAndStorage": "Transportation and storage",
        "I_AccommodationAndFoodServiceActivities": "Accommodation and food service activities",
        "J_InformationAndCommunication": "Information and communication",
        "K_FinancialAndInsuranceActivities": "Financial and insurance activities",
        "L_RealEstateActivities": "Real estate activities",
        "M_ProfessionalScientificAndTechnicalActivities": "Professional, scientific and technical activities",
        "N_AdministrativeAndSupportServiceActivities": "Administrative and support service activities",
        "O_PublicAdministrationAndDefence": "Public administration and defence; compulsory social security",
        "P_Education": "Education",
        "Q_HumanHealthAndSocialWorkActivities": "Human health and social work activities",
        "R_ArtsEntertainmentAndRecreation": "Arts, entertainment and recreation",
        "S_OtherServiceActivities": "Other service activities",
        "T_ActivitiesOfHouseholdsAsEmployers": "Activities of households as employers; undifferentiated goods- "
                                               "and services- producing activities of households for own use",
        "U_ActivitiesOfExtraterritorialOrganizations": "Activities of extraterritorial organizations and bodies",
    },
}

PICKLISTS: dict[str, Any] = {
    "gender": choices.Gender, "education": choices.Education, "trafficking_status": choices.TraffickingStatus,
    "decision_org": choices.DecisionOrg, "relationship": choices.Relationship, "website": choices.Website,
    "recruitment": choices.RecruitmentMethod, "control": choices.MeansOfControl,
    "exploitation": choices.Exploitation, "industry": choices.Industry, "sex_exploitation": choices.SexExploitation,
    "case_status": choices.CaseStatus, "referral_reason": choices.ReferralReason,
    "marital_status": choices.MaritalStatus, "identification_channel": choices.IdentificationChannel,
}
RESTRICTED: dict[str, tuple[str, ...]] = {"referral_reason": HTCDS_REFERRAL_REASONS}

MAX_ROWS = 20_000
DATA_START = 3
IDENTIFICATION_CHANNEL = choices.IdentificationChannel.OTHER
OFFICIAL = (choices.TraffickingStatus.ACTUAL, choices.TraffickingStatus.NOT_VICTIM)


def key(text: str) -> str:
    """Compare picklist entries ignoring case, spaces and punctuation ("Follow up" = "FollowUp")."""
    return re.sub(r"[\W_]+", "", text.casefold())


def canonical_code(raw: str) -> str:
    known = {c.casefold(): c for c in (*KINDS, *OTHER_HTCDS_CODES)}
    known.update({v.casefold(): k for k, v in TOOLKIT_SPELLING.items()})
    return known.get(raw.strip().casefold(), raw.strip())


@cache
def picklist_table(picklist: str) -> dict[str, str]:
    """Every accepted spelling of a picklist entry: the code, the toolkit label, Körpü's labels in each language."""
    enum = PICKLISTS[picklist]
    allowed = RESTRICTED.get(picklist, tuple(enum.values))
    table: dict[str, str] = {}
    for code in allowed:
        table.setdefault(key(code), code)
    for code, label in TOOLKIT_LABELS.get(picklist, {}).items():
        table.setdefault(key(label), code)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in enum.choices:
                if code in allowed:
                    table.setdefault(key(str(label)), code)
    return table


def match_picklist(picklist: str, text: str) -> str | None:
    """The code of a picklist entry given as code or label (``"Possible victim of trafficking"``), or None."""
    return picklist_table(picklist).get(key(text))


@lru_cache(maxsize=1)
def country_table() -> dict[str, str]:
    table = {key(name): code for code, name in choices.countries().items()}
    table.update({key(code): code for code in choices.countries()})
    return table


def language_code(text: str) -> str | None:
    """The ISO 639 code of a language given as a code (two or three letters, any case) or by the name
    the forms offer ("Azərbaycanca"); None when it is neither."""
    key = text.strip().casefold()
    named = {name.casefold(): code for code, name in choices.LANGUAGES.items()}
    if key in named:
        return named[key]
    return key if actions.LANGUAGE_CODE.match(key) else None



IDENTITY_COLUMNS = frozenset({
    "prs_Salutation", "prs_FirstName", "prs_SecondName", "con_Consent", "prs_Birthdate", "prs_Title", "prs_Email",
    "prs_HomePhone", "prs_MobilePhone", "prs_MailingCity", "prs_MailingCountry", "prs_MailingState",
    "prs_MailingStreet", "prs_MailingPostalCode", "vic_LocationOfRecruitment", "cas_ReasonForCaseClosure",
    "cas_IncomingReferralDetails", "cas_OutgoingReferralDetails", "prs_MiddleName", "prs_IdentityNumber",
    "kpu_GuardianName", "kpu_GuardianContact",
})
"""Columns carrying personal identifiers (encrypted in Körpü): written only with the identity section."""


def toolkit_header() -> tuple[list[str], list[str]]:
    """Row 1 (codes, in the toolkit's spelling) and row 2 (labels) of the export, column A included."""
    codes = ["", *(TOOLKIT_SPELLING.get(c, c) for c in EXPORT_COLUMNS)]
    labels = ["", *(LABELS[c] for c in EXPORT_COLUMNS)]
    return codes, labels


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing ``.0``, dates in ISO form, white space folded (one
    line) or trimmed (several lines)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def pieces(value: Any) -> list[str]:
    """The entries of a list cell, separated by ";" (or by "," when there is no ";")."""
    text = cell_text(value)
    separator = ";" if ";" in text else ","
    return [p.strip() for p in text.split(separator) if p.strip()]


def unknown_value(bad: list[str], picklist: str) -> str:
    allowed = RESTRICTED.get(picklist, tuple(PICKLISTS[picklist].values))
    message = _("Unknown value “%(value)s”.") % {"value": "; ".join(bad)}
    if len(allowed) <= 8:
        message += " " + _("Allowed: %(allowed)s.") % {"allowed": ", ".join(allowed)}
    return message
