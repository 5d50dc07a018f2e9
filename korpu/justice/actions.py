"""Investigations, prosecutions and court outcomes: recorded by law enforcement only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, Role
from korpu.cases import queries as case_queries
from korpu.cases.models import Case
from korpu.core import access, audit
from korpu.justice.models import Article, CourtOutcome, Investigation, Prosecution


def _law_enforcement_org(by: Any, action: str) -> Organisation:
    orgs = [m.organisation for m in by.active_memberships()
            if m.role == Role.POLICE_INVESTIGATOR and m.organisation.org_type == Organisation.Type.LAW_ENFORCEMENT] \
        if access.is_staff_user(by) else []
    if not orgs:
        audit.denied(action, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    return orgs[0]


def investigation_open(*, by: Any, number: str, article: str, opened_on: dt.date, suspects: int = 0,
                       victims: list[Case] | None = None) -> Investigation:
    body = _law_enforcement_org(by, "investigation.create")
    if article not in Article.values:
        raise ValidationError(_("Choose the article of the Criminal Code."))
    if opened_on > timezone.localdate():
        raise ValidationError(_("The opening date cannot be in the future."))
    if Investigation.objects.filter(number=number.strip()).exists():
        raise ValidationError(_("A criminal case with this number already exists."))
    visible = set(case_queries.cases_visible_to(by).values_list("pk", flat=True))
    for case in victims or []:
        if case.pk not in visible:
            audit.denied("investigation.link", obj=case, actor=by)
            raise ValidationError(_("You are not allowed to do this."))
    with transaction.atomic():
        investigation = Investigation.objects.create(number=number.strip(), article=article, opened_on=opened_on,
                                                     investigating_body=body, suspects=suspects, created_by=by)
        if victims:
            investigation.victims.add(*victims)
        audit.record("investigation.create", obj=investigation, actor=by,
                     details={"victims": [c.pk for c in victims or []]})
    return investigation


def investigation_link_victim(*, by: Any, investigation: Investigation, case: Case) -> Investigation:
    _law_enforcement_org(by, "investigation.link")
    if not case_queries.cases_visible_to(by).filter(pk=case.pk).exists():
        audit.denied("investigation.link", obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    with transaction.atomic():
        investigation.victims.add(case)
        audit.record("investigation.link", obj=investigation, actor=by, details={"case": case.pk})
    return investigation


def investigation_set_status(*, by: Any, investigation: Investigation, status: str) -> Investigation:
    _law_enforcement_org(by, "investigation.status")
    if status not in Investigation.Status.values:
        raise ValidationError(_("Choose a status."))
    with transaction.atomic():
        investigation.status = status
        investigation.save(update_fields=["status"])
        audit.record("investigation.status", obj=investigation, actor=by, details={"status": status})
    return investigation


def prosecution_add(*, by: Any, investigation: Investigation, filed_on: dt.date, court: str,
                    defendants: int = 1) -> Prosecution:
    _law_enforcement_org(by, "prosecution.create")
    if not court.strip():
        raise ValidationError(_("Name the court."))
    with transaction.atomic():
        prosecution = Prosecution.objects.create(investigation=investigation, filed_on=filed_on, court=court.strip(),
                                                 defendants=defendants)
        if investigation.status == Investigation.Status.OPEN:
            investigation.status = Investigation.Status.SENT_TO_COURT
            investigation.save(update_fields=["status"])
        audit.record("prosecution.create", obj=prosecution, actor=by, details={"investigation": investigation.pk})
    return prosecution


def outcome_add(*, by: Any, prosecution: Prosecution, decided_on: dt.date, result: str, persons: int = 1,
                sentence_months: int | None = None, sentence_text: str = "") -> CourtOutcome:
    _law_enforcement_org(by, "court_outcome.create")
    if result not in CourtOutcome.Result.values:
        raise ValidationError(_("Choose the result."))
    if result == CourtOutcome.Result.ACQUITTAL and sentence_months:
        raise ValidationError(_("An acquittal carries no sentence."))
    with transaction.atomic():
        outcome = CourtOutcome.objects.create(prosecution=prosecution, decided_on=decided_on, result=result,
                                              persons=persons, sentence_months=sentence_months,
                                              sentence_text=sentence_text.strip())
        audit.record("court_outcome.create", obj=outcome, actor=by, details={"result": result})
    return outcome
