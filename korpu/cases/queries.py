"""Every read of case data, scoped by the user's organisations through ``CaseAccess``.

Not-found and forbidden are the same 404, and both are audited: a successful read as ``ok``, a
refused one as ``denied``. Lists are audited once per page view with the filters and the count.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role
from korpu.cases import attachments, choices
from korpu.cases.filters import CaseFilter
from korpu.cases.models import (
    ALL_SECTIONS,
    AccessGrant,
    Attachment,
    Case,
    CaseAccess,
    CaseExploitation,
    FollowUp,
    Person,
    Referral,
    Section,
)
from korpu.core import access, audit, crypto
from korpu.core import filters as core_filters
from korpu.core.access import Actor
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


def case_list(user: Any, filters: Mapping[str, Any] | None = None, *, summary: bool = False) -> QuerySet[Case]:
    """The cases the user may see, newest first, narrowed by the case list's filter.

    ``filters`` are the list's parameters (``korpu.cases.filters.CaseFilter``: a query string, the API's
    query, the CLI's options); an invalid one is a ``ValidationError``. Pages that need the bound filter
    (its form, its errors) bind ``CaseFilter`` to ``case_list(user)`` themselves. With ``summary`` the
    encrypted columns (names, documents, contacts…) are deferred: for pages that show only the summary
    columns, so rows are not decrypted one data-key lookup each.
    """
    qs = (cases_visible_to(user).select_related("person", "owner_organisation")
          .prefetch_related(Prefetch("exploitations", queryset=CaseExploitation.objects.order_by("exploitation")))
          .order_by("-identified_on", "-id"))
    if summary:
        qs = qs.defer(*CASE_ROW_DEFERRED)
    if filters:
        qs = core_filters.bound(CaseFilter, filters, queryset=qs, strict=True).qs
    return qs


def audit_list(user: Any, *, action: str, filters: Mapping[str, Any], count: int) -> None:
    """One audit event for a list view: the filters in effect (not a searched name) and the rows shown."""
    details = {k: _audit_value(v) for k, v in filters.items() if v not in ("", None, [])}
    searched = details.pop("q", None)  # a searched name is itself personal data
    if searched:
        details["searched"] = "yes"
    details["shown"] = str(count)
    audit.record(action, actor=user, details=details)


def _audit_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return str(getattr(value, "pk", value))


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


def visible_case(user: Any, case_id: int, *, action: str) -> Case:
    """A case the user may see, without recording a read of it (for fragments that record their own
    read, or hold no case data); a case they may not see is a 404 with a ``denied`` event."""
    case = cases_visible_to(user).filter(pk=case_id).select_related("person").first()
    access.require(case is not None, action=action, user=user, object_type="cases.Case", object_id=str(case_id))
    assert case is not None  # require() raised otherwise
    return case


def case_part_for(user: Any, model: Any, case: Case, pk: int, *, action: str) -> Any:
    """A row of ``model`` (a service, follow-up, attachment…) of an already scoped ``case``; else 404
    with a ``denied`` event, as for the case itself."""
    found = model.objects.filter(case=case, pk=pk).first()
    access.require(found is not None, action=action, user=user, object_type=model._meta.label, object_id=str(pk))
    return found


# --- attachments and the person's photo -------------------------------------------------------------
def attachment_download(*, by: Actor, case: Case, attachment_id: int) -> tuple[Attachment, bytes]:
    """An attachment of an already scoped case, decrypted for the user (page and API alike); else 404
    with a ``denied`` event."""
    attachment = case_part_for(by, Attachment, case, attachment_id, action="attachment.download")
    try:
        return attachment, attachment_content(by=by, attachment=attachment)
    except ValidationError:
        raise Http404 from None  # attachment_content recorded the "denied" event


def attachment_content(*, by: Actor, attachment: Attachment) -> bytes:
    """Decrypt an attachment for a user who may see the case's notes; audited."""
    if Section.NOTES not in sections_for(by, attachment.case):
        audit.denied("attachment.download", obj=attachment, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    with default_storage.open(attachment.storage_name, "rb") as handle:
        blob = handle.read()
    audit.record("attachment.download", obj=attachment, actor=by, details={"case": attachment.case_id})
    return crypto.open_bytes(blob, key_uuid=attachment.data_key_id, context=attachments.ATTACHMENT_CONTEXT)


def person_photo_content(*, by: Actor, case: Case) -> tuple[bytes, str]:
    """The person's photo for a user who may see the identity section; audited as ``person.photo_view``."""
    person = case.person
    if Section.IDENTITY not in sections_for(by, case) or not person.photo_storage_name:
        audit.denied("person.photo_view", obj=person, actor=by, details={"case": case.pk})
        raise Http404
    with default_storage.open(person.photo_storage_name, "rb") as handle:
        blob = handle.read()
    audit.record("person.photo_view", obj=person, actor=by, details={"case": case.pk})
    content = crypto.open_bytes(blob, key_uuid=person.data_key_id, context=attachments.PHOTO_CONTEXT)
    return content, person.photo_content_type


# --- referrals ---------------------------------------------------------------------------------
def referral_inbox(user: Any) -> QuerySet[Referral]:
    """Referrals addressed to the user's organisations, newest first (``filters.ReferralFilter`` narrows
    them for the lists). Pending ones show only the case number."""
    org_ids = victim_data_organisation_ids(user)
    return (Referral.objects.filter(to_organisation_id__in=org_ids)
            .select_related("case", "from_organisation", "to_organisation").order_by("-created_at", "-id")
            .defer(*REFERRAL_ROW_DEFERRED))


def referral_outbox(user: Any) -> QuerySet[Referral]:
    """Referrals sent from the user's organisations, newest first."""
    org_ids = victim_data_organisation_ids(user)
    return (Referral.objects.filter(from_organisation_id__in=org_ids)
            .select_related("case", "from_organisation", "to_organisation").order_by("-created_at", "-id")
            .defer(*REFERRAL_ROW_DEFERRED))


def referral_for(user: Any, referral_id: int) -> Referral:
    org_ids = victim_data_organisation_ids(user)
    referral = (Referral.objects.filter(Q(to_organisation_id__in=org_ids) | Q(from_organisation_id__in=org_ids))
                .select_related("case", "from_organisation", "to_organisation").filter(pk=referral_id).first())
    if referral is None:
        audit.denied("referral.view", object_type="cases.Referral", object_id=str(referral_id), actor=user)
        raise Http404
    audit.record("referral.view", obj=referral, actor=user)  # its reason and details are the person's data
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
class Tasks:
    """What waits for the user: status decisions due (police), referrals pending, follow-ups overdue."""

    decisions_due: list[Referral]
    overdue_decisions: set[int]
    pending_referrals: list[Referral]
    overdue_follow_ups: list[FollowUp]


def tasks_for(user: Any, *, limit: int = 50) -> Tasks:
    """The lists of "My tasks" (page, home page and API): case numbers and organisations, never names."""
    return Tasks(
        decisions_due=list(decisions_due(user).defer(*REFERRAL_ROW_DEFERRED)[:limit]),
        overdue_decisions=set(overdue_status_referrals(user).values_list("pk", flat=True)[:limit]),
        pending_referrals=list(referral_inbox(user).filter(status=Referral.Status.PENDING)[:limit]),
        overdue_follow_ups=list(overdue_follow_ups(user).defer("notes", *_encrypted_fields(Case, "case__"))[:limit]),
    )


def identity_for(user: Any, case_id: int) -> Case:
    """A case with its person's identifiers (names, contacts, address, documents, guardian), for a user
    with the identity section.

    The case page shows them only on request ("Show identity"); each request is its own audited read
    (``person.reveal``), so the log tells who needed the name, not only who opened the case. Without
    the section (or when the person was erased) it is a 404 with a ``denied`` event.
    """
    case = (cases_visible_to(user).filter(pk=case_id)
            .select_related("person", "owner_organisation", "identifying_organisation").first())
    allowed = (case is not None and Section.IDENTITY in sections_for(user, case)
               and case.person.given_name is not None)
    access.require(allowed, action="person.reveal", user=user, object_type="cases.Case", object_id=str(case_id))
    assert case is not None  # require() raised otherwise
    audit.record("person.reveal", obj=case.person, actor=user, details={"case": case.pk})
    return case


@dataclass
class CaseDetail:
    """A case as one user may see it: parts outside their sections are simply absent."""

    case: Case
    sections: set[str]
    person: Any = None
    consent: Any = None
    consents: list[Any] | None = None
    decisions: list[Any] | None = None
    referrals: list[Any] | None = None
    services: list[Any] | None = None
    follow_ups: list[Any] | None = None
    assessments: list[Any] | None = None
    support_plans: list[Any] | None = None
    trafficking_events: list[Any] | None = None
    notes: list[Any] | None = None
    attachments: list[Any] | None = None
    admissions: list[Any] | None = None
    investigations: list[Any] | None = None
    grants: list[Any] | None = None
    status_changes: list[Any] | None = None
    exploitation: list[str] | None = None
    timeline: list[tuple[Any, str, str]] | None = None
    is_owner: bool = False


# The parts of a case the page lists, by related name. Most cases have only a few of them (a decision,
# a referral or two, some services): one query asks which parts hold any row, so the page does not
# spend a query on each empty one.
CASE_PARTS = ("exploitations", "status_decisions", "referrals", "status_changes", "consents", "trafficking_events",
              "services", "follow_ups", "assessments", "support_plans", "notes", "attachments", "admissions",
              "investigations", "grants")


@functools.cache
def _parts_probe_sql(parts: tuple[str, ...]) -> str:
    """``SELECT EXISTS(…), EXISTS(…), …`` for the parts, built once from the models' tables.

    Written out rather than composed with the ORM each time: compiling fifteen EXISTS subqueries costs
    more Python time than the queries it saves.
    """
    quote = connection.ops.quote_name
    probes = []
    for name in parts:
        relation = Case._meta.get_field(name)
        if relation.many_to_many:  # investigations: through the join table
            through = relation.through._meta  # type: ignore[union-attr]
            column = relation.field.m2m_reverse_name()  # type: ignore[union-attr]
            table = through.db_table
        else:
            table = relation.related_model._meta.db_table  # type: ignore[union-attr]
            column = relation.field.column  # type: ignore[union-attr]
        # Names from the models' metadata, quoted; the case id is a parameter.
        probes.append(f"EXISTS (SELECT 1 FROM {quote(table)} WHERE {quote(column)} = %s)")  # noqa: S608
    return "SELECT " + ", ".join(probes)


def parts_present(case: Case, parts: tuple[str, ...] = CASE_PARTS) -> set[str]:
    """The related names of ``case`` that have at least one row (one query, an EXISTS per part)."""
    with connection.cursor() as cursor:
        cursor.execute(_parts_probe_sql(parts), [case.pk] * len(parts))
        row = cursor.fetchone()
    return {name for name, has in zip(parts, row, strict=True) if has}


def case_detail(user: Any, case: Case) -> CaseDetail:
    """Gather what the user may see of a case in a bounded number of queries: at most one per part the
    user may see, and none for a part the case does not have."""
    sections = sections_for(user, case)
    detail = CaseDetail(case=case, sections=sections)
    present = parts_present(case)

    def rows(name: str, queryset: Any) -> list[Any]:
        return list(queryset) if name in present else []

    if "exploitations" in present:
        prefetch_related_objects([case], "exploitations")  # the page lists them too: one query for both
        detail.exploitation = [e.exploitation for e in case.exploitations.all()]
    else:
        cache = getattr(case, "_prefetched_objects_cache", {})
        case._prefetched_objects_cache = {**cache, "exploitations": CaseExploitation.objects.none()}  # type: ignore[attr-defined]
        detail.exploitation = []
    detail.decisions = rows("status_decisions", case.status_decisions.select_related("decided_by", "organisation"))
    org_ids = victim_data_organisation_ids(user)
    detail.referrals = rows("referrals", case.referrals.select_related("from_organisation", "to_organisation")
                            .filter(Q(from_organisation_id__in=org_ids) | Q(to_organisation_id__in=org_ids)
                                    | Q(case__owner_organisation_id__in=org_ids)))
    detail.status_changes = rows("status_changes", case.status_changes.select_related("organisation"))
    if Section.IDENTITY in sections:
        detail.person = case.person
        detail.consents = rows("consents", case.consents.order_by("-created_at", "-id"))
        detail.consent = detail.consents[0] if detail.consents else None
        detail.trafficking_events = rows("trafficking_events", case.trafficking_events.all())
    if Section.SERVICES in sections:
        detail.services = rows("services", case.services.select_related("provider"))
        detail.follow_ups = rows("follow_ups", case.follow_ups.all())
        detail.assessments = rows("assessments", case.assessments.all())
        detail.support_plans = rows("support_plans", case.support_plans.select_related("organisation"))
    if Section.NOTES in sections:
        detail.notes = rows("notes", case.notes.select_related("author", "organisation"))
        detail.attachments = rows("attachments", case.attachments.select_related("uploaded_by"))
    if Section.ADMISSION in sections:
        detail.admissions = rows("admissions", case.admissions.select_related("facility", "capacity"))
    if Section.INVESTIGATION in sections:
        detail.investigations = rows("investigations", case.investigations.all())
    detail.is_owner = case.owner_organisation_id in org_ids
    if detail.is_owner:
        detail.grants = rows("grants", AccessGrant.objects.filter(case=case).select_related("organisation")
                             .order_by("-granted_at", "-id"))
    detail.timeline = _timeline(detail)
    return detail


def _at(day: dt.date) -> dt.datetime:
    """A date as the start of that day, to sort it among the timestamped events."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _timeline(detail: CaseDetail) -> list[tuple[Any, str, str]]:
    """Every event of the case the user may see, newest first, from what ``case_detail`` has loaded."""
    case = detail.case
    events: list[tuple[Any, str, str]] = [(case.created_at, "create", _("Registered by %(org)s") % {
        "org": case.owner_organisation.name})]
    for d in detail.decisions or []:
        events.append((d.created_at, "decision", f"{d.get_decision_display()} — {d.organisation.name}"))
    for r in detail.referrals or []:
        events.append((r.created_at, "referral", _("Referred from %(a)s to %(b)s") % {
            "a": r.from_organisation.name, "b": r.to_organisation.name}))
        if r.decided_at:
            # Decided means accepted or declined; a referral ended later had been accepted.
            label = r.get_status_display() if r.status == Referral.Status.DECLINED \
                else str(Referral.Status.ACCEPTED.label)
            events.append((r.decided_at, "referral", f"{label}: {r.to_organisation.name}"))
        if r.ended_at:
            events.append((r.ended_at, "referral", f"{r.get_status_display()}: {r.to_organisation.name}"))
    for change in detail.status_changes or []:
        events.append((change.changed_at, "status", _("Case status: %(status)s") % {
            "status": change.get_status_display()}))
    for c in detail.consents or []:
        events.append((c.created_at, "consent", _("Consent recorded (given on %(date)s)") % {
            "date": formats.date_format(c.given_on, "SHORT_DATE_FORMAT")}))
        if c.withdrawn_on:
            events.append((_at(c.withdrawn_on), "consent", _("Consent withdrawn")))
    for s in detail.services or []:
        events.append((s.created_at, "service", f"{s.get_service_type_display()} — {s.get_outcome_display()}"))
    for f in detail.follow_ups or []:
        events.append((_at(f.due_on), "follow-up", _("Follow-up due")))
        if f.done_on:
            events.append((_at(f.done_on), "follow-up", _("Follow-up done")))
    for a in detail.assessments or []:
        events.append((_at(a.assessed_on), "assessment", _("Reintegration assessed: %(level)s") % {
            "level": a.get_level_display()}))
    for p in detail.support_plans or []:
        events.append((p.created_at, "plan", _("Support plan: %(type)s") % {"type": p.get_plan_type_display()}))
        if p.actual_end:
            events.append((_at(p.actual_end), "plan", _("Support plan ended: %(type)s") % {
                "type": p.get_plan_type_display()}))
    for a in detail.admissions or []:
        events.append((a.created_at, "admission", _("Admitted to %(f)s") % {"f": a.facility.name}))
        if a.discharged_on:
            events.append((_at(a.discharged_on), "admission", _("Discharged from %(f)s") % {"f": a.facility.name}))
    for n in detail.notes or []:
        events.append((n.created_at, "note", _("Note by %(who)s") % {"who": n.author.display_name()}))
    for file in detail.attachments or []:
        events.append((file.created_at, "attachment", _("File attached by %(who)s") % {
            "who": file.uploaded_by.display_name()}))
    if case.closed_on and not detail.status_changes:
        events.append((case.updated_at, "close", case.get_status_display()))
    return sorted(events, key=lambda e: e[0], reverse=True)
