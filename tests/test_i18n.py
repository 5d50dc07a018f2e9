"""Translations: complete az/ru catalogues, committed .mo files in step, language switching, locale formats.

The catalogue checks reuse ``scripts/i18n.py`` (loaded from the checkout by path) so the test suite and
``scripts/i18n.py check`` can never disagree.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import polib
import pytest
from django.conf import locale as django_locale
from django.conf import settings
from django.template import engines
from django.utils import translation

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
DJANGO_LOCALE = Path(django_locale.__path__[0])
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
HAYAT = "Həyat İşığı Reabilitasiya Mərkəzi"


def _load_script() -> ModuleType:
    path = ROOT / "scripts" / "i18n.py"
    spec = importlib.util.spec_from_file_location("korpu_scripts_i18n", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


i18n = _load_script()


def _catalogue(locale: str) -> Path:
    return i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def _msgstrs(entry: polib.POEntry) -> list[str]:
    return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)] if entry.msgid_plural else [entry.msgstr]


# --- (a) the catalogues ------------------------------------------------------------------------
def test_the_script_check_passes() -> None:
    assert i18n.check() == []


def test_every_marked_string_is_in_the_catalogues(tmp_path: Path) -> None:
    """A fresh extraction over a copy of the package finds nothing new to translate.

    Catches a string marked for translation in code or a template that nobody ran `extract` for:
    the catalogues would be complete, and the string would still show in English.
    """
    import subprocess

    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    shutil.copytree(ROOT / "korpu", tmp_path / "korpu", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    script = tmp_path / "scripts" / "i18n.py"
    extract = subprocess.run([sys.executable, str(script), "extract"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=300, check=False)
    assert extract.returncode == 0, extract.stderr
    assert "tmp" in extract.stdout or "nothing changed" in extract.stdout or "updated" in extract.stdout
    # Entries whose string left the code drop out on extraction; only what is left untranslated counts.
    subprocess.run([sys.executable, str(script), "compile"], cwd=tmp_path, capture_output=True, timeout=120, check=True)
    check = subprocess.run([sys.executable, str(script), "check"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=120, check=False)
    assert check.returncode == 0, "run `scripts/i18n.py extract`, translate, `compile`:\n" + check.stdout[-3000:]


@pytest.mark.parametrize("locale", ["az", "ru", "en"])
def test_catalogue_exists_with_headers(locale: str) -> None:
    po = polib.pofile(str(_catalogue(locale)))
    assert po.metadata["Language"] == locale
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert len(po) > 100


@pytest.mark.parametrize("locale", ["az", "ru"])
def test_every_entry_translated_and_not_fuzzy(locale: str) -> None:
    po = polib.pofile(str(_catalogue(locale)))
    forms = i18n.nplurals(po)
    problems = [p for entry in po if not entry.obsolete for p in i18n.entry_problems(entry, forms)]
    assert problems == []
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


@pytest.mark.parametrize("locale", ["az", "ru", "en"])
def test_committed_mo_equals_compiled_po(locale: str) -> None:
    po_path = _catalogue(locale)
    assert i18n.mo_path_for(po_path).read_bytes() == i18n.compile_po(po_path)


def test_compilation_is_deterministic(tmp_path: Path) -> None:
    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    first = {p: p.read_bytes() for p in (tmp_path / "locale").glob("*/LC_MESSAGES/*.mo")}
    assert i18n.compile_all(tmp_path / "locale") == []  # nothing to rewrite
    for mo in first:
        mo.unlink()
    assert len(i18n.compile_all(tmp_path / "locale")) == len(first)
    assert {p: p.read_bytes() for p in first} == first


def test_check_reports_untranslated_fuzzy_placeholder_and_stale_mo(tmp_path: Path) -> None:
    messages = tmp_path / "locale" / "az" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Language": "az", "Content-Type": "text/plain; charset=UTF-8",
                   "Plural-Forms": i18n.PLURAL_FORMS["az"]}
    po.append(polib.POEntry(msgid="Save", msgstr=""))
    po.append(polib.POEntry(msgid="Saved.", msgstr="Yadda saxlanıldı.", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Page %(n)s", msgstr="Səhifə %(m)s", flags=["python-format"]))
    po.append(polib.POEntry(msgid="%(n)s case", msgid_plural="%(n)s cases", msgstr_plural={0: "%(n)s iş", 1: ""}))
    po.save(str(messages / "django.po"))
    (messages / "django.mo").write_bytes(b"stale")
    text = "\n".join(i18n.check(tmp_path / "locale"))
    assert "untranslated: 'Save'" in text
    assert "fuzzy: 'Saved.'" in text
    assert "placeholders differ: 'Page %(n)s'" in text
    assert "untranslated (plural form 1): '%(n)s case'" in text
    assert "django.mo: differs from its .po" in text
    assert "ru/LC_MESSAGES/django.po: missing" in text


def test_en_catalogue_stays_empty_so_english_is_the_source() -> None:
    po = polib.pofile(str(_catalogue("en")))
    assert [e.msgid for e in po if any(_msgstrs(e))] == []


def test_plural_forms_headers() -> None:
    django_az = polib.pofile(str(DJANGO_LOCALE / "az" / "LC_MESSAGES" / "django.po"))
    django_plural = django_az.metadata["Plural-Forms"]
    assert polib.pofile(str(_catalogue("az"))).metadata["Plural-Forms"] == django_plural
    assert i18n.nplurals(polib.pofile(str(_catalogue("ru")))) == 3


def test_scripts_are_right() -> None:
    """Azerbaijani in Latin script (no Cyrillic slipped in), Russian in Cyrillic."""
    for entry in polib.pofile(str(_catalogue("az"))):
        assert not any(CYRILLIC.search(s) for s in _msgstrs(entry)), entry.msgid
    latin_only = {"Körpü", "—"}  # a name, and the dash shown for "no priority"
    for entry in polib.pofile(str(_catalogue("ru"))):
        for text in _msgstrs(entry):
            assert text in latin_only or CYRILLIC.search(text), entry.msgid


@pytest.mark.parametrize(("n", "expected"), [
    (1, "1 учётная запись"), (2, "2 учётные записи"), (5, "5 учётных записей"), (11, "11 учётных записей"),
    (21, "21 учётная запись"), (22, "22 учётные записи"), (112, "112 учётных записей"),
])
def test_russian_plural_forms_through_django(n: int, expected: str) -> None:
    with translation.override("ru"):
        assert translation.ngettext("%(n)s account", "%(n)s accounts", n) % {"n": n} == expected


def test_azerbaijani_plural_keeps_the_noun_singular() -> None:
    with translation.override("az"):
        assert translation.ngettext("%(n)s account", "%(n)s accounts", 1) % {"n": 1} == "1 hesab"
        assert translation.ngettext("%(n)s account", "%(n)s accounts", 7) % {"n": 7} == "7 hesab"


def test_glossary_terms() -> None:
    expectations = {
        "az": {"Audit log": "Audit jurnalı", "Two-factor authentication": "İki mərhələli autentifikasiya",
               "Referral": "Yönləndirmə", "Presumed victim": "Ehtimal olunan qurban", "Shelter": "Sığınacaq"},
        "ru": {"Audit log": "Журнал аудита", "Two-factor authentication": "Двухфакторная аутентификация",
               "Referral": "Направление", "Presumed victim": "Предполагаемая жертва", "Shelter": "Приют"},
    }
    for language, terms in expectations.items():
        with translation.override(language):
            for english, expected in terms.items():
                assert translation.gettext(english) == expected


# --- (b) the language over HTTP ----------------------------------------------------------------
def _h1(response: Any) -> str:
    match = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S)
    assert match, response.content.decode()[:500]
    return match.group(1).strip()


def test_login_page_is_azerbaijani_by_default(client: Any, db: Any) -> None:
    response = client.get("/account/login/")
    assert response.status_code == 200
    assert response["Content-Language"] == "az"
    assert _h1(response) == "Körpü sisteminə giriş"
    assert '<html lang="az">' in response.content.decode()
    assert "Şifrənizi unutmusunuz?" in response.content.decode()


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "ru-RU,ru;q=0.9", "tr"])
def test_a_browser_language_does_not_override_azerbaijani(client: Any, db: Any, accept: str) -> None:
    response = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response["Content-Language"] == "az"
    assert "Accept-Language" not in response.get("Vary", "")
    assert _h1(response) == "Körpü sisteminə giriş"


def test_login_page_in_russian_from_the_cookie(client: Any, db: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "ru"
    assert _h1(response) == "Вход в Körpü"
    assert "Забыли пароль?" in response.content.decode()


def test_switching_to_english_as_a_visitor(client: Any, db: Any) -> None:
    response = client.post("/account/language/", {"language": "en", "next": "/account/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get("/account/login/")
    assert _h1(response) == "Log in to Körpü"
    assert response["Content-Language"] == "en"


def test_switching_as_a_user_saves_the_choice(login_as: Any, cast: dict[str, Any]) -> None:
    client = login_as("polis")
    assert cast["polis"].language == "az"
    response = client.post("/account/language/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    cast["polis"].refresh_from_db()
    assert cast["polis"].language == "ru"
    assert "Добро пожаловать, Rəşad Əliyev" in client.get("/").content.decode()

    client.post("/account/language/", {"language": "en", "next": "/"})
    cast["polis"].refresh_from_db()
    assert cast["polis"].language == "en"
    assert "Welcome, Rəşad Əliyev" in client.get("/").content.decode()


def test_a_saved_language_follows_the_user_at_login(client: Any, cast: dict[str, Any]) -> None:
    assert cast["qht2"].language == "ru"
    response = client.post("/account/login/", {"username": "qht2", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert "Двухфакторная аутентификация" in client.get(response["Location"]).content.decode()


def test_an_unknown_language_is_refused(client: Any, db: Any) -> None:
    response = client.post("/account/language/", {"language": "tr", "next": "/account/login/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert _h1(client.get("/account/login/")) == "Körpü sisteminə giriş"


# --- (c) dates and numbers in the locale -------------------------------------------------------
def _render(source: str, language: str, **context: Any) -> str:
    with translation.override(language):
        return engines["django"].from_string(source).render(context)


def test_month_names_in_the_locale() -> None:
    d = date(2026, 11, 25)
    # Django's own az catalogue capitalises month names ("Noyabr").
    assert _render('{% load l10n %}{{ d|date:"j F Y" }}', "az", d=d) == "25 Noyabr 2026"
    assert _render('{% load l10n %}{{ d|date:"j F Y" }}', "en", d=d) == "25 November 2026"
    # Russian needs the genitive after a day number: "E" (or DATE_FORMAT), not "F" (nominative).
    assert _render('{% load l10n %}{{ d|date:"j E Y" }}', "ru", d=d) == "25 ноября 2026"
    assert _render('{{ d|date:"DATE_FORMAT" }}', "ru", d=d) == "25 ноября 2026 г."
    assert _render('{{ d|date:"SHORT_DATE_FORMAT" }}', "az", d=d) == "25.11.2026"


def test_numbers_in_the_locale() -> None:
    template = "{% load l10n %}{{ x|floatformat:2 }}"
    assert _render(template, "az", x=1234.5) == "1234,50"
    assert _render(template, "ru", x=1234.5) == "1234,50"
    assert _render(template, "en", x=1234.5) == "1234.50"


@pytest.mark.parametrize(("language", "shown"), [("az", "3 Noyabr 2025"), ("ru", "3 ноября 2025 г."),
                                               ("en", "Nov. 3, 2025")])
def test_a_real_page_shows_dates_in_the_users_language(login_as: Any, cast: dict[str, Any], language: str,
                                                      shown: str) -> None:
    from tests.cases.conftest import register

    case = register(cast["qht1"], "Ülkər", "Şirinova", identified_on=date(2025, 11, 3))
    client = login_as("qht1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"<dd>{shown} · " in html


# --- (d) Azerbaijani letters pass through unchanged --------------------------------------------
def test_organisation_directory_keeps_azerbaijani_letters(login_as: Any) -> None:
    html = login_as("polis").get("/organisations/").content.decode()
    assert HAYAT in html
    for letter in "əğıİöüçş":
        assert letter in html
