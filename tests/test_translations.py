"""The Finnish and Swedish catalogues are complete, compiled, and used by the pages.

The .po files are read as text (no polib, no msgfmt: a fresh machine may have
neither); the committed .mo files are read with the standard library's gettext.
"""
from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.conftest import login
from tests.factories import make_visit
from tests.scheduling import at, next_weekday

LANGUAGES = ["fi", "sv"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 alone for a message without plural
    fuzzy: bool = False
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """The active entries of a .po file (obsolete `#~` entries are left out), header included."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    flags: set[str] = set()

    def start(number: int) -> Entry:
        nonlocal current, flags
        if current is None:
            current = Entry(fuzzy="fuzzy" in flags, line=number)
            entries.append(current)
            flags = set()
        return current

    def append(text: str) -> None:
        kind, index = target
        if kind == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + text
        else:
            setattr(current, kind, (getattr(current, kind) or "") + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#,"):
            current, target = None, None
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            if current is not None and target is not None:
                current, target = None, None  # a comment after a msgstr starts the next entry
            continue
        if line.startswith('"'):
            append(ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current is not None and target is not None and target[0] == "msgstr":
            current = None  # entries not separated by a blank line
        entry = start(number)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            target = ("msgstr", int(match.group(1)))
        elif keyword == "msgstr":
            target = ("msgstr", 0)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            target = (keyword, None)
            setattr(entry, keyword, "")
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        append(ast.literal_eval(rest))
    return entries


def catalogue(language: str) -> tuple[Path, list[Entry]]:
    path = Path(django_settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    return path, parse_po(path)


def messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if entry.msgid or entry.msgctxt]  # the header has an empty msgid


def describe(entry: Entry) -> str:
    return f"line {entry.line}: {entry.msgid!r}"


def test_the_reader_sees_untranslated_fuzzy_and_plural_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fi\\n"\n\n'
        '#: a.py:1\nmsgid "Done"\nmsgstr "Valmis"\n\n'
        '#: a.py:2\n#, fuzzy\n#| msgid "Don"\nmsgid "Dome"\nmsgstr "Kupoli"\n\n'
        'msgctxt "a visit"\nmsgid "Cancel"\nmsgstr ""\n\n'
        '#, python-format\nmsgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s päivä"\nmsgstr[1] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )

    entries = messages(parse_po(po))

    assert [(e.msgctxt, e.msgid) for e in entries] == [(None, "Done"), (None, "Dome"), ("a visit", "Cancel"), (None, "%(n)s day")]
    assert [e.fuzzy for e in entries] == [False, True, False, False]
    assert entries[3].msgid_plural == "%(n)s days"
    assert entries[3].msgstr == {0: "%(n)s päivä", 1: ""}
    assert [e.msgid for e in entries if not all(e.msgstr.values())] == ["Cancel", "%(n)s day"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    path, entries = catalogue(language)

    found = messages(entries)
    untranslated = [describe(e) for e in found if not e.msgstr or not all(e.msgstr.values())]
    fuzzy = [describe(e) for e in entries if e.fuzzy]

    assert len(found) > 500, f"{path} looks truncated"
    assert untranslated == [], f"untranslated in {path}"
    assert fuzzy == [], f"fuzzy in {path}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_english(language):
    path, entries = catalogue(language)

    wrong = []
    for entry in messages(entries):
        english = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for index, text in entry.msgstr.items():
            translated = set(PLACEHOLDER.findall(text))
            # A plural's singular may leave its number out ("Every week" / "Every %(counter)s weeks").
            expected = translated <= english if entry.msgid_plural and index == 0 else translated == english
            if not expected:
                wrong.append(f"{describe(entry)} [{index}] {sorted(translated)} != {sorted(english)}")

    assert wrong == [], f"placeholders changed in {path}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_is_compiled_from_the_po_file(language):
    path, entries = catalogue(language)
    with path.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = []
    for entry in messages(entries):
        if entry.msgid_plural:
            for n, index in ((1, 0), (2, 1)):
                got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) if entry.msgctxt else \
                    compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                if got != entry.msgstr[index]:
                    stale.append(describe(entry))
        else:
            got = compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)
            if got != entry.msgstr[0]:
                stale.append(describe(entry))

    assert stale == [], f"run `django-admin compilemessages`: {path.with_suffix('.mo')} is older than the .po"


# --- Pages in the default language ---------------------------------------------------------------


@pytest.fixture
def finnish_ui(settings):
    """Overrides the autouse `english_ui` fixture: Finnish is the product's default language."""
    settings.LANGUAGE_CODE = "fi"


def test_the_client_list_is_finnish_by_default(finnish_ui, client, coordinator, client_record):
    login(client, coordinator)

    response = client.get(reverse("clients:list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fi"' in page
    for finnish in ("Asiakkaat", "Uusi asiakas", "Hae nimellä tai osoitteella", "Omahoitaja", "Seuraava käynti",
                    "Suostumus", "1 asiakas"):
        assert finnish in page, finnish
    assert "New client" not in page and "Primary nurse" not in page


@pytest.mark.parametrize(("language", "words"), [
    ("fi", ["Viikko", "Sovi käynti", "Edellinen viikko", "Seuraava viikko", "1 käynti tällä viikolla", "Tulosta", "Kenen viikko",
            "maanantai"]),
    ("sv", ["Vecka", "Planera ett besök", "Föregående vecka", "Nästa vecka", "1 besök den här veckan", "Skriv ut", "Vems vecka",
            "måndag"]),
])
def test_the_week_calendar_speaks_the_ui_language(settings, client, coordinator, pair, client_record, language, words):
    settings.LANGUAGE_CODE = language  # after the autouse english_ui fixture, so this wins
    monday = next_weekday(0)
    make_visit(pair=pair, client=client_record, starts_at=at(monday + dt.timedelta(days=1), 10))
    login(client, coordinator)

    response = client.get(reverse("visits:calendar"), {"week": monday.isoformat()})

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}"' in page
    for word in words:
        assert word in page, word
    assert "Schedule a visit" not in page and "Previous week" not in page
