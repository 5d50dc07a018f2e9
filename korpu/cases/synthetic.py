"""Synthetic persons and cases for demos and benchmarks (``korpu generate --persons N``).

Everything is invented (Faker ``az_AZ``); distributions follow the published shape of
Azerbaijan's caseload: mostly women, mostly adults, sexual exploitation and forced labour,
exploitation abroad (Türkiye, UAE, Russia) and at home, most cases identified by police
operations, most presumed victims officially recognised, many referred to NGO shelters.

Rows are written in bulk, not through the per-record actions (a million audit events would
measure the audit log, not the case list), and the load is audited as one
``synthetic.generate`` event. See docs/adr/0010-synthetic-data.md.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from korpu.accounts.models import Organisation, User
from korpu.cases import choices, queries
from korpu.cases.actions import CASE_NUMBER_ALPHABET, default_sections
from korpu.cases.models import (
    Case,
    CaseAccess,
    CaseExploitation,
    Consent,
    Person,
    Referral,
    Service,
    StatusChange,
    StatusDecision,
    SupportPlan,
)
from korpu.core import audit, crypto, linking
from korpu.core.models import DataKey

EXPLOITATION_WEIGHTS = [
    (["SexualExploitation"], 46), (["ForcedLabour"], 38), (["SexualExploitation", "ForcedLabour"], 4),
    (["ForcedBegging"], 4), (["ForcedMarriage"], 3), (["ChildLabour"], 2), (["OrganRemoval"], 1),
    (["Servitude"], 2),
]
CITIZENSHIP_WEIGHTS = [("AZ", 82), ("UZ", 5), ("TJ", 3), ("KG", 2), ("RU", 2), ("GE", 2), ("TR", 2), ("IR", 2)]
EXPLOITATION_COUNTRY_WEIGHTS = [("TR", 30), ("AZ", 28), ("AE", 20), ("RU", 12), ("IR", 4), ("KZ", 3), ("GE", 3)]
CHANNEL_WEIGHTS = [("police_operation", 52), ("border", 14), ("hotline", 9), ("ngo_outreach", 14),
                   ("self_referral", 5), ("consulate", 4), ("labour_inspection", 2)]
INDUSTRIES = ["F_Construction", "A_AgricultureForestryAndFishing", "T_ActivitiesOfHouseholdsAsEmployers",
              "I_AccommodationAndFoodServiceActivities", "C_Manufacturing"]
CONTROL = [c.value for c in choices.MeansOfControl if c != choices.MeansOfControl.OTHER]
# (city, economic region, postal code prefix): where people live, for the encrypted address parts.
PLACES = [("Bakı", "Bakı", "AZ10", 40), ("Sumqayıt", "Abşeron-Xızı", "AZ50", 10),
          ("Gəncə", "Gəncə-Daşkəsən", "AZ20", 8),
          ("Mingəçevir", "Mərkəzi Aran", "AZ45", 4), ("Şirvan", "Şirvan-Salyan", "AZ60", 4),
          ("Lənkəran", "Lənkəran-Astara", "AZ42", 6), ("Şəki", "Şəki-Zaqatala", "AZ55", 4),
          ("Quba", "Quba-Xaçmaz", "AZ40", 4), ("Qazax", "Qazax-Tovuz", "AZ30", 3), ("Naxçıvan", "Naxçıvan", "AZ70", 3),
          ("Şamaxı", "Dağlıq Şirvan", "AZ56", 3), ("Beyləqan", "Mil-Muğan", "AZ12", 3), ("Bərdə", "Qarabağ", "AZ09", 4),
          ("Zəngilan", "Şərqi Zəngəzur", "AZ72", 1)]
PLACE_WEIGHTS = [(place[:3], place[3]) for place in PLACES]
MARITAL_WEIGHTS = [("Single", 45), ("Married", 30), ("Divorced", 15), ("Widowed", 3), ("Separated", 7)]
EDUCATION_WEIGHTS = [("PrimaryEducation", 10), ("LowerSecondaryEducation", 30), ("UpperSecondaryEducation", 40),
                     ("PostSecondaryNonTertiaryEducation", 10), ("BachelorsOrEquivalentLevel", 10)]
TRANSIT = {"AE": ["TR", "GE"], "RU": ["GE"], "TR": ["GE"], "KZ": ["RU"], "IR": [], "AZ": [], "GE": []}
ONLINE = {"ThroughOnlineSocialNetworks": ["Facebook", "Instagram", "Telegram"],
          "ThroughAnOnlineAdvertisement": ["Facebook", "WhatsApp", "Other"]}
RELATIONSHIP_WEIGHTS = [("Acquainted", 55), ("Unaquainted", 30), ("Familial", 15)]
PLAN_TYPES = {"SexualExploitation": "SexualExploitationRehabilitation",
              "ForcedLabour": "LabourExploitationRehabilitation"}


def _weighted(rng: random.Random, table: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in table], weights=[w for _v, w in table], k=1)[0]


@dataclass
class Plan:
    """Where synthetic cases go: who owns them and who receives referrals."""

    police: list[Organisation]
    ngos: list[Organisation]
    investigator: User
    ngo_workers: dict[int, User] = field(default_factory=dict)


def plan_from_database() -> Plan:
    police = list(Organisation.objects.filter(org_type=Organisation.Type.LAW_ENFORCEMENT, is_active=True))
    ngos = list(Organisation.objects.filter(org_type=Organisation.Type.NGO, is_active=True))
    investigator = User.objects.filter(memberships__role="police_investigator", is_active=True).first()
    if not police or not ngos or investigator is None:
        raise RuntimeError("synthetic data needs a law-enforcement organisation with an investigator and an NGO")
    workers = {}
    for ngo in ngos:
        worker = User.objects.filter(memberships__organisation=ngo, memberships__role="ngo_case_worker").first()
        if worker is not None:
            workers[ngo.pk] = worker
    return Plan(police=police, ngos=ngos, investigator=investigator, ngo_workers=workers)


def _numbers(rng: random.Random, count: int, year: int) -> list[str]:
    while True:
        wanted = {f"AZ-{year}-" + "".join(rng.choice(CASE_NUMBER_ALPHABET) for _ in range(8)) for _ in range(count)}
        if len(wanted) == count:
            taken = set(Case.objects.filter(number__in=wanted).values_list("number", flat=True))
            if not taken:
                return list(wanted)


def generate(*, persons: int, seed: int = 2020, batch: int = 1000, years: int = 6,
             progress: Callable[[int], None] | None = None, plan: Plan | None = None) -> int:
    """Create ``persons`` persons with one case each, with referrals, decisions and services."""
    plan = plan or plan_from_database()
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    fake = Faker("az_AZ")
    fake.seed_instance(seed)
    today = timezone.localdate()
    made = 0
    while made < persons:
        size = min(batch, persons - made)
        with transaction.atomic():
            _batch(rng, fake, plan, size, today, years)
        crypto.clear_key_cache()
        made += size
        if progress is not None:
            progress(size)
    audit.record("synthetic.generate", details={"persons": persons, "seed": seed})
    return made


def _batch(rng: random.Random, fake: Faker, plan: Plan, size: int, today: dt.date, years: int) -> None:
    blind_index = crypto.blind_indexer()
    keys = [DataKey.build() for _ in range(size)]
    DataKey.objects.bulk_create(keys)
    people: list[Person] = []
    for key in keys:
        female = rng.random() < 0.74
        age = rng.choice([rng.randint(12, 17)] if rng.random() < 0.09 else [rng.randint(18, 55)])
        given = fake.first_name_female() if female else fake.first_name_male()
        family = fake.last_name_female() if female else fake.last_name_male()
        birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364) + rng.randint(0, 365 * years))
        citizenship = _weighted(rng, CITIZENSHIP_WEIGHTS)
        city, region, postal = _weighted(rng, PLACE_WEIGHTS)
        adult = age >= 18
        person = Person(
            data_key=key, given_name=given, family_name=family,
            patronymic=fake.first_name_male() + (" qızı" if female else " oğlu"),
            birth_date=birth, document_number=f"AZE{rng.randint(10_000_000, 99_999_999)}",
            phone=f"+99450{rng.randint(1_000_000, 9_999_999)}", address=fake.street_address(),
            home_phone=f"+99412{rng.randint(1_000_000, 9_999_999)}" if rng.random() < 0.3 else "",
            email=f"{fake.user_name()}@example.az" if rng.random() < 0.15 else "",
            address_city=city, address_region=region,
            address_postal_code=f"{postal}{rng.randint(0, 99):02d}" if rng.random() < 0.3 else "",
            address_country="AZ" if citizenship == "AZ" or rng.random() < 0.5 else citizenship,
            gender=choices.Gender.FEMININE if female else choices.Gender.MASCULINE, age_at_identification=age,
            citizenships=[citizenship], languages=["az", "ru"] if rng.random() < 0.3 else ["az"],
            marital_status=_weighted(rng, MARITAL_WEIGHTS) if adult else "Single",
            education=_weighted(rng, EDUCATION_WEIGHTS) if adult else "LowerSecondaryEducation",
            number_of_children=rng.choice([0, 0, 1, 1, 2, 3]) if adult else 0,
            disability=rng.random() < 0.04, deceased=rng.random() < 0.002,
        )
        full = f"{given} {family}"
        person.name_index = blind_index(full, "person.name")
        person.family_name_index = blind_index(family, "person.name")
        person.document_index = blind_index(person.document_number, "person.document")
        people.append(person)
    Person.objects.bulk_create(people)
    linking.index(people)  # record linkage's blocking keys (blind indexes), as the actions write them
    numbers = _numbers(rng, size, today.year)
    cases: list[Case] = []
    exploitation_of: list[list[str]] = []
    for person, number in zip(people, numbers, strict=True):
        identified = today - dt.timedelta(days=rng.randint(0, 365 * years))
        exploitation = _weighted(rng, EXPLOITATION_WEIGHTS)
        if person.age_at_identification is not None and person.age_at_identification < 18 and rng.random() < 0.5:
            exploitation = ["ChildLabour"] if "ForcedLabour" in exploitation else exploitation
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        owner = rng.choice(plan.ngos) if channel in ("ngo_outreach", "hotline") and rng.random() < 0.7 \
            else rng.choice(plan.police)
        country = _weighted(rng, EXPLOITATION_COUNTRY_WEIGHTS)
        decided = rng.random() < 0.86 and identified < today - dt.timedelta(days=2)
        age_days = (today - identified).days
        status = choices.CaseStatus.ACTIVE if age_days < 180 else (
            choices.CaseStatus.FOLLOW_UP if age_days < 540 else choices.CaseStatus.CLOSED)
        recruitment = rng.choice(["ThroughFriendsOrSocialEvents", "ThroughOnlineSocialNetworks",
                                  "ThroughAnOnlineAdvertisement", "ThroughFamilyOrFamilyEvents"])
        months = rng.randint(1, 24)
        start = identified - dt.timedelta(days=30 * months + rng.randint(0, 29))
        end = identified - dt.timedelta(days=rng.randint(0, 20))
        age = person.age_at_identification or 18
        case = Case(
            number=number, person=person, data_key=person.data_key, owner_organisation=owner,
            identifying_organisation=owner, identification_channel=channel, identified_on=identified,
            trafficking_status=(choices.TraffickingStatus.ACTUAL if decided else choices.TraffickingStatus.POSSIBLE),
            status_decided_by=choices.DecisionOrg.POLICE if decided else "",
            forced_labour_industry=rng.choice(INDUSTRIES) if "ForcedLabour" in exploitation else "",
            sexual_exploitation_types=["Prostitution"] if "SexualExploitation" in exploitation else [],
            means_of_control=rng.sample(CONTROL, k=rng.randint(1, 3)),
            recruitment_methods=[recruitment],
            recruitment_websites=[rng.choice(ONLINE[recruitment])] if recruitment in ONLINE else [],
            exploitation_websites=(["Telegram"] if "SexualExploitation" in exploitation and rng.random() < 0.3
                                   else []),
            recruitment_place=rng.choice(PLACES)[0] if rng.random() < 0.4 else "",
            relationship_to_trafficker=(choices.Relationship.FAMILIAL if recruitment == "ThroughFamilyOrFamilyEvents"
                                        else _weighted(rng, RELATIONSHIP_WEIGHTS[:2])),
            country_of_origin=person.citizenships[0], exploitation_countries=[country],
            transit_countries=TRANSIT.get(country, [])[:1] if rng.random() < 0.5 else [],
            exploitation_start=start, exploitation_end=max(end, start),
            age_when_trafficked=max(0, age - months // 12 - (1 if months % 12 and rng.random() < 0.5 else 0)),
            is_transnational=country != person.citizenships[0], status=status,
            closed_on=identified + dt.timedelta(days=540) if status == choices.CaseStatus.CLOSED else None,
            closure_reason="Reinteqrasiya başa çatıb" if status == choices.CaseStatus.CLOSED else "",
            guardian_name=fake.name() if person.is_child else "",
            guardian_contact=f"+99455{rng.randint(1_000_000, 9_999_999)}" if person.is_child else "",
            created_at=timezone.make_aware(dt.datetime.combine(identified, dt.time(10))),
        )
        cases.append(case)
        exploitation_of.append(exploitation)
    Case.objects.bulk_create(cases)
    changes = []
    for c in cases:
        if c.status != choices.CaseStatus.ACTIVE:
            changes.append(StatusChange(case=c, status=choices.CaseStatus.FOLLOW_UP, previous=choices.CaseStatus.ACTIVE,
                                        organisation=c.owner_organisation,
                                        changed_at=c.created_at + dt.timedelta(days=180)))
        if c.status == choices.CaseStatus.CLOSED:
            changes.append(StatusChange(case=c, status=choices.CaseStatus.CLOSED,
                                        previous=choices.CaseStatus.FOLLOW_UP, organisation=c.owner_organisation,
                                        changed_at=c.created_at + dt.timedelta(days=540)))
    StatusChange.objects.bulk_create(changes)
    CaseExploitation.objects.bulk_create(
        [CaseExploitation(case=c, exploitation=e) for c, ex in zip(cases, exploitation_of, strict=True) for e in ex])
    CaseAccess.objects.bulk_create([CaseAccess(case=c, organisation=c.owner_organisation,
                                               source=CaseAccess.Source.OWNER,
                                               sections=queries.owner_sections(c.owner_organisation))
                                    for c in cases])
    Consent.objects.bulk_create([Consent(case=c, data_processing=True, share_law_enforcement=True, share_ngo=True,
                                         share_government=rng.random() < 0.8, contact_by_law_enforcement=True,
                                         given_on=c.identified_on, recorded_by=plan.investigator) for c in cases])
    decisions = [StatusDecision(case=c, data_key=c.data_key, decision=StatusDecision.Decision.RECOGNISED,
                                decided_on=c.identified_on + dt.timedelta(days=1), basis="Göstəricilər təsdiqlənib",
                                decided_by=plan.investigator, organisation=plan.police[0])
                 for c in cases if c.trafficking_status == choices.TraffickingStatus.ACTUAL]
    StatusDecision.objects.bulk_create(decisions)
    referrals: list[Referral] = []
    for c in cases:
        if c.owner_organisation.org_type == Organisation.Type.NGO:
            target = rng.choice(plan.police)
        elif rng.random() < 0.62:
            target = rng.choice(plan.ngos)
        else:
            continue
        created = c.created_at + dt.timedelta(hours=rng.randint(1, 20))
        recent = (today - c.identified_on).days < 3
        referral_status = Referral.Status.PENDING if recent else (
            Referral.Status.ACCEPTED if c.status != choices.CaseStatus.CLOSED else Referral.Status.COMPLETED)
        referrals.append(Referral(
            case=c, data_key=c.data_key, from_organisation=c.owner_organisation, to_organisation=target,
            reason=(choices.ReferralReason.IDENTIFICATION if target.org_type == Organisation.Type.LAW_ENFORCEMENT
                    else choices.ReferralReason.ADDITIONAL_SERVICES),
            services_requested=["accommodation", "psychological"], urgency=Referral.Urgency.URGENT,
            sections=default_sections(target), status=referral_status, created_by=plan.investigator,
            created_at=created,
            decided_at=None if referral_status == Referral.Status.PENDING else created + dt.timedelta(hours=3),
            decided_by=(None if referral_status == Referral.Status.PENDING
                        else plan.ngo_workers.get(target.pk, plan.investigator)),
            ended_at=created + dt.timedelta(days=500) if referral_status == Referral.Status.COMPLETED else None,
        ))
    Referral.objects.bulk_create(referrals)
    CaseAccess.objects.bulk_create([CaseAccess(case=r.case, organisation=r.to_organisation,
                                               source=CaseAccess.Source.REFERRAL, referral=r, sections=r.sections)
                                    for r in referrals if r.status == Referral.Status.ACCEPTED])
    services = []
    for c in cases:
        if c.trafficking_status == choices.TraffickingStatus.ACTUAL and rng.random() < 0.9:
            services.append(Service(case=c, data_key=c.data_key, service_type=choices.ServiceType.FINANCIAL,
                                    provider=plan.police[0], amount=700, outcome=Service.Outcome.DELIVERED,
                                    planned_on=c.identified_on, delivered_on=c.identified_on + dt.timedelta(days=20),
                                    recorded_by=plan.investigator))
        if rng.random() < 0.7:
            services.append(Service(case=c, data_key=c.data_key, service_type=choices.ServiceType.PSYCHOLOGICAL,
                                    provider=rng.choice(plan.ngos), outcome=Service.Outcome.DELIVERED,
                                    planned_on=c.identified_on + dt.timedelta(days=3),
                                    delivered_on=c.identified_on + dt.timedelta(days=10),
                                    recorded_by=plan.investigator))
    Service.objects.bulk_create(services)
    plans = []
    for c, exploitation in zip(cases, exploitation_of, strict=True):
        if rng.random() < 0.2:
            kind = PLAN_TYPES.get(exploitation[0], "SocialCare")
            ended = c.status == choices.CaseStatus.CLOSED
            plans.append(SupportPlan(
                case=c, data_key=c.data_key, organisation=c.owner_organisation, plan_type=kind,
                objectives="Psixoloji bərpa, sənədlərin bərpası, işə düzəlmə",
                action_plan="Həftəlik psixoloq görüşü; peşə kursu; 3 aydan bir qiymətləndirmə",
                planned_end=c.identified_on + dt.timedelta(days=365),
                actual_end=c.identified_on + dt.timedelta(days=400) if ended else None,
                created_by=plan.investigator, created_at=c.created_at + dt.timedelta(days=7)))
    SupportPlan.objects.bulk_create(plans)
