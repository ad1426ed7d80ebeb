"""Synthetic news-length documents, each with one realistic annotation, for benchmarks.

Each document is about 4,000 characters of wire-style English, built from sentence templates
filled with people ("Putin", "Assad", "Erdoğan"), organisations, places, nationalities and
dates. Its annotation has a few entity mentions (people with their canonical name), one
quoted claim whose ``said_by`` speaker is a person mentioned in the same sentence, and one
dated event (date, precision, basis) whose date is written in the text. Offsets count code
points, as everywhere in annotate.

Documents depend only on ``(seed, index)``, so the first N of a larger set are the same N.

    >>> doc, ann = make_document(0, seed=1)
    >>> doc == make_document(0, seed=1)[0] and 3_600 <= len(doc.text) <= 4_800
    True
    >>> all(doc.text[e.start:e.end] == e.text for e in ann.entities + ann.claims + ann.event_dates)
    True
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from annotate.records import Annotation, Claim, Document, Entity, Event

PEOPLE = [  # (canonical name, how the text names them after first mention)
    ("Vladimir Putin", "Putin"),
    ("Bashar al-Assad", "Assad"),
    ("Recep Tayyip Erdoğan", "Erdoğan"),
    ("Hassan Rouhani", "Rouhani"),
    ("Sergei Lavrov", "Lavrov"),
    ("Dmitry Peskov", "Peskov"),
    ("Staffan de Mistura", "de Mistura"),
    ("António Guterres", "Guterres"),
    ("Rex Tillerson", "Tillerson"),
    ("Angela Merkel", "Merkel"),
    ("Walid al-Moualem", "Moualem"),
    ("Sergei Shoigu", "Shoigu"),
]
ORGS = [
    "Kremlin",
    "United Nations",
    "Foreign Ministry",
    "Russian Defence Ministry",
    "Islamic State",
    "Syrian Democratic Forces",
    "European Union",
    "Red Crescent",
    "Security Council",
    "NATO",
]
PLACES = [
    "Sochi",
    "Moscow",
    "Damascus",
    "Ankara",
    "Tehran",
    "Geneva",
    "Astana",
    "Aleppo",
    "Idlib",
    "Raqqa",
    "Deir ez-Zor",
    "Syria",
    "Russia",
    "Turkey",
    "Iran",
    "Washington",
]
REGIONS = ["Black Sea", "Euphrates", "Middle East", "Caucasus", "Eastern Ghouta"]
GROUPS = ["Russian", "Syrian", "Kurdish", "Turkish", "Iranian", "Western", "Arab"]
OUTLETS = ["Test Wire", "Daily Example", "Sample Times", "Example Herald"]
EVENTS = ["talks", "summit", "meeting", "visit", "offensive", "ceasefire", "vote", "airstrikes"]
VERBS = ["support", "review", "expand", "suspend", "discuss", "reject", "welcome", "extend"]
NOUNS = [
    "peace plan",
    "aid convoys",
    "military presence",
    "sanctions",
    "the ceasefire",
    "reconstruction efforts",
    "the political process",
    "humanitarian corridors",
]
QUOTES = [
    "We will continue to support the legitimate government in its fight against terrorism",
    "There is no military solution to this conflict and everyone understands that",
    "The operation in Syria is coming to an end, but the political work is only beginning",
    "Our partners must respect the sovereignty and territorial integrity of the country",
    "We are ready to help with reconstruction as soon as security allows it",
    "Nobody should be under any illusion about how difficult the next steps will be",
]
FILLER = [  # slots: {P} person, {p} short name, {O} org, {G} place, {L} region, {N} group
    "{N} officials said the {O} would {verb} {noun} in {G} over the coming weeks.",
    "{P} has repeatedly called for {noun} to be discussed with {N} and {N} representatives.",
    "The {O} said in a statement that it was ready to {verb} {noun} near the {L}.",
    "Fighting near {G} has displaced tens of thousands of people since the start of the year.",
    "Diplomats in {G} said {p} was expected to raise {noun} with his counterparts.",
    "According to the {O}, at least {num} civilians were killed in {G} last month.",
    "Analysts said the {N} position on {noun} had hardened since the {event} in {G}.",
    "{P} spoke by telephone with {P}, the {O} said, without giving details.",
    "The talks are the latest in a series of diplomatic efforts to end the war in {G}.",
    "{N} forces, backed by {N} air power, have retaken much of the territory around {G}.",
    "Critics in {G} warned that {noun} could collapse without stronger guarantees.",
    "The {O} has urged all parties to {verb} {noun} and to protect civilians near the {L}.",
    "Officials did not say whether {p} would travel to {G} for the {event}.",
    "More than {num} trucks carrying food and medicine reached {G}, the {O} said.",
]
CLAIMS = [  # {Q} the quote (the claim's span), {S} its speaker (a person, short name)
    "“{Q},” {S} told reporters in {G}.",
    "“{Q},” {S} said after the {event}, according to the {O}.",
    "{S} said: “{Q}.”",
]
DATED = [  # {E} the event mention, {D} its date as the text gives it
    "{P} and {P} held {E} in {G} {D}, the {O} said.",
    "The {E} in {G} {D} was the first since the war began.",
    "{N} and {N} delegations are due to join {E} in {G} {D}.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TARGET_CHARS = 4_000
ENTITIES = 5  # entity mentions annotated per document, besides the claim's speaker
_SLOT = re.compile(r"\{(\w+)\}")


@functools.cache
def _parse(template: str) -> tuple[tuple[str, str], ...]:
    """A template as (literal text, slot name) pairs; the last slot name is empty."""
    pieces = _SLOT.split(template)
    return tuple(zip(pieces[0::2], [*pieces[1::2], ""], strict=True))


@dataclass
class _Builder:
    """A document's text under construction and the regions recorded in it."""

    rng: random.Random
    parts: list[str] = field(default_factory=list)
    length: int = 0
    entities: list[Entity] = field(default_factory=list)
    marks: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    def add(self, text: str) -> int:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    def region_id(self) -> str:
        return f"{self.rng.getrandbits(40):010x}"

    def sentence(self, template: str, fills: dict[str, str]) -> None:
        """Fill a template; record entity mentions and the {Q}, {S}, {E}, {D} slots."""
        for before, slot in _parse(template):
            self.add(before)
            if not slot:
                continue
            value, label, canonical = self._fill(slot, fills)
            start = self.add(value)
            if slot in fills:
                self.marks[slot] = (start, self.length, value)
            if label:
                rid = self.region_id()
                self.entities.append(Entity(rid, start, self.length, value, label, canonical))
                if slot == "S":
                    self.marks["S_id"] = (start, self.length, rid)

    def _fill(self, slot: str, fills: dict[str, str]) -> tuple[str, str | None, str | None]:
        rng = self.rng
        if slot in ("P", "p", "S"):
            full, short = rng.choice(PEOPLE)
            if slot == "S":
                full, short = next(p for p in PEOPLE if p[1] == fills["S"])
            return (full if slot == "P" else short), "PERSON", full
        simple = {
            "O": (ORGS, "ORG"),
            "G": (PLACES, "GPE"),
            "L": (REGIONS, "LOC"),
            "N": (GROUPS, "NORP"),
        }
        if slot in simple:
            words, label = simple[slot]
            return rng.choice(words), label, None
        if slot in fills:
            return fills[slot], None, None
        plain = {"verb": VERBS, "noun": NOUNS, "event": EVENTS}
        if slot in plain:
            return rng.choice(plain[slot]), None, None
        return str(rng.randint(12, 480)), None, None  # {num}


def _event_date(rng: random.Random, published: dt.date) -> tuple[str, str, str, str]:
    """(phrase, date at its precision, precision, basis) for an event near ``published``."""
    kind = rng.randrange(4)
    day = published - dt.timedelta(days=rng.randint(1, 6))
    if kind == 0:
        return f"on {day:%B} {day.day}", day.isoformat(), "day", "explicit"
    if kind == 1:
        return f"on {WEEKDAYS[day.weekday()]}", day.isoformat(), "day", "relative"
    month = (published.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if kind == 2:
        return f"in {month:%B} {month.year}", f"{month:%Y-%m}", "month", "explicit"
    return f"in {published.year - 1}", str(published.year - 1), "year", "explicit"


def make_document(index: int, seed: int = 0) -> tuple[Document, Annotation]:
    """Document ``index`` of the set made with ``seed``, and its annotation."""
    rng = random.Random(f"synthetic-{seed}-{index}")
    published = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(730))
    phrase, date, precision, basis = _event_date(rng, published)
    speaker = rng.choice(PEOPLE)[1]
    event_at = rng.randint(0, 4)
    special = {"event": event_at, "claim": event_at + rng.randint(1, 4)}
    build = _Builder(rng)
    n = 0
    while build.length < TARGET_CHARS or n <= max(special.values()):
        if n and n % 5 == 0:
            build.add("\n\n")
        elif n:
            build.add(" ")
        if n == special["event"]:
            fills = {"E": rng.choice(EVENTS), "D": phrase}
            build.sentence(rng.choice(DATED), fills)
        elif n == special["claim"]:
            build.sentence(rng.choice(CLAIMS), {"Q": rng.choice(QUOTES), "S": speaker})
        else:
            build.sentence(rng.choice(FILLER), {})
        n += 1
    text = "".join(build.parts)
    doc_id = f"bench-{seed}-{index:06d}"
    document = Document(
        doc_id,
        text,
        rng.choice(OUTLETS),
        published.isoformat(),
        "en",
        f"https://news.example/{doc_id}",
        _headline(rng),
    )
    return document, _annotation(build, document, date, precision, basis)


def _headline(rng: random.Random) -> str:
    return f"{rng.choice(PEOPLE)[1]} and {rng.choice(PEOPLE)[1]} discuss {rng.choice(NOUNS)}"


def _annotation(
    build: _Builder, document: Document, date: str, precision: str, basis: str
) -> Annotation:
    rng, text = build.rng, document.text
    speaker_id = build.marks["S_id"][2]
    others = [e for e in build.entities if e.id != speaker_id]
    picked = rng.sample(others, min(ENTITIES, len(others)))
    entities = sorted(
        [*picked, *(e for e in build.entities if e.id == speaker_id)], key=lambda e: e.start
    )
    q_start, q_end, _ = build.marks["Q"]
    claim = Claim(build.region_id(), q_start, q_end, text[q_start:q_end], "quote", speaker_id)
    e_start, e_end, _ = build.marks["E"]
    event = Event(build.region_id(), e_start, e_end, text[e_start:e_end], date, precision, basis)
    return Annotation(document, tuple(entities), (claim,), (event,))


def make_documents(count: int, seed: int = 0) -> Iterator[tuple[Document, Annotation]]:
    """The first ``count`` documents of the set made with ``seed``, with their annotations."""
    for index in range(count):
        yield make_document(index, seed)
