"""Demo action plan and recommendations, written for Körpü (synthetic; shaped like the 2020–2024 plan)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from korpu.accounts.models import Organisation, User
from korpu.plan import actions
from korpu.plan.models import (
    BodyContact,
    Category,
    Indicator,
    IndicatorTarget,
    Measure,
    Plan,
    ProgressReport,
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

# (section, number, az, en, bodies, partners, years, pillar, indicator)
MEASURES = [
    ("1", "1.1", "Milli göndəriş mexanizminin qaydalarının yenilənməsi və bütün ilk müdaxilə edənlərə çatdırılması",
     "Update the national referral mechanism rules and bring them to every first responder",
     ["police", "coordinator"], ["ngo1"], (2020, 2021), "partnership", None),
    ("1.2", "1.2", "Qurbanlar haqqında vahid statistik sistemin yaradılması (QHT-lər daxil olmaqla)",
     "Build one statistical system on victims covering all actors, NGOs included",
     ["coordinator"], ["police", "ngo1", "ngo2"], (2020, 2024), "partnership", None),
    ("2", "2.1", "Əmək miqrantları və iş axtaranlar üçün maarifləndirmə kampaniyaları",
     "Awareness campaigns for labour migrants and job seekers", ["police", "assistance"], ["ngo1", "ngo2"],
     (2020, 2024), "prevention", None),
    ("2", "2.2", "Məktəblərdə və universitetlərdə insan alverinin qarşısının alınmasına dair dərslər",
     "Lessons on preventing trafficking in schools and universities", ["assistance"], ["ngo3"],
     (2021, 2024), "prevention", None),
    ("3", "3.1", "Tanınmış qurbanlara sığınacaq, tibbi və psixoloji yardımın təmin edilməsi",
     "Provide shelter, medical and psychological help to recognised victims", ["assistance"], ["ngo1", "ngo2"],
     (2020, 2024), "protection", "recognised_sheltered"),
    ("3", "3.2", "Birdəfəlik müavinətin vaxtında ödənilməsi",
     "Pay the one-time allowance on time", ["assistance"], [], (2020, 2024), "protection", "allowance_paid"),
    ("4", "4.1", "Müstəntiqlər, prokurorlar və hakimlər üçün təlimlər",
     "Training for investigators, prosecutors and judges", ["police"], ["intl"], (2020, 2023), "prosecution", None),
    ("4", "4.2", "Məcburi əmək hallarının proaktiv araşdırılması", "Investigate forced labour proactively",
     ["police"], [], (2021, 2024), "prosecution", "investigations_opened"),
    ("5", "5.1", "QHT Koalisiyası ilə rüblük görüşlərin keçirilməsi", "Meet the NGO Coalition every quarter",
     ["police", "coordinator"], ["ngo1", "ngo2", "ngo3"], (2020, 2024), "partnership", None),
]


def _org(key: str) -> Organisation:
    from korpu.accounts.demo import ORGANISATIONS

    spec = next(s for s in ORGANISATIONS if s.key == key)
    return Organisation.objects.get(name=spec.name)


def load() -> None:
    categories = {
        code: Category.objects.create(kind=kind, code=code, name_az=az, name_ru=ru, name_en=en)
        for kind, code, az, ru, en in [
            ("pillar", "prevention", "Qarşısının alınması", "Профилактика", "Prevention"),
            ("pillar", "protection", "Müdafiə", "Защита", "Protection"),
            ("pillar", "prosecution", "Cinayət təqibi", "Уголовное преследование", "Prosecution"),
            ("pillar", "partnership", "Tərəfdaşlıq", "Партнёрство", "Partnership"),
            ("sdg", "SDG 5.2", "DİM 5.2", "ЦУР 5.2", "SDG 5.2"),
            ("sdg", "SDG 8.7", "DİM 8.7", "ЦУР 8.7", "SDG 8.7"),
            ("sdg", "SDG 16.2", "DİM 16.2", "ЦУР 16.2", "SDG 16.2"),
        ]}
    plan = Plan.objects.create(
        title_az="İnsan alverinə qarşı mübarizəyə dair Milli Fəaliyyət Planı (nümunə)",
        title_ru="Национальный план действий по борьбе с торговлей людьми (образец)",
        title_en="National Action Plan on Combating Trafficking in Human Beings (sample)",
        start_year=2020, end_year=2024, adopting_act="Nümunə sərəncam", adopted_on=dt.date(2020, 7, 22),
        is_published=True)
    Plan.objects.create(title_az="Milli Fəaliyyət Planı (layihə)", title_en="National Action Plan (draft)",
                        start_year=2025, end_year=2029)
    sections = {number: Section.objects.create(plan=plan, number=number, title_az=az, title_ru=ru, title_en=en,
                                               order=int(number)) for number, az, ru, en in SECTIONS}
    measures = {}
    for section, number, az, en, bodies, partners, (start, end), pillar, computed in MEASURES:
        measure = Measure.objects.create(section=sections[section[0]], number=number, text_az=az, text_en=en,
                                         start_year=start, end_year=end)
        measure.executing_bodies.set([_org(b) for b in bodies])
        measure.partners.set([_org(p) for p in partners])
        measure.categories.add(categories[pillar], categories["SDG 8.7"])
        if computed:
            indicator = Indicator.objects.create(measure=measure, name_az="Qeydlərdən hesablanan göstərici",
                                                 name_en="Indicator computed from the records", unit="nəfər",
                                                 computed_key=computed)
            for year in range(start, end + 1):
                IndicatorTarget.objects.create(indicator=indicator, year=year, value=Decimal(60))
        measures[number] = measure
    periods = {year: ReportingPeriod.objects.create(plan=plan, year=year, due_on=dt.date(year + 1, 1, 31),
                                                    locked=year < 2023)
               for year in range(2020, 2025)}
    BodyContact.objects.create(organisation=_org("assistance"), head_name="Mərkəzin rəhbəri",
                               head_email="assistance-head@example.org")
    _reports(measures, periods)
    _recommendations(measures)


def _reports(measures: dict[str, Measure], periods: dict[int, ReportingPeriod]) -> None:
    focal = User.objects.get(username="fokal")
    coordinator = User.objects.get(username="analitik")
    assistance = _org("assistance")
    # Unlock the two latest periods while writing, so each state appears.
    for number, year, final in [("3.1", 2023, "accepted"), ("3.2", 2023, "accepted"), ("2.2", 2023, "returned"),
                                ("3.1", 2024, "submitted"), ("2.1", 2024, "draft"), ("3.2", 2024, "accepted")]:
        measure, period = measures[number], periods[year]
        report = actions.report_save(by=focal, measure=measure, period=period, organisation=assistance,
                                     text="Görülən işlər barədə qısa məlumat (nümunə).",
                                     implementation="completed" if final == "accepted" and number == "3.2"
                                     else "in_progress",
                                     indicator_values={i.pk: Decimal(55) for i in measure.indicators.all()})
        if final == "draft":
            continue
        report = actions.report_submit(by=focal, report=report)
        if final == "accepted":
            actions.report_accept(by=coordinator, report=report)
        elif final == "returned":
            actions.report_return(by=coordinator, report=report,
                                  comment="Keçirilmiş dərslərin sayını və iştirakçıları əlavə edin.")
    ProgressReport.objects.filter(period__year=2023).update(submitted_at=timezone.now() - dt.timedelta(days=300))
    ReportingPeriod.objects.filter(year=2023).update(locked=True)


RECOMMENDATIONS = [
    ("us_tip", ["2021", "2022", "2023", "2024"], "prioritized",
     "Proaktiv olaraq qurbanları, o cümlədən əmək miqrantları arasında müəyyən etmək üçün səyləri artırmaq.",
     "Increase efforts to identify victims proactively, including among labour migrants.", ["2.1", "4.2"]),
    ("us_tip", ["2023", "2024"], "prioritized",
     "Bütün qurbanların, o cümlədən rəsmi statusu olmayanların yardıma çıxışını təmin etmək.",
     "Ensure all victims, including those without official status, can access assistance.", ["3.1"]),
    ("greta", ["Round 2 (2019)", "Round 3 (2023)"], "urges",
     "QHT-lər daxil olmaqla bütün əsas aktorları əhatə edən vahid statistik sistem yaratmaq.",
     "Set up a comprehensive statistical system covering all main actors, NGOs included.", ["1.2"]),
    ("greta", ["Round 3 (2023)"], "considers",
     "Məcburi əmək hallarında əmək müfəttişliyinin rolunu gücləndirmək.",
     "Strengthen the role of labour inspectors in forced labour cases.", ["4.2"]),
    ("cedaw", ["2022"], "", "Qadın qurbanlar üçün uzunmüddətli reinteqrasiya proqramlarını genişləndirmək.",
     "Expand long-term reintegration programmes for women victims.", ["3.1"]),
]


def _recommendations(measures: dict[str, Measure]) -> None:
    coordinator = User.objects.get(username="analitik")
    levels = ["not_started", "in_progress", "partial", "full"]
    for index, (source, cycles, priority, az, en, numbers) in enumerate(RECOMMENDATIONS):
        previous = None
        for step, cycle in enumerate(cycles):
            recommendation = actions.recommendation_save(
                by=coordinator, source=source, cycle=cycle, reference=f"R{index + 1}.{step + 1}", text_az=az,
                text_en=en, priority=priority, theme="identification" if index < 2 else "data",
                previous=previous, is_published=step == len(cycles) - 1 or index % 2 == 0,
                response_az="Hökumət tövsiyəni qəbul edib və müvafiq tədbirləri plana daxil edib.",
                measures=[measures[n] for n in numbers])
            actions.assessment_record(by=coordinator, recommendation=recommendation,
                                      level=levels[min(step + index % 3, 3)], comment="Daxili qeyd: nümunə")
            previous = recommendation
