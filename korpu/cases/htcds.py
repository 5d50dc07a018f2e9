"""HTCDS 2.0 Excel toolkit import and export (the layout in ``htcds_v2.xlsx``).

Layout: row 1 holds the HTCDS field codes from column B, row 2 their labels, data starts in row 3,
column A is a running index. Columns are found by their code (any order, extra HTCDS columns
welcome); an empty code cell falls back to its label (the toolkit leaves AJ1 empty, its label says
"Reason for Outgoing Referral"), and the toolkit's misspelt ``vic_TraffickinStatusDecisionMakingOrg``
is read as ``vic_TraffickingStatusDecisionMakingOrg``.

Import is two steps. :func:`read_workbook` parses and checks every row and commits nothing;
:func:`import_plan` registers the valid rows through :func:`korpu.cases.actions.case_register` (so
encryption, blind indexes, consent, owner access and audit all apply), in one transaction, and
only when no row has an error (or with ``skip_invalid``, the valid rows only).

The import rules:

* Owner: ``cas_CaseOwner`` names an active organisation by name or short name that has staff
  working with victims' data. An importing user may import only into organisations where they
  hold such a role; an empty cell means the user's own (first victim-data) organisation. Without
  an importing user (CLI outside production) the owner must be named and each row is registered
  by a victim-data user of the owner organisation.
* Consent: HTCDS ``con_Consent`` is the person's informed consent to the interview and to the
  processing of the data gathered; it names no recipient. "Yes" records Körpü consent to data
  processing only; sharing with law enforcement, NGOs, state agencies or international
  organisations stays unconsented until a case worker records it (a referral asks for it). "No"
  records a refusal; an empty cell records nothing. The consent date is the identification date.
* Trafficking status: an official status (Actual, or Not a victim) is set only when the importing
  user is a police investigator of the owning law-enforcement body and the decision-making
  organisation is the police (or empty); it is recorded as a police status decision. Any other
  Actual/Not-a-victim row is imported as a presumed victim (Possible) with a warning: only the
  police anti-trafficking department decides official victim status (and Actual unlocks the state
  allowance). The decision-making organisation of a presumed victim is not kept.
* Identification date: ``cas_IncomingReferralDate`` (the date the organisation took the case on),
  else the import date. The identification channel is the Körpü extension column
  ``kpu_IdentificationChannel`` when the workbook has it (HTCDS has no such field), else "other".
* A child (by the birth date or ``kpu_AgeAtIdentification``) needs ``kpu_GuardianName``, as on the
  pages and in the API: without it the row is an error.
* HTCDS fields Körpü has no place for (the referral details, coordinates, vulnerabilities, …) are
  kept in an encrypted case note, so nothing the organisation recorded is lost; referrals are not
  created (they grant access and need consent, so they are made in Körpü).

The export writes the toolkit's columns in the toolkit's order, then the other HTCDS person and
victim-context fields Körpü keeps (``prs_MiddleName``, ``prs_IdentityNumber``, languages, …), then the
Körpü extension columns (``kpu_…``: identification channel, identifying organisation, age at
identification, disability, country of origin, transit countries, period of exploitation, guardian),
so a workbook exported from Körpü imports back into Körpü with every field (ADR 0021).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from korpu.accounts.models import Membership, Organisation, Role, User
from korpu.cases import actions, choices, queries
from korpu.cases.models import Case, CaseExploitation, Consent, Referral, Section, StatusDecision
from korpu.core import access, audit
from korpu.core.access import Actor

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

# The toolkit's labels where they do not simply spell the code in words (those match anyway, see _key).
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

TRUE_WORDS = {"yes", "true", "1", "x", "✓", "✔", "y", "on", "да", "bəli", "hə"}
FALSE_WORDS = {"no", "false", "0", "n", "off", "нет", "xeyr", "yox", "✗", "✘"}

MAX_ROWS = 20_000
DATA_START = 3
IDENTIFICATION_CHANNEL = choices.IdentificationChannel.OTHER
OFFICIAL = (choices.TraffickingStatus.ACTUAL, choices.TraffickingStatus.NOT_VICTIM)


def _key(text: str) -> str:
    """Compare picklist entries ignoring case, spaces and punctuation ("Follow up" = "FollowUp")."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _canonical_code(raw: str) -> str:
    known = {c.casefold(): c for c in (*KINDS, *OTHER_HTCDS_CODES)}
    known.update({v.casefold(): k for k, v in TOOLKIT_SPELLING.items()})
    return known.get(raw.strip().casefold(), raw.strip())


@cache
def _lookup(picklist: str) -> dict[str, str]:
    """Every accepted spelling of a picklist entry: the code, the toolkit label, Körpü's labels in each language."""
    enum = PICKLISTS[picklist]
    allowed = RESTRICTED.get(picklist, tuple(enum.values))
    table: dict[str, str] = {}
    for code in allowed:
        table.setdefault(_key(code), code)
    for code, label in TOOLKIT_LABELS.get(picklist, {}).items():
        table.setdefault(_key(label), code)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in enum.choices:
                if code in allowed:
                    table.setdefault(_key(str(label)), code)
    return table


def match_picklist(picklist: str, text: str) -> str | None:
    """The code of a picklist entry given as code or label (``"Possible victim of trafficking"``), or None."""
    return _lookup(picklist).get(_key(text))


@lru_cache(maxsize=1)
def _country_lookup() -> dict[str, str]:
    table = {_key(name): code for code, name in choices.countries().items()}
    table.update({_key(code): code for code in choices.countries()})
    return table


def _language_code(text: str) -> str | None:
    """The ISO 639 code of a language given as a code (two or three letters, any case) or by the name
    the forms offer ("Azərbaycanca"); None when it is neither."""
    key = text.strip().casefold()
    named = {name.casefold(): code for code, name in choices.LANGUAGES.items()}
    if key in named:
        return named[key]
    return key if actions.LANGUAGE_CODE.match(key) else None


# --- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowIssue:
    """An error or warning: the row number in the sheet (0 = the whole workbook), the column code, a message."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        return f"row {self.row}, {self.column or '-'}: {self.message}"


RowError = RowIssue


@dataclass
class PlannedRow:
    """One data row, checked: what will be registered, and what is wrong with it."""

    row: int
    owner: Organisation | None = None
    person: dict[str, Any] = field(default_factory=dict)
    case: dict[str, Any] = field(default_factory=dict)
    exploitation: list[str] = field(default_factory=list)
    consent: bool | None = None
    trafficking_status: str = choices.TraffickingStatus.POSSIBLE
    decided_by: str = ""
    case_status: str = choices.CaseStatus.ACTIVE
    closure_reason: str = ""
    note_lines: list[str] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    # Set by the acting-user check (depends on who imports).
    actor_errors: list[RowIssue] = field(default_factory=list)
    actor_warnings: list[RowIssue] = field(default_factory=list)
    acting_owner: Organisation | None = None
    acting_user: Any = None
    official: bool = False
    final_status: str = choices.TraffickingStatus.POSSIBLE

    @property
    def all_errors(self) -> list[RowIssue]:
        return [*self.errors, *self.actor_errors]

    @property
    def valid(self) -> bool:
        return not self.all_errors


@dataclass
class ImportPlan:
    """What :func:`read_workbook` found. Nothing is saved until :func:`import_plan`."""

    rows: list[PlannedRow] = field(default_factory=list)
    workbook_errors: list[RowIssue] = field(default_factory=list)
    workbook_warnings: list[RowIssue] = field(default_factory=list)
    sheet: str = ""
    checked_for: Any = None
    actor_checked: bool = False

    @property
    def errors(self) -> list[RowIssue]:
        return [*self.workbook_errors, *(e for r in self.rows for e in r.all_errors)]

    @property
    def warnings(self) -> list[RowIssue]:
        return [*self.workbook_warnings, *(w for r in self.rows for w in (*r.warnings, *r.actor_warnings))]

    @property
    def valid_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.valid] if not self.workbook_errors else []

    @property
    def invalid_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if not r.valid]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    """What :func:`import_plan` saved: the cases, and every error and warning (the plan's and its own)."""

    imported: int = 0
    cases: list[Case] = field(default_factory=list)
    skipped: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)


# --- reading -------------------------------------------------------------------------------------
def read_workbook(path_or_file: str | Any, *, by: Actor | None = None) -> ImportPlan:
    """Parse and check every row of an HTCDS toolkit workbook. Saves nothing.

    With ``by`` (the importing user) the owner and status rules that depend on the user are
    checked too; :func:`import_plan` checks them anyway before saving.
    """
    plan = ImportPlan()
    if hasattr(path_or_file, "read") and not hasattr(path_or_file, "seek"):
        path_or_file = io.BytesIO(path_or_file.read())
    with warnings.catch_warnings():
        # The toolkit's picklists use a validation extension openpyxl does not read; values are checked here.
        warnings.filterwarnings("ignore", message="Data Validation extension", category=UserWarning)
        try:
            workbook = openpyxl.load_workbook(path_or_file, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            plan.workbook_errors.append(RowIssue(0, "", _("This is not an Excel workbook (.xlsx).")))
            return plan
        try:
            _read_into(plan, workbook)
        except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError):  # a damaged sheet (XML errors are SyntaxError)
            plan.rows, plan.workbook_errors = [], [RowIssue(0, "", _("This is not an Excel workbook (.xlsx)."))]
        finally:
            workbook.close()
    if by is not None:
        check_actor(plan, by)
    return plan


def _read_into(plan: ImportPlan, workbook: Any) -> None:
    sheet = None
    header: tuple[Any, ...] = ()
    labels: tuple[Any, ...] = ()
    for candidate in workbook.worksheets:
        if hasattr(candidate, "reset_dimensions"):
            candidate.reset_dimensions()  # stream every row, whatever size the file claims
        top = list(candidate.iter_rows(min_row=1, max_row=2, values_only=True))
        first = top[0] if top else ()
        if any(isinstance(v, str) and v.strip().casefold() == "prs_firstname" for v in first):
            sheet, header, labels = candidate, first, top[1] if len(top) > 1 else ()
            break
    if sheet is None:
        plan.workbook_errors.append(RowIssue(1, "", _(
            "No sheet has the HTCDS field codes (prs_FirstName …) in row 1.")))
        return
    plan.sheet = sheet.title
    columns = _columns(plan, header, labels)
    if plan.workbook_errors:
        return
    context = _Context()
    for number, values in enumerate(sheet.iter_rows(min_row=DATA_START, values_only=True), start=DATA_START):
        cells = {code: values[index] if index < len(values) else None for index, code in columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        if len(plan.rows) >= MAX_ROWS:
            plan.workbook_errors.append(RowIssue(number, "", _("A workbook may hold at most %(count)d cases.")
                                                 % {"count": MAX_ROWS}))
            return
        plan.rows.append(_read_row(number, cells, context))


def _columns(plan: ImportPlan, header: tuple[Any, ...], labels: tuple[Any, ...]) -> dict[int, str]:
    by_label = {text.casefold(): code for code, text in LABELS.items()
                if list(LABELS.values()).count(text) == 1}
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index in range(1, max(len(header), len(labels))):  # column A is the running index
        raw = header[index] if index < len(header) else None
        label = labels[index] if index < len(labels) else None
        if _blank(raw):
            code = by_label.get(str(label).strip().casefold(), "") if not _blank(label) else ""
            if not code:
                continue
        else:
            code = _canonical_code(str(raw))
        letter = _letter(index)
        if code in seen:
            plan.workbook_errors.append(RowIssue(1, code, _("The column appears twice (%(a)s and %(b)s).")
                                                 % {"a": _letter(seen[code]), "b": letter}))
            continue
        if code not in KINDS and code not in OTHER_HTCDS_CODES:
            plan.workbook_warnings.append(RowIssue(1, code, _("Not an HTCDS field: the column is ignored.")))
            continue
        seen[code] = index
        columns[index] = code
    if "prs_FirstName" not in seen:
        plan.workbook_errors.append(RowIssue(1, "prs_FirstName", _("This field is required.")))
    return columns


def _letter(index: int) -> str:
    return str(get_column_letter(index + 1))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Context:
    """Look-ups shared by all rows of one workbook (organisations, who works with victims' data)."""

    def __init__(self) -> None:
        self.organisations = list(Organisation.objects.filter(is_active=True))
        self.staffed: set[int] = set(
            Membership.objects.filter(is_active=True, role__in=access.VICTIM_DATA_ROLES, user__is_active=True,
                                      organisation__is_active=True).values_list("organisation_id", flat=True))
        self.today = timezone.localdate()

    def organisation(self, name: str) -> list[Organisation]:
        wanted = " ".join(name.split()).casefold()
        return [o for o in self.organisations
                if wanted in (" ".join(o.name.split()).casefold(), " ".join(o.short_name.split()).casefold())]


def _text(value: Any) -> str:
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


def _date(value: Any) -> dt.date | None:
    """Excel dates, ISO text (2024-03-01, also with a time) or day.month.year; None when not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else \
            dt.datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        return None


def _pieces(value: Any) -> list[str]:
    text = _text(value)
    separator = ";" if ";" in text else ","
    return [p.strip() for p in text.split(separator) if p.strip()]


def _read_row(number: int, cells: dict[str, Any], context: _Context) -> PlannedRow:
    row = PlannedRow(row=number)
    values: dict[str, Any] = {}

    def error(code: str, message: str) -> None:
        row.errors.append(RowIssue(number, code, message))

    for code, raw in cells.items():
        kind, picklist = KINDS.get(code, (NOTE, ""))
        if _blank(raw):
            continue
        if kind in (TEXT, NOTE):
            values[code] = _text(raw)
        elif kind == DATE:
            parsed = _date(raw)
            if parsed is None:
                error(code, _("Enter a valid date."))
            elif parsed > context.today:
                error(code, _("The date cannot be in the future."))
            elif parsed.year < 1900:
                error(code, _("Enter a valid date."))
            else:
                values[code] = parsed
        elif kind == BOOL:
            word = _text(raw).casefold() if not isinstance(raw, bool) else ("true" if raw else "false")
            if word in TRUE_WORDS:
                values[code] = True
            elif word in FALSE_WORDS:
                values[code] = False
            else:
                error(code, _("Write yes or no (yes, true, 1, x or ✓)."))
        elif kind == INT:
            number_value = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
            if number_value is None and isinstance(raw, float | str):
                try:
                    as_float = float(str(raw).strip())
                    number_value = int(as_float) if as_float.is_integer() else None
                except ValueError:
                    number_value = None
            if number_value is None or not 0 <= number_value <= 100:
                error(code, _("Enter a whole number."))
            else:
                values[code] = number_value
        elif kind in (PICK, MULTI):
            table = _lookup(picklist)
            pieces = _pieces(raw) if kind == MULTI else [_text(raw)]
            found: list[str] = []
            bad: list[str] = []
            for piece in pieces:
                match = table.get(_key(piece))
                (found if match else bad).append(match or piece)
            if bad:
                error(code, _unknown_value(bad, picklist))
            else:
                values[code] = list(dict.fromkeys(found)) if kind == MULTI else found[0]
        elif kind in (COUNTRY, COUNTRIES):
            countries = _country_lookup()
            whole = countries.get(_key(_text(raw)))
            pieces = [whole] if whole else _pieces(raw)
            codes = [countries.get(_key(p)) for p in pieces]
            bad = [p for p, c in zip(pieces, codes, strict=True) if c is None]
            if bad or (kind == COUNTRY and len(codes) > 1):
                error(code, _("%(field)s: unknown country code %(codes)s.")
                      % {"field": LABELS.get(code, code), "codes": ", ".join(bad or pieces)})
            else:
                values[code] = list(dict.fromkeys(c for c in codes if c))
        elif kind == LANGUAGE:
            pieces = _pieces(raw)
            languages = [_language_code(p) for p in pieces]
            unknown = [p for p, c in zip(pieces, languages, strict=True) if c is None]
            if unknown:
                error(code, _("Languages: %(codes)s is not an ISO 639 language code.") % {"codes": ", ".join(unknown)})
            else:
                values[code] = list(dict.fromkeys(c for c in languages if c))
        elif kind == ORGANISATION:
            name = _text(raw)
            matches = context.organisation(name)
            if len(matches) != 1:
                error(code, _("No organisation in Körpü is called “%(name)s”.") % {"name": name} if not matches
                      else _("“%(name)s” names more than one organisation; write the full name.") % {"name": name})
            else:
                values[code] = matches[0]
        elif kind == OWNER:
            name = _text(raw)
            matches = context.organisation(name)
            if not matches:
                error(code, _("No organisation in Körpü is called “%(name)s”.") % {"name": name})
            elif len(matches) > 1:
                error(code, _("“%(name)s” names more than one organisation; write the full name.") % {"name": name})
            elif matches[0].pk not in context.staffed:
                error(code, _("%(name)s has no one who works with victims' data in Körpü.")
                      % {"name": matches[0].name})
            else:
                row.owner = matches[0]
    _build(row, values, context)
    return row


def _unknown_value(bad: list[str], picklist: str) -> str:
    allowed = RESTRICTED.get(picklist, tuple(PICKLISTS[picklist].values))
    message = _("Unknown value “%(value)s”.") % {"value": "; ".join(bad)}
    if len(allowed) <= 8:
        message += " " + _("Allowed: %(allowed)s.") % {"allowed": ", ".join(allowed)}
    return message


# The workbook column of each field that actions.case_rule_problems names.
RULE_COLUMNS = {"identified_on": "cas_IncomingReferralDate", "birth_date": "prs_Birthdate",
                "exploitation_end": "kpu_ExploitationEnd", "guardian_name": "kpu_GuardianName"}


def _build(row: PlannedRow, values: dict[str, Any], context: _Context) -> None:
    number = row.row
    if not values.get("prs_FirstName") and not any(e.column == "prs_FirstName" for e in row.errors):
        row.errors.append(RowIssue(number, "prs_FirstName", _("This field is required.")))
    if "prs_Gender" not in values and not any(e.column == "prs_Gender" for e in row.errors):
        row.errors.append(RowIssue(number, "prs_Gender", _("This field is required.")))
    if values.get("prs_Email"):
        try:
            validate_email(values["prs_Email"])
        except ValidationError:
            row.errors.append(RowIssue(number, "prs_Email", _("Enter a valid email address.")))
    identified_on = values.get("cas_IncomingReferralDate") or context.today
    birth = values.get("prs_Birthdate")
    start, end = values.get("kpu_ExploitationStart"), values.get("kpu_ExploitationEnd")
    problems, age = actions.case_rule_problems(
        identified_on=identified_on, birth_date=birth, age=values.get("kpu_AgeAtIdentification"),
        exploitation_start=start, exploitation_end=end, guardian_name=values.get("kpu_GuardianName", ""))
    row.errors += [RowIssue(number, RULE_COLUMNS[field], message) for field, message in problems]
    country = values.get("prs_MailingCountry", [])
    origin = values.get("kpu_CountryOfOrigin", [])
    row.person = {
        "salutation": values.get("prs_Salutation", ""), "title": values.get("prs_Title", ""),
        "given_name": values.get("prs_FirstName", ""), "family_name": values.get("prs_SecondName", ""),
        "patronymic": values.get("prs_MiddleName", ""), "birth_date": birth, "age_at_identification": age,
        "gender": values.get("prs_Gender", choices.Gender.UNKNOWN),
        "citizenships": values.get("prs_Citizenship", []), "email": values.get("prs_Email", ""),
        "phone": values.get("prs_MobilePhone", ""), "home_phone": values.get("prs_HomePhone", ""),
        "address": values.get("prs_MailingStreet", ""), "address_city": values.get("prs_MailingCity", ""),
        "address_region": values.get("prs_MailingState", ""),
        "address_postal_code": values.get("prs_MailingPostalCode", ""),
        "address_country": country[0] if country else "",
        "document_number": values.get("prs_IdentityNumber", ""),
        "education": values.get("prs_HighestLevelOfEducation", ""),
        "number_of_children": values.get("prs_NumberOfChildren"),
        "marital_status": values.get("prs_MaritalStatus", ""), "deceased": values.get("prs_Deceased", False),
        "languages": list(dict.fromkeys([*values.get("prs_PrimaryLanguage", [])[:1],
                                         *values.get("prs_SecondaryLanguage", [])])),
        "disability": values.get("kpu_Disability", False),
    }
    row.case = {
        "identified_on": identified_on,
        "identification_channel": values.get("kpu_IdentificationChannel", IDENTIFICATION_CHANNEL),
        "identifying_organisation": values.get("kpu_IdentifyingOrganisation"),
        "forced_labour_industry": values.get("vic_ForcedLabourIndustry", ""),
        "sexual_exploitation_types": values.get("vic_TypeOfSexExploitation", []),
        "means_of_control": values.get("vic_MethodsOfControl", []),
        "recruitment_methods": values.get("vic_MethodOfRecruitment", []),
        "recruitment_websites": values.get("vic_RecruitmentWebsitesAndApps", []),
        "exploitation_websites": values.get("vic_ExploitationWebsitesAndApps", []),
        "age_when_trafficked": values.get("vic_AgeWhenTrafficked"),
        "recruitment_place": values.get("vic_LocationOfRecruitment", ""),
        "relationship_to_trafficker": values.get("vic_RelationshipToTrafficker", ""),
        "country_of_origin": origin[0] if origin else "",
        "transit_countries": values.get("kpu_TransitCountries", []),
        "exploitation_countries": values.get("vic_LocationOfExploitation", []),
        "exploitation_start": start, "exploitation_end": end,
        "guardian_name": values.get("kpu_GuardianName", ""), "guardian_contact": values.get("kpu_GuardianContact", ""),
    }
    row.exploitation = values.get("vic_TypeOfExploitation", [])
    row.consent = values.get("con_Consent")
    row.trafficking_status = values.get("vic_TraffickingStatus", choices.TraffickingStatus.POSSIBLE)
    row.decided_by = values.get("vic_TraffickingStatusDecisionMakingOrg", "")
    row.case_status = values.get("cas_Status", choices.CaseStatus.ACTIVE)
    row.closure_reason = values.get("cas_ReasonForCaseClosure", "")
    if row.case_status in (choices.CaseStatus.CLOSED, choices.CaseStatus.CLOSED_REFERRED) and not row.closure_reason:
        row.errors.append(RowIssue(number, "cas_ReasonForCaseClosure", _("Give the reason for closing the case.")))
    for code in (*NOTE_CODES, *OTHER_HTCDS_CODES):
        if code in values:
            value = values[code]
            text = value.isoformat() if isinstance(value, dt.date) else _text(value)
            row.note_lines.append(f"{LABELS.get(code, code)}: {text}")


# --- the acting user ------------------------------------------------------------------------------
def _victim_data_organisations(user: Any) -> list[Organisation]:
    if not isinstance(user, User) or not access.is_staff_user(user):
        return []
    seen: dict[int, Organisation] = {}
    for m in user.active_memberships():
        if m.role in access.VICTIM_DATA_ROLES:
            seen.setdefault(m.organisation_id, m.organisation)
    return list(seen.values())


def _is_investigator_of(user: Any, organisation: Organisation) -> bool:
    return (isinstance(user, User) and organisation.org_type == Organisation.Type.LAW_ENFORCEMENT
            and any(m.role == Role.POLICE_INVESTIGATOR and m.organisation_id == organisation.pk
                    for m in user.active_memberships()))


def check_actor(plan: ImportPlan, by: Actor | None) -> ImportPlan:
    """Apply the rules that depend on who imports: owner organisation and official status.

    ``by`` is the importing user, or ``None`` for a trusted operator (CLI outside production):
    then each row is registered by a victim-data user of its (named) owner organisation and no
    official status is ever set.
    """
    own = _victim_data_organisations(by) if by is not None else []
    staff: dict[int, Any] = _owner_staff() if by is None else {}
    for row in plan.rows:
        row.actor_errors, row.actor_warnings = [], []
        row.acting_owner, row.acting_user, row.official = None, None, False
        if by is not None and not own:
            row.actor_errors.append(RowIssue(row.row, "cas_CaseOwner",
                                             _("You do not work with victims' data in any organisation.")))
            continue
        owner = row.owner
        if by is None:
            if owner is None:
                if not any(e.column == "cas_CaseOwner" for e in row.errors):
                    row.actor_errors.append(RowIssue(row.row, "cas_CaseOwner", _(
                        "Name the organisation that owns the case (or import as a user).")))
                continue
            row.acting_user = staff.get(owner.pk)
        else:
            if owner is None and not any(e.column == "cas_CaseOwner" for e in row.errors):
                owner = own[0]
            if owner is not None and owner.pk not in {o.pk for o in own}:
                row.actor_errors.append(RowIssue(row.row, "cas_CaseOwner", _(
                    "You may import cases only for organisations where you work with victims' data.")))
                continue
            row.acting_user = by
        row.acting_owner = owner
        status = row.trafficking_status
        row.final_status = status
        if status in OFFICIAL:
            police_decides = row.decided_by in ("", choices.DecisionOrg.POLICE)
            if by is not None and owner is not None and police_decides and _is_investigator_of(by, owner):
                row.official = True
            else:
                row.final_status = choices.TraffickingStatus.POSSIBLE
                row.actor_warnings.append(RowIssue(row.row, "vic_TraffickingStatus", _(
                    "Only the police anti-trafficking department decides official victim status: "
                    "imported as a presumed victim.")))
    plan.checked_for = by
    plan.actor_checked = True
    return plan


def _owner_staff() -> dict[int, User]:
    staff: dict[int, User] = {}
    memberships = (Membership.objects.filter(is_active=True, role__in=access.VICTIM_DATA_ROLES, user__is_active=True,
                                             organisation__is_active=True)
                   .select_related("user").order_by("id"))
    for m in memberships:
        staff.setdefault(m.organisation_id, m.user)
    return staff


# --- importing -----------------------------------------------------------------------------------
def import_plan(plan: ImportPlan, *, by: Actor | None, skip_invalid: bool = False,
                progress: Callable[[int], None] | None = None) -> ImportResult:
    """Register the plan's rows in one transaction; nothing when any row has an error (unless ``skip_invalid``).

    ``by`` is the importing user (``None`` only for a trusted operator, see :func:`check_actor`).
    """
    if by is not None and not _victim_data_organisations(by):
        audit.denied("case.import", actor=by, details={"format": "htcds"})
        raise PermissionDenied(_("You do not work with victims' data in any organisation."))
    if not plan.actor_checked or plan.checked_for is not by:
        check_actor(plan, by)
    result = ImportResult(errors=list(plan.errors), warnings=list(plan.warnings))
    if plan.workbook_errors or (plan.errors and not skip_invalid):
        return result
    rows = plan.valid_rows
    result.skipped = len(plan.rows) - len(rows)
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():
                        case = _register(row)
                except ValidationError as exc:
                    issue = RowIssue(row.row, "", " ".join(exc.messages))
                    if not skip_invalid:
                        raise _RowFailed(issue) from exc
                    result.errors.append(issue)
                    result.skipped += 1
                else:
                    result.cases.append(case)
                if progress is not None:
                    progress(1)
            result.imported = len(result.cases)
            audit.record("case.import", actor=by, details={"format": "htcds", "rows": result.imported,
                                                            "skipped": result.skipped})
    except _RowFailed as failed:
        result.cases, result.imported = [], 0
        result.errors.append(failed.issue)
    return result


class _RowFailed(Exception):
    """A row the actions refused: the whole import is rolled back."""

    def __init__(self, issue: RowIssue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _register(row: PlannedRow) -> Case:
    actor = row.acting_user
    owner = row.acting_owner
    if actor is None or owner is None:
        raise ValidationError(_("You are not allowed to do this."))
    consent = None
    if row.consent is not None:
        # HTCDS consent covers the interview and the processing of the data; it names no recipient,
        # so sharing stays unconsented until a case worker records it.
        consent = {"data_processing": row.consent, "given_on": row.case["identified_on"]}
    case = actions.case_register(by=actor, person=row.person, case=row.case, exploitation=row.exploitation,
                                 consent=consent, organisation=owner)
    if row.official:
        decision = (StatusDecision.Decision.RECOGNISED if row.final_status == choices.TraffickingStatus.ACTUAL
                    else StatusDecision.Decision.NOT_VICTIM)
        actions.status_decision_record(by=actor, case=case, decision=decision, decided_on=timezone.localdate(),
                                       basis=_("Recorded from an HTCDS workbook import."))
    if row.case_status == choices.CaseStatus.FOLLOW_UP:
        actions.case_set_follow_up(by=actor, case=case)
    elif row.case_status in (choices.CaseStatus.CLOSED, choices.CaseStatus.CLOSED_REFERRED):
        actions.case_close(by=actor, case=case, status=row.case_status, reason=row.closure_reason)
    if row.note_lines:
        heading = _("Imported from an HTCDS workbook. Fields Körpü has no place for:")
        actions.note_add(by=actor, case=case, text="\n".join([heading, *row.note_lines]))
    return case


# --- exporting -----------------------------------------------------------------------------------
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
    sheet.freeze_panes = "B3"
    codes, labels = toolkit_header()
    bold = Font(bold=True)
    for header_row in (codes, labels):
        cells = []
        for value in header_row:
            cell = WriteOnlyCell(sheet, value=value or None)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    for index, case in enumerate(rows, start=1):
        values = _export_values(case, sections.get(case.pk, set()), consents.get(case.pk),
                                referrals.get(case.pk, []), org_ids)
        line: list[Any] = [index]
        for code in EXPORT_COLUMNS:
            line.append(_cell(sheet, values.get(code)))
        sheet.append(line)
        if progress is not None:
            progress(1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit.record("case.export", actor=user, details={"format": "htcds", "rows": len(rows)})
    return buffer.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        value = "; ".join(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


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


def plan_summary(plan: ImportPlan) -> tuple[int, int, int]:
    """(rows checked, valid, with errors)."""
    invalid = len(plan.invalid_rows)
    return len(plan.rows), len(plan.rows) - invalid, invalid


__all__ = ["ImportPlan", "ImportResult", "PlannedRow", "RowError", "RowIssue", "check_actor", "export_workbook",
           "import_plan", "match_picklist", "plan_summary", "read_workbook", "toolkit_header"]

