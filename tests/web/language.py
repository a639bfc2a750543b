"""What an Indonesian page must not show: a raw code of the api, an English sentence from a catalogue,
an ISO date.

The codes are every value of the api's model choices (TextChoices and plain `choices`), read from
the api's own models in a subprocess (the web's test process holds the web's settings, not the
api's); the sentences are every msgid of the api's and the web's compiled catalogues whose Indonesian
text differs. A page's text is its text nodes outside script and style, less those inside an element
marked as written in another language (`lang="en"` on a message stored in its recipient's language).
"""

import gettext
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Codes that are also what people write, so they cannot be told from ordinary text; each with why.
ORDINARY_CODES = {
    "": "empty",
    "+": "RhD positive, printed as is beside the ABO group",
    "-": "RhD negative; also a dash",
    "A": "an ABO group (and a one-letter word)",
    "B": "an ABO group",
    "AB": "an ABO group",
    "O": "an ABO group",
    "M": "sex, one letter: cannot be told from an initial or a unit",
    "F": "sex, one letter: cannot be told from an initial or a unit",
    "PRC": "component code the labs say and print (ISBT 128 class)",
    "WB": "component code the labs say and print",
    "FFP": "component code the labs say and print",
    "TC": "component code the labs say and print",
    "LP": "component code the labs say and print",
    "AHF": "component code the labs say and print",
    "CPP": "component code the labs say and print",
    "id": "the language code, also the Indonesian domain and an element id",
    "en": "the language code",
    "donor": "an Indonesian word too (donor darah)",
    "admin": "an Indonesian word too",
    "plasma": "an Indonesian word too",
    "malaria": "an Indonesian word too",
    "email": "an Indonesian word too (surel is rare)",
    "hospital": "in a site name (Hospital is kept in some hospitals' own names)",
    "csv": "a file format, named so in both languages",
    "pdf": "a file format, named so in both languages",
    "xlsx": "a file format, named so in both languages",
    "zpl": "a printer language, named so in both languages",
}
# English msgids that are also Indonesian words or names on an Indonesian page; each with why.
ORDINARY_PHRASES = {
    "Donor": "an Indonesian word (donor darah)",
    "Unit": "an Indonesian word, and in Unit Donor Darah (UDD)",
    "Admin": "an Indonesian word",
    "Total": "an Indonesian word",
    "Plasma": "an Indonesian word",
    "Email": "an Indonesian word",
    "Hemoglobin": "an Indonesian word too",
}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# A measurement written with a decimal point (9.5 °C, 3.2 km, 13.5 g/dl): Indonesian writes 9,5.
DOT_DECIMAL = re.compile(r"\b\d+\.\d+\s*(?:°C|km|kg|g/dl)", re.IGNORECASE)
# A Python dict or list printed as it is ({'question': ..., ['hiv', ...).
RAW_STRUCTURE = re.compile(r"[{\[]'\w+'[:,\]]")
# The text of a page in its own language, one string per text node.
PAGE_TEXT = """() => {
    const lang = document.documentElement.lang;
    const texts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest('script, style, template')) continue;
        const own = parent.closest('[lang]');
        if (own && own.lang.split('-')[0] !== lang) continue;
        if (node.textContent.trim()) texts.push(node.textContent.trim());
    }
    return texts;
}"""
_CODES_SCRIPT = """
import django, json
django.setup()
from django.apps import apps
from django.db import models

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

codes = set()
for choices in subclasses(models.TextChoices):
    if choices.__module__.startswith("dblood."):
        codes |= {str(value) for value in choices.values}
for model in apps.get_models():
    if model.__module__.startswith("dblood."):
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str):
                    codes.add(value)
print(json.dumps(sorted(codes)))
"""


@cache
def api_codes() -> frozenset[str]:
    """Every value of the api's model choices, less the ordinary ones."""
    env = {"DJANGO_SETTINGS_MODULE": "dblood.settings.test", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", _CODES_SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return frozenset(json.loads(out)) - set(ORDINARY_CODES)


@cache
def english_phrases() -> frozenset[str]:
    """Every English text of the api's and the web's catalogues whose Indonesian differs, cut at its
    placeholders into the literal pieces that still read as English (two words, or one of 5+ letters)."""
    phrases = set()
    for mo in [
        *ROOT.glob("dblood/*/locale/id/LC_MESSAGES/django.mo"),
        ROOT / "dblood_web/locale/id/LC_MESSAGES/django.mo",
    ]:
        with mo.open("rb") as f:
            catalogue = gettext.GNUTranslations(f)._catalog  # noqa: SLF001 - the parsed .mo, msgid -> msgstr
        for msgid, msgstr in catalogue.items():
            if isinstance(msgid, tuple):
                msgid = msgid[0]
            if not msgid or msgid == msgstr:
                continue
            text = msgid.split("\x04")[-1]  # drop a context
            for piece in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>", text):
                piece = piece.strip(" .,:;!?()\n\"'")
                if (" " in piece or len(piece) >= 5) and piece not in ORDINARY_PHRASES:
                    phrases.add(piece)
    return frozenset(phrases)


def _phrase_pattern(phrases) -> re.Pattern:
    alternatives = sorted((re.escape(p) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")


@cache
def _codes_pattern() -> re.Pattern:
    return _phrase_pattern(api_codes())


@cache
def _english_pattern() -> re.Pattern:
    return _phrase_pattern(english_phrases())


def problems(texts: list[str], language: str) -> list[str]:
    """What is wrong with a page's text nodes: ISO dates, printed Python dicts and lists, raw codes
    (in English only those no sentence holds: `partly_allocated`), and on an Indonesian page,
    English sentences and any code."""
    found = []
    for text in texts:
        for match in _codes_pattern().finditer(text):
            # In English a one-word code ("open", "pending") is also a word of the sentence.
            if language == "id" or "_" in match.group():
                found.append(f"raw code {match.group()!r} in {text[:80]!r}")
        for match in ISO_DATE.finditer(text):
            found.append(f"ISO date {match.group()!r} in {text[:80]!r}")
        for match in RAW_STRUCTURE.finditer(text):
            found.append(f"a printed Python value {match.group()!r} in {text[:80]!r}")
        if language == "id":
            for match in DOT_DECIMAL.finditer(text):
                found.append(f"a decimal point in {match.group()!r} in {text[:80]!r}")
            for match in _english_pattern().finditer(text):
                found.append(f"English {match.group()!r} in {text[:80]!r}")
    return found
