"""The plan workbooks' columns: codes, labels in the user's language, widths; the instructions sheet."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

DATA_START = 3
MAX_ROWS = 2000
TEMPLATE_ROWS = 500
"""Rows of the template that carry the picklists and the text format."""
SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    code: str
    label: Promise | str
    required: bool = False
    width: int = 16
    text: bool = True
    """Formatted as text in the template, so Excel keeps "1.10" and "2.1" as typed."""


MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("section", gettext_lazy("Section number"), True, 10),
    Column("number", gettext_lazy("Measure number"), True, 10),
    Column("text_az", gettext_lazy("Measure (az)"), True, 50),
    Column("text_ru", gettext_lazy("Measure (ru)"), False, 40),
    Column("text_en", gettext_lazy("Measure (en)"), False, 40),
    Column("expected_result_az", gettext_lazy("Expected result (az)"), False, 30),
    Column("expected_result_ru", gettext_lazy("Expected result (ru)"), False, 30),
    Column("expected_result_en", gettext_lazy("Expected result (en)"), False, 30),
    Column("executing_bodies", gettext_lazy("Executing bodies (separated by ;)"), True, 40),
    Column("partners", gettext_lazy("Partner organisations (separated by ;)"), False, 40),
    Column("start_year", gettext_lazy("From year"), True, 10, text=False),
    Column("end_year", gettext_lazy("To year"), True, 10, text=False),
    Column("deadline", gettext_lazy("Deadline (YYYY-MM-DD)"), False, 14),
    Column("categories", gettext_lazy("Categories (codes separated by ;)"), False, 24),
)

RECOMMENDATION_COLUMNS: tuple[Column, ...] = (
    Column("source", gettext_lazy("Source (code)"), True, 12),
    Column("cycle", gettext_lazy("Year or cycle"), True, 14),
    Column("reference", gettext_lazy("Reference"), True, 12),
    Column("text_az", gettext_lazy("Text (az)"), True, 50),
    Column("text_ru", gettext_lazy("Text (ru)"), False, 40),
    Column("text_en", gettext_lazy("Text (en)"), False, 40),
    Column("priority", gettext_lazy("Priority (code)"), False, 12),
    Column("theme", gettext_lazy("Theme"), False, 16),
    Column("measures", gettext_lazy("Measure numbers (separated by ;)"), False, 18),
    Column("previous_source", gettext_lazy("Earlier cycle: source (if different)"), False, 14),
    Column("previous_cycle", gettext_lazy("Earlier cycle: year or cycle"), False, 14),
    Column("previous_reference", gettext_lazy("Earlier cycle: reference"), False, 14),
    Column("response_az", gettext_lazy("Government response (az)"), False, 30),
    Column("response_ru", gettext_lazy("Government response (ru)"), False, 30),
    Column("response_en", gettext_lazy("Government response (en)"), False, 30),
)

KINDS: dict[str, tuple[Column, ...]] = {"measures": MEASURE_COLUMNS, "recommendations": RECOMMENDATION_COLUMNS}

INSTRUCTIONS: dict[str, dict[str, list[str]]] = {
    # Shown side by side in the three languages, whatever the user's language; not from the catalogue.
    "measures": {
        "az": [
            "Tədbirlərin idxalı üçün şablon",
            "1-ci sətirdə sütun kodları var: onları dəyişməyin. 2-ci sətir izahdır. Məlumatları 3-cü sətirdən yazın.",
            "* ilə işarələnmiş sütunlar məcburidir: bölmə nömrəsi, tədbir nömrəsi, mətn (az), icraçı qurumlar, "
            "başlama və bitmə ili.",
            "Bölmə nömrəsi seçilmiş planın bölməsi olmalıdır. Tədbir nömrəsi bölmədə təkrarlanmamalıdır və planda "
            "artıq olmamalıdır.",
            "Qurumları tam və ya qısa adı ilə, nöqtəli vergüllə (;) ayıraraq yazın. Qurum sistemdə olmalıdır.",
            "İllər planın dövrü daxilində olmalıdır, başlama ili bitmə ilindən böyük olmamalıdır.",
            "Hər sətir yoxlanılır: bir sətirdə səhv olarsa, heç nə saxlanmır və səhvlər sətir nömrəsi ilə göstərilir.",
        ],
        "ru": [
            "Шаблон для импорта мероприятий",
            "В 1-й строке — коды столбцов: не меняйте их. 2-я строка — пояснение. Данные вводите с 3-й строки.",
            "Столбцы со * обязательны: номер раздела, номер мероприятия, текст (az), исполнители, год начала "
            "и год окончания.",
            "Номер раздела должен существовать в выбранном плане. Номер мероприятия не должен повторяться в разделе "
            "и уже существовать в плане.",
            "Организации указывайте полным или кратким названием через точку с запятой (;). Организация должна "
            "быть в системе.",
            "Годы — в пределах периода плана; год начала не позже года окончания.",
            "Проверяется каждая строка: если хотя бы в одной есть ошибка, ничего не сохраняется, а ошибки "
            "показываются с номером строки.",
        ],
        "en": [
            "Template for importing measures",
            "Row 1 holds the column codes: do not change them. Row 2 explains them. Enter data from row 3.",
            "Columns marked * are required: section number, measure number, text (az), executing bodies, "
            "start and end year.",
            "The section number must exist in the chosen plan. A measure number must be unique in its section and "
            "not exist in the plan yet.",
            "Name organisations by full or short name, separated by a semicolon (;). Each must exist in Körpü.",
            "Years lie within the plan's period; the start year is not after the end year.",
            "Every row is checked: if any row has an error, nothing is saved and the errors name their rows.",
        ],
    },
    "recommendations": {
        "az": [
            "Tövsiyələrin idxalı üçün şablon",
            "1-ci sətirdə sütun kodları var: onları dəyişməyin. 2-ci sətir izahdır. Məlumatları 3-cü sətirdən yazın.",
            "* ilə işarələnmiş sütunlar məcburidir: mənbə kodu, il və ya dövr, istinad, mətn (az).",
            "Mənbə və prioritet kodları «lists» vərəqində verilib.",
            "Əvvəlki dövrdəki eyni tövsiyəni mənbə, dövr və istinadla göstərin: o, sistemdə olmalı və ya faylda "
            "daha yuxarı sətirdə yazılmalıdır.",
            "Tədbirləri nömrələri ilə, nöqtəli vergüllə (;) ayıraraq yazın.",
            "Hər sətir yoxlanılır: bir sətirdə səhv olarsa, heç nə saxlanmır və səhvlər sətir nömrəsi ilə göstərilir.",
        ],
        "ru": [
            "Шаблон для импорта рекомендаций",
            "В 1-й строке — коды столбцов: не меняйте их. 2-я строка — пояснение. Данные вводите с 3-й строки.",
            "Столбцы со * обязательны: код источника, год или цикл, ссылка, текст (az).",
            "Коды источников и приоритетов — на листе «lists».",
            "Ту же рекомендацию предыдущего цикла указывайте источником, циклом и ссылкой: она должна быть "
            "в системе или выше в этом же файле.",
            "Мероприятия указывайте номерами через точку с запятой (;).",
            "Проверяется каждая строка: если хотя бы в одной есть ошибка, ничего не сохраняется, а ошибки "
            "показываются с номером строки.",
        ],
        "en": [
            "Template for importing recommendations",
            "Row 1 holds the column codes: do not change them. Row 2 explains them. Enter data from row 3.",
            "Columns marked * are required: source code, year or cycle, reference, text (az).",
            "The source and priority codes are on the “lists” sheet.",
            "Name the same recommendation of the earlier cycle by source, cycle and reference: it must exist in "
            "Körpü or in a row above in this file.",
            "Name measures by number, separated by a semicolon (;).",
            "Every row is checked: if any row has an error, nothing is saved and the errors name their rows.",
        ],
    },
}


