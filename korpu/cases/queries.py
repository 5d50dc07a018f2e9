"""Every read of case data, scoped by the user's organisations through ``CaseAccess``.

Not-found and forbidden are the same 404, and both are audited: a successful read as ``ok``, a
refused one as ``denied``. Lists are audited once per page view with the filters and the count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from korpu.accounts.models import Organisation, Role
from korpu.cases import choices
from korpu.cases.models import (
    ALL_SECTIONS,
    Case,
    CaseAccess,
    CaseExploitation,
    FollowUp,
    Person,
    Referral,
    Section,
)
from korpu.core import access, audit, crypto
from korpu.core.fields import EncryptedTextField


def _encrypted_fields(model: type[Model], prefix: str = "") -> list[str]:
    return [prefix + f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


# Encrypted columns that list rows never show. Loading one opens it (a data-key lookup, one query
# per row, and an AES-GCM decryption), so lists defer them; reading one later still works.
CASE_ROW_DEFERRED = (*_encrypted_fields(Case), *_encrypted_fields(Person, "person__"))
REFERRAL_ROW_DEFERRED = (*_encrypted_fields(Referral), *_encrypted_fields(Case, "case__"))


def live_access(organisation_ids: set[int]) -> QuerySet[CaseAccess]:
    now = timezone.now()
    return CaseAccess.objects.filter(organisation_id__in=organisation_ids).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def victim_data_organisation_ids(user: Any) -> set[int]:
    """The organisations in which the user holds a role that works with victims' data."""
    if not access.is_staff_user(user):
        return set()
    return {m.organisation_id for m in user.active_memberships() if m.role in access.VICTIM_DATA_ROLES}


def cases_visible_to(user: Any) -> QuerySet[Case]:
    org_ids = victim_data_organisation_ids(user)
    if not org_ids:
        return Case.objects.none()
    return Case.objects.filter(Exists(live_access(org_ids).filter(case=OuterRef("pk"))))


def sections_for(user: Any, case: Case) -> set[str]:
    """The parts of ``case`` the user may see (union over their organisations' access rows)."""
    org_ids = victim_data_organisation_ids(user)
    sections: set[str] = set()
    for row in live_access(org_ids).filter(case=case):
        sections.update(row.sections)
    if not access.has_role(user, Role.POLICE_INVESTIGATOR):
        sections.discard(Section.INVESTIGATION)
    return sections


def owner_sections(organisation: Organisation) -> list[str]:
    if organisation.org_type == Organisation.Type.LAW_ENFORCEMENT:
        return list(ALL_SECTIONS)
    return [s for s in ALL_SECTIONS if s != Section.INVESTIGATION]


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    trafficking_status: str = ""
    exploitation: str = ""
    gender: str = ""
    age_group: str = ""
    organisation: int | None = None
    identified_from: dt.date | None = None
    identified_to: dt.date | None = None
    q: str = ""


AGE_GROUPS: dict[str, tuple[int, int]] = {"child": (0, 17), "18-24": (18, 24), "25-34": (25, 34),
                                          "35-49": (35, 49), "50+": (50, 200)}


def case_list(user: Any, filters: CaseFilters, *, summary: bool = False) -> QuerySet[Case]:
    """The filtered case list. Search is by case number or by exact name through blind indexes.

    With ``summary`` the encrypted columns (names, documents, contacts…) are deferred: for pages that
    show only the summary columns, so rows are not decrypted one data-key lookup each.
    """
    qs = cases_visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.trafficking_status:
        qs = qs.filter(trafficking_status=filters.trafficking_status)
    if filters.exploitation:
        qs = qs.filter(Exists(CaseExploitation.objects.filter(case=OuterRef("pk"), exploitation=filters.exploitation)))
    if filters.gender:
        qs = qs.filter(person__gender=filters.gender)
    if filters.age_group in AGE_GROUPS:
        low, high = AGE_GROUPS[filters.age_group]
        qs = qs.filter(person__age_at_identification__gte=low, person__age_at_identification__lte=high)
    if filters.organisation:
        qs = qs.filter(owner_organisation_id=filters.organisation)
    if filters.identified_from:
        qs = qs.filter(identified_on__gte=filters.identified_from)
    if filters.identified_to:
        qs = qs.filter(identified_on__lte=filters.identified_to)
    if filters.q:
        term = filters.q.strip()
        name_index = crypto.blind_index(term, purpose="person.name")
        qs = qs.filter(Q(number__iexact=term) | Q(person__name_index=name_index)
                       | Q(person__family_name_index=name_index))
    qs = (qs.select_related("person", "owner_organisation")
          .prefetch_related(Prefetch("exploitations", queryset=CaseExploitation.objects.order_by("exploitation")))
          .order_by("-identified_on", "-id"))
    return qs.defer(*CASE_ROW_DEFERRED) if summary else qs


def audit_list(user: Any, *, action: str, filters: CaseFilters, count: int) -> None:
    details = {k: str(v) for k, v in filters.__dict__.items() if v not in ("", None)}
    details.pop("q", None)  # a searched name is itself personal data
    if filters.q:
        details["searched"] = "yes"
    details["shown"] = str(count)
    audit.record(action, actor=user, details=details)


def case_for(user: Any, case_id: int | str, *, purpose: str = "case.view") -> Case:
    """One case the user may see, by id or number, with the read audited; else 404 (also audited)."""
    lookup = Q(number=case_id) if isinstance(case_id, str) and not case_id.isdigit() else Q(pk=int(case_id))
    case = cases_visible_to(user).filter(lookup).select_related(
        "person", "owner_organisation", "identifying_organisation", "case_worker").first()
    if case is None:
        audit.denied(purpose, object_type="cases.Case", object_id=str(case_id), actor=user)
        raise Http404
    audit.record(purpose, obj=case, actor=user)
    return case


# --- referrals ---------------------------------------------------------------------------------
def referral_inbox(user: Any, *, status: str = "") -> QuerySet[Referral]:
    """Referrals addressed to the user's organisations. Pending ones show only the case number."""
    org_ids = victim_data_organisation_ids(user)
    qs = Referral.objects.filter(to_organisation_id__in=org_ids)
    if status:
        qs = qs.filter(status=status)
    return (qs.select_related("case", "from_organisation", "to_organisation").order_by("-created_at", "-id")
            .defer(*REFERRAL_ROW_DEFERRED))


def referral_outbox(user: Any, *, status: str = "") -> QuerySet[Referral]:
    org_ids = victim_data_organisation_ids(user)
    qs = Referral.objects.filter(from_organisation_id__in=org_ids)
    if status:
        qs = qs.filter(status=status)
    return (qs.select_related("case", "from_organisation", "to_organisation").order_by("-created_at", "-id")
            .defer(*REFERRAL_ROW_DEFERRED))


def referral_for(user: Any, referral_id: int) -> Referral:
    org_ids = victim_data_organisation_ids(user)
    referral = (Referral.objects.filter(Q(to_organisation_id__in=org_ids) | Q(from_organisation_id__in=org_ids))
                .select_related("case", "from_organisation", "to_organisation").filter(pk=referral_id).first())
    if referral is None:
        audit.denied("referral.view", object_type="cases.Referral", object_id=str(referral_id), actor=user)
        raise Http404
    return referral


def overdue_status_referrals(user: Any) -> QuerySet[Referral]:
    """Referrals to the user's law-enforcement body still without a status decision after the deadline."""
    org_ids = {o.pk for o in user.organisations() if o.org_type == Organisation.Type.LAW_ENFORCEMENT} \
        if access.has_role(user, Role.POLICE_INVESTIGATOR) else set()
    deadline = timezone.now() - dt.timedelta(hours=settings.REFERRAL_DECISION_HOURS)
    return (Referral.objects.filter(to_organisation_id__in=org_ids, created_at__lt=deadline,
                                    status__in=[Referral.Status.PENDING, Referral.Status.ACCEPTED],
                                    case__trafficking_status=choices.TraffickingStatus.POSSIBLE)
            .select_related("case", "from_organisation").order_by("created_at"))


def decisions_due(user: Any) -> QuerySet[Referral]:
    """All referrals to the user's department awaiting a status decision (overdue or not)."""
    org_ids = {o.pk for o in user.organisations() if o.org_type == Organisation.Type.LAW_ENFORCEMENT} \
        if access.has_role(user, Role.POLICE_INVESTIGATOR) else set()
    return (Referral.objects.filter(to_organisation_id__in=org_ids,
                                    status__in=[Referral.Status.PENDING, Referral.Status.ACCEPTED],
                                    case__trafficking_status=choices.TraffickingStatus.POSSIBLE)
            .select_related("case", "from_organisation").order_by("created_at"))


def overdue_follow_ups(user: Any) -> QuerySet[FollowUp]:
    org_ids = victim_data_organisation_ids(user)
    return (FollowUp.objects.filter(organisation_id__in=org_ids, done_on__isnull=True,
                                    due_on__lt=timezone.localdate())
            .select_related("case").order_by("due_on"))


@dataclass
class CaseDetail:
    """A case as one user may see it: parts outside their sections are simply absent."""

    case: Case
    sections: set[str]
    person: Any = None
    consent: Any = None
    decisions: list[Any] | None = None
    referrals: list[Any] | None = None
    services: list[Any] | None = None
    follow_ups: list[Any] | None = None
    assessments: list[Any] | None = None
    notes: list[Any] | None = None
    attachments: list[Any] | None = None
    admissions: list[Any] | None = None
    investigations: list[Any] | None = None
    exploitation: list[str] | None = None
    timeline: list[tuple[Any, str, str]] | None = None
    is_owner: bool = False


def case_detail(user: Any, case: Case) -> CaseDetail:
    """Gather what the user may see of a case in a constant number of queries."""
    from korpu.cases.models import Section

    sections = sections_for(user, case)
    detail = CaseDetail(case=case, sections=sections)
    prefetch_related_objects([case], "exploitations")  # the page lists them too: one query for both
    detail.exploitation = [e.exploitation for e in case.exploitations.all()]
    detail.decisions = list(case.status_decisions.select_related("decided_by", "organisation"))
    org_ids = victim_data_organisation_ids(user)
    detail.referrals = list(case.referrals.select_related("from_organisation", "to_organisation")
                            .filter(Q(from_organisation_id__in=org_ids) | Q(to_organisation_id__in=org_ids)
                                    | Q(case__owner_organisation_id__in=org_ids)))
    if Section.IDENTITY in sections:
        detail.person = case.person
        detail.consent = case.consents.order_by("-created_at", "-id").first()
    if Section.SERVICES in sections:
        detail.services = list(case.services.select_related("provider"))
        detail.follow_ups = list(case.follow_ups.all())
        detail.assessments = list(case.assessments.all())
    if Section.NOTES in sections:
        detail.notes = list(case.notes.select_related("author", "organisation"))
        detail.attachments = list(case.attachments.select_related("uploaded_by"))
    if Section.ADMISSION in sections:
        detail.admissions = list(case.admissions.select_related("facility", "capacity"))
    if Section.INVESTIGATION in sections:
        detail.investigations = list(case.investigations.all())
    detail.is_owner = case.owner_organisation_id in org_ids
    detail.timeline = _timeline(detail)
    return detail


def _timeline(detail: CaseDetail) -> list[tuple[Any, str, str]]:
    from django.utils.translation import gettext as _

    case = detail.case
    events: list[tuple[Any, str, str]] = [(case.created_at, "create", _("Registered by %(org)s") % {
        "org": case.owner_organisation.name})]
    for d in detail.decisions or []:
        events.append((d.created_at, "decision", f"{d.get_decision_display()} — {d.organisation.name}"))
    for r in detail.referrals or []:
        events.append((r.created_at, "referral", _("Referred from %(a)s to %(b)s") % {
            "a": r.from_organisation.name, "b": r.to_organisation.name}))
        if r.decided_at:
            events.append((r.decided_at, "referral", f"{r.get_status_display()}: {r.to_organisation.name}"))
        if r.ended_at:
            events.append((r.ended_at, "referral", f"{r.get_status_display()}: {r.to_organisation.name}"))
    for s in detail.services or []:
        events.append((s.created_at, "service", f"{s.get_service_type_display()} — {s.get_outcome_display()}"))
    for a in detail.admissions or []:
        events.append((a.created_at, "admission", _("Admitted to %(f)s") % {"f": a.facility.name}))
    for n in detail.notes or []:
        events.append((n.created_at, "note", _("Note by %(who)s") % {"who": n.author.display_name()}))
    if case.closed_on:
        events.append((case.updated_at, "close", case.get_status_display()))
    return sorted(events, key=lambda e: e[0], reverse=True)
