"""The named cast of organisations and users, shared by `korpu demo` and the test suite.

All names are invented. The police department's name is the institution's real title, which is
public; no real person appears anywhere.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from korpu.accounts import actions
from korpu.accounts.models import Organisation, Role, User
from korpu.core.access import SYSTEM


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    short_name: str
    org_type: str
    city: str


@dataclass(frozen=True)
class UserSpec:
    username: str
    full_name: str
    organisation: str
    role: str
    title: str
    language: str = "az"


ORGANISATIONS = [
    OrgSpec("police", "İnsan Alverinə Qarşı Mübarizə Baş İdarəsi", "İAQMBİ", Organisation.Type.LAW_ENFORCEMENT, "Bakı"),
    OrgSpec("ngo1", "Ümid Körpüsü İctimai Birliyi", "Ümid Körpüsü", Organisation.Type.NGO, "Bakı"),
    OrgSpec("ngo2", "Həyat İşığı Reabilitasiya Mərkəzi", "Həyat İşığı", Organisation.Type.NGO, "Gəncə"),
    OrgSpec("ngo3", "Gələcək Naminə Gənclər Birliyi", "Gələcək Naminə", Organisation.Type.NGO, "Lənkəran"),
    OrgSpec("coordinator", "Milli Koordinatorun Katibliyi", "Milli Koordinator",
            Organisation.Type.NATIONAL_COORDINATOR, "Bakı"),
    OrgSpec("assistance", "Qurbanlara Yardım Mərkəzi", "Yardım Mərkəzi", Organisation.Type.CENTRAL_GOVERNMENT, "Bakı"),
    OrgSpec("intl", "Beynəlxalq Miqrasiya Tərəfdaşlığı", "BMT-Tərəfdaş", Organisation.Type.INTERNATIONAL, "Bakı"),
]

USERS = [
    UserSpec("polis", "Rəşad Əliyev", "police", Role.POLICE_INVESTIGATOR, "Müstəntiq"),
    UserSpec("polis2", "Günel Şükürova", "police", Role.POLICE_INVESTIGATOR, "Baş müstəntiq"),
    UserSpec("qht1", "Aytən Quliyeva", "ngo1", Role.NGO_CASE_WORKER, "Sosial işçi"),
    UserSpec("siginacaq1", "Səbinə Hüseynova", "ngo1", Role.SHELTER_MANAGER, "Sığınacaq müdiri"),
    UserSpec("qht2", "Elçin Məmmədli", "ngo2", Role.NGO_CASE_WORKER, "Sosial işçi", "ru"),
    UserSpec("siginacaq2", "Nərmin Çələbiyeva", "ngo2", Role.SHELTER_MANAGER, "Sığınacaq müdiri"),
    UserSpec("qht3", "Zaur Cəfərov", "ngo3", Role.NGO_CASE_WORKER, "Hüquqşünas"),
    UserSpec("analitik", "İlkin Babayev", "coordinator", Role.COORDINATOR_ANALYST, "Analitik", "en"),
    UserSpec("fokal", "Ülviyyə İsmayılova", "assistance", Role.PLAN_FOCAL_POINT, "Əlaqələndirici şəxs"),
    UserSpec("koalisiya", "Fərid Ağayev", "ngo1", Role.COALITION_COORDINATOR, "Koalisiyanın sədri"),
    UserSpec("auditor", "Lalə Qasımova", "coordinator", Role.AUDITOR, "Auditor"),
    UserSpec("admin", "Orxan Nəsirov", "coordinator", Role.SYSTEM_ADMINISTRATOR, "Sistem inzibatçısı"),
]


def build_cast(*, password: str | None = None, totp: bool = True) -> dict[str, object]:
    """Create the organisations and users through the real actions. Returns them by key/username.

    With ``password`` every user gets it (tests); otherwise each gets a random one (demo). With
    ``totp`` each user gets a confirmed TOTP device with a random key.
    """
    cast: dict[str, object] = {}
    for spec in ORGANISATIONS:
        cast[spec.key] = actions.organisation_create(
            by=SYSTEM, name=spec.name, org_type=spec.org_type, short_name=spec.short_name, city=spec.city,
            email=f"{spec.key}@example.org",
        )
    for user_spec in USERS:
        user = actions.user_create(
            by=SYSTEM, username=user_spec.username, email=f"{user_spec.username}@example.org",
            full_name=user_spec.full_name, organisation=cast[user_spec.organisation],  # type: ignore[arg-type]
            role=user_spec.role, title=user_spec.title, language=user_spec.language,
            password=password or secrets.token_urlsafe(12), send_invitation=False,
        )
        if totp:
            TOTPDevice.objects.create(user=user, name="Körpü", confirmed=True)
        cast[user_spec.username] = user
    return cast


def totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)
