"""The standard categories of measures: the four Ps and the SDG targets on trafficking.

Imports and the measure form name categories by code, so these exist on every installation: the data
migration ``0004_standard_categories`` creates them, and :func:`ensure_standard` (used by the demo)
creates any that are missing. Other categories are added on the categories page.
"""

from __future__ import annotations

from typing import Any

STANDARD: list[tuple[str, str, str, str, str]] = [
    ("pillar", "prevention", "Qarşısının alınması", "Профилактика", "Prevention"),
    ("pillar", "protection", "Müdafiə", "Защита", "Protection"),
    ("pillar", "prosecution", "Cinayət təqibi", "Уголовное преследование", "Prosecution"),
    ("pillar", "partnership", "Tərəfdaşlıq", "Партнёрство", "Partnership"),
    ("sdg", "SDG 5.2", "DİM 5.2: qadınlara və qızlara qarşı zorakılığın aradan qaldırılması",
     "ЦУР 5.2: ликвидация насилия в отношении женщин и девочек",
     "SDG 5.2: eliminate violence against women and girls"),
    ("sdg", "SDG 8.7", "DİM 8.7: məcburi əməyin və insan alverinin aradan qaldırılması",
     "ЦУР 8.7: искоренение принудительного труда и торговли людьми",
     "SDG 8.7: end forced labour and human trafficking"),
    ("sdg", "SDG 16.2", "DİM 16.2: uşaqlara qarşı zorakılığa və onların alverinə son qoyulması",
     "ЦУР 16.2: прекращение насилия в отношении детей и торговли ими",
     "SDG 16.2: end abuse, exploitation and trafficking of children"),
]


def ensure_standard(category_model: Any) -> int:
    """Create the standard categories that are missing (by code); returns how many were created.
    Takes the model so that the migration can pass its historical one."""
    created = 0
    for kind, code, az, ru, en in STANDARD:
        _category, made = category_model.objects.get_or_create(
            code=code, defaults={"kind": kind, "name_az": az, "name_ru": ru, "name_en": en})
        created += made
    return created
