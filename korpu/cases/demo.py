"""Demo cases: a synthetic caseload plus a few story cases made through the real actions.

The shelters they are referred to come first, from ``korpu.shelters.demo`` (``korpu.demo`` orders them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from korpu.accounts.models import Organisation, User
from korpu.cases import actions, choices, synthetic


def load(*, persons: int = 120, progress: Any = None) -> None:
    police = Organisation.objects.get(org_type=Organisation.Type.LAW_ENFORCEMENT)
    ngo1 = Organisation.objects.get(short_name="Ümid Körpüsü")
    synthetic.generate(persons=persons, years=5, progress=progress)
    outreach = User.objects.get(username="qht1")
    investigator = User.objects.get(username="polis")
    today = timezone.localdate()
    # A presumed victim found by NGO outreach, referred to the police two days ago: overdue decision.
    story = actions.case_register(
        by=outreach,
        person={"given_name": "Gülnarə", "family_name": "Əhmədova", "patronymic": "Rasim qızı",
                "gender": choices.Gender.FEMININE, "age_at_identification": 24, "citizenships": ["AZ"],
                "phone": "+994501112233", "address_city": "Sumqayıt", "address_region": "Abşeron-Xızı",
                "address_country": "AZ", "languages": ["az", "ru"], "marital_status": choices.MaritalStatus.DIVORCED,
                "number_of_children": 1, "education": choices.Education.UPPER_SECONDARY},
        case={"identification_channel": choices.IdentificationChannel.NGO_OUTREACH,
              "identified_on": today - dt.timedelta(days=2), "country_of_origin": "AZ",
              "transit_countries": ["GE"], "exploitation_countries": ["TR"],
              "sexual_exploitation_types": [choices.SexExploitation.PROSTITUTION],
              "means_of_control": [choices.MeansOfControl.WITHHOLDS_DOCUMENTS, choices.MeansOfControl.DEBT_BONDAGE],
              "recruitment_methods": [choices.RecruitmentMethod.SOCIAL_NETWORKS],
              "recruitment_websites": [choices.Website.INSTAGRAM], "recruitment_place": "Sumqayıt",
              "relationship_to_trafficker": choices.Relationship.ACQUAINTED, "age_when_trafficked": 23,
              "exploitation_start": today - dt.timedelta(days=300), "exploitation_end": today - dt.timedelta(days=5)},
        exploitation=[choices.Exploitation.SEXUAL],
        consent={"data_processing": True, "share_law_enforcement": True, "share_ngo": True,
                 "contact_by_law_enforcement": True},
    )
    referral = actions.referral_create(by=outreach, case=story, to_organisation=police,
                                       reason=choices.ReferralReason.IDENTIFICATION, services=["legal"],
                                       urgency="urgent", details="Hotline call, met at the bus station.")
    type(referral).objects.filter(pk=referral.pk).update(created_at=timezone.now() - dt.timedelta(hours=40))
    # A recognised victim referred to a shelter and waiting for acceptance.
    second = actions.case_register(
        by=investigator,
        person={"given_name": "Şəhla", "family_name": "İsmayılzadə", "gender": choices.Gender.FEMININE,
                "age_at_identification": 31, "citizenships": ["AZ"]},
        case={"identification_channel": choices.IdentificationChannel.POLICE_OPERATION,
              "identified_on": today - dt.timedelta(days=1), "country_of_origin": "AZ",
              "exploitation_countries": ["AE"], "forced_labour_industry": "F_Construction",
              "means_of_control": [choices.MeansOfControl.WITHHOLDS_DOCUMENTS, choices.MeansOfControl.TAKES_EARNINGS],
              "recruitment_methods": [choices.RecruitmentMethod.ONLINE_AD]},
        exploitation=[choices.Exploitation.FORCED_LABOUR],
        consent={"data_processing": True, "share_law_enforcement": True, "share_ngo": True},
    )
    actions.status_decision_record(by=investigator, case=second, decision="recognised", decided_on=today,
                                   basis="Göstəricilər siyahısına uyğun olaraq təsdiqləndi.")
    actions.referral_create(by=investigator, case=second, to_organisation=ngo1,
                            reason=choices.ReferralReason.ADDITIONAL_SERVICES,
                            services=["accommodation", "psychological", "medical"], urgency="urgent")
    actions.trafficking_event_record(by=investigator, case=second, event_type=choices.TraffickingEventType.EXPLOITATION,
                                     occurred_on=today - dt.timedelta(days=200), country="AE", city="Dubay",
                                     description="Tikinti sahəsində pasportu əlindən alınıb.")
    actions.support_plan_create(by=investigator, case=second, plan_type=choices.SupportPlanType.LEGAL,
                                objectives="Sənədlərin bərpası və birdəfəlik müavinətin alınması.",
                                action_plan="Hüquqşünasla görüş; Miqrasiya Xidmətinə müraciət.",
                                planned_end=today + dt.timedelta(days=60))
