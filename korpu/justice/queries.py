"""Criminal proceedings: full records for law enforcement, aggregate counts for analysts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from korpu.accounts.models import Organisation, Role
from korpu.core import access, audit
from korpu.justice.models import CourtOutcome, Investigation, Prosecution


def _law_enforcement_ids(user: Any) -> set[int]:
    if not access.has_role(user, Role.POLICE_INVESTIGATOR):
        return set()
    return {m.organisation_id for m in user.active_memberships()
            if m.role == Role.POLICE_INVESTIGATOR and m.organisation.org_type == Organisation.Type.LAW_ENFORCEMENT}


def investigations_visible_to(user: Any) -> QuerySet[Investigation]:
    org_ids = _law_enforcement_ids(user)
    if not org_ids:
        return Investigation.objects.none()
    return (Investigation.objects.filter(investigating_body_id__in=org_ids)
            .select_related("investigating_body").annotate(victim_count=Count("victims", distinct=True))
            .order_by("-opened_on", "-id"))


def investigation_for(user: Any, investigation_id: int) -> Investigation:
    found = investigations_visible_to(user).filter(pk=investigation_id).first()
    if found is None:
        audit.denied("investigation.view", object_type="justice.Investigation", object_id=str(investigation_id),
                     actor=user)
        raise Http404
    audit.record("investigation.view", obj=found, actor=user)
    return found


def aggregate_figures(user: Any, *, year: int | None = None) -> dict[str, int]:
    """Counts for annual reports (TIP, GRETA): no names, no numbers of criminal cases."""
    if not (access.can_view_statistics(user) or _law_enforcement_ids(user)):
        raise Http404
    investigations = Investigation.objects.all()
    prosecutions = Prosecution.objects.all()
    outcomes = CourtOutcome.objects.all()
    if year:
        investigations = investigations.filter(opened_on__year=year)
        prosecutions = prosecutions.filter(filed_on__year=year)
        outcomes = outcomes.filter(decided_on__year=year)
    convicted = outcomes.aggregate(
        convicted=Sum("persons", filter=Q(result=CourtOutcome.Result.CONVICTION)),
        acquitted=Sum("persons", filter=Q(result=CourtOutcome.Result.ACQUITTAL)))
    return {
        "investigations": investigations.count(),
        "investigations_144_1": investigations.filter(article="144-1").count(),
        "investigations_144_2": investigations.filter(article="144-2").count(),
        "prosecutions": prosecutions.count(),
        "defendants_prosecuted": prosecutions.aggregate(n=Sum("defendants"))["n"] or 0,
        "persons_convicted": convicted["convicted"] or 0,
        "persons_acquitted": convicted["acquitted"] or 0,
    }
