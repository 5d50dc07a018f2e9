"""Demo record linkage: one woman registered by two NGOs in two scripts, with a link request waiting.

NGO 3 registered her in Cyrillic; NGO 1 registered her again in Latin and asked NGO 3 whether it is
the same person. The request waits in NGO 3's "My tasks" (log in as qht3 to confirm or reject).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from korpu.accounts.models import Organisation, User
from korpu.cases import actions as case_actions
from korpu.cases import choices
from korpu.linkage import actions


def load() -> None:
    today = timezone.localdate()
    ngo3 = Organisation.objects.get(short_name="Gələcək Naminə")
    person = {"gender": choices.Gender.FEMININE, "birth_date": dt.date(1996, 4, 9), "citizenships": ["AZ"]}
    case = {"identification_channel": choices.IdentificationChannel.HOTLINE, "country_of_origin": "AZ",
            "exploitation_countries": ["RU"]}
    case_actions.case_register(
        by=User.objects.get(username="qht3"),
        person={**person, "given_name": "Нармин", "family_name": "Гусейнова", "patronymic": "Рашидовна"},
        case={**case, "identified_on": today - dt.timedelta(days=40)},
        exploitation=[choices.Exploitation.FORCED_LABOUR], consent={"data_processing": True})
    mine = case_actions.case_register(
        by=User.objects.get(username="qht1"),
        person={**person, "given_name": "Nərmin", "family_name": "Hüseynova", "patronymic": "Rəşid qızı"},
        case={**case, "identified_on": today - dt.timedelta(days=3)},
        exploitation=[choices.Exploitation.FORCED_LABOUR], consent={"data_processing": True})
    actions.link_request(by=User.objects.get(username="qht1"), case=mine, organisation=ngo3)
