"""Demo shelters: the two NGO facilities the story cases are referred to (``korpu demo``)."""

from __future__ import annotations

from korpu.accounts.models import Organisation
from korpu.core.access import SYSTEM
from korpu.shelters import actions
from korpu.shelters.models import BedCategory


def load() -> None:
    ngo1 = Organisation.objects.get(short_name="Ümid Körpüsü")
    ngo2 = Organisation.objects.get(short_name="Həyat İşığı")
    actions.facility_create(by=SYSTEM, operator=ngo1, name="Ümid Evi", region="Bakı",
                            address="Bakı, Nəsimi r., (məxfi ünvan)",
                            capacities={BedCategory.WOMEN: 12, BedCategory.MOTHER_WITH_CHILDREN: 4,
                                        BedCategory.CHILDREN: 6})
    actions.facility_create(by=SYSTEM, operator=ngo2, name="Həyat Reabilitasiya Evi", region="Gəncə-Daşkəsən",
                            address="Gəncə, (məxfi ünvan)",
                            capacities={BedCategory.WOMEN: 8, BedCategory.MEN: 5})
