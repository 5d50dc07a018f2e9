"""Every state change of the referral mechanism. Each owns its transaction and audit event;
e-mails go out after commit and never carry names, only case numbers.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role, User
from korpu.cases import choices, queries
from korpu.cases.models import (
    ALL_SECTIONS,
    AccessGrant,
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
    StatusDecision,
)
from korpu.core import access, audit, crypto
from korpu.core.models import DataKey

CASE_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PERSON_FIELDS = ("given_name", "family_name", "patronymic", "birth_date", "document_number", "phone", "email",
                 "address", "gender", "age_at_identification", "citizenships", "languages", "education",
                 "disability", "number_of_children")
CASE_FIELDS = ("forced_labour_industry", "sexual_exploitation_types", "means_of_control", "recruitment_methods",
               "recruitment_websites", "recruitment_place", "relationship_to_trafficker", "country_of_origin",
               "transit_countries", "exploitation_countries", "exploitation_start", "exploitation_end",
               "identified_on", "identification_channel", "guardian_name", "guardian_contact")
CONSENT_FIELDS = ("data_processing", "share_law_enforcement", "share_ngo", "share_government",
                  "share_international", "contact_by_law_enforcement")


def _deny(action: str, by: Any, obj: Any = None, message: str = "") -> None:
    audit.denied(action, obj=obj, actor=by)
    raise ValidationError(message or _("You are not allowed to do this."))


def _acting_organisation(by: Any, case: Case | None = None, *, roles: Iterable[str] = access.VICTIM_DATA_ROLES,
                         action: str) -> Organisation:
    """The organisation the user acts for: one where they hold a fitting role (and, for a case, access)."""
    roles = set(roles)
    candidates = [m.organisation for m in by.active_memberships() if m.role in roles] \
        if access.is_staff_user(by) else []
    if case is not None:
        allowed = set(queries.live_access({o.pk for o in candidates}).filter(case=case)
                      .values_list("organisation_id", flat=True))
        candidates = [o for o in candidates if o.pk in allowed]
    if not candidates:
        _deny(action, by, case)
    return candidates[0]


def _require_section(by: Any, case: Case, section: str, action: str) -> None:
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


def _clean(person: dict[str, Any], case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate the HTCDS codes and country codes of person and case fields (registration and edits)."""
    unknown = set(person) - set(PERSON_FIELDS) | set(case) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    person_data = dict(person)
    if "citizenships" in person_data:
        person_data["citizenships"] = _validate_countries(person_data["citizenships"] or [], _("Citizenship"))
    case_data = dict(case)
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
        ("sexual_exploitation_types", choices.SexExploitation, _("Type of sexual exploitation")),
    ):
        if name in case_data:
            case_data[name] = _validate_choices(case_data[name] or [], allowed, label)
    return person_data, case_data


# --- registration ------------------------------------------------------------------------------
def case_register(
    *,
    by: Any,
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
    with transaction.atomic():
        key = DataKey.create()
        new_person = Person(data_key=key, **person_data)
        _index_person(new_person)
        new_person.full_clean(exclude=["data_key"])
        new_person.save()
        new_case = Case(person=new_person, data_key=key, owner_organisation=owner,
                        case_worker=by if isinstance(by, User) else None,
                        identifying_organisation=owner, number=_new_case_number(), **case_data)
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


def case_update(*, by: Any, case: Case, person: dict[str, Any] | None = None,
                case_fields: dict[str, Any] | None = None, exploitation: Iterable[str] | None = None) -> Case:
    _require_section(by, case, Section.IDENTITY, "case.update")
    person, case_fields = _clean(person or {}, case_fields or {})
    with transaction.atomic():
        if person:
            for name, value in person.items():
                setattr(case.person, name, value)
            _index_person(case.person)
            case.person.save()
        for name, value in case_fields.items():
            setattr(case, name, value)
        _derive(case)
        case.updated_at = timezone.now()
        case.save()
        if exploitation is not None:
            values = _validate_choices(exploitation, choices.Exploitation, _("Type of exploitation"))
            CaseExploitation.objects.filter(case=case).delete()
            CaseExploitation.objects.bulk_create([CaseExploitation(case=case, exploitation=e) for e in values])
        audit.record("case.update", obj=case, actor=by, details={"fields": sorted([*person, *case_fields])})
    return case


def case_close(*, by: Any, case: Case, status: str, reason: str) -> Case:
    if status not in (choices.CaseStatus.CLOSED, choices.CaseStatus.CLOSED_REFERRED):
        raise ValidationError(_("Choose how the case is closed."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for closing the case."))
    organisation = _acting_organisation(by, case, action="case.close")
    if organisation.pk != case.owner_organisation_id:
        _deny("case.close", by, case, _("Only the organisation that owns the case may close it."))
    with transaction.atomic():
        case.status = status
        case.closure_reason = reason.strip()
        case.closed_on = timezone.localdate()
        case.updated_at = timezone.now()
        case.save(update_fields=["status", "closure_reason", "closed_on", "updated_at"])
        audit.record("case.close", obj=case, actor=by, details={"status": status})
    return case


def case_set_follow_up(*, by: Any, case: Case) -> Case:
    _acting_organisation(by, case, action="case.follow_up")
    with transaction.atomic():
        case.status = choices.CaseStatus.FOLLOW_UP
        case.save(update_fields=["status"])
        audit.record("case.status", obj=case, actor=by, details={"status": case.status})
    return case


# --- official status decision ------------------------------------------------------------------
def status_decision_record(*, by: Any, case: Case, decision: str, decided_on: dt.date, basis: str) -> StatusDecision:
    """Only the police anti-trafficking department decides official victim status."""
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
                                               decided_on=decided_on, basis=basis.strip(), decided_by=by,
                                               organisation=organisation)
        case.trafficking_status = (choices.TraffickingStatus.ACTUAL if decision == StatusDecision.Decision.RECOGNISED
                                   else choices.TraffickingStatus.NOT_VICTIM)
        case.status_decided_by = choices.DecisionOrg.POLICE
        case.updated_at = timezone.now()
        case.save(update_fields=["trafficking_status", "status_decided_by", "updated_at"])
        audit.record("case.status_decision", obj=case, actor=by, details={"decision": decision})
    return record


# --- consent -----------------------------------------------------------------------------------
def _consent_save(*, by: Any, case: Case, given_on: dt.date | None = None, **flags: bool) -> Consent:
    unknown = set(flags) - set(CONSENT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    consent = Consent.objects.create(case=case, recorded_by=by, given_on=given_on or timezone.localdate(),
                                     **{name: bool(flags.get(name, False)) for name in CONSENT_FIELDS})
    audit.record("case.consent", obj=case, actor=by, details={n: bool(flags.get(n, False)) for n in CONSENT_FIELDS})
    return consent


def consent_record(*, by: Any, case: Case, given_on: dt.date | None = None, **flags: bool) -> Consent:
    _require_section(by, case, Section.IDENTITY, "case.consent")
    with transaction.atomic():
        return _consent_save(by=by, case=case, given_on=given_on, **flags)


def consent_withdraw(*, by: Any, case: Case, withdrawn_on: dt.date | None = None) -> Consent:
    _require_section(by, case, Section.IDENTITY, "case.consent_withdraw")
    current = case.consents.first()
    if current is None or current.withdrawn_on is not None:
        raise ValidationError(_("There is no consent in force to withdraw."))
    with transaction.atomic():
        current.withdrawn_on = withdrawn_on or timezone.localdate()
        current.save(update_fields=["withdrawn_on"])
        audit.record("case.consent_withdraw", obj=case, actor=by)
    return current


def current_consent(case: Case) -> Consent | None:
    return case.consents.order_by("-created_at", "-id").first()


# --- referrals ---------------------------------------------------------------------------------
def default_sections(to_organisation: Organisation) -> list[str]:
    if to_organisation.org_type == Organisation.Type.LAW_ENFORCEMENT:
        return list(ALL_SECTIONS)
    return [Section.IDENTITY, Section.SERVICES, Section.ADMISSION, Section.NOTES]


def referral_create(
    *,
    by: Any,
    case: Case,
    to_organisation: Organisation,
    reason: str,
    services: Iterable[str] = (),
    urgency: str = Referral.Urgency.ROUTINE,
    details: str = "",
    override_basis: str = "",
) -> Referral:
    """Refer a case. Consent to share with that kind of organisation is required, unless a police
    investigator records the legal basis for sharing without it (audited as an override)."""
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
    if Referral.objects.filter(case=case, to_organisation=to_organisation,
                               status__in=[Referral.Status.PENDING, Referral.Status.ACCEPTED]).exists():
        raise ValidationError(_("This case already has an open referral to that organisation."))
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case, data_key=case.data_key, from_organisation=from_organisation, to_organisation=to_organisation,
            reason=reason, services_requested=services, urgency=urgency, details=details.strip(),
            sections=default_sections(to_organisation), consent_override_basis=override, created_by=by,
        )
        audit.record("referral.create", obj=referral, actor=by,
                     details={"case": case.pk, "to": to_organisation.pk, "override": bool(override)})
        if override:
            audit.record("referral.consent_override", obj=referral, actor=by, details={"case": case.pk})
        transaction.on_commit(lambda: _notify(to_organisation, "referral_new", referral))
    return referral


def _decider_organisation(by: Any, referral: Referral, action: str) -> Organisation:
    orgs = [m.organisation for m in by.active_memberships()
            if m.role in access.VICTIM_DATA_ROLES and m.organisation_id == referral.to_organisation_id] \
        if access.is_staff_user(by) else []
    if not orgs:
        _deny(action, by, referral)
    return orgs[0]


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def referral_accept(*, by: Any, referral: Referral) -> Referral:
    _decider_organisation(by, referral, "referral.accept")
    with transaction.atomic():
        referral = _locked(referral)
        if referral.status != Referral.Status.PENDING:
            raise ValidationError(_("Only a pending referral can be accepted."))
        referral.status = Referral.Status.ACCEPTED
        referral.decided_by = by
        referral.decided_at = timezone.now()
        referral.save(update_fields=["status", "decided_by", "decided_at"])
        CaseAccess.objects.create(case_id=referral.case_id, organisation_id=referral.to_organisation_id,
                                  source=CaseAccess.Source.REFERRAL, referral=referral, sections=referral.sections)
        audit.record("referral.accept", obj=referral, actor=by, details={"case": referral.case_id})
        transaction.on_commit(lambda: _notify(referral.from_organisation, "referral_accepted", referral))
    return referral


def referral_decline(*, by: Any, referral: Referral, reason: str) -> Referral:
    _decider_organisation(by, referral, "referral.decline")
    if not reason.strip():
        raise ValidationError(_("Give the reason for declining."))
    with transaction.atomic():
        referral = _locked(referral)
        if referral.status != Referral.Status.PENDING:
            raise ValidationError(_("Only a pending referral can be declined."))
        referral.status = Referral.Status.DECLINED
        referral.decision_reason = reason.strip()
        referral.decided_by = by
        referral.decided_at = timezone.now()
        referral.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        audit.record("referral.decline", obj=referral, actor=by, details={"case": referral.case_id})
        transaction.on_commit(lambda: _notify(referral.from_organisation, "referral_declined", referral))
    return referral


def _end(referral: Referral, *, by: Any, status: str, action: str) -> Referral:
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
        transaction.on_commit(lambda: _notify(referral.to_organisation, "referral_" + status, referral))
    return referral


def referral_revoke(*, by: Any, referral: Referral) -> Referral:
    """The referring organisation withdraws the referral; the receiver's access ends at once."""
    orgs = queries.victim_data_organisation_ids(by)
    if referral.from_organisation_id not in orgs:
        _deny("referral.revoke", by, referral)
    return _end(referral, by=by, status=Referral.Status.REVOKED, action="referral.revoke")


def referral_complete(*, by: Any, referral: Referral) -> Referral:
    """The work is done; the receiver's access ends. Either side may complete."""
    orgs = queries.victim_data_organisation_ids(by)
    if referral.from_organisation_id not in orgs and referral.to_organisation_id not in orgs:
        _deny("referral.complete", by, referral)
    return _end(referral, by=by, status=Referral.Status.COMPLETED, action="referral.complete")


def _notify(organisation: Organisation, kind: str, referral: Referral) -> None:
    """E-mail the victim-data staff of an organisation. Only the case number, never a name."""
    recipients = list(User.objects.filter(memberships__organisation=organisation, memberships__is_active=True,
                                          memberships__role__in=access.VICTIM_DATA_ROLES, is_active=True)
                      .exclude(email="").distinct())
    for user in recipients:
        with translation.override(user.language or settings.LANGUAGE_CODE):
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
        send_mail(subject, body, None, [user.email])


# --- grants ------------------------------------------------------------------------------------
def grant_create(*, by: Any, case: Case, organisation: Organisation, reason: str, days: int,
                 sections: Iterable[str] | None = None) -> AccessGrant:
    """An explicit, time-limited grant by the owner organisation. Audited."""
    owner = _acting_organisation(by, case, action="grant.create")
    if owner.pk != case.owner_organisation_id:
        _deny("grant.create", by, case, _("Only the organisation that owns the case may grant access."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the grant."))
    if not 1 <= days <= 90:
        raise ValidationError(_("A grant lasts between 1 and 90 days."))
    chosen = _validate_choices(sections or default_sections(organisation), Section, _("Parts of the case"))
    with transaction.atomic():
        grant = AccessGrant.objects.create(case=case, organisation=organisation, sections=chosen, reason=reason.strip(),
                                           granted_by=by, expires_at=timezone.now() + dt.timedelta(days=days))
        CaseAccess.objects.create(case=case, organisation=organisation, source=CaseAccess.Source.GRANT, grant=grant,
                                  sections=chosen, expires_at=grant.expires_at)
        audit.record("grant.create", obj=grant, actor=by, details={"case": case.pk, "organisation": organisation.pk,
                                                                   "days": days})
    return grant


def grant_revoke(*, by: Any, grant: AccessGrant) -> AccessGrant:
    owner = _acting_organisation(by, grant.case, action="grant.revoke")
    if owner.pk != grant.case.owner_organisation_id:
        _deny("grant.revoke", by, grant)
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        CaseAccess.objects.filter(grant=grant).delete()
        audit.record("grant.revoke", obj=grant, actor=by, details={"case": grant.case_id})
    return grant


# --- services, follow-up, reintegration ---------------------------------------------------------
def service_record(*, by: Any, case: Case, service_type: str, provider: Organisation | None = None,
                   planned_on: dt.date | None = None, delivered_on: dt.date | None = None,
                   outcome: str = Service.Outcome.PLANNED, amount: Decimal | None = None, notes: str = "") -> Service:
    _require_section(by, case, Section.SERVICES, "service.create")
    organisation = _acting_organisation(by, case, action="service.create")
    if service_type not in choices.ServiceType.values:
        raise ValidationError(_("Choose a service."))
    if outcome not in Service.Outcome.values:
        raise ValidationError(_("Choose an outcome."))
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
                                         amount=amount, notes=notes.strip(), recorded_by=by)
        audit.record("service.create", obj=service, actor=by, details={"case": case.pk, "type": service_type})
    return service


def service_deliver(*, by: Any, service: Service, delivered_on: dt.date, notes: str = "") -> Service:
    _require_section(by, service.case, Section.SERVICES, "service.deliver")
    if delivered_on > timezone.localdate():
        raise ValidationError(_("A delivery date cannot be in the future."))
    with transaction.atomic():
        service.delivered_on = delivered_on
        service.outcome = Service.Outcome.DELIVERED
        if notes.strip():
            service.notes = notes.strip()
        service.save(update_fields=["delivered_on", "outcome", "notes"])
        audit.record("service.deliver", obj=service, actor=by, details={"case": service.case_id})
    return service


def follow_up_schedule(*, by: Any, case: Case, due_on: dt.date, notes: str = "") -> FollowUp:
    _require_section(by, case, Section.SERVICES, "follow_up.create")
    organisation = _acting_organisation(by, case, action="follow_up.create")
    with transaction.atomic():
        follow_up = FollowUp.objects.create(case=case, data_key=case.data_key, organisation=organisation,
                                            due_on=due_on, notes=notes.strip(), created_by=by)
        audit.record("follow_up.create", obj=follow_up, actor=by, details={"case": case.pk})
    return follow_up


def follow_up_done(*, by: Any, follow_up: FollowUp, done_on: dt.date | None = None, notes: str = "") -> FollowUp:
    _require_section(by, follow_up.case, Section.SERVICES, "follow_up.done")
    with transaction.atomic():
        follow_up.done_on = done_on or timezone.localdate()
        if notes.strip():
            follow_up.notes = notes.strip()
        follow_up.save(update_fields=["done_on", "notes"])
        audit.record("follow_up.done", obj=follow_up, actor=by, details={"case": follow_up.case_id})
    return follow_up


def assessment_record(*, by: Any, case: Case, level: str, assessed_on: dt.date | None = None,
                      housing_stable: bool = False, income: bool = False, family_support: bool = False,
                      notes: str = "") -> ReintegrationAssessment:
    _require_section(by, case, Section.SERVICES, "assessment.create")
    if level not in ReintegrationAssessment.Level.values:
        raise ValidationError(_("Choose a level."))
    with transaction.atomic():
        assessment = ReintegrationAssessment.objects.create(
            case=case, data_key=case.data_key, level=level, assessed_on=assessed_on or timezone.localdate(),
            housing_stable=housing_stable, income=income, family_support=family_support, notes=notes.strip(),
            assessed_by=by)
        audit.record("assessment.create", obj=assessment, actor=by, details={"case": case.pk, "level": level})
    return assessment


def note_add(*, by: Any, case: Case, text: str) -> Note:
    _require_section(by, case, Section.NOTES, "note.create")
    organisation = _acting_organisation(by, case, action="note.create")
    if not text.strip():
        raise ValidationError(_("The note is empty."))
    if len(text) > 20000:
        raise ValidationError(_("A note is at most 20,000 characters."))
    with transaction.atomic():
        note = Note.objects.create(case=case, data_key=case.data_key, organisation=organisation, author=by,
                                   text=text.strip())
        audit.record("note.create", obj=note, actor=by, details={"case": case.pk})
    return note
