#!/usr/bin/env python
"""A labelled, noisy, synthetic person registry for the record-linkage benchmark.

    python benchmarks/linkage/generate.py --records 100000 --seed 3 --out /tmp/linkage-100k.csv
    python benchmarks/linkage/generate.py --identities 20000 --seed 2 --out /tmp/linkage-20k.csv

Output (UTF-8 CSV, header exactly)::

    record_id,cluster_id,given_name,surname,patronymic,birth_date,sex,citizenship,document_number

``cluster_id`` is the identity (the truth); every other field but the ids may be blank. ``birth_date``
is ISO ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` when only part of it is known; ``sex`` ``F``/``M``;
``citizenship`` ISO 3166 alpha-2. Everything is synthetic: names are drawn from the tables below
(real, frequent Azerbaijani names with a skewed frequency), never from a real person.

**Identities.** Each identity draws a sex (F 0.55), a given name from that sex's table (Zipf,
exponent 0.9), a surname (Zipf over the ranks, exponent 0.72: the 10 most frequent cover ~30 % of
people, the 50 listed surnames ~60 %, the rest from ~160 surnames built from fathers' given names +
-ov/-yev, -li, -zadə), the father's given name, a birth date 1950–2010 (uniform day), a citizenship
(AZ 0.85, RU 0.04, GE 0.03, UZ 0.02, TR 0.02, IR 0.015, UA 0.01, KZ 0.01, KG 0.005, TM 0.005) and a
document number for 65 % (AZ: ``AZE`` + 7 digits or ``AA`` + 7 digits, e.g. AZE1234567, AA1234567;
others two letters + 7 digits). 30 % of women born before 1998 have a married surname as well
(another surname from the table, female form).

**Records.** Each identity gets 1–4 records (P = 0.62, 0.27, 0.08, 0.03: mean 1.52), as held by
different organisations. ``--records N`` draws identities until N records are written (the last
identity may lose records); ``--identities K`` alone writes K identities; both: K identities
sharing N records (each at least one, at most four). Each record is written independently with:

* **script** of the name fields (one per record, for given name, surname, patronymic):
  Azerbaijani Latin 0.45, passport Latin 0.20 (Məmmədov → Mammadov, Cəfərov → Jafarov,
  Xəlilov → Khalilov), Russian Cyrillic 0.20 (Мамедов, Джафаров, Халилов: Russian spellings,
  doubled consonants single), Russian-derived Latin 0.10 (Mamedov, Dzhafarov, Khalilov),
  Azerbaijani Cyrillic 0.05 (Мәммәдов, Ҹәфәров, Хәлилов). A married woman's record uses the
  married surname with P 0.5;
* **patronymic** "Rəşid oğlu"/"Rəşid qızı" (in the record's script: "Рашид оглы" in Russian) 0.45,
  Russian form "Рашидович"/"Рашидовна" ("Rashidovich" in a Latin script) 0.25, blank 0.30;
* **typo**: one insert, delete, substitution or transposition, in each of given name, surname,
  patronymic independently with P 0.05;
* given name and surname **swapped** 0.03;
* **birth date**: blank 0.08, year only 0.05, year-month 0.04, day and month swapped 0.03 (when the
  day is ≤ 12 and differs from the month), year off by one 0.04, else exact;
* **sex** blank 0.07; **citizenship** blank 0.05;
* **document number** blank 0.45 (always blank when the identity has none), one digit mistyped 0.04.

Rows are shuffled in windows of 100 000 before they are written (streamed: a million records takes
well under a minute and little memory); ``record_id`` is the row number. The transliteration
tables here are the generator's own: it does not import ``korpu.linkage`` (the system under test).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

HEADER = ["record_id", "cluster_id", "given_name", "surname", "patronymic", "birth_date", "sex", "citizenship",
          "document_number"]

# --- name tables: (Azerbaijani Latin, Russian Cyrillic) -------------------------------------------------
# Surnames in the male form; the female form adds -a (-ov/-yev/-ev/-in) and keeps -li / -zadə.
SURNAMES_TOP = [  # the ten most frequent: ~30 % of people
    ("Məmmədov", "Мамедов"), ("Əliyev", "Алиев"), ("Həsənov", "Гасанов"), ("Hüseynov", "Гусейнов"),
    ("Quliyev", "Кулиев"), ("İsmayılov", "Исмаилов"), ("Abbasov", "Аббасов"), ("Cəfərov", "Джафаров"),
    ("Xəlilov", "Халилов"), ("Rzayev", "Рзаев"),
]
SURNAMES_MORE = [  # ranks 11–50
    ("Kərimov", "Керимов"), ("Şükürov", "Шукюров"), ("Nəsirov", "Насиров"), ("Babayev", "Бабаев"),
    ("Hacıyev", "Гаджиев"), ("Qasımov", "Касумов"), ("Orucov", "Оруджев"), ("Bayramov", "Байрамов"),
    ("Süleymanov", "Сулейманов"), ("Səfərov", "Сафаров"), ("Vəliyev", "Велиев"), ("Mustafayev", "Мустафаев"),
    ("Əhmədov", "Ахмедов"), ("Novruzov", "Новрузов"), ("Allahverdiyev", "Аллахвердиев"),
    ("Hümbətov", "Гумбатов"), ("Paşayev", "Пашаев"), ("Zeynalov", "Зейналов"), ("Abdullayev", "Абдуллаев"),
    ("Sadıqov", "Садыхов"), ("Musayev", "Мусаев"), ("Tağıyev", "Тагиев"), ("Rəhimov", "Рагимов"),
    ("Əsgərov", "Аскеров"), ("Qurbanov", "Курбанов"), ("Nağıyev", "Нагиев"), ("Ələkbərov", "Алекперов"),
    ("İbrahimov", "Ибрагимов"), ("Məlikov", "Меликов"), ("Cavadov", "Джавадов"), ("Həmidov", "Гамидов"),
    ("Salmanov", "Салманов"), ("Məhərrəmov", "Магеррамов"), ("Əsədov", "Асадов"), ("Bağırov", "Багиров"),
    ("Əlizadə", "Ализаде"), ("Hüseynli", "Гусейнли"), ("Osmanov", "Османов"), ("Yusifov", "Юсифов"),
    ("Fərzəliyev", "Фарзалиев"),
]

# Given names: (Azerbaijani Latin, Russian Cyrillic), most frequent first.
FEMALE = [
    ("Aysel", "Айсель"), ("Günay", "Гюнай"), ("Leyla", "Лейла"), ("Nigar", "Нигяр"), ("Sevinc", "Севиндж"),
    ("Aynur", "Айнур"), ("Gülnar", "Гюльнар"), ("Şəbnəm", "Шабнам"), ("Nərmin", "Нармин"), ("Könül", "Кёнюль"),
    ("Ülviyyə", "Ульвия"), ("Səbinə", "Сабина"), ("Aygün", "Айгюн"), ("Türkan", "Тюркан"), ("Fidan", "Фидан"),
    ("Lalə", "Лала"), ("Zəhra", "Захра"), ("Nurlana", "Нурлана"), ("Aytən", "Айтан"), ("Gülşən", "Гюльшан"),
    ("Mehriban", "Мехрибан"), ("Səidə", "Саида"), ("Rəna", "Рена"), ("Elnarə", "Эльнара"), ("Vüsalə", "Вусала"),
    ("Xədicə", "Хадиджа"), ("Fatimə", "Фатима"), ("Aida", "Аида"), ("Samirə", "Самира"), ("Mələk", "Малак"),
    ("Nailə", "Наиля"), ("Kəmalə", "Кямаля"), ("Zeynəb", "Зейнаб"), ("Esmira", "Эсмира"), ("Aytac", "Айтадж"),
    ("Ruqiyyə", "Рукия"),
]
MALE = [
    ("Elvin", "Эльвин"), ("Rəşad", "Рашад"), ("Orxan", "Орхан"), ("Tural", "Турал"), ("Elçin", "Эльчин"),
    ("Anar", "Анар"), ("Vüsal", "Вусал"), ("Kamran", "Камран"), ("Fərid", "Фарид"), ("Ramin", "Рамин"),
    ("Elnur", "Эльнур"), ("Rauf", "Рауф"), ("Ceyhun", "Джейхун"), ("Nicat", "Ниджат"), ("Murad", "Мурад"),
    ("Əli", "Али"), ("Hüseyn", "Гусейн"), ("Məhəmməd", "Магомед"), ("Rəşid", "Рашид"), ("Vaqif", "Вагиф"),
    ("İlham", "Ильхам"), ("Səbuhi", "Сабухи"), ("Rüstəm", "Рустам"), ("Cavid", "Джавид"), ("Namiq", "Намик"),
    ("İlkin", "Илькин"), ("Fuad", "Фуад"), ("Zaur", "Заур"), ("Emin", "Эмин"), ("Tofiq", "Тофик"),
    ("Vüqar", "Вугар"), ("Elşən", "Эльшан"), ("Şahin", "Шахин"), ("Oqtay", "Октай"), ("Nurlan", "Нурлан"),
    ("Elxan", "Эльхан"), ("Ramil", "Рамиль"), ("Samir", "Самир"), ("Toğrul", "Тогрул"), ("Pərviz", "Парвиз"),
]
FATHERS = [
    *MALE, ("Arif", "Ариф"), ("Akif", "Акиф"), ("Rafiq", "Рафик"), ("Natiq", "Натик"), ("Fikrət", "Фикрет"),
    ("Mübariz", "Мубариз"), ("Zakir", "Закир"), ("Yaşar", "Яшар"), ("Sabir", "Сабир"), ("Nazim", "Назим"),
    ("Qasım", "Гасым"), ("Məmməd", "Мамед"), ("Əhməd", "Ахмед"), ("Həsən", "Гасан"), ("Əliağa", "Алиага"),
]
TAIL_SUFFIXES = [("ov", 0.7), ("li", 0.15), ("zadə", 0.15)]

CITIZENSHIP = [("AZ", 0.85), ("RU", 0.04), ("GE", 0.03), ("UZ", 0.02), ("TR", 0.02), ("IR", 0.015),
               ("UA", 0.01), ("KZ", 0.01), ("KG", 0.005), ("TM", 0.005)]
RECORDS_PER_IDENTITY = [(1, 0.62), (2, 0.27), (3, 0.08), (4, 0.03)]
SCRIPTS = [("az", 0.45), ("passport", 0.20), ("ru", 0.20), ("ru_latin", 0.10), ("az_cyr", 0.05)]

# --- transliteration (the generator's own tables) -------------------------------------------------------
AZ_CYR = dict(zip("abcçdeəfgğhxıijkqlmnoöprsştuüvyz",
                  ["а", "б", "ҹ", "ч", "д", "е", "ә", "ф", "ҝ", "ғ", "һ", "х", "ы", "и", "ж", "к", "г", "л", "м",
                   "н", "о", "ө", "п", "р", "с", "ш", "т", "у", "ү", "в", "ј", "з"], strict=True))
PASSPORT = {"ə": "a", "ç": "ch", "ş": "sh", "ğ": "gh", "ı": "i", "ö": "o", "ü": "u", "x": "kh", "c": "j",
            "q": "g", "j": "zh"}
RU_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))
AZ_RU_CHAR = {"a": "а", "b": "б", "c": "дж", "ç": "ч", "d": "д", "e": "е", "f": "ф", "g": "г", "ğ": "г",
              "h": "г", "x": "х", "ı": "ы", "i": "и", "j": "ж", "k": "к", "q": "г", "l": "л", "m": "м", "n": "н",
              "o": "о", "ö": "ё", "p": "п", "r": "р", "s": "с", "ş": "ш", "t": "т", "u": "у", "ü": "ю",
              "v": "в", "y": "й", "z": "з"}
VOWELS_AZ = set("aeəıioöuü")
ALPHABETS = {
    "az": "abcçdeəfgğhxıijkqlmnoöprsştuüvyz", "passport": "abcdefghijklmnopqrstuvwxyz",
    "ru_latin": "abcdefghijklmnopqrstuvwxyz", "ru": "абвгдеёжзийклмнопрстуфхцчшщыэюя",
    "az_cyr": "абвгғдеәжзиыјкҝлмнопрстуүфхһчҹшө",
}


def _lower_az(s: str) -> str:
    return s.replace("İ", "i").replace("I", "ı").lower()


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _map_cased(s: str, table: dict[str, str]) -> str:
    """Map character by character, keeping capitals (İ/I are the Azerbaijani dotted/dotless pair)."""
    out = []
    for ch in s:
        low = _lower_az(ch)
        mapped = table.get(low, low)
        out.append(_cap(mapped) if ch != low else mapped)
    return "".join(out)


def to_az_cyrillic(s: str) -> str:
    return _map_cased(s, AZ_CYR)


def to_passport(s: str) -> str:
    return _map_cased(s, PASSPORT)


def ru_to_latin(s: str) -> str:
    out = []
    for i, ch in enumerate(s):
        low = ch.lower()
        # "е" at the start of a word or after a vowel is "ye" in the usual Russian-to-Latin practice.
        if low == "е" and (i == 0 or s[i - 1] == " " or s[i - 1].lower() in "аеёиоуыэюя"):
            mapped = "ye"
        else:
            mapped = RU_LATIN.get(low, low)
        out.append(_cap(mapped) if ch != low else mapped)
    return "".join(out)


def az_to_russian(s: str) -> str:
    """Rule-based Azerbaijani Latin → Russian Cyrillic, for names not in the tables (the derived tail)."""
    w = _lower_az(s)
    w = w.replace("mm", "m").replace("iyev", "iev").replace("ayev", "aev").replace("əyev", "aev")
    out = []
    for i, ch in enumerate(w):
        prev = w[i - 1] if i else ""
        if ch == "ə":
            out.append("е" if prev in ("k", "g", "v", "l", "d") else "а")
        elif ch == "e" and i == 0:
            out.append("э")
        elif ch == "q":
            out.append("к" if i == 0 else "г")
        elif ch == "y" and i + 1 < len(w) and w[i + 1] in "auə":
            out.append("")  # the next vowel becomes я / ю below
        elif prev == "y" and ch in "auə":
            out.append("я" if ch in "aə" else "ю")
        else:
            out.append(AZ_RU_CHAR.get(ch, ch))
    return _cap("".join(out))


def female_surname(az: str, ru: str) -> tuple[str, str]:
    if az.endswith(("ov", "yev", "ev", "in")):
        return az + "a", ru + "а"
    return az, ru


def russian_patronymic(father_ru: str, female: bool) -> str:
    base = father_ru
    if base.endswith(("а", "и")):
        base = base[:-1] + ("иев" if base.endswith("и") else "")  # Али → Алиевич
        return base + ("на" if female else "ич")
    if base.endswith("й"):
        return base[:-1] + ("евна" if female else "евич")
    if base.endswith("ь"):
        base = base[:-1]
    return base + ("овна" if female else "ович")


# --- drawing ---------------------------------------------------------------------------------------------
def _zipf_weights(n: int, total: float, s: float = 1.0) -> list[float]:
    raw = [1 / (r + 1) ** s for r in range(n)]
    k = total / sum(raw)
    return [w * k for w in raw]


def build_surnames() -> tuple[list[tuple[str, str]], list[float]]:
    tail: list[tuple[str, str]] = []
    seen = {az for az, _ in SURNAMES_TOP + SURNAMES_MORE}
    for root, _ru in FATHERS:
        for suffix, _ in TAIL_SUFFIXES:
            ending = ("yev" if _lower_az(root)[-1] in VOWELS_AZ else "ov") if suffix == "ov" else suffix
            name = root + ending
            if name not in seen:
                seen.add(name)
                tail.append((name, az_to_russian(name)))
    names = SURNAMES_TOP + SURNAMES_MORE + tail
    weights = _zipf_weights(len(names), 1.0, 0.72)  # one Zipf over the ranks: the top 10 cover ~30 %
    return names, weights


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.surnames, self.surname_w = build_surnames()
        self.female_w = _zipf_weights(len(FEMALE), 1.0, 0.9)
        self.male_w = _zipf_weights(len(MALE), 1.0, 0.9)
        self.father_w = _zipf_weights(len(FATHERS), 1.0, 0.6)
        self.cit = [c for c, _ in CITIZENSHIP]
        self.cit_w = [w for _, w in CITIZENSHIP]
        self.counts = [c for c, _ in RECORDS_PER_IDENTITY]
        self.counts_w = [w for _, w in RECORDS_PER_IDENTITY]
        self.scripts = [s for s, _ in SCRIPTS]
        self.scripts_w = [w for _, w in SCRIPTS]
        self.day0 = _ordinal(1950, 1, 1)
        self.day1 = _ordinal(2010, 12, 31)

    def identity(self) -> dict:
        r = self.rng
        female = r.random() < 0.55
        given = r.choices(FEMALE if female else MALE, self.female_w if female else self.male_w)[0]
        sur = r.choices(self.surnames, self.surname_w)[0]
        if female:
            sur = female_surname(*sur)
        father = r.choices(FATHERS, self.father_w)[0]
        y, m, d = _from_ordinal(r.randint(self.day0, self.day1))
        cit = r.choices(self.cit, self.cit_w)[0]
        doc = ""
        if r.random() < 0.65:
            if cit == "AZ":
                doc = ("AZE" + "".join(r.choices("0123456789", k=7))) if r.random() < 0.5 else \
                    ("AA" + "".join(r.choices("0123456789", k=7)))
            else:
                doc = "".join(r.choices("ABCDEFGHKMNPRSTUX", k=2)) + "".join(r.choices("0123456789", k=7))
        married = None
        if female and y < 1998 and r.random() < 0.30:
            other = sur
            for _ in range(10):  # bounded: draw until the surname differs
                other = female_surname(*r.choices(self.surnames, self.surname_w)[0])
                if other[0] != sur[0]:
                    break
            married = other
        return {"female": female, "given": given, "surname": sur, "married": married, "father": father,
                "birth": (y, m, d), "citizenship": cit, "document": doc}

    def record(self, ident: dict) -> list[str]:
        r = self.rng
        script = r.choices(self.scripts, self.scripts_w)[0]
        surname = ident["surname"]
        if ident["married"] is not None and r.random() < 0.5:
            surname = ident["married"]
        given = render(ident["given"], script)
        sur = render(surname, script)
        u = r.random()
        female = ident["female"]
        if u < 0.45:
            az = ident["father"][0] + (" qızı" if female else " oğlu")
            ru = ident["father"][1] + (" кызы" if female else " оглы")
            patronymic = render((az, ru), script)
        elif u < 0.70:
            ru = russian_patronymic(ident["father"][1], female)
            patronymic = ru if script in ("ru", "az_cyr") else ru_to_latin(ru)
        else:
            patronymic = ""
        given = self.typo(given, script, 0.05)
        sur = self.typo(sur, script, 0.05)
        patronymic = self.typo(patronymic, script, 0.05)
        if r.random() < 0.03:
            given, sur = sur, given
        y, m, d = ident["birth"]
        u = r.random()
        if u < 0.08:
            birth = ""
        elif u < 0.13:
            birth = f"{y:04d}"
        elif u < 0.17:
            birth = f"{y:04d}-{m:02d}"
        elif u < 0.20 and d <= 12 and d != m:
            birth = f"{y:04d}-{d:02d}-{m:02d}"
        elif 0.20 <= u < 0.24:
            y2 = y + r.choice((-1, 1))
            birth = f"{y2:04d}-{m:02d}-{min(d, 28) if m == 2 else d:02d}"
        else:
            birth = f"{y:04d}-{m:02d}-{d:02d}"
        sex = "" if r.random() < 0.07 else ("F" if female else "M")
        cit = "" if r.random() < 0.05 else ident["citizenship"]
        doc = ident["document"]
        if doc:
            u = r.random()
            if u < 0.45:
                doc = ""
            elif u < 0.49:
                digits = [i for i, ch in enumerate(doc) if ch.isdigit()]
                i = r.choice(digits)
                doc = doc[:i] + r.choice([c for c in "0123456789" if c != doc[i]]) + doc[i + 1:]
        return [given, sur, patronymic, birth, sex, cit, doc]

    def typo(self, s: str, script: str, p: float) -> str:
        r = self.rng
        if not s or r.random() >= p:
            return s
        alphabet = ALPHABETS[script]
        i = r.randrange(len(s))
        kind = r.randrange(4)
        if kind == 0:  # insert
            return s[:i] + r.choice(alphabet) + s[i:]
        if kind == 1 and len(s) > 2:  # delete
            return s[:i] + s[i + 1:]
        if kind == 2 or len(s) < 2:  # substitute
            ch = r.choice(alphabet)
            ch = ch.upper() if s[i].isupper() else ch
            return s[:i] + ch + s[i + 1:]
        i = min(i, len(s) - 2)  # transpose
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]


def render(name: tuple[str, str], script: str) -> str:
    az, ru = name
    if script == "az":
        return az
    if script == "passport":
        return to_passport(az)
    if script == "az_cyr":
        return to_az_cyrillic(az)
    if script == "ru":
        return ru
    return ru_to_latin(ru)


def _ordinal(y: int, m: int, d: int) -> int:
    import datetime as dt

    return dt.date(y, m, d).toordinal()


def _from_ordinal(n: int) -> tuple[int, int, int]:
    import datetime as dt

    day = dt.date.fromordinal(n)
    return day.year, day.month, day.day


def plan_counts(gen: Generator, records: int | None, identities: int | None) -> list[int] | None:
    """Records per identity when both totals are fixed (else None: drawn while writing)."""
    if records is None or identities is None:
        return None
    if not identities <= records <= 4 * identities:
        raise SystemExit(f"--records must lie between --identities and 4 × --identities "
                         f"({identities}…{4 * identities})")
    counts = [1] * identities
    extra = records - identities
    open_ = list(range(identities))
    while extra > 0:  # bounded: each step adds one record; an identity leaves the pool at four
        j = gen.rng.randrange(len(open_))
        i = open_[j]
        counts[i] += 1
        extra -= 1
        if counts[i] == 4:
            open_[j] = open_[-1]
            open_.pop()
    return counts


def generate(out: Path, records: int | None, identities: int | None, seed: int, window: int = 100_000) -> dict:
    if records is None and identities is None:
        raise SystemExit("give --records and/or --identities")
    gen = Generator(seed)
    counts = plan_counts(gen, records, identities)
    started = time.perf_counter()
    written = 0
    n_ident = 0
    true_pairs = 0
    buffer: list[list[str]] = []

    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)

        def flush() -> None:
            nonlocal written
            gen.rng.shuffle(buffer)
            for row in buffer:
                writer.writerow([written, *row])
                written += 1
            buffer.clear()

        total_target = records if records is not None else None
        produced = 0
        limit = identities if identities is not None else (records or 0)  # at most one identity per record
        for k in range(limit):
            if total_target is not None and produced >= total_target:
                break
            ident = gen.identity()
            if counts is not None:
                c = counts[k]
            else:
                c = gen.rng.choices(gen.counts, gen.counts_w)[0]
                if total_target is not None:
                    c = min(c, total_target - produced)
            n_ident += 1
            true_pairs += c * (c - 1) // 2
            for _ in range(c):
                buffer.append([str(k), *gen.record(ident)])
            produced += c
            if len(buffer) >= window:
                flush()
        flush()
    return {"records": written, "identities": n_ident, "true_pairs": true_pairs,
            "seconds": round(time.perf_counter() - started, 1), "seed": seed, "out": str(out)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=None, help="number of records to write")
    parser.add_argument("--identities", type=int, default=None, help="number of identities (people)")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    s = generate(args.out, args.records, args.identities, args.seed)
    print(f"{s['out']}: {s['records']} records, {s['identities']} identities, {s['true_pairs']} true pairs "
          f"(seed {s['seed']}, {s['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
