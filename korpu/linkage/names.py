"""Names and document numbers folded to one comparable form, whatever the script (ADR 0026).

A person registered by the police in Azerbaijani Latin (``Əliyev``), by an NGO from a Soviet-era
document in Russian Cyrillic (``Алиев``), from an old Azerbaijani Cyrillic paper (``Әлијев``) or from a
passport's Latin line (``ALIEV``) must compare as one name. :func:`fold` maps every spelling onto one
small alphabet — five vowels' worth of classes and merged consonant groups — through :data:`LETTERS`,
the one table of the rules, and :data:`DIGRAPHS` for letter pairs that render one sound.

The comparable alphabet (what :func:`fold` returns): ``a i o u`` (vowel classes), ``k`` (every
velar/glottal: k q g ğ h x), ``c`` (c j dzh zh), ``ç`` (ç ch), ``ş`` (ş sh), and ``b d f l m n p r s t v
z``; digits and letters of other scripts are kept as they are. Every function here is pure, cached and
idempotent (``f(f(x)) == f(x)``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A placeholder for the glide (Latin y, Cyrillic й, Azerbaijani Cyrillic ј). It is dropped before a vowel
# (Aliyev → Aliev, ю = yu → u, я = ya → a) and becomes ``i`` elsewhere (Hüseyn, Гусейн → kusain).
_GLIDE = "\ue000"
_VOWELS = "aiou"

# Letter pairs that render one sound; replaced before the single letters (on lower-case text).
DIGRAPHS: dict[str, str] = {
    "dzh": "c",  # Russian-derived Latin Dzhafarov (Дж) = Azerbaijani C: Cəfərov
    "dj": "c",  # French-style Djafarov
    "дж": "c",  # Russian Дж renders Azerbaijani C/Ҹ: Cəfər → Джафар
    "ch": "ç",  # English-style Chingiz = Azerbaijani Ç: Çingiz
    "sh": "ş",  # Shukurova = Şükürova
    "zh": "c",  # Zhala = Azerbaijani J (Жалә): joins the c/j class below
}
_DIGRAPH_RE = re.compile("|".join(sorted(DIGRAPHS, key=len, reverse=True)))

# The one table of single letters (lower case, composed). Each group says why its letters are one.
LETTERS: dict[str, str] = {
    # Open/front vowels: Azerbaijani ə is written a by Russian-derived Latin (Mammadov) and e by Russian
    # (Мамедов, Məmmədov); Azerbaijani Cyrillic ә; Russian я after a consonant renders ə (Гянджа = Gəncə),
    # its glide is part of the sound (Якуб = Yaqub); э and е are Russian e.
    **dict.fromkeys("aəäeéèêэеяәа", "a"),
    # Close vowels: Azerbaijani ı has no Russian letter (ы, or и: Гасымов / Гасимов); passports write i or y.
    **dict.fromkeys("iıîíìиыіїѝ", "i"),
    # The glide: Latin y, Russian й, Azerbaijani Cyrillic ј (Әлијев). See _GLIDE.
    **dict.fromkeys("yйј", _GLIDE),
    # Rounded vowels: ö is written o in Latin passports and Russian (Гёзəл: ё = yo, its glide absorbed).
    **dict.fromkeys("oöôóòоөё", "o"),
    # ü is u in passports, у / ю in Russian (Шукюрова = Şükürova), ү in Azerbaijani Cyrillic.
    **dict.fromkeys("uüûúùуүюў", "u"),
    # Velars and glottals, one class: Russian Г renders Azerbaijani H (Hüseyn → Гусейн) and Q (Qasımov →
    # Гасымов) and Ğ; Azerbaijani X is kh/Х (Xəlil → Khalil, Халил); passports write Q as G or K; Azerbaijani
    # Cyrillic ҝ (G), ғ (Ğ), һ (H). Since h is in the class, kh and gh need no digraph of their own.
    **dict.fromkeys("kqgğhxкҝгғхһқҳґ", "k"),
    # Azerbaijani C (dʒ) is j in Russian-derived Latin (Jafarov) and ҹ in Azerbaijani Cyrillic; Azerbaijani J
    # (ʒ, Cyrillic ж) is merged with it because the Latin letter j carries both sounds.
    **dict.fromkeys("cjҹжџĵ", "c"),
    **dict.fromkeys("çчҷč", "ç"),  # Ç: ch / Ч
    **dict.fromkeys("şшщšș", "ş"),  # Ş: sh / Ш (Щ is a Russian long Ш)
    # Letters that agree across scripts.
    "b": "b", "б": "b", "v": "v", "w": "v", "в": "v", "d": "d", "д": "d", "f": "f", "ф": "f",
    "l": "l", "л": "l", "m": "m", "м": "m", "n": "n", "н": "n", "p": "p", "п": "p", "r": "r", "р": "r",
    "s": "s", "с": "s", "t": "t", "т": "t", "z": "z", "з": "z", "ц": "ts",
    # Signs without a sound of their own, and apostrophes (Mə'sumə, Ma'suma): dropped, not word breaks.
    **dict.fromkeys("ьъ'’ʼ`´ʻ‘", ""),
}

_DOUBLE_RE = re.compile(r"(.)\1+")
_GLIDE_RE = re.compile(_GLIDE + "+(?=[" + _VOWELS + "])")


@lru_cache(maxsize=4096)
def _letter(ch: str) -> str:
    """A letter not in the table: its diacritics stripped (é → e → a), kept if alphanumeric, else a space."""
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    out = []
    for c in decomposed.lower():
        if c in LETTERS:
            out.append(LETTERS[c])
        elif c.isalnum() and unicodedata.normalize("NFKC", c) == c:
            out.append(c)
        else:
            out.append(" ")
    return "".join(out)


def _lower(text: str) -> str:
    """NFKC, then Azerbaijani casing (İ → i, I → ı, as :func:`korpu.core.crypto.normalise`), lower case."""
    return unicodedata.normalize("NFKC", text).replace("İ", "i").replace("I", "ı").lower()


@lru_cache(maxsize=1 << 18)
def fold(text: str) -> str:
    """The script-independent comparable form: words kept, space separated, doubled letters collapsed.

    ``fold("Əliyev") == fold("Aliev") == fold("Алиев") == fold("Әлијев") == "aliav"``.
    """
    text = _DIGRAPH_RE.sub(lambda m: DIGRAPHS[m.group()], _lower(text))
    letters = LETTERS
    mapped = "".join([letters[ch] if ch in letters else _letter(ch) for ch in text])
    mapped = _GLIDE_RE.sub("", mapped).replace(_GLIDE, "i")
    return " ".join(_DOUBLE_RE.sub(r"\1", word) for word in mapped.split())


def fold_given(text: str) -> str:
    """A given name's comparable form (:func:`fold`)."""
    return fold(text)


# Gendered surname endings, on folded text: -ova/-eva/-yeva (→ "ova"/"ava"), -ina, -skaya (→ "ska").
_FEMININE_RE = re.compile(r"(?<=..)(ov|av|in)a$")
_SKA_RE = re.compile(r"(?<=..)ska$")


@lru_cache(maxsize=1 << 18)
def fold_surname(text: str) -> str:
    """A surname's comparable form with the gendered ending removed: Hüseynova and Гусейнов give one form.

    -ova/-ov, -yeva/-yev, -eva/-ev, -ina/-in and -skaya/-skiy fold to the masculine form, in every word.
    """
    words = []
    for word in fold(text).split():
        word = _FEMININE_RE.sub(r"\1", word)
        words.append(_SKA_RE.sub("ski", word))
    return " ".join(words)


# Patronymic markers, folded: oğlu/oglu/оглы (son of), qızı/gizi/kizi/кызы (daughter of) as separate words.
_PATRONYMIC_WORDS = frozenset({"oklu", "okli", "okul", "kizi", "kiz"})
# Russian-style patronymic endings, folded: -ovich/-evich/-oviç/-ович/-евич (→ "oviç"/"aviç"), -ovna/-evna
# /-овна/-евна, -ich/-ichna (Ильич, Кузьминична) and -oğlu/-qızı written as one word.
_PATRONYMIC_END_RE = re.compile(r"(?<=..)(oviç|aviç|ovna|avna|içna|iç|oklu|okli|kizi)$")


@lru_cache(maxsize=1 << 18)
def fold_patronymic(text: str) -> str:
    """The father's given name from a patronymic in any form, folded, without a final vowel.

    "Rəşid oğlu", "Rashid oglu", "Rashidovich", "Рашидович", "Rəşidoviç", "Rəşid qızı", "Rashidovna" and
    "Рашидовна" all give ``"raşid"``. The final vowel is dropped because Russian endings swallow it
    (Musa → Мусаевич, Əli → Алиевич), so "Musa oğlu" and "Мусаевич" both give ``"mus"``.
    """
    words = fold(text).split()
    while True:
        before = list(words)
        while len(words) > 1 and words[-1] in _PATRONYMIC_WORDS:
            words.pop()
        if words:
            last = _PATRONYMIC_END_RE.sub("", words[-1])
            while len(last) > 2 and last[-1] in _VOWELS:
                last = last[:-1]
            words[-1] = last
        if words == before:
            return " ".join(words)


# Consonant classes for skeleton(): sounds a typist or a transliteration confuses share a class.
_SKELETON_CLASS: dict[str, str] = {
    **dict.fromkeys("bp", "b"),
    **dict.fromkeys("vf", "v"),
    **dict.fromkeys("dt", "d"),
    **dict.fromkeys("cçşsz", "s"),
    **dict.fromkeys(_VOWELS, ""),
}


@lru_cache(maxsize=1 << 18)
def skeleton(text: str) -> str:
    """A coarse form for blocking: per word, the first letter's class and the consonant classes after it.

    Vowels are dropped after the first letter (an initial vowel is ``a``), so vowel typos and every
    variant that :func:`fold` merges land in one block: ``skeleton("Məmmədov") == skeleton("Mamedov") ==
    "mdv"``.
    """
    words = []
    for word in fold(text).split():
        first = "a" if word[0] in _VOWELS else _SKELETON_CLASS.get(word[0], word[0])
        rest = "".join(_SKELETON_CLASS.get(ch, ch) for ch in word[1:])
        words.append(_DOUBLE_RE.sub(r"\1", first + rest))
    return " ".join(words)


# Cyrillic letters that look like Latin ones on a document: a clerk typing an ID number on a Russian
# keyboard layout produces them. Letter O and digit 0 are *not* merged: the series letters (AZE, AA, C)
# and the digits are separate parts of an Azerbaijani number, and a single O/0 slip is caught by the
# comparison's one-edit level rather than by making distinct numbers equal.
_DOCUMENT_LOOKALIKES = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y", "Һ": "H", "Ә": "A",
})


@lru_cache(maxsize=1 << 16)
def fold_document(text: str) -> str:
    """An identity document number: upper-case Latin letters and digits only, Cyrillic look-alikes mapped."""
    text = unicodedata.normalize("NFKC", text).upper().translate(_DOCUMENT_LOOKALIKES)
    return "".join(ch for ch in text if ("A" <= ch <= "Z") or ("0" <= ch <= "9"))
