"""Reading an HTCDS workbook: phase one of the import checks every row and saves nothing.

:func:`read_workbook` parses the sheet into a :class:`CaseImport` of :class:`CaseRow` s (the kernel's
two-phase types, :mod:`korpu.core.sheets`); :func:`check_actor` applies the rules that depend on who
imports. :mod:`korpu.cases.htcds.importing` commits the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from korpu.accounts.models import Membership, Organisation, Role, User
from korpu.cases import actions, choices
from korpu.cases.htcds.columns import (
    BOOL,
    COUNTRIES,
    COUNTRY,
    DATA_START,
    DATE,
    IDENTIFICATION_CHANNEL,
    INT,
    KINDS,
    LABELS,
    LANGUAGE,
    MAX_ROWS,
    MULTI,
    NOTE,
    NOTE_CODES,
    OFFICIAL,
    ORGANISATION,
    OTHER_HTCDS_CODES,
    OWNER,
    PICK,
    TEXT,
    canonical_code,
    cell_text,
    country_table,
    key,
    language_code,
    picklist_table,
    pieces,
    unknown_value,
)
from korpu.core import access, linking
from korpu.core.access import Actor
from korpu.core.sheets import (
    DAMAGED,
    ImportPlan,
    NameIndex,
    PlannedRow,
    RowIssue,
    blank,
    data_rows,
    header_rows,
    not_a_workbook,
    open_workbook,
    parse_bool,
    parse_date,
    quietly,
)


@dataclass
class CaseRow(PlannedRow):
    """One data row, checked: what will be registered, and what is wrong with it."""

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
    def all_warnings(self) -> list[RowIssue]:
        return [*self.warnings, *self.actor_warnings]


@dataclass
class CaseImport(ImportPlan[CaseRow]):
    """What :func:`read_workbook` found. Nothing is saved until :func:`~korpu.cases.htcds.import_plan`."""

    kind: str = "htcds"
    checked_for: Any = None
    actor_checked: bool = False


# --- reading -------------------------------------------------------------------------------------
def read_workbook(path_or_file: str | Any, *, by: Actor | None = None) -> CaseImport:
    """Parse and check every row of an HTCDS toolkit workbook. Saves nothing.

    With ``by`` (the importing user) the owner and status rules that depend on the user are
    checked too; :func:`import_plan` checks them anyway before saving.
    """
    plan = CaseImport()
    workbook = open_workbook(path_or_file)
    if workbook is None:
        plan.workbook_errors.append(RowIssue(0, "", not_a_workbook()))
        return plan
    try:
        with quietly():
            _read_into(plan, workbook)
    except DAMAGED:
        plan.rows, plan.workbook_errors = [], [RowIssue(0, "", not_a_workbook())]
    finally:
        workbook.close()
    if by is not None:
        check_actor(plan, by)
    return plan


def _read_into(plan: CaseImport, workbook: Any) -> None:
    sheet = None
    header: tuple[Any, ...] = ()
    labels: tuple[Any, ...] = ()
    for candidate in workbook.worksheets:
        top = header_rows(candidate)
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
    for number, cells in data_rows(sheet, {code: index for index, code in columns.items()}, start=DATA_START):
        if len(plan.rows) >= MAX_ROWS:
            plan.workbook_errors.append(RowIssue(number, "", _("A workbook may hold at most %(count)d cases.")
                                                 % {"count": MAX_ROWS}))
            return
        plan.rows.append(_read_row(number, cells, context))


def _columns(plan: CaseImport, header: tuple[Any, ...], labels: tuple[Any, ...]) -> dict[int, str]:
    by_label = {text.casefold(): code for code, text in LABELS.items()
                if list(LABELS.values()).count(text) == 1}
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index in range(1, max(len(header), len(labels))):  # column A is the running index
        raw = header[index] if index < len(header) else None
        label = labels[index] if index < len(labels) else None
        if blank(raw):
            code = by_label.get(str(label).strip().casefold(), "") if not blank(label) else ""
            if not code:
                continue
        else:
            code = canonical_code(str(raw))
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


class _Context:
    """Look-ups shared by all rows of one workbook (organisations, who works with victims' data)."""

    def __init__(self) -> None:
        self.organisations = list(Organisation.objects.filter(is_active=True))
        self.staffed: set[int] = set(
            Membership.objects.filter(is_active=True, role__in=access.VICTIM_DATA_ROLES, user__is_active=True,
                                      organisation__is_active=True).values_list("organisation_id", flat=True))
        self.names = NameIndex(self.organisations)
        self.today = timezone.localdate()

    def organisation(self, name: str) -> list[Organisation]:
        return self.names.find(name)


def _read_row(number: int, cells: dict[str, Any], context: _Context) -> CaseRow:
    row = CaseRow(row=number)
    values: dict[str, Any] = {}

    def error(code: str, message: str) -> None:
        row.errors.append(RowIssue(number, code, message))

    for code, raw in cells.items():
        kind, picklist = KINDS.get(code, (NOTE, ""))
        if blank(raw):
            continue
        if kind in (TEXT, NOTE):
            values[code] = cell_text(raw)
        elif kind == DATE:
            parsed = parse_date(raw)
            if parsed is None:
                error(code, _("Enter a valid date."))
            elif parsed > context.today:
                error(code, _("The date cannot be in the future."))
            elif parsed.year < 1900:
                error(code, _("Enter a valid date."))
            else:
                values[code] = parsed
        elif kind == BOOL:
            answer = parse_bool(raw)
            if answer is None:
                error(code, _("Write yes or no (yes, true, 1, x or ✓)."))
            else:
                values[code] = answer
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
            table = picklist_table(picklist)
            parts = pieces(raw) if kind == MULTI else [cell_text(raw)]
            found: list[str] = []
            bad: list[str] = []
            for piece in parts:
                match = table.get(key(piece))
                (found if match else bad).append(match or piece)
            if bad:
                error(code, unknown_value(bad, picklist))
            else:
                values[code] = list(dict.fromkeys(found)) if kind == MULTI else found[0]
        elif kind in (COUNTRY, COUNTRIES):
            countries = country_table()
            whole = countries.get(key(cell_text(raw)))
            parts = [whole] if whole else pieces(raw)
            codes = [countries.get(key(p)) for p in parts]
            bad = [p for p, c in zip(parts, codes, strict=True) if c is None]
            if bad or (kind == COUNTRY and len(codes) > 1):
                error(code, _("%(field)s: unknown country code %(codes)s.")
                      % {"field": LABELS.get(code, code), "codes": ", ".join(bad or parts)})
            else:
                values[code] = list(dict.fromkeys(c for c in codes if c))
        elif kind == LANGUAGE:
            parts = pieces(raw)
            languages = [language_code(p) for p in parts]
            unknown = [p for p, c in zip(parts, languages, strict=True) if c is None]
            if unknown:
                error(code, _("Languages: %(codes)s is not an ISO 639 language code.") % {"codes": ", ".join(unknown)})
            else:
                values[code] = list(dict.fromkeys(c for c in languages if c))
        elif kind == ORGANISATION:
            name = cell_text(raw)
            matches = context.organisation(name)
            if len(matches) != 1:
                error(code, _("No organisation in Körpü is called “%(name)s”.") % {"name": name} if not matches
                      else _("“%(name)s” names more than one organisation; write the full name.") % {"name": name})
            else:
                values[code] = matches[0]
        elif kind == OWNER:
            name = cell_text(raw)
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


# The workbook column of each field that actions.case_rule_problems names.
RULE_COLUMNS = {"identified_on": "cas_IncomingReferralDate", "birth_date": "prs_Birthdate",
                "exploitation_end": "kpu_ExploitationEnd", "guardian_name": "kpu_GuardianName"}


def _build(row: CaseRow, values: dict[str, Any], context: _Context) -> None:
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
            text = value.isoformat() if isinstance(value, dt.date) else cell_text(value)
            row.note_lines.append(f"{LABELS.get(code, code)}: {text}")


# --- the acting user ------------------------------------------------------------------------------
def victim_data_organisations(user: Any) -> list[Organisation]:
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


def check_actor(plan: CaseImport, by: Actor | None) -> CaseImport:
    """Apply the rules that depend on who imports: owner organisation and official status.

    ``by`` is the importing user, or ``None`` for a trusted operator (CLI outside production):
    then each row is registered by a victim-data user of its (named) owner organisation and no
    official status is ever set.
    """
    own = victim_data_organisations(by) if by is not None else []
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
        if row.acting_user is not None and not row.all_errors:
            row.actor_warnings.extend(_possible_duplicates(row))
    plan.checked_for = by
    plan.actor_checked = True
    return plan


def _possible_duplicates(row: CaseRow) -> list[RowIssue]:
    """Record linkage's duplicate check of the row's person, as warnings of the preview (nothing is merged)."""
    issues = []
    for candidate in linking.check(row.acting_user, row.person):
        reasons = ", ".join(candidate.reason_labels)
        if candidate.visible:
            message = _("Possibly the same person as case %(number)s of %(organisation)s (score %(score)s: "
                        "%(reasons)s).") % {"number": candidate.case_number,
                                            "organisation": candidate.organisation_name,
                                            "score": formats.number_format(candidate.score, 2), "reasons": reasons}
        else:
            message = _("A possible match is held by %(organisation)s (score %(score)s: %(reasons)s); after the "
                        "import, send a link request from the case page.") % {
                "organisation": candidate.organisation_name, "score": formats.number_format(candidate.score, 2),
                "reasons": reasons}
        issues.append(RowIssue(row.row, "prs_LastName", message))
    return issues


def _owner_staff() -> dict[int, User]:
    staff: dict[int, User] = {}
    memberships = (Membership.objects.filter(is_active=True, role__in=access.VICTIM_DATA_ROLES, user__is_active=True,
                                             organisation__is_active=True)
                   .select_related("user").order_by("id"))
    for m in memberships:
        staff.setdefault(m.organisation_id, m.user)
    return staff

