"""Record linkage writes: blocking keys, link requests and their answers, identities, batch proposals.

* :func:`index_persons` writes each person's blocking keys (keyed HMACs only); the case actions and
  every import call it through the kernel's seam (:data:`LINKER`, :mod:`korpu.core.linking`).
* :func:`link_request` asks the organisation that holds a possible match; :func:`link_confirm` and
  :func:`link_reject` are its answer, given by a worker of that organisation inside its own case;
  :func:`link_withdraw` takes a request back; :func:`unlink` takes a record out of its identity.
* :func:`propose_links` is ``korpu linkage run``: batch linkage over the whole registry. It proposes
  (link requests from the batch), never confirms a link by itself.

Every step is audited; neither organisation learns the other's identifiers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, user_of
from korpu.cases import queries as case_queries
from korpu.cases.models import Case, Person
from korpu.core import access, audit, crypto
from korpu.core.access import Actor
from korpu.core.linking import Candidate
from korpu.linkage import matching, queries
from korpu.linkage.models import BlockingKey, Identity, LinkRequest, Membership


# --- blocking keys -----------------------------------------------------------------------------
def index_persons(persons: Sequence[Person]) -> int:
    """(Re)write the blocking keys of saved persons; returns the number of keys written."""
    saved = [p for p in persons if p.pk is not None]
    if not saved:
        return 0
    # An erased person (key shredded) has nothing to index.
    return _write_keys({p.pk: queries.record_of(p) for p in saved if p.given_name is not None},
                       replace=[p.pk for p in saved])


def _write_keys(records: dict[int, matching.Record], *, replace: list[int]) -> int:
    index = crypto.blind_indexer()
    rows = [BlockingKey(person_id=pk, key=key) for pk, record in records.items()
            for key in queries.hashed_keys(record, index)]
    with transaction.atomic():
        if replace:
            BlockingKey.objects.filter(person_id__in=replace).delete()
        BlockingKey.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def forget(data_key_ids: Sequence[uuid.UUID]) -> None:
    """A shredded person keeps no blocking keys (they would still link their records)."""
    BlockingKey.objects.filter(person__data_key_id__in=list(data_key_ids)).delete()


class _Linker:
    """The kernel's seam (:mod:`korpu.core.linking`) implemented by this app."""

    def index(self, persons: Sequence[Any]) -> None:
        index_persons(persons)

    def forget(self, data_key_ids: Sequence[uuid.UUID]) -> None:
        forget(data_key_ids)

    def check(self, actor: Any, person: Mapping[str, Any], *, exclude_person: int | None = None) -> list[Candidate]:
        return queries.check_fields(actor, person, exclude_person=exclude_person)


LINKER = _Linker()


# --- link requests -----------------------------------------------------------------------------
def _acting_organisation(by: Actor, case: Case, action: str) -> Organisation:
    """The user's organisation that works with victims' data and has access to the case."""
    org_ids = case_queries.victim_data_organisation_ids(by)
    with_access = set(case_queries.live_access(org_ids).filter(case=case).values_list("organisation_id", flat=True))
    for membership in access.memberships(by):
        if membership.organisation_id in with_access:
            organisation: Organisation = membership.organisation
            return organisation
    audit.denied(action, obj=case, actor=by)
    raise ValidationError(_("You are not allowed to do this."))


def link_request(*, by: Actor, case: Case, organisation: Organisation | int) -> list[LinkRequest]:
    """Ask ``organisation`` whether a possible match it holds is the person of ``case``.

    The check is run again here (the page only says which organisation to ask), so a request can
    only ever go to a case that really scores as a possible match. One request per held case; one
    already pending is not sent twice.
    """
    org_id = organisation.pk if isinstance(organisation, Organisation) else int(organisation)
    sender = _acting_organisation(by, case, "linkage.request")
    held = [m for m in queries.case_matches(by, case) if not m.visible and m.organisation.pk == org_id]
    if not held:
        raise ValidationError(_("That organisation holds no possible match of this person any more."))
    made: list[LinkRequest] = []
    with transaction.atomic():
        for match in held:
            if LinkRequest.objects.filter(from_case=case, to_case_id=match.case_id,
                                          status=LinkRequest.Status.PENDING).exists():
                continue
            request = LinkRequest.objects.create(
                from_case=case, to_case_id=match.case_id, from_organisation=sender,
                to_organisation=match.organisation, score=round(match.score, 4),
                reasons=list(match.comparison.reasons), requested_by=user_of(by))
            audit.record("linkage.request", obj=request, actor=by,
                         details={"from_case": case.pk, "to_organisation": org_id, "score": request.score})
            made.append(request)
    if not made:
        raise ValidationError(_("A link request to that organisation is already waiting for an answer."))
    return made


def _answerable(by: Actor, request: LinkRequest, action: str) -> None:
    """Only a victim-data worker of the asked organisation answers, and only while the request waits."""
    if request.to_organisation_id not in case_queries.victim_data_organisation_ids(by):
        audit.denied(action, obj=request, actor=by)
        raise ValidationError(_("Only the organisation that was asked can answer this request."))
    if request.status != LinkRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."))


def _join(person_ids: Sequence[int], request: LinkRequest | None) -> Identity:
    """Put the persons (and everyone already linked to them) into one identity."""
    existing = list(Membership.objects.select_for_update().filter(person_id__in=person_ids))
    identity_ids = sorted({m.identity_id for m in existing})
    if identity_ids:
        identity = Identity.objects.get(pk=identity_ids[0])
        if len(identity_ids) > 1:
            Membership.objects.filter(identity_id__in=identity_ids[1:]).update(identity=identity)
            Identity.objects.filter(pk__in=identity_ids[1:]).delete()
    else:
        identity = Identity.objects.create()
    members = set(Membership.objects.filter(identity=identity).values_list("person_id", flat=True))
    Membership.objects.bulk_create([Membership(person_id=pk, identity=identity, request=request)
                                    for pk in person_ids if pk not in members])
    return identity


def link_confirm(*, by: Actor, request: LinkRequest) -> Identity:
    """The asked organisation confirms: the two records are one person (one identity from now on)."""
    _answerable(by, request, "linkage.confirm")
    with transaction.atomic():
        locked = LinkRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != LinkRequest.Status.PENDING:
            raise ValidationError(_("This request has already been answered."))
        from_person = Case.objects.values_list("person_id", flat=True).get(pk=locked.from_case_id)
        to_person = Case.objects.values_list("person_id", flat=True).get(pk=locked.to_case_id)
        identity = _join([from_person, to_person], locked)
        locked.status = LinkRequest.Status.CONFIRMED
        locked.decided_by = user_of(by)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record("linkage.confirm", obj=locked, actor=by, details={"identity": identity.pk})
    request.refresh_from_db()
    return identity


def _close(by: Actor, request: LinkRequest, status: str, action: str) -> LinkRequest:
    """Set a waiting request's answer, re-read under a row lock (an answer given meanwhile wins)."""
    with transaction.atomic():
        locked = LinkRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != LinkRequest.Status.PENDING:
            raise ValidationError(_("This request has already been answered."))
        locked.status = status
        locked.decided_by = user_of(by)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(action, obj=locked, actor=by)
    request.refresh_from_db()
    return request


def link_reject(*, by: Actor, request: LinkRequest) -> LinkRequest:
    """The asked organisation answers: different persons."""
    _answerable(by, request, "linkage.reject")
    return _close(by, request, LinkRequest.Status.REJECTED, "linkage.reject")


def link_withdraw(*, by: Actor, request: LinkRequest) -> LinkRequest:
    """The asking organisation takes a waiting request back."""
    if request.from_organisation_id not in case_queries.victim_data_organisation_ids(by):
        audit.denied("linkage.withdraw", obj=request, actor=by)
        raise ValidationError(_("Only the organisation that asked can withdraw this request."))
    if request.status != LinkRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."))
    return _close(by, request, LinkRequest.Status.WITHDRAWN, "linkage.withdraw")


def unlink(*, by: Actor, case: Case) -> None:
    """Take the case's person out of its identity (a link found wrong); the others stay linked."""
    _acting_organisation(by, case, "linkage.unlink")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(person_id=case.person_id).first()
        if membership is None:
            raise ValidationError(_("This record is not linked to any other."))
        identity_id = membership.identity_id
        membership.delete()
        rest = Membership.objects.filter(identity_id=identity_id)
        if rest.count() <= 1:
            rest.delete()
            Identity.objects.filter(pk=identity_id).delete()
        LinkRequest.objects.filter(status=LinkRequest.Status.CONFIRMED).filter(
            from_case__person_id=case.person_id).update(status=LinkRequest.Status.UNLINKED)
        LinkRequest.objects.filter(status=LinkRequest.Status.CONFIRMED).filter(
            to_case__person_id=case.person_id).update(status=LinkRequest.Status.UNLINKED)
        audit.record("linkage.unlink", obj=case, actor=by, details={"identity": identity_id})


# --- batch linkage -----------------------------------------------------------------------------
@dataclass
class RunSummary:
    persons: int = 0
    compared: int = 0
    pairs: int = 0
    clusters: int = 0
    already_linked: int = 0
    proposed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def _load_records(batch: int, progress: Callable[[int], None] | None) -> list[matching.Record]:
    records: list[matching.Record] = []
    last = 0
    while True:
        # The identifiers decrypt as the rows load: unwrap the batch's data keys first, in one query.
        window = list(Person.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "data_key_id")[:batch])
        if not window:
            return records
        crypto.preload_data_keys([key for _pk, key in window])
        rows = list(Person.objects.filter(pk__gt=last, pk__lte=window[-1][0]).order_by("pk")
                    .values_list(*queries.ROW_FIELDS))
        batch_records = {row[0]: queries.record_from_row(row) for row in rows if row[1] is not None}  # not erased
        unindexed = set(batch_records) - queries.has_keys(batch_records)
        if unindexed:  # persons saved before record linkage existed (or re-keyed): their keys are written now
            _write_keys({pk: batch_records[pk] for pk in unindexed}, replace=[])
        records.extend(batch_records.values())
        last = window[-1][0]
        crypto.clear_key_cache()
        if progress is not None:
            progress(len(rows))


def propose_links(*, by: Actor, batch: int = 5000, load_progress: Callable[[int], None] | None = None,
                  link_progress: Callable[[int], None] | None = None) -> RunSummary:
    """Batch linkage over the whole registry: link requests for the pairs found, never a confirmed link.

    A pair already in one identity, or with a request waiting, rejected or confirmed, is not proposed
    again. The request goes from the case of the newer record to the case of the older one.
    """
    import time

    started = time.perf_counter()
    records = _load_records(batch, load_progress)
    summary = RunSummary(persons=len(records))
    result = matching.link(records, progress=link_progress)
    summary.compared = result.compared
    summary.pairs = len(result.pairs)
    summary.clusters = sum(1 for c in result.clusters if len(c) > 1)
    person_pairs = [(int(records[i].id), int(records[j].id), score, matching.compare(records[i], records[j]).reasons)
                    for i, j, score in result.pairs]
    involved = {pk for a, b, _s, _r in person_pairs for pk in (a, b)}
    identity_of = dict(Membership.objects.filter(person_id__in=involved).values_list("person_id", "identity_id"))
    case_of: dict[int, tuple[int, int]] = {}
    for case_id, person_id, owner_id in (Case.objects.filter(person_id__in=involved).order_by("pk")
                                         .values_list("pk", "person_id", "owner_organisation_id")):
        case_of.setdefault(person_id, (case_id, owner_id))
    asked = set(LinkRequest.objects.filter(from_case_id__in=[c for c, _o in case_of.values()])
                .values_list("from_case_id", "to_case_id"))
    new: list[LinkRequest] = []
    for a, b, score, reasons in person_pairs:
        if a in identity_of and identity_of.get(a) == identity_of.get(b):
            summary.already_linked += 1
            continue
        older, newer = sorted((a, b))
        if older not in case_of or newer not in case_of:
            continue
        (to_case, to_org), (from_case, from_org) = case_of[older], case_of[newer]
        if (from_case, to_case) in asked or (to_case, from_case) in asked:
            continue
        asked.add((from_case, to_case))
        new.append(LinkRequest(from_case_id=from_case, to_case_id=to_case, from_organisation_id=from_org,
                               to_organisation_id=to_org, score=round(score, 4), reasons=list(reasons)))
    with transaction.atomic():
        LinkRequest.objects.bulk_create(new, batch_size=2000)
        audit.record("linkage.run", actor=by, details={"persons": summary.persons, "pairs": summary.pairs,
                                                        "proposed": len(new)})
    summary.proposed = len(new)
    summary.seconds = time.perf_counter() - started
    return summary
