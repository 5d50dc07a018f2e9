"""Named statistics computed from the records: counts of identities (human beings), never of records.

A person registered by two organisations and linked by record linkage (``korpu.linkage``) is one
identity and is counted once (:func:`korpu.linkage.queries.count_identities`).

A plan indicator may name one of these (``Indicator.computed_key``); its page then shows the
computed value beside the values the executing bodies reported. The statistics issue extends this
registry with tables and disclosure control.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from korpu.cases.choices import TraffickingStatus
from korpu.cases.models import Person
from korpu.core import figures
from korpu.core.figures import Definition
from korpu.justice.models import CourtOutcome, Investigation, Prosecution
from korpu.linkage.queries import count_identities


def _persons_identified(start: dt.date, end: dt.date) -> int:
    return count_identities(Person.objects.filter(cases__identified_on__range=(start, end)))


def _persons_recognised(start: dt.date, end: dt.date) -> int:
    return count_identities(Person.objects.filter(cases__status_decisions__decision="recognised",
                                                 cases__status_decisions__decided_on__range=(start, end)))


def _recognised_sheltered(start: dt.date, end: dt.date) -> int:
    """Recognised victims admitted to a shelter in the period (unique persons)."""
    return count_identities(Person.objects.filter(cases__trafficking_status=TraffickingStatus.ACTUAL,
                                                  cases__admissions__admitted_on__range=(start, end)))


def _allowance_paid(start: dt.date, end: dt.date) -> int:
    return count_identities(Person.objects.filter(cases__services__service_type="financial",
                                                  cases__services__delivered_on__range=(start, end)))


def _investigations(start: dt.date, end: dt.date) -> int:
    return Investigation.objects.filter(opened_on__range=(start, end)).count()


def _prosecutions(start: dt.date, end: dt.date) -> int:
    return Prosecution.objects.filter(filed_on__range=(start, end)).count()


def _convicted(start: dt.date, end: dt.date) -> int:
    total = CourtOutcome.objects.filter(decided_on__range=(start, end), result="conviction").aggregate(n=Sum("persons"))
    return int(total["n"] or 0)


DEFINITIONS: dict[str, Definition] = {d.key: d for d in [
    Definition("persons_identified", _("Persons identified as presumed victims"), _persons_identified),
    Definition("persons_recognised", _("Persons officially recognised as victims"), _persons_recognised),
    Definition("recognised_sheltered", _("Recognised victims who received shelter"), _recognised_sheltered),
    Definition("allowance_paid", _("Victims paid the one-time state allowance"), _allowance_paid),
    Definition("investigations_opened", _("Investigations opened"), _investigations),
    Definition("prosecutions_filed", _("Prosecutions filed"), _prosecutions),
    Definition("persons_convicted", _("Persons convicted"), _convicted),
]}


figures.register(*DEFINITIONS.values())

# The registry's readers, under the names this module has always had.
compute = figures.compute
choices = figures.choices
