"""Demo action plans and recommendations, written for Körpü (synthetic; shaped like a real national plan).

Two plans: the finished 2020–2024 plan (published), whose reports run from 2021 to early 2025, and its
2025–2029 successor (a draft, not published), whose first year has been reported and whose 2026
reports are being written. Two bodies report: the Assistance Centre (``fokal``) and the police
department, whose chief investigator ``polis2`` is made its plan focal point here. Some indicators are
computed from Körpü's records, others only reported by the bodies.

Everything is created through the plan's actions (so the audit log shows it), as the coordinator's
analyst ``analitik``. The report workflow stamps its events with the wall clock; afterwards the demo
moves each report's history (``ReportEvent.at``, ``submitted_at``, ``reviewed_at``) to the dates it
would have had, never later than now, so the "on time" counts of the reporting rate mean something.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from korpu.accounts import actions as account_actions
from korpu.accounts.models import Organisation, Role, User
from korpu.core.access import SYSTEM
from korpu.plan import actions
from korpu.plan.categories import ensure_standard
from korpu.plan.models import (
    BodyContact,
    Category,
    Measure,
    Plan,
    ProgressReport,
    ReportEvent,
    ReportingPeriod,
    Section,
)

SECTIONS = [
    ("1", "Hüquqi və institusional baza", "Правовая и институциональная база", "Legal and institutional base"),
    ("2", "Qarşısının alınması və maarifləndirmə", "Профилактика и информирование", "Prevention and awareness"),
    ("3", "Qurbanların müdafiəsi və onlara yardım", "Защита жертв и помощь им", "Protection and assistance"),
    ("4", "Cinayət təqibi", "Уголовное преследование", "Prosecution"),
    ("5", "Beynəlxalq əməkdaşlıq və QHT-lərlə tərəfdaşlıq", "Международное сотрудничество и партнёрство с НПО",
     "International cooperation and partnership with NGOs"),
]


@dataclass
class IndicatorSpec:
    az: str
    ru: str
    en: str
    unit: str
    baseline: int | None = None
    baseline_year: int | None = None
    target: int | None = None
    computed: str = ""


@dataclass
class MeasureSpec:
    section: str
    number: str
    text: tuple[str, str, str]
    expected: tuple[str, str, str]
    bodies: list[str]
    partners: list[str]
    years: tuple[int, int]
    categories: list[str]
    deadline: dt.date | None = None
    indicators: list[IndicatorSpec] = field(default_factory=list)


MEASURES = [
    MeasureSpec("1", "1.1", (
        "Milli göndəriş mexanizminin qaydalarının yenilənməsi və bütün ilk müdaxilə edənlərə çatdırılması",
        "Обновление правил национального механизма перенаправления и доведение их до всех первых контактёров",
        "Update the national referral mechanism rules and bring them to every first responder"), (
        "Yenilənmiş qaydalar təsdiq edilib, polis, sərhəd, əmək və sosial xidmət əməkdaşları onlarla tanışdır.",
        "Обновлённые правила утверждены, сотрудники полиции, пограничной, трудовой и социальной служб с ними "
        "ознакомлены.",
        "The updated rules are approved and police, border, labour and social workers know them."),
        ["police"], ["coordinator", "ngo1"], (2020, 2021), ["partnership", "SDG 8.7"], dt.date(2021, 12, 31)),
    MeasureSpec("1", "1.2", (
        "Qurbanlar haqqında vahid statistik sistemin yaradılması (QHT-lər daxil olmaqla)",
        "Создание единой статистической системы о жертвах (с участием НПО)",
        "Build one statistical system on victims covering all actors, NGOs included"), (
        "Bütün aktorların məlumatları unikal şəxslər üzrə bir sistemdə toplanır.",
        "Данные всех участников собираются в одной системе по уникальным лицам.",
        "Data from every actor is gathered in one system, counted by unique persons."),
        ["coordinator"], ["police", "ngo1", "ngo2"], (2020, 2024), ["partnership", "SDG 16.2"]),
    MeasureSpec("2", "2.1", (
        "Əmək miqrantları və iş axtaranlar üçün maarifləndirmə kampaniyaları",
        "Информационные кампании для трудовых мигрантов и ищущих работу",
        "Awareness campaigns for labour migrants and job seekers"), (
        "Hər il ən azı 5 000 nəfər saxta iş təklifləri və kömək xətti barədə məlumatlandırılır.",
        "Ежегодно не менее 5 000 человек узнают о ложных предложениях работы и о горячей линии.",
        "At least 5,000 people a year learn about fake job offers and the hotline."),
        ["police", "assistance"], ["ngo1", "ngo2"], (2020, 2024), ["prevention", "SDG 8.7"],
        indicators=[IndicatorSpec("Kampaniyalarla əhatə olunan şəxslər", "Охвачено кампаниями, человек",
                                  "People reached by the campaigns", "nəfər", 3000, 2019, 5000)]),
    MeasureSpec("2", "2.2", (
        "Məktəblərdə və universitetlərdə insan alverinin qarşısının alınmasına dair dərslər",
        "Уроки по предупреждению торговли людьми в школах и университетах",
        "Lessons on preventing trafficking in schools and universities"), (
        "Hər rayonda ən azı bir məktəbdə dərslər keçirilir; müəllimlər üçün vəsait hazırdır.",
        "Уроки проходят как минимум в одной школе каждого района; пособие для учителей готово.",
        "Lessons are held in at least one school of every district; a teachers' guide is ready."),
        ["assistance"], ["ngo3"], (2021, 2024), ["prevention", "SDG 16.2"],
        indicators=[IndicatorSpec("Keçirilmiş dərslər", "Проведено уроков", "Lessons held", "dərs", 40, 2020, 150)]),
    MeasureSpec("3", "3.1", (
        "Tanınmış qurbanlara sığınacaq, tibbi və psixoloji yardımın təmin edilməsi",
        "Предоставление признанным жертвам убежища, медицинской и психологической помощи",
        "Provide shelter, medical and psychological help to recognised victims"), (
        "Yardım istəyən hər tanınmış qurban sığınacaq və yardım alır.",
        "Каждая признанная жертва, обратившаяся за помощью, получает убежище и помощь.",
        "Every recognised victim who asks for help receives shelter and care."),
        ["assistance"], ["ngo1", "ngo2"], (2020, 2024), ["protection", "SDG 5.2"],
        indicators=[IndicatorSpec("Sığınacaq almış tanınmış qurbanlar", "Признанные жертвы, получившие убежище",
                                  "Recognised victims who received shelter", "nəfər", 35, 2019, 60,
                                  "recognised_sheltered")]),
    MeasureSpec("3", "3.2", (
        "Birdəfəlik müavinətin vaxtında ödənilməsi", "Своевременная выплата единовременного пособия",
        "Pay the one-time allowance on time"), (
        "Müavinət status qərarından sonra 30 gün ərzində ödənilir.",
        "Пособие выплачивается в течение 30 дней после решения о статусе.",
        "The allowance is paid within 30 days of the status decision."),
        ["assistance"], [], (2020, 2024), ["protection"],
        indicators=[IndicatorSpec("Müavinət alan qurbanlar", "Жертвы, получившие пособие",
                                  "Victims paid the allowance", "nəfər", 30, 2019, 60, "allowance_paid")]),
    MeasureSpec("4", "4.1", (
        "Müstəntiqlər, prokurorlar və hakimlər üçün təlimlər",
        "Обучение следователей, прокуроров и судей", "Training for investigators, prosecutors and judges"), (
        "Hər il ən azı 100 hüquq-mühafizə və məhkəmə əməkdaşı təlim keçir.",
        "Ежегодно не менее 100 сотрудников правоохранительных органов и судов проходят обучение.",
        "At least 100 law-enforcement and court officials are trained every year."),
        ["police"], ["intl"], (2020, 2023), ["prosecution"], dt.date(2023, 12, 31),
        indicators=[IndicatorSpec("Təlim keçmiş əməkdaşlar", "Обучено сотрудников", "Officials trained", "nəfər",
                                  40, 2019, 100)]),
    MeasureSpec("4", "4.2", (
        "Məcburi əmək hallarının proaktiv araşdırılması", "Проактивное расследование случаев принудительного труда",
        "Investigate forced labour proactively"), (
        "Məcburi əmək üzrə açılan işlərin sayı ildən-ilə artır.",
        "Число возбуждённых дел о принудительном труде растёт из года в год.",
        "The number of forced labour investigations grows year by year."),
        ["police"], [], (2021, 2024), ["prosecution", "SDG 8.7"],
        indicators=[IndicatorSpec("Açılmış cinayət işləri", "Возбуждено уголовных дел", "Investigations opened",
                                  "iş", 12, 2020, 20, "investigations_opened")]),
    MeasureSpec("5", "5.1", (
        "QHT Koalisiyası ilə rüblük görüşlərin keçirilməsi", "Ежеквартальные встречи с Коалицией НПО",
        "Meet the NGO Coalition every quarter"), (
        "İldə dörd görüş keçirilir, qərarlar və onların icrası dərc olunur.",
        "Проводятся четыре встречи в год, решения и их исполнение публикуются.",
        "Four meetings a year are held; their decisions and follow-up are published."),
        ["police", "coordinator"], ["ngo1", "ngo2", "ngo3"], (2020, 2024), ["partnership"],
        indicators=[IndicatorSpec("Keçirilmiş görüşlər", "Проведено встреч", "Meetings held", "görüş", 2, 2019, 4)]),
]

SUCCESSOR_SECTIONS = [
    ("1", "Qarşısının alınması və erkən müəyyənləşdirmə", "Профилактика и раннее выявление",
     "Prevention and early identification"),
    ("2", "Müdafiə və reinteqrasiya", "Защита и реинтеграция", "Protection and reintegration"),
    ("3", "İstintaq və cinayət təqibi", "Расследование и уголовное преследование", "Investigation and prosecution"),
    ("4", "Koordinasiya, məlumatlar və tərəfdaşlıq", "Координация, данные и партнёрство",
     "Coordination, data and partnership"),
]

SUCCESSOR_MEASURES = [
    MeasureSpec("1", "1.1", (
        "Gənclər üçün onlayn təhlükəsizlik və saxta işə düzəltmə barədə maarifləndirmə",
        "Информирование молодёжи о безопасности в интернете и мошенническом трудоустройстве",
        "Awareness for young people on online safety and recruitment fraud"), (
        "Hər il 7 000-dən çox gənc onlayn risklər və kömək yolları barədə məlumat alır.",
        "Ежегодно более 7 000 молодых людей узнают об онлайн-рисках и о том, где искать помощь.",
        "More than 7,000 young people a year learn about online risks and where to find help."),
        ["assistance"], ["ngo3", "ngo1"], (2025, 2029), ["prevention", "SDG 16.2"],
        indicators=[IndicatorSpec("Əhatə olunan gənclər", "Охвачено молодых людей", "Young people reached",
                                  "nəfər", 6300, 2023, 7000)]),
    MeasureSpec("1", "1.2", (
        "Xaricə işləməyə gedənlər üçün yola düşməzdən əvvəl məlumatlandırma",
        "Информирование перед выездом для уезжающих на работу за рубеж",
        "Pre-departure briefings for people going abroad to work"), (
        "Əsas miqrasiya istiqamətləri üzrə məlumatlandırma məntəqələri işləyir.",
        "Пункты информирования работают на основных направлениях миграции.",
        "Briefing points work on the main migration routes."),
        ["police", "assistance"], ["intl"], (2025, 2027), ["prevention", "SDG 8.7"], dt.date(2027, 6, 30)),
    MeasureSpec("2", "2.1", (
        "Kişilər və oğlanlar üçün ixtisaslaşdırılmış sığınacaq yerləri",
        "Специализированные места в убежищах для мужчин и мальчиков",
        "Specialised shelter places for men and boys"), (
        "Ən azı 10 yerlik ayrıca sığınacaq fəaliyyət göstərir.",
        "Работает отдельное убежище не менее чем на 10 мест.",
        "A separate shelter with at least 10 places is running."),
        ["assistance"], ["ngo2"], (2026, 2028), ["protection", "SDG 8.7"], dt.date(2028, 6, 30)),
    MeasureSpec("3", "3.1", (
        "İnsan alveri işləri ilə paralel maliyyə araşdırmaları",
        "Финансовые расследования параллельно делам о торговле людьми",
        "Financial investigations alongside trafficking cases"), (
        "Hər insan alveri işində cinayət gəlirləri araşdırılır.",
        "В каждом деле о торговле людьми расследуются преступные доходы.",
        "The proceeds of crime are traced in every trafficking case."),
        ["police"], [], (2025, 2029), ["prosecution", "SDG 8.7"],
        indicators=[IndicatorSpec("Açılmış cinayət işləri", "Возбуждено уголовных дел", "Investigations opened",
                                  "iş", 18, 2024, 22, "investigations_opened")]),
    MeasureSpec("4", "4.1", (
        "Polis, sığınacaqlar və Yardım Mərkəzi arasında vahid məlumat mübadiləsi",
        "Единый обмен данными между полицией, убежищами и Центром помощи",
        "One data exchange between the police, the shelters and the Assistance Centre"), (
        "Göndərişlər və statistika bir sistemdə, şəxsi məlumatlar qorunmaqla aparılır.",
        "Перенаправления и статистика ведутся в одной системе с защитой персональных данных.",
        "Referrals and statistics run in one system, with personal data protected."),
        ["coordinator", "police"], ["ngo1", "ngo2"], (2025, 2027), ["partnership"]),
]

TEXTS = {
    "in_progress": "Planlaşdırılmış işlərin bir hissəsi görülüb; qalanları növbəti ilə keçir (nümunə).",
    "completed": "Tədbir üzrə bütün işlər başa çatıb, nəticələr əlavə olunub (nümunə).",
}
GENERIC_TEXT = "Görülən işlər barədə qısa məlumat (nümunə)."
RETURN_COMMENT = "Keçirilmiş dərslərin sayını və iştirakçıları əlavə edin."


def _org(key: str) -> Organisation:
    from korpu.accounts.demo import ORGANISATIONS

    spec = next(s for s in ORGANISATIONS if s.key == key)
    return Organisation.objects.get(name=spec.name)


def _moment(day: dt.date, hour: int = 11) -> dt.datetime:
    """Noon-ish on ``day`` on the site's clock, but never later than now."""
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_default_timezone())
    return min(when, timezone.now() - dt.timedelta(minutes=5))


def _date_history(report: ProgressReport, days: list[dt.date]) -> None:
    """Give the report's events (oldest first) the dates they would have had; the report follows."""
    events = list(report.events.order_by("at", "id"))
    moments = [_moment(day, 10 + i) for i, day in enumerate(days)]
    for event, moment in zip(events, moments, strict=False):
        ReportEvent.objects.filter(pk=event.pk).update(at=moment)
    submitted = [m for e, m in zip(events, moments, strict=False) if e.status == ProgressReport.Status.SUBMITTED]
    reviewed = [m for e, m in zip(events, moments, strict=False) if e.status != ProgressReport.Status.SUBMITTED]
    first = moments[0] - dt.timedelta(days=6) if moments else timezone.now()
    ProgressReport.objects.filter(pk=report.pk).update(
        submitted_at=submitted[-1] if submitted else None, reviewed_at=reviewed[-1] if reviewed else None,
        created_at=first, updated_at=submitted[-1] if submitted else first)


@dataclass
class ReportSpec:
    number: str
    year: int
    body: str
    final: str  # draft, submitted, returned, accepted
    implementation: str = "in_progress"
    values: list[int] = field(default_factory=list)
    submitted: int = -10
    """Days from the due date to the (first) submission: negative is on time."""
    review_after: int = 9


def _write(spec: ReportSpec, *, measures: dict[str, Measure], periods: dict[int, ReportingPeriod],
           reporters: dict[str, User], coordinator: User) -> ProgressReport:
    measure, period, body = measures[spec.number], periods[spec.year], _org(spec.body)
    by = reporters[spec.body]
    text = TEXTS.get(spec.implementation, GENERIC_TEXT) if spec.final != "draft" else GENERIC_TEXT
    if spec.year in (2023, 2024) and spec.body == "assistance":
        text = GENERIC_TEXT  # the texts the tests look for
    indicators = list(measure.indicators.all())
    values = {i.pk: Decimal(v) for i, v in zip(indicators, spec.values, strict=False)}
    report = actions.report_save(by=by, measure=measure, period=period, organisation=body, text=text,
                                 implementation=spec.implementation, indicator_values=values)
    if spec.final == "draft":
        return report
    report = actions.report_submit(by=by, report=report)
    submitted_on = period.due_on + dt.timedelta(days=spec.submitted)
    reviewed_on = submitted_on + dt.timedelta(days=spec.review_after)
    if spec.final == "accepted":
        actions.report_accept(by=coordinator, report=report)
        _date_history(report, [submitted_on, reviewed_on])
    elif spec.final == "returned":
        actions.report_return(by=coordinator, report=report, comment=RETURN_COMMENT)
        _date_history(report, [submitted_on, reviewed_on])
    else:
        _date_history(report, [submitted_on])
    return report


def _measures(plan: Plan, sections: dict[str, Section], specs: list[MeasureSpec], coordinator: User, *,
              publish: bool) -> dict[str, Measure]:
    ensure_standard(Category)  # the migration made them; a flushed test database may not have them
    categories = {c.code: c for c in Category.objects.all()}
    measures = {}
    for spec in specs:
        measure = actions.measure_create(
            by=coordinator, section=sections[spec.section], number=spec.number, text_az=spec.text[0],
            text_ru=spec.text[1], text_en=spec.text[2], expected_result_az=spec.expected[0],
            expected_result_ru=spec.expected[1], expected_result_en=spec.expected[2], start_year=spec.years[0],
            end_year=spec.years[1], deadline=spec.deadline, executing_bodies=[_org(b) for b in spec.bodies],
            partners=[_org(p) for p in spec.partners], categories=[categories[c] for c in spec.categories],
            is_published=publish)
        for indicator in spec.indicators:
            actions.indicator_save(
                by=coordinator, measure=measure, name_az=indicator.az, name_ru=indicator.ru, name_en=indicator.en,
                unit=indicator.unit, baseline=None if indicator.baseline is None else Decimal(indicator.baseline),
                baseline_year=indicator.baseline_year, computed_key=indicator.computed,
                targets={year: Decimal(indicator.target) for year in range(spec.years[0], spec.years[1] + 1)}
                if indicator.target is not None else {})
        measures[spec.number] = measure
    return measures


def _sections(plan: Plan, specs: list[tuple[str, str, str, str]], coordinator: User) -> dict[str, Section]:
    return {number: actions.section_save(by=coordinator, plan=plan, number=number, title_az=az, title_ru=ru,
                                         title_en=en, order=int(number)) for number, az, ru, en in specs}


def _periods(plan: Plan, coordinator: User) -> dict[int, ReportingPeriod]:
    return {year: actions.period_save(by=coordinator, plan=plan, year=year, due_on=dt.date(year + 1, 1, 31))
            for year in range(plan.start_year, plan.end_year + 1)}


def load() -> None:
    coordinator = User.objects.get(username="analitik")
    police_focal = User.objects.get(username="polis2")
    account_actions.membership_add(by=SYSTEM, user=police_focal, organisation=_org("police"),
                                   role=Role.PLAN_FOCAL_POINT, title="Milli Fəaliyyət Planı üzrə əlaqələndirici")
    reporters = {"assistance": User.objects.get(username="fokal"), "police": User.objects.get(pk=police_focal.pk)}

    plan = actions.plan_save(
        by=coordinator,
        title_az="İnsan alverinə qarşı mübarizəyə dair Milli Fəaliyyət Planı (nümunə)",
        title_ru="Национальный план действий по борьбе с торговлей людьми (образец)",
        title_en="National Action Plan on Combating Trafficking in Human Beings (sample)",
        description_az="Plan qarşısının alınması, qurbanların müdafiəsi, cinayət təqibi və tərəfdaşlıq üzrə "
                       "tədbirləri birləşdirir. Bütün mətnlər nümunədir.",
        description_ru="План объединяет меры по профилактике, защите жертв, уголовному преследованию и "
                       "партнёрству. Все тексты — образец.",
        description_en="The plan brings together measures on prevention, protection of victims, prosecution "
                       "and partnership. All texts are samples.",
        start_year=2020, end_year=2024, adopting_act_az="Nümunə sərəncam", adopting_act_ru="Образец распоряжения",
        adopting_act_en="Sample decree", adopted_on=dt.date(2020, 7, 22))
    actions.plan_set_published(by=coordinator, plan=plan, published=True)
    sections = _sections(plan, SECTIONS, coordinator)
    measures = _measures(plan, sections, MEASURES, coordinator, publish=True)
    periods = _periods(plan, coordinator)
    BodyContact.objects.create(organisation=_org("assistance"), head_name="Mərkəzin rəhbəri",
                               head_email="assistance-head@example.org")
    write = {"measures": measures, "periods": periods, "reporters": reporters, "coordinator": coordinator}
    for spec in [
        # The police department.
        ReportSpec("1.1", 2020, "police", "accepted", submitted=-20),
        ReportSpec("1.1", 2021, "police", "accepted", "completed", submitted=-6),
        ReportSpec("2.1", 2022, "police", "accepted", values=[1800], submitted=-4),
        ReportSpec("2.1", 2023, "police", "accepted", values=[2100], submitted=12),
        ReportSpec("4.1", 2021, "police", "accepted", values=[85], submitted=-15),
        ReportSpec("4.1", 2023, "police", "accepted", "completed", values=[140], submitted=4),
        ReportSpec("4.2", 2022, "police", "accepted", submitted=-2),
        ReportSpec("4.2", 2023, "police", "accepted", submitted=-8),
        ReportSpec("5.1", 2023, "police", "accepted", values=[3], submitted=-1),
        # The Assistance Centre.
        ReportSpec("2.1", 2021, "assistance", "accepted", values=[4200], submitted=-12),
        ReportSpec("2.1", 2022, "assistance", "accepted", values=[5100], submitted=-3),
        ReportSpec("2.1", 2023, "assistance", "accepted", values=[6300], submitted=9),
        ReportSpec("2.2", 2022, "assistance", "accepted", values=[120], submitted=-7),
        ReportSpec("2.2", 2023, "assistance", "returned", values=[95], submitted=-5, review_after=10),
        ReportSpec("3.1", 2022, "assistance", "accepted", values=[48], submitted=-9),
        ReportSpec("3.1", 2023, "assistance", "accepted", values=[55], submitted=-6),
        ReportSpec("3.2", 2023, "assistance", "accepted", values=[55], submitted=-6),
        ReportSpec("3.1", 2024, "assistance", "submitted", values=[55], submitted=-2),
        ReportSpec("3.2", 2024, "assistance", "accepted", "completed", values=[55], submitted=-11),
        ReportSpec("2.1", 2024, "assistance", "draft", values=[5600]),
    ]:
        _write(spec, **write)  # type: ignore[arg-type]
    for year in (2020, 2021, 2022, 2023):
        actions.period_lock(by=coordinator, period=periods[year])

    _successor(coordinator, reporters)
    _recommendations(measures)


def _successor(coordinator: User, reporters: dict[str, User]) -> None:
    """The 2025–2029 plan: a draft, not published, its first year reported and locked."""
    plan = actions.plan_save(
        by=coordinator,
        title_az="İnsan alverinə qarşı mübarizəyə dair 2025–2029-cu illər üçün Milli Fəaliyyət Planı (layihə)",
        title_ru="Национальный план действий по борьбе с торговлей людьми на 2025–2029 годы (проект)",
        title_en="National Action Plan on Combating Trafficking in Human Beings 2025–2029 (draft)",
        description_az="Əvvəlki planın nəticələrinə və beynəlxalq tövsiyələrə əsaslanan layihə (nümunə).",
        description_ru="Проект, основанный на итогах предыдущего плана и международных рекомендациях (образец).",
        description_en="A draft built on the results of the previous plan and on international recommendations "
                       "(sample).",
        start_year=2025, end_year=2029)
    sections = _sections(plan, SUCCESSOR_SECTIONS, coordinator)
    measures = _measures(plan, sections, SUCCESSOR_MEASURES, coordinator, publish=False)
    periods = _periods(plan, coordinator)
    write = {"measures": measures, "periods": periods, "reporters": reporters, "coordinator": coordinator}
    for spec in [
        ReportSpec("1.1", 2025, "assistance", "accepted", values=[7400], submitted=-11),
        ReportSpec("1.2", 2025, "assistance", "accepted", submitted=-4),
        ReportSpec("1.2", 2025, "police", "accepted", submitted=9),
        ReportSpec("3.1", 2025, "police", "accepted", submitted=-1),
        ReportSpec("4.1", 2025, "police", "accepted", submitted=-3),
        ReportSpec("1.1", 2026, "assistance", "draft", values=[3100]),
    ]:
        _write(spec, **write)  # type: ignore[arg-type]
    actions.period_lock(by=coordinator, period=periods[2025])
    # The police report early on 2026: submitted now, well before the due date.
    report = actions.report_save(by=reporters["police"], measure=measures["3.1"], period=periods[2026],
                                 organisation=_org("police"), text=TEXTS["in_progress"], implementation="in_progress")
    actions.report_submit(by=reporters["police"], report=report)


@dataclass
class RecommendationSpec:
    source: str
    cycles: list[str]
    priority: str
    text: tuple[str, str, str]
    measures: list[str]
    theme: str


RECOMMENDATIONS = [
    RecommendationSpec("us_tip", ["2021", "2022", "2023", "2024"], "prioritized", (
        "Proaktiv olaraq qurbanları, o cümlədən əmək miqrantları arasında müəyyən etmək üçün səyləri artırmaq.",
        "Активизировать усилия по проактивному выявлению жертв, в том числе среди трудовых мигрантов.",
        "Increase efforts to identify victims proactively, including among labour migrants."), ["2.1", "4.2"],
        "identification"),
    RecommendationSpec("us_tip", ["2023", "2024"], "prioritized", (
        "Bütün qurbanların, o cümlədən rəsmi statusu olmayanların yardıma çıxışını təmin etmək.",
        "Обеспечить доступ к помощи всем жертвам, в том числе не имеющим официального статуса.",
        "Ensure all victims, including those without official status, can access assistance."), ["3.1"],
        "identification"),
    RecommendationSpec("greta", ["Round 2 (2019)", "Round 3 (2023)"], "urges", (
        "QHT-lər daxil olmaqla bütün əsas aktorları əhatə edən vahid statistik sistem yaratmaq.",
        "Создать комплексную статистическую систему, охватывающую всех основных участников, включая НПО.",
        "Set up a comprehensive statistical system covering all main actors, NGOs included."), ["1.2"], "data"),
    RecommendationSpec("greta", ["Round 3 (2023)"], "considers", (
        "Məcburi əmək hallarında əmək müfəttişliyinin rolunu gücləndirmək.",
        "Усилить роль трудовой инспекции в делах о принудительном труде.",
        "Strengthen the role of labour inspectors in forced labour cases."), ["4.2"], "data"),
    RecommendationSpec("cedaw", ["2022"], "", (
        "Qadın qurbanlar üçün uzunmüddətli reinteqrasiya proqramlarını genişləndirmək.",
        "Расширить долгосрочные программы реинтеграции для женщин-жертв.",
        "Expand long-term reintegration programmes for women victims."), ["3.1"], "data"),
]
RESPONSES = [
    ("Hökumət tövsiyəni qəbul edib və müvafiq tədbirləri plana daxil edib.",
     "Правительство приняло рекомендацию и включило соответствующие меры в план.",
     "The government accepted the recommendation and put measures answering it into the plan."),
    ("Hökumət görülən işlər barədə məlumat verib; tədbirlərin icrası davam edir.",
     "Правительство сообщило о проделанной работе; меры продолжают выполняться.",
     "The government reported on the work done; the measures are still being carried out."),
]


def _recommendations(measures: dict[str, Measure]) -> None:
    coordinator = User.objects.get(username="analitik")
    levels = ["not_started", "in_progress", "partial", "full"]
    made = {}
    for index, spec in enumerate(RECOMMENDATIONS):
        previous = None
        for step, cycle in enumerate(spec.cycles):
            response = RESPONSES[min(step, 1)]
            recommendation = actions.recommendation_save(
                by=coordinator, source=spec.source, cycle=cycle, reference=f"R{index + 1}.{step + 1}",
                text_az=spec.text[0], text_ru=spec.text[1], text_en=spec.text[2], priority=spec.priority,
                theme=spec.theme, previous=previous,
                is_published=step == len(spec.cycles) - 1 or index % 2 == 0, response_az=response[0],
                response_ru=response[1], response_en=response[2], measures=[measures[n] for n in spec.measures])
            actions.assessment_record(by=coordinator, recommendation=recommendation,
                                      level=levels[min(step + index % 3, 3)], comment="Daxili qeyd: nümunə")
            made[(spec.source, cycle, recommendation.reference)] = recommendation
            previous = recommendation
    # GRETA's third round split its 2019 recommendation on statistics in two: a second branch.
    split = actions.recommendation_save(
        by=coordinator, source="greta", cycle="Round 3 (2023)", reference="R6.1", priority="urges", theme="data",
        text_az="Statistik sistemdə qurbanların şəxsi məlumatlarının qorunmasını təmin etmək.",
        text_ru="Обеспечить защиту персональных данных жертв в статистической системе.",
        text_en="Ensure that the statistical system protects victims' personal data.",
        previous=made[("greta", "Round 2 (2019)", "R3.1")], is_published=True, response_az=RESPONSES[1][0],
        response_ru=RESPONSES[1][1], response_en=RESPONSES[1][2], measures=[measures["1.2"]])
    actions.assessment_record(by=coordinator, recommendation=split, level="in_progress",
                              comment="Daxili qeyd: nümunə")
