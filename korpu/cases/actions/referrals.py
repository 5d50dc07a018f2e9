"""What a referral or grant shares, the referrals (create, accept, decline, revoke, complete and the
one command dispatch) and the owner's time-limited grants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role, user_of
from korpu.cases import choices, queries
from korpu.cases.actions._common import (
    _acting_organisation,
    _deny,
    _mail_each,
    _owner_acting,
    _validate_choices,
    _victim_data_staff,
)
from korpu.cases.actions.registration import current_consent
from korpu.cases.models import ALL_SECTIONS, AccessGrant, Case, CaseAccess, Referral, Section
from korpu.core import access, audit
from korpu.core.access import Actor


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


# --- e-mail ------------------------------------------------------------------------------------
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
