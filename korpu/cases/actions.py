"""Every state change of the referral mechanism. Each owns its transaction and audit event;
e-mails go out after commit and never carry names, only case numbers.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role, User, user_of
from korpu.cases import attachments, choices, queries
from korpu.cases.models import (
    ALL_SECTIONS,
    AccessGrant,
    Attachment,
    Case,
    CaseAccess,
    CaseExploitation,
    Consent,
    FollowUp,
    Note,
    Person,
    Referral,
    ReintegrationAssessment,
    Section,
    Service,
    StatusChange,
    StatusDecision,
    SupportPlan,
    TraffickingEvent,
)
from korpu.core import access, audit, crypto
from korpu.core.access import Actor
from korpu.core.models import DataKey
from korpu.core.uploads import checked_file

logger = logging.getLogger(__name__)

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


def _deny(action: str, by: Actor, obj: Any = None, message: str = "") -> None:
    audit.denied(action, obj=obj, actor=by)
    raise ValidationError(message or _("You are not allowed to do this."))


def _acting_organisation(by: Actor, case: Case | None = None, *, roles: Iterable[str] = access.VICTIM_DATA_ROLES,
                         action: str) -> Organisation:
    """The organisation the user acts for: one where they hold a fitting role (and, for a case, access)."""
    roles = set(roles)
    candidates: list[Organisation] = [m.organisation for m in access.memberships(by) if m.role in roles] \
        if access.is_staff_user(by) else []
    if case is not None:
        allowed = set(queries.live_access({o.pk for o in candidates}).filter(case=case)
                      .values_list("organisation_id", flat=True))
        candidates = [o for o in candidates if o.pk in allowed]
    if not candidates:
        _deny(action, by, case)
    return candidates[0]


def _require_section(by: Actor, case: Case, section: str, action: str) -> None:
    if section not in queries.sections_for(by, case):
        _deny(action, by, case)


def _new_case_number() -> str:
    year = timezone.localdate().year
    body = "".join(secrets.choice(CASE_NUMBER_ALPHABET) for _ in range(8))
    return f"{settings.CASE_NUMBER_PREFIX}-{year}-{body}"


def _validate_countries(values: Iterable[str], label: str) -> list[str]:
    known = choices.countries()
    cleaned = [v.strip().upper() for v in values if v and v.strip()]
    bad = [v for v in cleaned if v not in known]
    if bad:
        raise ValidationError(_("%(field)s: unknown country code %(codes)s.")
                              % {"field": label, "codes": ", ".join(bad)})
    return cleaned


def _validate_choices(values: Iterable[str], allowed: Any, label: str) -> list[str]:
    valid = set(allowed.values)
    cleaned = [v for v in values if v]
    bad = [v for v in cleaned if v not in valid]
    if bad:
        raise ValidationError(_("%(field)s: unknown value %(values)s.") % {"field": label, "values": ", ".join(bad)})
    return list(dict.fromkeys(cleaned))


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


def _owner_acting(by: Actor, case: Case, action: str, message: str) -> Organisation:
    organisation = _acting_organisation(by, case, action=action)
    if organisation.pk != case.owner_organisation_id:
        owned = [o for o in (m.organisation for m in access.memberships(by) if m.role in access.VICTIM_DATA_ROLES)
                 if o.pk == case.owner_organisation_id]
        if not owned:
            _deny(action, by, case, message)
        organisation = owned[0]
    return organisation


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


# --- what is shared ------------------------------------------------------------------------------
def runs_shelter(organisation: Organisation) -> bool:
    """Whether the organisation operates a shelter (an active facility of ``korpu.shelters``)."""
    return bool(organisation.facilities.filter(is_active=True).exists())


def default_sections(to_organisation: Organisation) -> list[str]:
    """The parts of a case shared with an organisation unless the sender chooses otherwise (ADR 0020).

    Law enforcement gets the whole case; a shelter identity, admission and services (it houses and
    supports the person, it does not need the case notes); any other organisation identity, services
    and notes (not the shelter stay: where the person sleeps is the trafficker's first question).
    """
    if to_organisation.org_type == Organisation.Type.LAW_ENFORCEMENT:
        return list(ALL_SECTIONS)
    if runs_shelter(to_organisation):
        return [Section.IDENTITY, Section.ADMISSION, Section.SERVICES]
    return [Section.IDENTITY, Section.SERVICES, Section.NOTES]


def _shared_sections(by: Actor, case: Case, to_organisation: Organisation, chosen: Iterable[str] | None,
                     action: str) -> list[str]:
    """The sections a referral or grant opens: the choice (or the default), never more than the giver has.

    ``investigation`` may always go to law enforcement: it is the police's own material, which the
    receiving department sees only for investigations it can see anyway.
    """
    own = set(queries.sections_for(by, case))
    if to_organisation.org_type == Organisation.Type.LAW_ENFORCEMENT:
        own.add(Section.INVESTIGATION)
    if chosen is None or not list(chosen):
        wanted = [s for s in default_sections(to_organisation) if s in own]
    else:
        wanted = _validate_choices(chosen, Section, _("Parts of the case"))
        beyond = [s for s in wanted if s not in own]
        if beyond:
            audit.denied(action, obj=case, actor=by, details={"reason": "sections", "sections": beyond})
            raise ValidationError(_("You can share only the parts of the case you can see yourself."))
    if not wanted:
        raise ValidationError(_("Choose at least one part of the case to share."))
    return [s for s in ALL_SECTIONS if s in wanted]


# --- referrals ---------------------------------------------------------------------------------
def referral_create(
    *,
    by: Actor,
    case: Case,
    to_organisation: Organisation,
    reason: str,
    services: Iterable[str] = (),
    urgency: str = Referral.Urgency.ROUTINE,
    details: str = "",
    override_basis: str = "",
    sections: Iterable[str] | None = None,
) -> Referral:
    """Refer a case. Consent to share with that kind of organisation is required, unless a police
    investigator records the legal basis for sharing without it (audited as an override). The
    sender chooses the parts shared (``sections``), by default those for the receiver's kind."""
    from_organisation = _acting_organisation(by, case, action="referral.create")
    if to_organisation.pk == from_organisation.pk:
        raise ValidationError(_("A case cannot be referred to its own organisation."))
    if not to_organisation.is_active:
        raise ValidationError(_("That organisation is not active."))
    if reason not in choices.ReferralReason.values:
        raise ValidationError(_("Choose the reason for the referral."))
    if urgency not in Referral.Urgency.values:
        raise ValidationError(_("Choose the urgency."))
    services = _validate_choices(services, choices.ServiceType, _("Services requested"))
    consent = current_consent(case)
    consented = consent is not None and consent.allows_sharing_with(to_organisation)
    override = ""
    if not consented:
        if not override_basis.strip():
            audit.denied("referral.create", obj=case, actor=by, details={"reason": "no-consent"})
            raise ValidationError(_("The person has not consented to sharing with this kind of organisation. "
                                    "Record consent first, or a police investigator may record the legal basis "
                                    "for sharing without it."))
        if not access.has_role(by, Role.POLICE_INVESTIGATOR):
            audit.denied("referral.consent_override", obj=case, actor=by)
            raise ValidationError(_("Only a police investigator may refer without consent."))
        override = override_basis.strip()
    shared = _shared_sections(by, case, to_organisation, sections, "referral.create")
    if Referral.objects.filter(case=case, to_organisation=to_organisation,
                               status__in=[Referral.Status.PENDING, Referral.Status.ACCEPTED]).exists():
        raise ValidationError(_("This case already has an open referral to that organisation."))
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case, data_key=case.data_key, from_organisation=from_organisation, to_organisation=to_organisation,
            reason=reason, services_requested=services, urgency=urgency, details=details.strip(),
            sections=shared, consent_override_basis=override, created_by=user_of(by),
        )
        audit.record("referral.create", obj=referral, actor=by,
                     details={"case": case.pk, "to": to_organisation.pk, "override": bool(override),
                              "sections": shared})
        if override:
            audit.record("referral.consent_override", obj=referral, actor=by, details={"case": case.pk})
        transaction.on_commit(lambda: _notify(to_organisation, "referral_new", referral))
    return referral


def _decider_organisation(by: Actor, referral: Referral, action: str) -> Organisation:
    orgs: list[Organisation] = [m.organisation for m in access.memberships(by)
            if m.role in access.VICTIM_DATA_ROLES and m.organisation_id == referral.to_organisation_id] \
        if access.is_staff_user(by) else []
    if not orgs:
        _deny(action, by, referral)
    return orgs[0]


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def referral_accept(*, by: Actor, referral: Referral) -> Referral:
    """The receiver accepts: the case opens to it. Consent is checked again (it may have been withdrawn
    while the referral waited), unless the referral carries a police investigator's legal basis."""
    _decider_organisation(by, referral, "referral.accept")
    if not referral.consent_override_basis:
        consent = current_consent(referral.case)
        if consent is None or not consent.allows_sharing_with(referral.to_organisation):
            audit.denied("referral.accept", obj=referral, actor=by, details={"reason": "no-consent"})
            raise ValidationError(_("The person's consent to sharing with your organisation is not in force any "
                                    "more, so the referral cannot be accepted. Ask the referring organisation."))
    with transaction.atomic():
        referral = _locked(referral)
        if referral.status != Referral.Status.PENDING:
            raise ValidationError(_("Only a pending referral can be accepted."))
        referral.status = Referral.Status.ACCEPTED
        referral.decided_by = user_of(by)
        referral.decided_at = timezone.now()
        referral.save(update_fields=["status", "decided_by", "decided_at"])
        CaseAccess.objects.create(case_id=referral.case_id, organisation_id=referral.to_organisation_id,
                                  source=CaseAccess.Source.REFERRAL, referral=referral, sections=referral.sections)
        audit.record("referral.accept", obj=referral, actor=by, details={"case": referral.case_id})
        transaction.on_commit(lambda: _notify(referral.from_organisation, "referral_accepted", referral))
    return referral


def referral_decline(*, by: Actor, referral: Referral, reason: str) -> Referral:
    _decider_organisation(by, referral, "referral.decline")
    if not reason.strip():
        raise ValidationError(_("Give the reason for declining."))
    with transaction.atomic():
        referral = _locked(referral)
        if referral.status != Referral.Status.PENDING:
            raise ValidationError(_("Only a pending referral can be declined."))
        referral.status = Referral.Status.DECLINED
        referral.decision_reason = reason.strip()
        referral.decided_by = user_of(by)
        referral.decided_at = timezone.now()
        referral.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        audit.record("referral.decline", obj=referral, actor=by, details={"case": referral.case_id})
        transaction.on_commit(lambda: _notify(referral.from_organisation, "referral_declined", referral))
    return referral


def _end(referral: Referral, *, by: Actor, status: str, action: str, tell: Organisation) -> Referral:
    with transaction.atomic():
        referral = _locked(referral)
        allowed_from = [Referral.Status.PENDING, Referral.Status.ACCEPTED] if status == Referral.Status.REVOKED \
            else [Referral.Status.ACCEPTED]
        if referral.status not in allowed_from:
            raise ValidationError(_("This referral cannot change any more."))
        referral.status = status
        referral.ended_at = timezone.now()
        referral.save(update_fields=["status", "ended_at"])
        CaseAccess.objects.filter(referral=referral).delete()
        audit.record(action, obj=referral, actor=by, details={"case": referral.case_id})
        transaction.on_commit(lambda: _notify(tell, "referral_" + status, referral))
    return referral


def referral_revoke(*, by: Actor, referral: Referral) -> Referral:
    """The referring organisation withdraws the referral; the receiver's access ends at once (and it is told)."""
    orgs = queries.victim_data_organisation_ids(by)
    if referral.from_organisation_id not in orgs:
        _deny("referral.revoke", by, referral)
    return _end(referral, by=by, status=Referral.Status.REVOKED, action="referral.revoke",
                tell=referral.to_organisation)


def referral_complete(*, by: Actor, referral: Referral) -> Referral:
    """The work is done; the receiver's access ends. Either side may complete; the other side is told."""
    orgs = queries.victim_data_organisation_ids(by)
    if referral.from_organisation_id not in orgs and referral.to_organisation_id not in orgs:
        _deny("referral.complete", by, referral)
    tell = referral.from_organisation if referral.to_organisation_id in orgs else referral.to_organisation
    return _end(referral, by=by, status=Referral.Status.COMPLETED, action="referral.complete", tell=tell)


# --- e-mail ------------------------------------------------------------------------------------
REFERRAL_COMMANDS = ("accept", "decline", "revoke", "complete")


def referral_command(*, by: Actor, referral: Referral, command: str, reason: str = "") -> Referral:
    """Accept, decline (with ``reason``), revoke or complete a referral: the one dispatch behind the
    referral page's buttons and ``POST /api/v1/referrals/{id}/{command}``. An unknown command is a
    ``LookupError``, which the interfaces answer with a 404."""
    if command == "accept":
        return referral_accept(by=by, referral=referral)
    if command == "decline":
        return referral_decline(by=by, referral=referral, reason=reason)
    if command == "revoke":
        return referral_revoke(by=by, referral=referral)
    if command == "complete":
        return referral_complete(by=by, referral=referral)
    raise LookupError(command)


def _victim_data_staff(organisation_ids: Iterable[int]) -> list[User]:
    return list(User.objects.filter(memberships__organisation_id__in=list(organisation_ids),
                                    memberships__is_active=True, memberships__role__in=access.VICTIM_DATA_ROLES,
                                    is_active=True)
                .exclude(email="").distinct().order_by("pk"))


def _mail_each(kind: str, recipients: list[User], render: Any, obj: Any) -> int:
    """Send one message per recipient, in their language; never raise.

    The data is committed when this runs: a failing mail server must not turn the user's saved work
    into an error page. A failure is logged and recorded as one ``mail.failed`` audit event with the
    kind of message and the counts (no address, no name). Returns the number of messages sent.
    """
    sent = failed = 0
    for user in recipients:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, body = render()
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:
            failed += 1
            logger.exception("e-mail %s to user %s could not be sent", kind, user.pk)
        else:
            sent += 1
    if failed:
        audit.record("mail.failed", obj=obj, details={"kind": kind, "failed": failed, "recipients": len(recipients)})
    return sent


def _notify(organisation: Organisation, kind: str, referral: Referral) -> None:
    """E-mail the victim-data staff of an organisation. Only the case number, never a name."""

    def render() -> tuple[str, str]:
        subjects = {
            "referral_new": _("New referral: case %(number)s"),
            "referral_accepted": _("Referral accepted: case %(number)s"),
            "referral_declined": _("Referral declined: case %(number)s"),
            "referral_revoked": _("Referral revoked: case %(number)s"),
            "referral_completed": _("Referral completed: case %(number)s"),
        }
        subject = subjects[kind] % {"number": referral.case.number}
        template = _("%(subject)s\nFrom: %(from)s\nTo: %(to)s\nUrgency: %(urgency)s\n\n"
                     "Open Körpü to see it: %(link)s")
        body = template % {
            "subject": subject, "from": referral.from_organisation.name, "to": referral.to_organisation.name,
            "urgency": referral.get_urgency_display(), "link": f"{settings.SITE_URL}/referrals/{referral.pk}/",
        }
        return subject, body

    _mail_each(kind, _victim_data_staff([organisation.pk]), render, referral)


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


# --- grants ------------------------------------------------------------------------------------
def grant_create(*, by: Actor, case: Case, organisation: Organisation, reason: str, days: int,
                 sections: Iterable[str] | None = None) -> AccessGrant:
    """An explicit, time-limited grant by the owner organisation of the parts it chooses. Audited."""
    _owner_acting(by, case, "grant.create", _("Only the organisation that owns the case may grant access."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the grant."))
    if not 1 <= days <= 90:
        raise ValidationError(_("A grant lasts between 1 and 90 days."))
    if not organisation.is_active:
        raise ValidationError(_("That organisation is not active."))
    if organisation.pk == case.owner_organisation_id:
        raise ValidationError(_("That organisation owns the case already."))
    chosen = _shared_sections(by, case, organisation, sections, "grant.create")
    with transaction.atomic():
        grant = AccessGrant.objects.create(case=case, organisation=organisation, sections=chosen, reason=reason.strip(),
                                           granted_by=user_of(by), expires_at=timezone.now() + dt.timedelta(days=days))
        CaseAccess.objects.create(case=case, organisation=organisation, source=CaseAccess.Source.GRANT, grant=grant,
                                  sections=chosen, expires_at=grant.expires_at)
        audit.record("grant.create", obj=grant, actor=by, details={"case": case.pk, "organisation": organisation.pk,
                                                                   "days": days, "sections": chosen})
    return grant


def grant_revoke(*, by: Actor, grant: AccessGrant) -> AccessGrant:
    """The owner ends a grant before it expires; the organisation's access through it ends at once."""
    _owner_acting(by, grant.case, "grant.revoke", _("Only the organisation that owns the case may revoke access."))
    if grant.revoked_at is not None or grant.expires_at <= timezone.now():
        raise ValidationError(_("This grant has already ended."))
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        CaseAccess.objects.filter(grant=grant).delete()
        audit.record("grant.revoke", obj=grant, actor=by, details={"case": grant.case_id})
    return grant


# --- services, follow-up, reintegration, support plans --------------------------------------------
def service_record(*, by: Actor, case: Case, service_type: str, provider: Organisation | None = None,
                   planned_on: dt.date | None = None, delivered_on: dt.date | None = None,
                   outcome: str = Service.Outcome.PLANNED, amount: Decimal | None = None, notes: str = "") -> Service:
    """A service of the case's plan; the provider may be another organisation (by default the recorder's)."""
    _require_section(by, case, Section.SERVICES, "service.create")
    organisation = _acting_organisation(by, case, action="service.create")
    if service_type not in choices.ServiceType.values:
        raise ValidationError(_("Choose a service."))
    if outcome not in Service.Outcome.values:
        raise ValidationError(_("Choose an outcome."))
    if provider is not None and not provider.is_active:
        raise ValidationError(_("That organisation is not active."))
    if delivered_on and delivered_on > timezone.localdate():
        raise ValidationError(_("A delivery date cannot be in the future."))
    if service_type == choices.ServiceType.FINANCIAL:
        if case.trafficking_status != choices.TraffickingStatus.ACTUAL:
            raise ValidationError(_("The one-time state allowance is available only to officially recognised victims."))
        if Service.objects.filter(case=case, service_type=choices.ServiceType.FINANCIAL, amount__isnull=False).exists():
            raise ValidationError(_("The one-time state allowance was already recorded for this case."))
        amount = Decimal(settings.STATE_ALLOWANCE_AZN) if amount is None else amount
    with transaction.atomic():
        service = Service.objects.create(case=case, data_key=case.data_key, service_type=service_type,
                                         provider=provider or organisation, planned_on=planned_on,
                                         delivered_on=delivered_on,
                                         outcome=Service.Outcome.DELIVERED if delivered_on else outcome,
                                         amount=amount, notes=notes.strip(), recorded_by=user_of(by))
        audit.record("service.create", obj=service, actor=by, details={"case": case.pk, "type": service_type})
    return service


def service_deliver(*, by: Actor, service: Service, delivered_on: dt.date | None = None, notes: str = "") -> Service:
    """Mark a planned service delivered (today unless a date is given)."""
    _require_section(by, service.case, Section.SERVICES, "service.deliver")
    delivered_on = delivered_on or timezone.localdate()
    if delivered_on > timezone.localdate():
        raise ValidationError(_("A delivery date cannot be in the future."))
    if service.outcome != Service.Outcome.PLANNED:
        raise ValidationError(_("Only a planned service can be marked delivered."))
    with transaction.atomic():
        service.delivered_on = delivered_on
        service.outcome = Service.Outcome.DELIVERED
        if notes.strip():
            service.notes = notes.strip()
        service.save(update_fields=["delivered_on", "outcome", "notes"])
        audit.record("service.deliver", obj=service, actor=by, details={"case": service.case_id})
    return service


def follow_up_schedule(*, by: Actor, case: Case, due_on: dt.date, notes: str = "") -> FollowUp:
    _require_section(by, case, Section.SERVICES, "follow_up.create")
    organisation = _acting_organisation(by, case, action="follow_up.create")
    with transaction.atomic():
        follow_up = FollowUp.objects.create(case=case, data_key=case.data_key, organisation=organisation,
                                            due_on=due_on, notes=notes.strip(), created_by=user_of(by))
        audit.record("follow_up.create", obj=follow_up, actor=by, details={"case": case.pk})
    return follow_up


def follow_up_done(*, by: Actor, follow_up: FollowUp, done_on: dt.date | None = None, notes: str = "") -> FollowUp:
    _require_section(by, follow_up.case, Section.SERVICES, "follow_up.done")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if follow_up.done_on is not None:
        raise ValidationError(_("This follow-up is already done."))
    with transaction.atomic():
        follow_up.done_on = done_on
        if notes.strip():
            follow_up.notes = notes.strip()
        follow_up.save(update_fields=["done_on", "notes"])
        audit.record("follow_up.done", obj=follow_up, actor=by, details={"case": follow_up.case_id})
    return follow_up


def assessment_record(*, by: Actor, case: Case, level: str, assessed_on: dt.date | None = None,
                      housing_stable: bool = False, income: bool = False, family_support: bool = False,
                      notes: str = "") -> ReintegrationAssessment:
    _require_section(by, case, Section.SERVICES, "assessment.create")
    if level not in ReintegrationAssessment.Level.values:
        raise ValidationError(_("Choose a level."))
    if assessed_on and assessed_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    with transaction.atomic():
        assessment = ReintegrationAssessment.objects.create(
            case=case, data_key=case.data_key, level=level, assessed_on=assessed_on or timezone.localdate(),
            housing_stable=housing_stable, income=income, family_support=family_support, notes=notes.strip(),
            assessed_by=user_of(by))
        audit.record("assessment.create", obj=assessment, actor=by, details={"case": case.pk, "level": level})
    return assessment


def support_plan_create(*, by: Actor, case: Case, plan_type: str, objectives: str, action_plan: str = "",
                        planned_end: dt.date | None = None) -> SupportPlan:
    """An HTCDS support plan: its type, objectives, actions and planned end (the ``services`` section)."""
    _require_section(by, case, Section.SERVICES, "support_plan.create")
    organisation = _acting_organisation(by, case, action="support_plan.create")
    if plan_type not in choices.SupportPlanType.values:
        raise ValidationError(_("Choose the type of support."))
    if not objectives.strip():
        raise ValidationError(_("Write the objectives of the plan."))
    with transaction.atomic():
        plan = SupportPlan.objects.create(case=case, data_key=case.data_key, organisation=organisation,
                                          plan_type=plan_type, objectives=objectives.strip(),
                                          action_plan=action_plan.strip(), planned_end=planned_end,
                                          created_by=user_of(by))
        audit.record("support_plan.create", obj=plan, actor=by, details={"case": case.pk, "type": plan_type})
    return plan


def support_plan_end(*, by: Actor, plan: SupportPlan, actual_end: dt.date | None = None) -> SupportPlan:
    """Record the day a support plan actually ended."""
    _require_section(by, plan.case, Section.SERVICES, "support_plan.end")
    actual_end = actual_end or timezone.localdate()
    if actual_end > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if actual_end < timezone.localtime(plan.created_at).date():
        raise ValidationError(_("A plan cannot end before it was made."))
    if plan.actual_end is not None:
        raise ValidationError(_("This plan has already ended."))
    with transaction.atomic():
        plan.actual_end = actual_end
        plan.save(update_fields=["actual_end"])
        audit.record("support_plan.end", obj=plan, actor=by, details={"case": plan.case_id})
    return plan


def trafficking_event_record(*, by: Actor, case: Case, event_type: str, occurred_on: dt.date | None = None,
                             country: str = "", region: str = "", city: str = "", street: str = "",
                             postal_code: str = "", description: str = "") -> TraffickingEvent:
    """An HTCDS historic trafficking event: recruitment, transit or exploitation, where and when."""
    _require_section(by, case, Section.IDENTITY, "trafficking_event.create")
    organisation = _acting_organisation(by, case, action="trafficking_event.create")
    if event_type not in choices.TraffickingEventType.values:
        raise ValidationError(_("Choose what happened."))
    if occurred_on and occurred_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    country = _validate_countries([country], _("Country"))[0] if country and country.strip() else ""
    if not (country or city.strip() or region.strip() or description.strip()):
        raise ValidationError(_("Say at least where it happened or describe it."))
    with transaction.atomic():
        event = TraffickingEvent.objects.create(
            case=case, data_key=case.data_key, organisation=organisation, event_type=event_type,
            occurred_on=occurred_on, country=country, region=region.strip(), city=city.strip(),
            street=street.strip(), postal_code=postal_code.strip(), description=description.strip(),
            recorded_by=user_of(by))
        audit.record("trafficking_event.create", obj=event, actor=by, details={"case": case.pk, "type": event_type})
    return event


def note_add(*, by: Actor, case: Case, text: str) -> Note:
    _require_section(by, case, Section.NOTES, "note.create")
    organisation = _acting_organisation(by, case, action="note.create")
    if not text.strip():
        raise ValidationError(_("The note is empty."))
    if len(text) > 20000:
        raise ValidationError(_("A note is at most 20,000 characters."))
    with transaction.atomic():
        note = Note.objects.create(case=case, data_key=case.data_key, organisation=organisation, author=user_of(by),
                                   text=text.strip())
        audit.record("note.create", obj=note, actor=by, details={"case": case.pk})
    return note


# --- attachments and the person's photo -------------------------------------------------------------
def attachment_add(*, by: Actor, case: Case, filename: str, data: bytes) -> Attachment:
    if Section.NOTES not in queries.sections_for(by, case):
        audit.denied("attachment.create", obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    organisation = _acting_organisation(by, case, action="attachment.create")
    safe_name, content_type = checked_file(filename, data)
    storage_name = f"attachments/{secrets.token_hex(16)}.bin"
    sealed = crypto.seal_bytes(data, key_uuid=case.data_key_id, context=attachments.ATTACHMENT_CONTEXT)
    with transaction.atomic():
        stored = default_storage.save(storage_name, ContentFile(sealed))
        try:
            attachment = Attachment.objects.create(case=case, data_key=case.data_key, organisation=organisation,
                                                   uploaded_by=user_of(by), filename=safe_name,
                                                   content_type=content_type, size=len(data), storage_name=stored)
            audit.record("attachment.create", obj=attachment, actor=by, details={"case": case.pk, "size": len(data)})
        except Exception:
            default_storage.delete(stored)
            raise
    return attachment


def person_photo_set(*, by: Actor, case: Case, filename: str, data: bytes) -> Case:
    """Store (or replace) the person's photo: a JPEG, PNG or WebP checked by content, stripped of its
    metadata and sealed under the person's data key, like an attachment. Needs the identity section."""
    if Section.IDENTITY not in queries.sections_for(by, case):
        audit.denied("person.photo", obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    _acting_organisation(by, case, action="person.photo")
    _name, content_type = checked_file(filename, data)
    if content_type not in attachments.PHOTO_TYPES:
        raise ValidationError(_("Upload a JPEG, PNG or WebP photo."))
    picture = attachments.clean_photo(data, content_type)
    person = case.person
    sealed = crypto.seal_bytes(picture, key_uuid=person.data_key_id, context=attachments.PHOTO_CONTEXT)
    old = person.photo_storage_name
    with transaction.atomic():
        stored = default_storage.save(f"photos/{secrets.token_hex(16)}.bin", ContentFile(sealed))
        try:
            person.photo_storage_name = stored
            person.photo_content_type = content_type
            person.save(update_fields=["photo_storage_name", "photo_content_type"])
            audit.record("person.photo", obj=person, actor=by, details={"case": case.pk, "size": len(picture)})
        except Exception:
            default_storage.delete(stored)
            raise
        if old:
            transaction.on_commit(lambda: default_storage.delete(old))
    return case
