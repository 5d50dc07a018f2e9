"""Registering a person and a case, correcting them, the status of the case (closing, follow-up,
reopening), the official status decision and consent."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role, User, user_of
from korpu.cases import choices, queries
from korpu.cases.actions._common import (
    _acting_organisation,
    _deny,
    _mail_each,
    _owner_acting,
    _require_section,
    _validate_choices,
    _validate_countries,
    _victim_data_staff,
)
from korpu.cases.models import (
    Case,
    CaseAccess,
    CaseExploitation,
    Consent,
    Person,
    Referral,
    Section,
    StatusChange,
    StatusDecision,
)
from korpu.core import audit, crypto, linking
from korpu.core.access import Actor
from korpu.core.models import DataKey

CASE_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PERSON_FIELDS = ("salutation", "given_name", "family_name", "patronymic", "title", "birth_date", "document_number",
                 "phone", "home_phone", "email", "address", "address_city", "address_region", "address_postal_code",
                 "address_country", "gender", "age_at_identification", "citizenships", "languages", "education",
                 "disability", "number_of_children", "marital_status", "deceased")
CASE_FIELDS = ("forced_labour_industry", "sexual_exploitation_types", "means_of_control", "recruitment_methods",
               "recruitment_websites", "exploitation_websites", "recruitment_place", "relationship_to_trafficker",
               "country_of_origin", "transit_countries", "exploitation_countries", "exploitation_start",
               "exploitation_end", "age_when_trafficked", "identified_on", "identification_channel",
               "identifying_organisation", "guardian_name", "guardian_contact")
CONSENT_FIELDS = ("data_processing", "share_law_enforcement", "share_ngo", "share_government",
                  "share_international", "contact_by_law_enforcement")


def _new_case_number() -> str:
    year = timezone.localdate().year
    body = "".join(secrets.choice(CASE_NUMBER_ALPHABET) for _ in range(8))
    return f"{settings.CASE_NUMBER_PREFIX}-{year}-{body}"


def _index_person(person: Person) -> None:
    full = " ".join(p for p in (person.given_name, person.family_name) if p)
    person.name_index = crypto.blind_index(full, purpose="person.name") if full else ""
    person.family_name_index = (crypto.blind_index(person.family_name, purpose="person.name")
                                if person.family_name else "")
    person.document_index = (crypto.blind_index(person.document_number, purpose="person.document")
                             if person.document_number else "")


def _derive(case: Case) -> None:
    origin = case.country_of_origin
    places = set(case.exploitation_countries) | set(case.transit_countries)
    case.is_transnational = bool(origin and places and any(p != origin for p in places))


LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
CLOSED = (choices.CaseStatus.CLOSED, choices.CaseStatus.CLOSED_REFERRED)


def _organisation(value: Any, label: str) -> Organisation:
    organisation = value if isinstance(value, Organisation) else Organisation.objects.filter(pk=value).first() \
        if isinstance(value, int) else None
    if organisation is None or not organisation.is_active:
        raise ValidationError(_("%(field)s: choose an active organisation.") % {"field": label})
    return organisation


def _clean(person: dict[str, Any], case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate the HTCDS codes, country and language codes of person and case fields (registration and edits)."""
    unknown = set(person) - set(PERSON_FIELDS) | set(case) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    person_data = {k: v.strip() if isinstance(v, str) else v for k, v in person.items()}
    if "citizenships" in person_data:
        person_data["citizenships"] = _validate_countries(person_data["citizenships"] or [], _("Citizenship"))
    if person_data.get("address_country"):
        person_data["address_country"] = _validate_countries([person_data["address_country"]],
                                                             _("Country of residence"))[0]
    if "languages" in person_data:
        codes = [str(c).strip().lower() for c in person_data["languages"] or [] if c and str(c).strip()]
        bad = [c for c in codes if not LANGUAGE_CODE.match(c)]
        if bad:
            raise ValidationError(_("Languages: %(codes)s is not an ISO 639 language code.")
                                  % {"codes": ", ".join(bad)})
        person_data["languages"] = list(dict.fromkeys(codes))
    if person_data.get("email"):
        try:
            validate_email(person_data["email"])
        except ValidationError:
            raise ValidationError(_("Enter a valid email address.")) from None
    case_data = {k: v.strip() if isinstance(v, str) else v for k, v in case.items()}
    for name in ("transit_countries", "exploitation_countries"):
        if name in case_data:
            case_data[name] = _validate_countries(case_data[name] or [], name)
    if case_data.get("country_of_origin"):
        case_data["country_of_origin"] = _validate_countries([case_data["country_of_origin"]],
                                                             _("Country of origin"))[0]
    for name, allowed, label in (
        ("means_of_control", choices.MeansOfControl, _("Means of control")),
        ("recruitment_methods", choices.RecruitmentMethod, _("Method of recruitment")),
        ("recruitment_websites", choices.Website, _("Recruitment websites and apps")),
        ("exploitation_websites", choices.Website, _("Exploitation websites and apps")),
        ("sexual_exploitation_types", choices.SexExploitation, _("Type of sexual exploitation")),
    ):
        if name in case_data:
            case_data[name] = _validate_choices(case_data[name] or [], allowed, label)
    if case_data.get("identifying_organisation") is not None:
        case_data["identifying_organisation"] = _organisation(case_data["identifying_organisation"],
                                                              _("Identifying organisation"))
    elif "identifying_organisation" in case_data:
        del case_data["identifying_organisation"]  # empty: keep the case's (or, new, the owner)
    return person_data, case_data


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years from ``birth_date`` to ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def case_rule_problems(*, identified_on: dt.date | None, birth_date: dt.date | None, age: int | None,
                       exploitation_start: dt.date | None, exploitation_end: dt.date | None,
                       guardian_name: str) -> tuple[list[tuple[str, str]], int | None]:
    """The rules over person and case together: ``([(field, message), …], age at identification)``.

    One place for the page, the API (through :func:`_check_case`) and the HTCDS import, which reports
    every problem of every row against its column before anything is saved. The age is derived from
    the birth date when it is not given, so a child is a child whichever of the two was recorded.
    """
    today = timezone.localdate()
    identified_on = identified_on or today
    problems: list[tuple[str, str]] = []
    if identified_on > today:
        problems.append(("identified_on", _("The date of identification cannot be in the future.")))
    if birth_date is not None:
        if birth_date > identified_on:
            problems.append(("birth_date", _("The birth date is after the identification date.")))
        elif age is None:
            age = age_on(birth_date, identified_on)
    start, end = exploitation_start, exploitation_end
    if (start and start > today) or (end and end > today):
        problems.append(("exploitation_end", _("The period of exploitation cannot be in the future.")))
    if start and end and end < start:
        problems.append(("exploitation_end", _("The period of exploitation ends before it starts.")))
    if age is not None and age < 18 and not (guardian_name or "").strip():
        problems.append(("guardian_name", _("A child's guardian must be recorded.")))
    return problems, age


def _check_case(person: Person, case: Case) -> None:
    """:func:`case_rule_problems` on the values about to be saved (registration and edits)."""
    birth = person.birth_date if isinstance(person.birth_date, dt.date) else None  # unset: "" (an encrypted field)
    problems, age = case_rule_problems(
        identified_on=case.identified_on, birth_date=birth, age=person.age_at_identification,
        exploitation_start=case.exploitation_start, exploitation_end=case.exploitation_end,
        guardian_name=case.guardian_name if person.given_name is not None else "x")  # an erased person: no check
    if problems:
        raise ValidationError(problems[0][1])
    person.age_at_identification = age


def _status_change(*, by: Actor, case: Case, status: str, previous: str, organisation: Organisation | None) -> None:
    StatusChange.objects.create(case=case, status=status, previous=previous, organisation=organisation,
                                changed_by=by if isinstance(by, User) else None)


# --- registration ------------------------------------------------------------------------------
def case_register(
    *,
    by: Actor,
    person: dict[str, Any],
    case: dict[str, Any],
    exploitation: Iterable[str],
    consent: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
) -> Case:
    """Register a (presumed) victim: person, case, exploitation types, consent, owner access."""
    owner = organisation or _acting_organisation(by, action="case.create")
    if organisation is not None and organisation.pk not in queries.victim_data_organisation_ids(by):
        _deny("case.create", by)
    exploitation = _validate_choices(exploitation, choices.Exploitation, _("Type of exploitation"))
    person_data, case_data = _clean(person, case)
    if not case_data.get("identification_channel"):
        raise ValidationError(_("Say how the person was identified."))
    case_data.setdefault("identifying_organisation", owner)
    key = DataKey.build()
    new_person = Person(data_key=key, **person_data)
    new_case = Case(person=new_person, data_key=key, owner_organisation=owner,
                    case_worker=by if isinstance(by, User) else None, number=_new_case_number(), **case_data)
    _check_case(new_person, new_case)
    with transaction.atomic():
        key.save()
        _index_person(new_person)
        new_person.full_clean(exclude=["data_key"])
        new_person.save()
        linking.index([new_person])
        new_case.person = new_person
        _derive(new_case)
        new_case.full_clean(exclude=["person", "data_key", "number"])
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    new_case.save()
                break
            except IntegrityError:
                new_case.number = _new_case_number()
        CaseExploitation.objects.bulk_create([CaseExploitation(case=new_case, exploitation=e) for e in exploitation])
        CaseAccess.objects.create(case=new_case, organisation=owner, source=CaseAccess.Source.OWNER,
                                  sections=queries.owner_sections(owner))
        audit.record("case.create", obj=new_case, actor=by, details={"person": new_person.pk})
        if consent is not None:
            _consent_save(by=by, case=new_case, **consent)
    return new_case


def case_update(*, by: Actor, case: Case, person: dict[str, Any] | None = None,
                case_fields: dict[str, Any] | None = None, exploitation: Iterable[str] | None = None) -> Case:
    _require_section(by, case, Section.IDENTITY, "case.update")
    person, case_fields = _clean(person or {}, case_fields or {})
    with transaction.atomic():
        for name, value in person.items():
            setattr(case.person, name, value)
        for name, value in case_fields.items():
            setattr(case, name, value)
        age_before = case.person.age_at_identification
        _check_case(case.person, case)
        if person or case.person.age_at_identification != age_before:
            _index_person(case.person)
            case.person.full_clean(exclude=["data_key"])
            case.person.save()
            linking.index([case.person])
        _derive(case)
        case.updated_at = timezone.now()
        case.full_clean(exclude=["person", "data_key", "number"])
        case.save()
        if exploitation is not None:
            values = _validate_choices(exploitation, choices.Exploitation, _("Type of exploitation"))
            CaseExploitation.objects.filter(case=case).delete()
            CaseExploitation.objects.bulk_create([CaseExploitation(case=case, exploitation=e) for e in values])
        audit.record("case.update", obj=case, actor=by, details={"fields": sorted([*person, *case_fields])})
    return case


def case_close(*, by: Actor, case: Case, status: str, reason: str) -> Case:
    if status not in CLOSED:
        raise ValidationError(_("Choose how the case is closed."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for closing the case."))
    organisation = _owner_acting(by, case, "case.close", _("Only the organisation that owns the case may close it."))
    if case.status in CLOSED:
        raise ValidationError(_("The case is already closed."))
    with transaction.atomic():
        previous = case.status
        case.status = status
        case.closure_reason = reason.strip()
        case.closed_on = timezone.localdate()
        case.updated_at = timezone.now()
        case.save(update_fields=["status", "closure_reason", "closed_on", "updated_at"])
        _status_change(by=by, case=case, status=status, previous=previous, organisation=organisation)
        audit.record("case.close", obj=case, actor=by, details={"status": status})
    return case


def case_set_status(*, by: Actor, case: Case, status: str) -> Case:
    """The owner moves an open case between active and follow-up, or reopens a closed one (as active).

    Reopening keeps the last reason for closure (encrypted, shown only while closed); the timeline
    keeps every change.
    """
    if status not in (choices.CaseStatus.ACTIVE, choices.CaseStatus.FOLLOW_UP):
        raise ValidationError(_("Choose the new status of the case."))
    organisation = _owner_acting(by, case, "case.status",
                                 _("Only the organisation that owns the case may change its status."))
    previous = case.status
    if previous == status:
        raise ValidationError(_("The case already has this status."))
    if status == choices.CaseStatus.FOLLOW_UP and previous in CLOSED:
        raise ValidationError(_("Reopen the case first: a closed case becomes active again."))
    with transaction.atomic():
        case.status = status
        fields = ["status", "updated_at"]
        if previous in CLOSED:
            case.closed_on = None
            fields.append("closed_on")
        case.updated_at = timezone.now()
        case.save(update_fields=fields)
        _status_change(by=by, case=case, status=status, previous=previous, organisation=organisation)
        audit.record("case.reopen" if previous in CLOSED else "case.status", obj=case, actor=by,
                     details={"status": status, "previous": previous})
    return case


def case_set_follow_up(*, by: Actor, case: Case) -> Case:
    return case_set_status(by=by, case=case, status=choices.CaseStatus.FOLLOW_UP)


# --- official status decision ------------------------------------------------------------------
def status_decision_record(*, by: Actor, case: Case, decision: str, decided_on: dt.date, basis: str) -> StatusDecision:
    """Only the police anti-trafficking department decides official victim status.

    The organisations that referred the case to the deciding department are told by e-mail (after
    commit; the case number and the decision, never a name).
    """
    organisation = _acting_organisation(by, case, roles=[Role.POLICE_INVESTIGATOR], action="case.status_decision")
    if organisation.org_type != Organisation.Type.LAW_ENFORCEMENT:
        _deny("case.status_decision", by, case)
    if decision not in StatusDecision.Decision.values:
        raise ValidationError(_("Choose a decision."))
    if not basis.strip():
        raise ValidationError(_("Give the basis of the decision."))
    if decided_on > timezone.localdate():
        raise ValidationError(_("The decision date cannot be in the future."))
    with transaction.atomic():
        record = StatusDecision.objects.create(case=case, data_key=case.data_key, decision=decision,
                                               decided_on=decided_on, basis=basis.strip(), decided_by=user_of(by),
                                               organisation=organisation)
        case.trafficking_status = (choices.TraffickingStatus.ACTUAL if decision == StatusDecision.Decision.RECOGNISED
                                   else choices.TraffickingStatus.NOT_VICTIM)
        case.status_decided_by = choices.DecisionOrg.POLICE
        case.updated_at = timezone.now()
        case.save(update_fields=["trafficking_status", "status_decided_by", "updated_at"])
        audit.record("case.status_decision", obj=case, actor=by, details={"decision": decision})
        referrers = set(Referral.objects.filter(case=case, to_organisation=organisation)
                        .exclude(status__in=[Referral.Status.DECLINED, Referral.Status.REVOKED])
                        .exclude(from_organisation=organisation).values_list("from_organisation_id", flat=True))
        if referrers:
            transaction.on_commit(lambda: _notify_decision(record.pk, referrers))
    return record


# --- consent -----------------------------------------------------------------------------------
def _consent_save(*, by: Actor, case: Case, given_on: dt.date | None = None, **flags: bool) -> Consent:
    unknown = set(flags) - set(CONSENT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if given_on is not None and given_on > timezone.localdate():
        raise ValidationError(_("The date of consent cannot be in the future."))
    consent = Consent.objects.create(case=case, recorded_by=user_of(by), given_on=given_on or timezone.localdate(),
                                     **{name: bool(flags.get(name, False)) for name in CONSENT_FIELDS})
    audit.record("case.consent", obj=case, actor=by, details={n: bool(flags.get(n, False)) for n in CONSENT_FIELDS})
    return consent


def consent_record(*, by: Actor, case: Case, given_on: dt.date | None = None, **flags: bool) -> Consent:
    _require_section(by, case, Section.IDENTITY, "case.consent")
    with transaction.atomic():
        return _consent_save(by=by, case=case, given_on=given_on, **flags)


def consent_withdraw(*, by: Actor, case: Case, withdrawn_on: dt.date | None = None) -> Consent:
    """Record the day the person withdrew consent: not in the future, not before it was given."""
    _require_section(by, case, Section.IDENTITY, "case.consent_withdraw")
    current = current_consent(case)
    if current is None or current.withdrawn_on is not None:
        raise ValidationError(_("There is no consent in force to withdraw."))
    day = withdrawn_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError(_("The date of withdrawal cannot be in the future."))
    if day < current.given_on:
        raise ValidationError(_("Consent cannot be withdrawn before the day it was given (%(date)s).")
                              % {"date": formats.date_format(current.given_on, "SHORT_DATE_FORMAT")})
    with transaction.atomic():
        current.withdrawn_on = day
        current.save(update_fields=["withdrawn_on"])
        audit.record("case.consent_withdraw", obj=case, actor=by)
    return current


def current_consent(case: Case) -> Consent | None:
    return case.consents.order_by("-created_at", "-id").first()


# --- e-mail ------------------------------------------------------------------------------------
def _notify_decision(decision_id: int, organisation_ids: set[int]) -> None:
    """Tell the referring organisations that the police decided the status: case number and decision only."""
    decision = StatusDecision.objects.select_related("case", "organisation").get(pk=decision_id)

    def render() -> tuple[str, str]:
        subject = _("Status decision: case %(number)s") % {"number": decision.case.number}
        body = _("%(subject)s\nDecision: %(decision)s\nDecided by: %(organisation)s\n\n"
                 "Open Körpü to see it: %(link)s") % {
            "subject": subject, "decision": decision.get_decision_display(),
            "organisation": decision.organisation.name,
            "link": f"{settings.SITE_URL}/cases/{decision.case_id}/"}
        return subject, body

    _mail_each("status_decision", _victim_data_staff(organisation_ids), render, decision.case)
