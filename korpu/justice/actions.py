"""Investigations, prosecutions and court outcomes: recorded by law enforcement only.

Every action checks that the actor is a police investigator of a law-enforcement body and, for an
existing investigation, of the investigating body itself; refusals leave a ``denied`` audit event.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, user_of
from korpu.cases import queries as case_queries
from korpu.cases.models import Case
from korpu.core import access, audit
from korpu.core.access import Actor
from korpu.justice.models import Article, CourtOutcome, Investigation, Prosecution


def _law_enforcement_org(by: Actor, action: str) -> Organisation:
    org_ids = access.law_enforcement_ids(by)
    if not org_ids:
        audit.denied(action, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    return Organisation.objects.filter(pk__in=org_ids).order_by("pk").first()  # type: ignore[return-value]


def _require_body(by: Actor, investigation: Investigation, action: str) -> None:
    """Only the investigating body's own investigators change its investigation."""
    _law_enforcement_org(by, action)
    if investigation.investigating_body_id not in access.law_enforcement_ids(by):
        audit.denied(action, obj=investigation, actor=by)
        raise PermissionDenied


def _not_future(day: dt.date, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(message)


def _require_visible_case(by: Actor, case: Case, action: str) -> None:
    """Only a victim's case the investigator may see can be linked or unlinked (one indexed lookup)."""
    if not case_queries.cases_visible_to(by).filter(pk=case.pk).exists():
        audit.denied(action, obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))


def investigation_open(*, by: Actor, number: str, article: str, opened_on: dt.date, suspects: int = 0,
                       victims: list[Case] | None = None) -> Investigation:
    body = _law_enforcement_org(by, "investigation.create")
    if not number.strip():
        raise ValidationError(_("Give the criminal case number."))
    if article not in Article.values:
        raise ValidationError(_("Choose the article of the Criminal Code."))
    _not_future(opened_on, _("The opening date cannot be in the future."))
    if suspects < 0:
        raise ValidationError(_("The number of suspects cannot be negative."))
    if Investigation.objects.filter(number=number.strip()).exists():
        raise ValidationError(_("A criminal case with this number already exists."))
    for case in victims or []:
        _require_visible_case(by, case, "investigation.link")
    with transaction.atomic():
        investigation = Investigation.objects.create(number=number.strip(), article=article, opened_on=opened_on,
                                                     investigating_body=body, suspects=suspects, created_by=user_of(by))
        if victims:
            investigation.victims.add(*victims)
        audit.record("investigation.create", obj=investigation, actor=by,
                     details={"victims": [c.pk for c in victims or []]})
    return investigation


def investigation_link_victim(*, by: Actor, investigation: Investigation, case: Case) -> Investigation:
    _require_body(by, investigation, "investigation.link")
    _require_visible_case(by, case, "investigation.link")
    if investigation.victims.filter(pk=case.pk).exists():
        raise ValidationError(_("This case is already linked to the investigation."))
    with transaction.atomic():
        investigation.victims.add(case)
        audit.record("investigation.link", obj=investigation, actor=by, details={"case": case.pk})
    return investigation


def investigation_unlink_victim(*, by: Actor, investigation: Investigation, case: Case) -> Investigation:
    """Remove a victim's case linked by mistake. The case must be one the investigator can see."""
    _require_body(by, investigation, "investigation.unlink")
    _require_visible_case(by, case, "investigation.unlink")
    if not investigation.victims.filter(pk=case.pk).exists():
        raise ValidationError(_("This case is not linked to the investigation."))
    with transaction.atomic():
        investigation.victims.remove(case)
        audit.record("investigation.unlink", obj=investigation, actor=by, details={"case": case.pk})
    return investigation


def investigation_set_status(*, by: Actor, investigation: Investigation, status: str) -> Investigation:
    _require_body(by, investigation, "investigation.status")
    if status not in Investigation.Status.values:
        raise ValidationError(_("Choose a status."))
    with transaction.atomic():
        investigation.status = status
        investigation.save(update_fields=["status"])
        audit.record("investigation.status", obj=investigation, actor=by, details={"status": status})
    return investigation


def prosecution_add(*, by: Actor, investigation: Investigation, filed_on: dt.date, court: str,
                    defendants: int = 1) -> Prosecution:
    _require_body(by, investigation, "prosecution.create")
    if not court.strip():
        raise ValidationError(_("Name the court."))
    if defendants < 1:
        raise ValidationError(_("A prosecution has at least one defendant."))
    _not_future(filed_on, _("The filing date cannot be in the future."))
    if filed_on < investigation.opened_on:
        raise ValidationError(_("A prosecution cannot be filed before the investigation was opened."))
    with transaction.atomic():
        prosecution = Prosecution.objects.create(investigation=investigation, filed_on=filed_on, court=court.strip(),
                                                 defendants=defendants)
        if investigation.status == Investigation.Status.OPEN:
            investigation.status = Investigation.Status.SENT_TO_COURT
            investigation.save(update_fields=["status"])
        audit.record("prosecution.create", obj=prosecution, actor=by, details={"investigation": investigation.pk})
    return prosecution


def outcome_add(*, by: Actor, prosecution: Prosecution, decided_on: dt.date, result: str, persons: int = 1,
                sentence_months: int | None = None, sentence_text: str = "") -> CourtOutcome:
    _require_body(by, prosecution.investigation, "court_outcome.create")
    if result not in CourtOutcome.Result.values:
        raise ValidationError(_("Choose the result."))
    if result == CourtOutcome.Result.ACQUITTAL and (sentence_months is not None or sentence_text.strip()):
        raise ValidationError(_("An acquittal carries no sentence."))
    if persons < 1:
        raise ValidationError(_("A court outcome concerns at least one person."))
    if sentence_months is not None and sentence_months < 0:
        raise ValidationError(_("The sentence cannot be negative."))
    _not_future(decided_on, _("The decision date cannot be in the future."))
    if decided_on < prosecution.filed_on:
        raise ValidationError(_("A court cannot decide before the prosecution was filed."))
    with transaction.atomic():
        outcome = CourtOutcome.objects.create(prosecution=prosecution, decided_on=decided_on, result=result,
                                              persons=persons, sentence_months=sentence_months,
                                              sentence_text=sentence_text.strip())
        audit.record("court_outcome.create", obj=outcome, actor=by,
                     details={"result": result, "persons": persons, "prosecution": prosecution.pk})
    return outcome
