"""The coalition activity report for a period, as PDF (Typst) and XLSX (openpyxl), in az, ru or en.

What it holds: the meetings held in the period (organiser, participants, decisions made and done);
the proposals made in the period, counted by status and listed with the plan measures they fed; the
campaigns that overlap the period with the events held in it and the people reached by region and
target group; and, from the case records, for each current coalition member: the referrals it
received and the services it delivered in the period, by type.

Victim data never leaves as anything but counts: no names, no case numbers, no dates of a case. The
member counts pass through :mod:`korpu.stats.disclosure` (``"<5"`` for 1–4, ``"x"`` for a cell hidden
so that another cannot be recomputed from the row total). Raw counts are not put into the data the
template or the workbook sees.

Dates: a meeting counts on the day it was held; a proposal on the day of the meeting it was raised
at, else on the day it was recorded; a referral on the day it was created (in ``TIME_ZONE``); a
service on the day it was delivered; a campaign counts when its dates overlap the period, and only
its events held in the period count towards the reach. Statuses of proposals and decisions are as
of the day the report is generated (the report says so).

Labels: the texts of this report are kept here in the three languages (``TEXTS`` and the choice
tables below), as the plan workbook keeps its instructions, because the message catalogue does not
have them yet; a code missing from a table falls back to its model label. The PDF follows
``korpu/plan/pdf.py``: data as JSON beside a copy of ``templates_typst/activity.typ``, Typst's
embedded fonts (Libertinus Serif covers Azerbaijani Latin and Cyrillic), strings inserted as text.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import typst
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import formats, timezone, translation
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from korpu.accounts.models import Membership, Role
from korpu.cases.choices import ServiceType
from korpu.cases.models import Referral
from korpu.cases.models import Service as CaseService
from korpu.engagement.models import REGIONS, Campaign, CampaignEvent, Meeting, Member, Proposal, TargetGroup
from korpu.stats import disclosure

TEMPLATE = Path(__file__).resolve().parent / "templates_typst" / "activity.typ"
FONTS = Path(__file__).resolve().parent.parent / "plan" / "fonts"
"""The same optional font folder as the plan report's (``korpu/plan/fonts/``), so both look alike."""
LANGUAGES = ("az", "ru", "en")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

# --- texts -----------------------------------------------------------------------------------------
TEXTS: dict[str, dict[str, str]] = {
    "report": {"az": "Koalisiyanın fəaliyyəti haqqında hesabat", "ru": "Отчёт о деятельности коалиции",
               "en": "Coalition activity report"},
    "coalition": {"az": "İnsan alverinə qarşı mübarizə üzrə QHT Koalisiyası",
                  "ru": "Коалиция НПО по борьбе с торговлей людьми",
                  "en": "NGO Coalition against Trafficking in Human Beings"},
    "period": {"az": "Dövr", "ru": "Период", "en": "Period"},
    "chair": {"az": "Koalisiyanın sədri", "ru": "Председатель коалиции", "en": "Coalition chair"},
    "generated": {"az": "Hazırlanma tarixi", "ru": "Дата составления", "en": "Generated on"},
    "as_of": {"az": "Təkliflərin və qərarların vəziyyəti hesabatın hazırlandığı tarixə göstərilir.",
              "ru": "Статусы предложений и решений указаны на дату составления отчёта.",
              "en": "Proposals and decisions are shown as they stand on the day the report was generated."},
    "summary": {"az": "Dövrün yekunları", "ru": "Итоги периода", "en": "The period at a glance"},
    "meetings_held": {"az": "Keçirilmiş görüşlər", "ru": "Проведено встреч", "en": "Meetings held"},
    "decisions_made": {"az": "Qəbul edilmiş qərarlar", "ru": "Принято решений", "en": "Decisions made"},
    "decisions_done": {"az": "İcra edilmiş qərarlar", "ru": "Выполнено решений", "en": "Decisions carried out"},
    "proposals_made": {"az": "Verilmiş təkliflər", "ru": "Внесено предложений", "en": "Proposals made"},
    "campaigns_run": {"az": "Kampaniyalar", "ru": "Кампании", "en": "Campaigns"},
    "events_held": {"az": "Keçirilmiş maarifləndirmə tədbirləri", "ru": "Проведено мероприятий",
                    "en": "Campaign events held"},
    "people_reached": {"az": "Əhatə olunan insanlar", "ru": "Охвачено человек", "en": "People reached"},
    "member_count": {"az": "Koalisiyanın üzvləri", "ru": "Члены коалиции", "en": "Coalition members"},
    # Section headings.
    "meetings": {"az": "Görüşlər", "ru": "Встречи", "en": "Meetings"},
    "proposals": {"az": "Təkliflər və onların nəticəsi", "ru": "Предложения и их судьба",
                  "en": "Proposals and their fate"},
    "campaigns": {"az": "Kampaniyalar və əhatə", "ru": "Кампании и охват", "en": "Campaigns and reach"},
    "members": {"az": "Üzv QHT-lər: göndərişlər və xidmətlər", "ru": "НПО — члены коалиции: направления и услуги",
                "en": "Member NGOs: referrals and services"},
    # Column headings and notes.
    "date": {"az": "Tarix", "ru": "Дата", "en": "Date"},
    "meeting": {"az": "Görüş", "ru": "Встреча", "en": "Meeting"},
    "organiser": {"az": "Təşkilatçı", "ru": "Организатор", "en": "Organiser"},
    "participants": {"az": "İştirakçılar", "ru": "Участники", "en": "Participants"},
    "decisions": {"az": "Qərarlar", "ru": "Решения", "en": "Decisions"},
    "done": {"az": "İcra edilib", "ru": "Выполнено", "en": "Done"},
    "no_meetings": {"az": "Bu dövrdə görüş keçirilməyib.", "ru": "В этот период встреч не было.",
                    "en": "No meetings were held in this period."},
    "by_status": {"az": "Statuslar üzrə təkliflər", "ru": "Предложения по статусам", "en": "Proposals by status"},
    "status": {"az": "Status", "ru": "Статус", "en": "Status"},
    "count": {"az": "Say", "ru": "Число", "en": "Number"},
    "total": {"az": "Cəmi", "ru": "Всего", "en": "Total"},
    "proposal": {"az": "Təklif", "ru": "Предложение", "en": "Proposal"},
    "from": {"az": "Təklif edən", "ru": "От кого", "en": "From"},
    "addressed_to": {"az": "Ünvanlandığı qurum", "ru": "Кому", "en": "Addressed to"},
    "measures_fed": {"az": "Plan tədbirləri", "ru": "Меры плана", "en": "Plan measures fed"},
    "no_proposals": {"az": "Bu dövrdə təklif verilməyib.", "ru": "В этот период предложений не было.",
                     "en": "No proposals were made in this period."},
    "campaign": {"az": "Kampaniya", "ru": "Кампания", "en": "Campaign"},
    "dates": {"az": "Müddət", "ru": "Сроки", "en": "Dates"},
    "organisers": {"az": "Təşkilatçılar", "ru": "Организаторы", "en": "Organisers"},
    "events": {"az": "Tədbirlər", "ru": "Мероприятия", "en": "Events"},
    "no_campaigns": {"az": "Bu dövrdə kampaniya keçirilməyib.", "ru": "В этот период кампаний не было.",
                     "en": "No campaigns ran in this period."},
    "reach_note": {"az": "Yalnız bu dövrdə keçirilmiş tədbirlər sayılır.",
                   "ru": "Учтены только мероприятия, проведённые в этот период.",
                   "en": "Only events held in the period are counted."},
    "by_region": {"az": "Regionlar üzrə əhatə", "ru": "Охват по регионам", "en": "People reached by region"},
    "by_group": {"az": "Hədəf qruplar üzrə əhatə", "ru": "Охват по целевым группам",
                 "en": "People reached by target group"},
    "region": {"az": "Region", "ru": "Регион", "en": "Region"},
    "target_group": {"az": "Hədəf qrup", "ru": "Целевая группа", "en": "Target group"},
    "no_reach": {"az": "Bu dövrdə tədbir keçirilməyib.", "ru": "В этот период мероприятий не было.",
                 "en": "No events were held in this period."},
    "member": {"az": "Üzv QHT", "ru": "НПО — член коалиции", "en": "Member NGO"},
    "chair_mark": {"az": "sədr", "ru": "председатель", "en": "chair"},
    "referrals_received": {"az": "Alınmış göndərişlər", "ru": "Получено направлений", "en": "Referrals received"},
    "services_delivered": {"az": "Göstərilmiş xidmətlər", "ru": "Оказано услуг", "en": "Services delivered"},
    "services_by_type": {"az": "Növlər üzrə göstərilmiş xidmətlər", "ru": "Оказанные услуги по видам",
                         "en": "Services delivered by type"},
    "no_members": {"az": "Koalisiyanın hazırda üzvü yoxdur.", "ru": "Сейчас в коалиции нет членов.",
                   "en": "The coalition has no members at present."},
    "no_services": {"az": "Bu dövrdə üzvlərin göstərdiyi xidmət qeydə alınmayıb.",
                    "ru": "В этот период услуги членов коалиции не зарегистрированы.",
                    "en": "No services delivered by members were recorded in this period."},
    "members_note": {
        "az": "Milli göndəriş mexanizminin iş qeydlərindən hesablanmış ümumi rəqəmlər: ad və iş nömrəsi yoxdur. "
              "Göndərişlər yaradıldığı günə, xidmətlər göstərildiyi günə görə sayılır.",
        "ru": "Сводные цифры из записей национального механизма перенаправления, без имён и номеров дел. "
              "Направления учтены по дате создания, услуги — по дате оказания.",
        "en": "Totals computed from the case records of the national referral mechanism: no names, no case "
              "numbers. Referrals count on the day they were made, services on the day they were delivered."},
    "primary_note": {
        "az": "«<{t}»: 1-dən {m}-ə qədər. Azərbaycanda ildə təxminən 70–100 qurban müəyyən edilir; kiçik rəqəmlər "
              "konkret şəxsi tanımağa imkan verə bildiyi üçün göstərilmir.",
        "ru": "«<{t}»: от 1 до {m}. В Азербайджане выявляют около 70–100 жертв в год; малые числа не показываются, "
              "так как по ним можно узнать конкретного человека.",
        "en": "“<{t}”: from 1 to {m}. Azerbaijan identifies some 70–100 victims a year; small numbers are not "
              "shown because they could identify a person."},
    "secondary_note": {
        "az": "«x»: bu rəqəm də gizlədilib ki, gizlədilmiş rəqəmi cəmdən hesablamaq mümkün olmasın.",
        "ru": "«x»: это число тоже скрыто, чтобы скрытое число нельзя было вычислить по итогу строки.",
        "en": "“x”: hidden as well, so that a hidden number cannot be worked out from the row total."},
    "page_of": {"az": "Səhifə {page} / {pages}", "ru": "Страница {page} из {pages}", "en": "Page {page} of {pages}"},
    # Sheet names (at most 31 characters).
    "sheet_overview": {"az": "Ümumi", "ru": "Обзор", "en": "Overview"},
    "sheet_members": {"az": "Üzv QHT-lər", "ru": "НПО-члены", "en": "Member NGOs"},
    "sheet_reach": {"az": "Əhatə", "ru": "Охват", "en": "Reach"},
    # The page that asks for the period.
    "intro": {
        "az": "Seçilmiş dövr üçün koalisiyanın görüşləri, təklifləri, kampaniyaları və üzv QHT-lərin göndəriş və "
              "xidmətləri haqqında hesabat (PDF və ya Excel). İş qeydlərindən yalnız ümumi rəqəmlər daxil edilir; "
              "1-dən {m}-ə qədər olan rəqəmlər «<{t}» kimi göstərilir.",
        "ru": "Отчёт о встречах, предложениях и кампаниях коалиции и о направлениях и услугах НПО-членов за "
              "выбранный период (PDF или Excel). Из записей дел — только сводные цифры; числа от 1 до {m} "
              "показываются как «<{t}».",
        "en": "A report on the coalition's meetings, proposals and campaigns and on the referrals and services of "
              "member NGOs for a period of your choice (PDF or Excel). From the case records it holds totals only; "
              "numbers from 1 to {m} are shown as “<{t}”."},
    "start": {"az": "Başlanğıc tarixi", "ru": "С", "en": "From"},
    "end": {"az": "Son tarix", "ru": "По", "en": "To"},
    "language": {"az": "Hesabatın dili", "ru": "Язык отчёта", "en": "Language of the report"},
    "download_pdf": {"az": "PDF yüklə", "ru": "Скачать PDF", "en": "Download PDF"},
    "download_xlsx": {"az": "Excel (XLSX) yüklə", "ru": "Скачать Excel (XLSX)", "en": "Download Excel (XLSX)"},
    "error_start": {"az": "Başlanğıc tarixini İİİİ-AA-GG şəklində yazın, məsələn 2025-01-01.",
                    "ru": "Укажите дату начала в виде ГГГГ-ММ-ДД, например 2025-01-01.",
                    "en": "Give the start date as YYYY-MM-DD, for example 2025-01-01."},
    "error_end": {"az": "Son tarixi İİİİ-AA-GG şəklində yazın, məsələn 2025-12-31.",
                  "ru": "Укажите дату окончания в виде ГГГГ-ММ-ДД, например 2025-12-31.",
                  "en": "Give the end date as YYYY-MM-DD, for example 2025-12-31."},
    "error_order": {"az": "Dövr başlamazdan əvvəl bitə bilməz.",
                    "ru": "Период не может закончиться раньше, чем начался.",
                    "en": "The period cannot end before it starts."},
    "error_long": {"az": "Dövr ən çoxu {years} il ola bilər.", "ru": "Период может быть не длиннее {years} лет.",
                   "en": "The period can be at most {years} years long."},
    "error_range": {"az": "Tarixlər {first} ilə {last} illəri arasında olmalıdır.",
                    "ru": "Даты должны быть между {first} и {last} годами.",
                    "en": "The dates must lie between the years {first} and {last}."},
    "error_language": {"az": "Hesabatın dilini seçin: az, ru və ya en.", "ru": "Выберите язык отчёта: az, ru или en.",
                       "en": "Choose the language of the report: az, ru or en."},
}

LANGUAGE_NAMES = {"az": "Azərbaycan dili", "ru": "Русский", "en": "English"}

STATUS_TEXTS: dict[str, dict[str, str]] = {
    "received": {"az": "Daxil olub", "ru": "Получено", "en": "Received"},
    "under_review": {"az": "Baxılır", "ru": "На рассмотрении", "en": "Under review"},
    "accepted": {"az": "Qəbul edilib", "ru": "Принято", "en": "Accepted"},
    "partially_accepted": {"az": "Qismən qəbul edilib", "ru": "Принято частично", "en": "Partially accepted"},
    "declined": {"az": "Rədd edilib", "ru": "Отклонено", "en": "Declined"},
    "implemented": {"az": "İcra edilib", "ru": "Реализовано", "en": "Implemented"},
}

REGION_TEXTS: dict[str, dict[str, str]] = {
    "baku": {"az": "Bakı", "ru": "Баку", "en": "Baku"},
    "absheron_khizi": {"az": "Abşeron-Xızı", "ru": "Абшерон-Хызы", "en": "Absheron-Khizi"},
    "mountainous_shirvan": {"az": "Dağlıq Şirvan", "ru": "Горный Ширван", "en": "Mountainous Shirvan"},
    "ganja_dashkasan": {"az": "Gəncə-Daşkəsən", "ru": "Гянджа-Дашкесан", "en": "Ganja-Dashkasan"},
    "karabakh": {"az": "Qarabağ", "ru": "Карабах", "en": "Karabakh"},
    "gazakh_tovuz": {"az": "Qazax-Tovuz", "ru": "Газах-Товуз", "en": "Gazakh-Tovuz"},
    "guba_khachmaz": {"az": "Quba-Xaçmaz", "ru": "Губа-Хачмаз", "en": "Guba-Khachmaz"},
    "lankaran_astara": {"az": "Lənkəran-Astara", "ru": "Ленкорань-Астара", "en": "Lankaran-Astara"},
    "central_aran": {"az": "Mərkəzi Aran", "ru": "Центральный Аран", "en": "Central Aran"},
    "mil_mughan": {"az": "Mil-Muğan", "ru": "Миль-Муган", "en": "Mil-Mughan"},
    "shaki_zagatala": {"az": "Şəki-Zaqatala", "ru": "Шеки-Закатала", "en": "Shaki-Zagatala"},
    "shirvan_salyan": {"az": "Şirvan-Salyan", "ru": "Ширван-Сальян", "en": "Shirvan-Salyan"},
    "east_zangezur": {"az": "Şərqi Zəngəzur", "ru": "Восточный Зангезур", "en": "East Zangezur"},
    "nakhchivan": {"az": "Naxçıvan", "ru": "Нахчыван", "en": "Nakhchivan"},
}

GROUP_TEXTS: dict[str, dict[str, str]] = {
    "students": {"az": "Tələbələr", "ru": "Студенты", "en": "Students"},
    "job_seekers": {"az": "İş axtaranlar", "ru": "Ищущие работу", "en": "Job seekers"},
    "labour_migrants": {"az": "Əmək miqrantları", "ru": "Трудовые мигранты", "en": "Labour migrants"},
    "women": {"az": "Qadınlar", "ru": "Женщины", "en": "Women"},
    "children_institutions": {"az": "Müəssisələrdəki uşaqlar", "ru": "Дети в учреждениях",
                              "en": "Children in institutions"},
    "general_public": {"az": "Geniş ictimaiyyət", "ru": "Широкая общественность", "en": "General public"},
}

SERVICE_TEXTS: dict[str, dict[str, str]] = {
    "accommodation": {"az": "Yerləşdirmə", "ru": "Размещение", "en": "Accommodation"},
    "medical": {"az": "Tibbi", "ru": "Медицинская", "en": "Medical"},
    "psychological": {"az": "Psixoloji", "ru": "Психологическая", "en": "Psychological"},
    "legal": {"az": "Hüquqi yardım", "ru": "Юридическая помощь", "en": "Legal aid"},
    "vocational": {"az": "Peşə təhsili", "ru": "Профобучение", "en": "Vocational training"},
    "employment": {"az": "Məşğulluq", "ru": "Трудоустройство", "en": "Employment"},
    "education": {"az": "Təhsil", "ru": "Образование", "en": "Education"},
    "financial": {"az": "Birdəfəlik müavinət", "ru": "Единовременное пособие", "en": "One-time allowance"},
    "repatriation": {"az": "Repatriasiya", "ru": "Репатриация", "en": "Repatriation"},
    "family_reunification": {"az": "Ailənin birləşməsi", "ru": "Воссоединение семьи", "en": "Family reunification"},
    "documents": {"az": "Sənədlər", "ru": "Документы", "en": "Documents"},
}


def text(key: str, language: str, **values: Any) -> str:
    """A text of the report in ``language``; ``{name}`` placeholders are filled from ``values``."""
    entry = TEXTS[key]
    value = entry.get(language) or entry["en"]
    return value.format(**values) if values else value


def _choice(table: dict[str, dict[str, str]], code: str, fallback: Any, language: str) -> str:
    entry = table.get(code)
    return (entry.get(language) or entry["en"]) if entry else str(fallback.get(code, code))


def suppression_notes(language: str, threshold: int | None = None) -> dict[str, str]:
    limit = disclosure.threshold_value(threshold)
    return {"primary": text("primary_note", language, t=limit, m=limit - 1),
            "secondary": text("secondary_note", language)}


# --- data ------------------------------------------------------------------------------------------
def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes [start 00:00, day after end 00:00) in the current time zone."""
    zone = timezone.get_current_timezone()
    return (timezone.make_aware(dt.datetime.combine(start, dt.time.min), zone),
            timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), zone))


def _natural(number: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", number))


def _date(value: dt.date, short: bool = True) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT" if short else "DATE_FORMAT")


def _number(value: int | str) -> str:
    """A count as text in the active language (12,000 / 12 000); a suppressed "<5" or "x" as it is."""
    return formats.number_format(value, force_grouping=True) if isinstance(value, int) else value


def _chair() -> dict[str, str]:
    member = Member.objects.filter(is_chair=True, left_on__isnull=True).select_related("organisation").first()
    if member is None:
        return {"organisation": "", "person": ""}
    holder = (Membership.objects.filter(organisation=member.organisation_id, role=Role.COALITION_COORDINATOR,
                                        is_active=True, user__is_active=True)
              .select_related("user").order_by("id").first())
    return {"organisation": member.organisation.name, "person": holder.user.display_name() if holder else ""}


def _meetings(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows = (Meeting.objects.filter(held_on__range=(start, end)).select_related("organiser")
            .annotate(n_participants=Count("participants", distinct=True),
                      n_decisions=Count("decisions", distinct=True),
                      n_done=Count("decisions", filter=Q(decisions__done_on__isnull=False), distinct=True))
            .order_by("held_on", "id"))
    return [{"date": _date(m.held_on), "iso": m.held_on.isoformat(), "title": m.title,
             "organiser": m.organiser.name, "participants": m.n_participants, "decisions": m.n_decisions,
             "done": m.n_done} for m in rows]


def _proposals(start: dt.date, end: dt.date, language: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    made_on = Coalesce("meeting__held_on", TruncDate("created_at"), output_field=DateField())
    rows = (Proposal.objects.annotate(made_on=made_on).filter(made_on__range=(start, end))
            .select_related("from_organisation", "addressed_to").prefetch_related("measures")
            .order_by("made_on", "id"))
    labels = dict(Proposal.Status.choices)
    listed = [{"date": _date(p.made_on), "iso": p.made_on.isoformat(), "title": p.title,
               "from": p.from_organisation.short_name or p.from_organisation.name,
               "from_full": p.from_organisation.name,
               "to": p.addressed_to.short_name or p.addressed_to.name, "to_full": p.addressed_to.name,
               "status": p.status, "status_label": _choice(STATUS_TEXTS, p.status, labels, language),
               "measures": "; ".join(sorted((m.number for m in p.measures.all()), key=_natural))}
              for p in rows]
    counts = Counter(p["status"] for p in listed)
    by_status = [{"code": code, "label": _choice(STATUS_TEXTS, code, labels, language), "count": counts[code]}
                 for code in Proposal.Status.values]
    return by_status, listed


def _campaigns(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    in_period = Q(events__held_on__range=(start, end))
    rows = (Campaign.objects.filter(starts_on__lte=end, ends_on__gte=start)
            .annotate(n_events=Count("events", filter=in_period),
                      people=Sum("events__people_reached", filter=in_period))
            .prefetch_related("organisers").order_by("starts_on", "id"))
    return [{"title": c.title, "dates": f"{_date(c.starts_on)} – {_date(c.ends_on)}",
             "organisers": "; ".join(o.short_name or o.name for o in c.organisers.all()),
             "events": c.n_events, "people": int(c.people or 0), "people_text": _number(int(c.people or 0))}
            for c in rows]


def _reach(start: dt.date, end: dt.date, language: str) -> dict[str, Any]:
    by_region: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    events = CampaignEvent.objects.filter(held_on__range=(start, end)).order_by()
    for region, group, people in events.values_list("region", "target_group", "people_reached"):
        by_region[region] += people
        by_group[group] += people
    regions, groups = dict(REGIONS), dict(TargetGroup.choices)

    def bars(counter: Counter[str], table: dict[str, dict[str, str]], fallback: Any) -> list[dict[str, Any]]:
        top = max(counter.values(), default=0) or 1
        ordered = sorted(counter.items(), key=lambda item: (-item[1], _choice(table, item[0], fallback, language)))
        return [{"code": code, "label": _choice(table, code, fallback, language), "people": people,
                 "people_text": _number(people), "width": round(100 * people / top, 1)} for code, people in ordered]

    total = sum(by_region.values())
    return {"total": total, "total_text": _number(total), "regions": bars(by_region, REGION_TEXTS, regions),
            "groups": bars(by_group, GROUP_TEXTS, groups)}


def _members(start: dt.date, end: dt.date, language: str, threshold: int | None) -> dict[str, Any]:
    """Referrals received and services delivered per current member: suppressed counts only."""
    members = list(Member.objects.filter(left_on__isnull=True).select_related("organisation")
                   .order_by("organisation__name"))
    ids = [m.organisation_id for m in members]
    low, high = _bounds(start, end)
    received: dict[int, int] = dict(
        Referral.objects.filter(to_organisation_id__in=ids, created_at__gte=low, created_at__lt=high).order_by()
        .values("to_organisation").annotate(n=Count("id")).values_list("to_organisation", "n"))
    delivered: dict[int, Counter[str]] = {pk: Counter() for pk in ids}
    services = (CaseService.objects.filter(provider_id__in=ids, delivered_on__range=(start, end)).order_by()
                .values_list("provider", "service_type").annotate(n=Count("id")))
    for provider, service_type, n in services:
        delivered[provider][service_type] += n
    present = {code for counter in delivered.values() for code in counter}
    types = [code for code in ServiceType.values if code in present]
    types += sorted(present - set(types))
    columns = [f"type:{code}" for code in types]
    raw: list[dict[str, Any]] = [
        {"name": m.organisation.name, "chair": m.is_chair, "referrals": received.get(m.organisation_id, 0),
         "services": sum(delivered[m.organisation_id].values()),
         **{f"type:{code}": delivered[m.organisation_id][code] for code in types}} for m in members]
    safe = disclosure.suppress_table(raw, columns, threshold=threshold)
    service_labels = dict(ServiceType.choices)
    return {
        "types": [{"code": code, "label": _choice(SERVICE_TEXTS, code, service_labels, language)} for code in types],
        "rows": [{"name": row["name"], "chair": row["chair"],
                  "referrals": disclosure.suppress(row["referrals"], threshold=threshold),
                  "services": disclosure.suppress(row["services"], threshold=threshold),
                  "types": [safe_row[c] for c in columns]} for row, safe_row in zip(raw, safe, strict=True)],
    }


def activity_data(start: dt.date, end: dt.date, language: str, *, threshold: int | None = None) -> dict[str, Any]:
    """Everything the report shows for ``start``–``end`` (both included), in ``language``."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if end < start:
        raise ValueError("the period ends before it starts")
    with translation.override(language):
        today = timezone.localdate()
        limit = disclosure.threshold_value(threshold)
        meetings = _meetings(start, end)
        by_status, proposals = _proposals(start, end, language)
        campaigns = _campaigns(start, end)
        reach = _reach(start, end, language)
        members = _members(start, end, language, limit)
        period = f"{_date(start, short=False)} – {_date(end, short=False)}"
        title = text("report", language)
        labels = {key: entry.get(language) or entry["en"] for key, entry in TEXTS.items()}
        return {
            "lang": language,
            "title": title,
            "coalition": text("coalition", language),
            "period": period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "generated": _date(today, short=False),
            "chair": _chair(),
            "footer": f"Körpü · {title} · {period}",
            "threshold": limit,
            "labels": labels,
            "notes": suppression_notes(language, limit),
            "summary": [{"key": key, "label": text(key, language), "value": value, "text": _number(value)}
                        for key, value in [
                            ("meetings_held", len(meetings)),
                            ("decisions_made", sum(m["decisions"] for m in meetings)),
                            ("decisions_done", sum(m["done"] for m in meetings)),
                            ("proposals_made", len(proposals)),
                            ("campaigns_run", len(campaigns)),
                            ("events_held", sum(c["events"] for c in campaigns)),
                            ("people_reached", reach["total"]),
                            ("member_count", len(members["rows"])),
                        ]],
            "meetings": meetings,
            "proposal_counts": by_status,
            "proposal_total": len(proposals),
            "proposals": proposals,
            "campaigns": campaigns,
            "reach": reach,
            "members": members,
        }


# --- PDF -------------------------------------------------------------------------------------------
def _compile(data: dict[str, Any]) -> bytes:
    font_paths = [str(FONTS)] if FONTS.is_dir() else []
    with tempfile.TemporaryDirectory(prefix="korpu-typst-") as tmp:
        folder = Path(tmp)
        shutil.copyfile(TEMPLATE, folder / TEMPLATE.name)
        (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        options: dict[str, Any] = {"root": str(folder), "font_paths": font_paths}
        if "ignore_system_fonts" in (getattr(typst.compile, "__text_signature__", None) or ""):
            options["ignore_system_fonts"] = True
        pdf = typst.compile(str(folder / TEMPLATE.name), **options)
    if not isinstance(pdf, bytes):
        raise TypeError("typst returned pages, not one PDF")
    return pdf


def activity_pdf(start: dt.date, end: dt.date, language: str) -> bytes:
    """The report as PDF bytes, in ``language`` (az, ru or en)."""
    return _compile(activity_data(start, end, language))


# --- XLSX ------------------------------------------------------------------------------------------
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _append(sheet: Any, values: Sequence[Any], *, bold: bool = False, header: bool = False) -> None:
    """Append a row; text stays text (never a formula, whatever it starts with)."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
        if bold or header:
            cell.font = BOLD
        if header:
            cell.fill = HEADER_FILL
            cell.alignment = WRAP


def _widths(sheet: Any, widths: Iterable[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _sheet_title(value: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", value).strip()[:31] or "sheet"


def _table(sheet: Any, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int],
           empty: str) -> None:
    _append(sheet, header, header=True)
    count = 0
    for row in rows:
        _append(sheet, row)
        count += 1
    if not count:
        _append(sheet, [empty])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = WRAP
    _widths(sheet, widths)
    sheet.freeze_panes = "A2"


def activity_xlsx(start: dt.date, end: dt.date, language: str) -> bytes:
    """The report as an Excel workbook: an overview, then one sheet per section, headers in ``language``."""
    data = activity_data(start, end, language)
    t = data["labels"]
    workbook = openpyxl.Workbook()

    overview = workbook.active
    overview.title = _sheet_title(t["sheet_overview"])
    _append(overview, [data["title"]])
    overview["A1"].font = Font(bold=True, size=14)
    _append(overview, [data["coalition"]])
    _append(overview, [t["period"], data["period"]])
    chair = ", ".join(p for p in (data["chair"]["person"], data["chair"]["organisation"]) if p)
    if chair:
        _append(overview, [t["chair"], chair])
    _append(overview, [t["generated"], data["generated"]])
    _append(overview, [t["as_of"]])
    _append(overview, [])
    _append(overview, [t["summary"], t["count"]], header=True)
    for item in data["summary"]:
        _append(overview, [item["label"], item["value"]])
    _append(overview, [])
    _append(overview, [t["by_status"], t["count"]], header=True)
    for item in data["proposal_counts"]:
        _append(overview, [item["label"], item["count"]])
    _append(overview, [t["total"], data["proposal_total"]], bold=True)
    _widths(overview, [48, 60])

    _table(workbook.create_sheet(_sheet_title(t["meetings"])),
           [t["date"], t["meeting"], t["organiser"], t["participants"], t["decisions"], t["done"]],
           ([dt.date.fromisoformat(m["iso"]), m["title"], m["organiser"], m["participants"], m["decisions"],
             m["done"]] for m in data["meetings"]),
           [12, 60, 40, 12, 12, 12], t["no_meetings"])
    _table(workbook.create_sheet(_sheet_title(t["proposals"])),
           [t["date"], t["proposal"], t["from"], t["addressed_to"], t["status"], t["measures_fed"]],
           ([dt.date.fromisoformat(p["iso"]), p["title"], p["from_full"], p["to_full"], p["status_label"],
             p["measures"]] for p in data["proposals"]),
           [12, 50, 36, 36, 20, 16], t["no_proposals"])
    _table(workbook.create_sheet(_sheet_title(t["campaigns"])),
           [t["campaign"], t["dates"], t["organisers"], t["events"], t["people_reached"]],
           ([c["title"], c["dates"], c["organisers"], c["events"], c["people"]] for c in data["campaigns"]),
           [50, 26, 40, 12, 16], t["no_campaigns"])

    reach = workbook.create_sheet(_sheet_title(t["sheet_reach"]))
    _table(reach, [t["region"], t["people_reached"]],
           ([r["label"], r["people"]] for r in data["reach"]["regions"]), [28, 16], t["no_reach"])
    start_row = 1
    reach.cell(row=start_row, column=4, value=t["target_group"])
    reach.cell(row=start_row, column=5, value=t["people_reached"])
    for column in (4, 5):
        cell = reach.cell(row=start_row, column=column)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
    for offset, group in enumerate(data["reach"]["groups"], start=1):
        reach.cell(row=start_row + offset, column=4, value=group["label"]).data_type = "s"
        reach.cell(row=start_row + offset, column=5, value=group["people"])
    reach.column_dimensions["C"].width = 4
    reach.column_dimensions["D"].width = 28
    reach.column_dimensions["E"].width = 16
    total_row = max(len(data["reach"]["regions"]), len(data["reach"]["groups"]), 1) + 2
    reach.cell(row=total_row, column=1, value=t["total"]).font = BOLD
    reach.cell(row=total_row, column=2, value=data["reach"]["total"]).font = BOLD
    reach.cell(row=total_row + 1, column=1, value=t["reach_note"]).font = Font(italic=True)

    members = workbook.create_sheet(_sheet_title(t["sheet_members"]))
    types = data["members"]["types"]
    _table(members, [t["member"], t["referrals_received"], t["services_delivered"], *[x["label"] for x in types]],
           ([row["name"] + (f" ({t['chair_mark']})" if row["chair"] else ""), row["referrals"], row["services"],
             *row["types"]] for row in data["members"]["rows"]),
           [44, 14, 14, *[14 for _x in types]], t["no_members"])
    for cells in members.iter_rows(min_row=2, min_col=2):
        for cell in cells:
            cell.alignment = Alignment(horizontal="right", vertical="top")
    _append(members, [])
    for note in (t["members_note"], data["notes"]["primary"], data["notes"]["secondary"]):
        _append(members, [note])
        members.cell(row=members.max_row, column=1).font = Font(italic=True)

    workbook.properties.title = f"{data['title']} · {data['period']}"
    workbook.properties.language = language
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(start: dt.date, end: dt.date, language: str, extension: str) -> str:
    return f"korpu-coalition-report-{start:%Y%m%d}-{end:%Y%m%d}-{language}.{extension}"
