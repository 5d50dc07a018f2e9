"""Record linkage reads, scoped by user: the duplicate check, a case's linked records, link requests.

The duplicate check runs across **all** organisations (that is its point) but tells the asking user
only what they may know: a candidate in a case they may see comes with its case; any other comes as
"a possible match is held by organisation X" — organisation, score and reason codes, no name, no case
number, no field value (:class:`Match.public`). Candidates are found by equal blocking keys (keyed
HMACs, :mod:`korpu.linkage.models`) and scored on values decrypted inside the server only; every
check is an audited read of the persons it decrypted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation
from korpu.cases import choices
from korpu.cases import queries as case_queries
from korpu.cases.models import Case, Person, Section
from korpu.core import access, audit, crypto
from korpu.core.linking import Candidate
from korpu.core.models import DataKey
from korpu.linkage import matching
from korpu.linkage.models import BlockingKey, LinkRequest, Membership

# Persons fetched and scored per check, most shared keys first: a bound on the work (and on what one
# check decrypts) whatever the name's frequency.
CANDIDATE_LIMIT = 40

REASON_LABELS: dict[str, Any] = {  # one per code of matching.REASONS (a test holds them together)
    "given_exact": _("first name agrees"),
    "given_similar": _("first name is similar"),
    "given_close": _("first name is somewhat similar"),
    "given_differs": _("first name differs"),
    "surname_exact": _("surname agrees"),
    "surname_similar": _("surname is similar"),
    "surname_close": _("surname is somewhat similar"),
    "surname_differs": _("surname differs"),
    "names_swapped": _("first name and surname swapped"),
    "patronymic_exact": _("patronymic agrees"),
    "patronymic_similar": _("patronymic is similar"),
    "patronymic_close": _("patronymic is somewhat similar"),
    "patronymic_differs": _("patronymic differs"),
    "birth_date_exact": _("date of birth agrees"),
    "birth_date_day_month_swapped": _("date of birth agrees with day and month swapped"),
    "birth_year_close": _("date of birth agrees but for the year, one apart"),
    "birth_year_month_same": _("year and month of birth agree"),
    "birth_year_same": _("year of birth agrees"),
    "birth_year_near": _("year of birth differs by one"),
    "birth_date_differs": _("date of birth differs"),
    "birth_date_partial": _("the known part of the date of birth agrees"),
    "birth_date_missing": _("date of birth missing on one side"),
    "sex_same": _("sex agrees"),
    "sex_differs": _("sex differs"),
    "citizenship_same": _("citizenship agrees"),
    "citizenship_differs": _("citizenship differs"),
    "document_exact": _("identity document agrees"),
    "document_close": _("identity document differs by one character"),
    "document_near": _("identity document differs by two characters"),
    "document_differs": _("identity document differs"),
}


def reason_labels(codes: Iterable[str]) -> list[str]:
    return [str(REASON_LABELS.get(code, code)) for code in codes]


# --- records -----------------------------------------------------------------------------------
RECORD_FIELDS = ("data_key", "given_name", "family_name", "patronymic", "birth_date", "document_number", "gender",
                 "citizenships")

def _sex(gender: str) -> str:
    sexes: dict[str, str] = {choices.Gender.FEMININE: "F", choices.Gender.MASCULINE: "M"}
    return sexes.get(gender, "")


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value or "").strip()


def record_of(person: Person) -> matching.Record:
    """The matcher's view of a saved person (decrypts the identifiers: call inside an audited read)."""
    return matching.Record(
        id=str(person.pk), given_name=person.given_name or "", surname=person.family_name or "",
        patronymic=person.patronymic or "", birth_date=_date(person.birth_date), sex=_sex(person.gender),
        citizenship=(person.citizenships or [""])[0] if person.citizenships else "",
        document_number=person.document_number or "")


def record_from_row(row: tuple[Any, ...]) -> matching.Record:
    """The matcher's view of a ``values_list(*ROW_FIELDS)`` row (decrypted as it loads): no model instance."""
    pk, given, family, patronymic, birth, document, gender, citizenships = row
    return matching.Record(id=str(pk), given_name=given or "", surname=family or "", patronymic=patronymic or "",
                           birth_date=_date(birth), sex=_sex(gender), citizenship=(citizenships or [""])[0],
                           document_number=document or "")


ROW_FIELDS = ("pk", "given_name", "family_name", "patronymic", "birth_date", "document_number", "gender",
              "citizenships")


def record_from_fields(fields: Mapping[str, Any]) -> matching.Record:
    """The matcher's view of registration fields (the person part of a form, an API body or an import row)."""
    citizenships = fields.get("citizenships") or []
    if isinstance(citizenships, str):
        citizenships = [c.strip() for c in citizenships.split(",") if c.strip()]
    return matching.Record(
        id="new", given_name=str(fields.get("given_name") or ""), surname=str(fields.get("family_name") or ""),
        patronymic=str(fields.get("patronymic") or ""), birth_date=_date(fields.get("birth_date")),
        sex=_sex(str(fields.get("gender") or "")), citizenship=str(citizenships[0]).upper() if citizenships else "",
        document_number=str(fields.get("document_number") or ""))


def hashed_keys(record: matching.Record | Any, index: Any = None) -> list[str]:
    """The record's blocking keys as stored: keyed HMACs, one purpose per kind of key."""
    index = index or crypto.blind_indexer()
    return sorted({index(text, purpose) for purpose, text in matching.blocking_keys(record)})


def has_keys(person_ids: Iterable[int]) -> set[int]:
    keyed = BlockingKey.objects.filter(person_id__in=list(person_ids)).values_list("person_id", flat=True)
    return set(keyed.distinct())


def identity_visible(user: Any, case_ids: list[int]) -> set[int]:
    """The cases among these the user may see *with their identity section*: only for those may a
    match name the case (a case seen for its services only must not be tied to a name)."""
    if not case_ids:
        return set()
    org_ids = case_queries.victim_data_organisation_ids(user)
    rows = case_queries.live_access(org_ids).filter(case_id__in=case_ids).values_list("case_id", "sections")
    return {case_id for case_id, sections in rows if Section.IDENTITY in (sections or [])}


# --- the duplicate check -----------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """One candidate case inside the server: knows the case; :meth:`public` says what the user may know."""

    person_id: int
    case_id: int
    case_number: str
    organisation: Organisation
    comparison: matching.Comparison
    visible: bool

    @property
    def score(self) -> float:
        return self.comparison.score

    def public(self) -> Candidate:
        reasons = tuple(self.comparison.reasons)
        return Candidate(score=round(self.comparison.score, 3), reasons=reasons,
                         organisation_id=self.organisation.pk, organisation_name=self.organisation.name,
                         case_id=self.case_id if self.visible else None,
                         case_number=self.case_number if self.visible else None,
                         reason_labels=tuple(reason_labels(reasons)))


def identity_person_ids(person_id: int) -> set[int]:
    """The persons joined with this one into an identity (itself included)."""
    membership = Membership.objects.filter(person_id=person_id).first()
    if membership is None:
        return {person_id}
    return set(Membership.objects.filter(identity_id=membership.identity_id).values_list("person_id", flat=True))


def _scored(record: matching.Record, *, exclude: set[int]) -> tuple[list[tuple[int, matching.Comparison]], list[int]]:
    """The possible matches with their comparison, and every person decrypted to find them."""
    if not DataKey.objects.filter(purpose=DataKey.Purpose.BLIND_INDEX).exists():
        return [], []  # no index key yet: nothing was ever indexed (and a check creates nothing)
    keys = hashed_keys(record)
    if not keys:
        return [], []
    ranked = (BlockingKey.objects.filter(key__in=keys).exclude(person_id__in=exclude)
              .values("person_id").annotate(shared=Count("id")).order_by("-shared", "-person_id")
              .values_list("person_id", flat=True)[:CANDIDATE_LIMIT])
    ids = list(ranked)
    if not ids:
        return [], []
    # The identifiers decrypt as the rows load: unwrap the candidates' data keys first, in one query.
    crypto.preload_data_keys(list(Person.objects.filter(pk__in=ids).values_list("data_key_id", flat=True)))
    persons = list(Person.objects.filter(pk__in=ids).only(*RECORD_FIELDS))
    prepared = matching.prepare(record)
    found: list[tuple[int, matching.Comparison]] = []
    for person in persons:
        try:
            other = record_of(person)
        except crypto.KeyShredded:
            continue
        comparison = matching.compare(prepared, matching.prepare(other))
        if comparison.score >= matching.POSSIBLE:
            found.append((person.pk, comparison))
    return found, [p.pk for p in persons]


def find_matches(user: Any, record: matching.Record, *, exclude_person: int | None = None,
                 audit_action: str = "linkage.check", subject: Case | None = None) -> list[Match]:
    """Every possible match of ``record`` across all organisations, best first, as :class:`Match` values.

    Persons already in the identity of ``exclude_person`` are left out. A check that decrypted anyone
    is an audited read naming the persons it decrypted (the audit log is the only place that names
    them); one whose keys found no one read no victim's data and leaves no event.
    """
    exclude = identity_person_ids(exclude_person) if exclude_person is not None else set()
    scored, decrypted = _scored(record, exclude=exclude)
    if not scored:
        if decrypted:
            audit.record(audit_action, obj=subject, actor=user, details={"candidates": 0, "decrypted": decrypted})
        return []
    by_person = dict(scored)
    cases = list(Case.objects.filter(person_id__in=by_person).select_related("owner_organisation")
                 .only("pk", "number", "person_id", "owner_organisation"))
    visible = identity_visible(user, [c.pk for c in cases])
    matches = [Match(person_id=c.person_id, case_id=c.pk, case_number=c.number, organisation=c.owner_organisation,
                     comparison=by_person[c.person_id], visible=c.pk in visible) for c in cases]
    matches.sort(key=lambda m: (-m.score, not m.visible, m.organisation.name, m.case_id))
    audit.record(audit_action, obj=subject, actor=user,
                 details={"candidates": len(matches), "persons": sorted(by_person), "decrypted": decrypted})
    return matches


def public_candidates(matches: list[Match]) -> list[Candidate]:
    """What the user may know of the matches: a visible case each; hidden ones once per organisation."""
    out: list[Candidate] = []
    hidden_seen: set[int] = set()
    for match in matches:
        if not match.visible:
            if match.organisation.pk in hidden_seen:
                continue
            hidden_seen.add(match.organisation.pk)
        out.append(match.public())
    return out


def check_fields(user: Any, fields: Mapping[str, Any], *, exclude_person: int | None = None) -> list[Candidate]:
    """The check of registration fields (a form, an API body, an import row), against everyone else."""
    require_victim_data(user, "linkage.check")
    return public_candidates(find_matches(user, record_from_fields(fields), exclude_person=exclude_person))


def case_matches(user: Any, case: Case) -> list[Match]:
    """The check on demand from a case page: the case's person against everyone else's."""
    return find_matches(user, record_of(case.person), exclude_person=case.person_id, subject=case)


def require_victim_data(user: Any, action: str) -> None:
    access.require(bool(case_queries.victim_data_organisation_ids(user)), action=action, user=user)


def case_with_identity(user: Any, case_id: int, *, action: str) -> Case:
    """A case the user may see with its identity section (the check compares identifiers); else 404."""
    case = (case_queries.cases_visible_to(user).filter(pk=case_id).select_related("person", "owner_organisation")
            .first())
    allowed = (case is not None and "identity" in case_queries.sections_for(user, case)
               and case.person.given_name is not None)
    access.require(allowed, action=action, user=user, object_type="cases.Case", object_id=str(case_id))
    assert case is not None
    return case


# --- linked records ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkedRecord:
    organisation: Organisation
    case_id: int | None  # None: a case the user may not see
    case_number: str | None
    linked_at: dt.datetime


def linked_records(user: Any, case: Case) -> list[LinkedRecord]:
    """The other records of the case's identity: with their case where the user may see it."""
    mine = Membership.objects.filter(person_id=case.person_id).first()
    if mine is None:
        return []
    others = Membership.objects.filter(identity_id=mine.identity_id).exclude(person_id=case.person_id)
    cases = list(Case.objects.filter(person_id__in=others.values("person_id")).select_related("owner_organisation")
                 .only("pk", "number", "person_id", "owner_organisation"))
    linked_at = dict(others.values_list("person_id", "linked_at"))
    visible = identity_visible(user, [c.pk for c in cases])
    rows = [LinkedRecord(organisation=c.owner_organisation, case_id=c.pk if c.pk in visible else None,
                         case_number=c.number if c.pk in visible else None,
                         linked_at=max(linked_at.get(c.person_id, mine.linked_at), mine.linked_at)) for c in cases]
    return sorted(rows, key=lambda r: (r.case_id is None, r.organisation.name))


# --- link requests -----------------------------------------------------------------------------
def requests_inbox(user: Any) -> QuerySet[LinkRequest]:
    """Link requests addressed to the user's organisations (their own cases), newest first."""
    org_ids = case_queries.victim_data_organisation_ids(user)
    return (LinkRequest.objects.filter(to_organisation_id__in=org_ids)
            .select_related("from_organisation", "to_organisation", "to_case"))


def requests_outbox(user: Any) -> QuerySet[LinkRequest]:
    org_ids = case_queries.victim_data_organisation_ids(user)
    return (LinkRequest.objects.filter(from_organisation_id__in=org_ids)
            .select_related("from_organisation", "to_organisation", "from_case"))


def pending_for(user: Any, *, limit: int = 50) -> list[LinkRequest]:
    """The link requests waiting for the user's answer ("My tasks")."""
    return list(requests_inbox(user).filter(status=LinkRequest.Status.PENDING)[:limit])


def request_for(user: Any, request_id: int, *, action: str = "linkage.request.view") -> LinkRequest:
    """A link request the user's organisation sent or received; else 404 (audited)."""
    org_ids = case_queries.victim_data_organisation_ids(user)
    found = (LinkRequest.objects.filter(pk=request_id).select_related(
        "from_organisation", "to_organisation", "from_case", "to_case").first())
    if found is None or not ({found.from_organisation_id, found.to_organisation_id} & org_ids):
        audit.denied(action, object_type="linkage.LinkRequest", object_id=str(request_id), actor=user)
        raise Http404
    audit.record(action, obj=found, actor=user)
    return found


def requests_of_case(user: Any, case: Case) -> list[LinkRequest]:
    """The requests the user's organisations sent from this case or received about it."""
    org_ids = case_queries.victim_data_organisation_ids(user)
    sent = LinkRequest.objects.filter(from_case=case, from_organisation_id__in=org_ids)
    received = LinkRequest.objects.filter(to_case=case, to_organisation_id__in=org_ids)
    return list((sent | received).select_related("from_organisation", "to_organisation").distinct())


# --- counting ----------------------------------------------------------------------------------
def identity_expression() -> Any:
    """Per person: its identity's id, or minus its own id when it is linked to no one (an identity alone)."""
    return Coalesce(F("identity_link__identity_id"), Value(0) - F("pk"))


def count_identities(persons: QuerySet[Person]) -> int:
    """How many human beings these person records are (linked records counted once)."""
    return persons.annotate(identity_key=identity_expression()).values("identity_key").distinct().count()
