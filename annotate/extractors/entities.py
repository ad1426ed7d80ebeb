"""Baseline entity extractor: capitalised word runs classified by small, readable rules.

A *run* is a sequence of capitalised words joined by single spaces (``Russian President
Vladimir Putin``). Each run is cut into mentions, left to right:

1. a gazetteer name (countries, cities, regions, well-known organisations), longest first;
2. a title (``President``, ``Mr``, ``King``…) is skipped: it is outside the name;
3. words up to an organisation keyword (``Ministry``, ``Forces``, ``Kremlin``…) are an
   organisation, up to a place keyword (``Sea``, ``River``…) a location, up to an event
   keyword (``Summit``, ``Olympics``…) a named event;
4. a demonym (``-ian``, ``-ese``, ``-ish`` or a listed one: ``Saudi``, ``Qatari``…) is a group;
5. other words form a name: a person when it has two words or follows a title.

A single unknown word is kept only when it is the family name of a person named in full
elsewhere in the document (``Putin`` after ``Vladimir Putin``), which also gives its
canonical name. Headlines in Title Case are read word by word. Finally ``the Russian
president``-style descriptions become persons when the document names someone.

The rule names map onto schema labels in ``RULE_LABELS``, checked against the schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from annotate.extractors import checked, schemas
from annotate.predictions import Prediction, entity
from annotate.records import Document, Entity

NAME = "baseline-entities"
VERSION = "1"

RULE_LABELS = {
    "person": "PERSON",
    "organisation": "ORG",
    "place": "GPE",
    "location": "LOC",
    "group": "NORP",
    "event": "EVENT",
}


def _names(text: str) -> frozenset[str]:
    return frozenset(n.strip() for n in re.split(r"[|\n]", text) if n.strip())


PLACES = _names("""
Afghanistan|Albania|Algeria|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahrain|Bangladesh
Belarus|Belgium|Bolivia|Bosnia|Brazil|Britain|Bulgaria|Canada|Chile|China|Colombia|Croatia|Cuba
Cyprus|Czech Republic|Denmark|Egypt|Estonia|Ethiopia|Finland|France|Georgia|Germany|Greece
Hungary|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Japan|Jordan|Kazakhstan|Kenya|Kosovo
Kuwait|Kyrgyzstan|Latvia|Lebanon|Libya|Lithuania|Malaysia|Mexico|Moldova|Mongolia|Morocco
Netherlands|New Zealand|Nigeria|North Korea|Norway|Oman|Pakistan|Palestine|Peru|Philippines
Poland|Portugal|Qatar|Romania|Russia|Russian Federation|Saudi Arabia|Serbia|Singapore|Slovakia
Somalia|South Africa|South Korea|Spain|Sudan|Sweden|Switzerland|Syria|Syrian Arab Republic
Taiwan|Tajikistan|Tunisia|Turkey|Turkmenistan|Ukraine|United Arab Emirates|UAE|United Kingdom
UK|United States|US|U.S.|USA|Uzbekistan|Venezuela|Vietnam|Yemen|Crimea|Chechnya|Gaza
Abu Dhabi|Aleppo|Amman|Ankara|Astana|Athens|Baghdad|Beijing|Beirut|Berlin|Brussels|Cairo
Damascus|Doha|Dubai|Geneva|Homs|Idlib|Istanbul|Jerusalem|Kabul|Kiev|Kyiv|London|Madrid|Minsk
Moscow|Mosul|New York|Paris|Raqqa|Riyadh|Rome|Sochi|St Petersburg|Tehran|Tokyo|Vienna|Warsaw
Washington|Yerevan|Deir ez-Zor|Latakia|Tartus|Palmyra|Kazan|Vladivostok|Novosibirsk
""")
LOCATIONS = _names("""
Middle East|Europe|Asia|Africa|North America|South America|Latin America|Caucasus|Balkans
Arctic|Antarctica|Mediterranean|Black Sea|Red Sea|Caspian Sea|Persian Gulf|Gulf|Euphrates
Tigris|Golan Heights|Sinai|Siberia|Levant|Scandinavia
""")
ORGANISATIONS = _names("""
Kremlin|White House|Pentagon|United Nations|UN|NATO|EU|European Union|OPEC|IAEA|Interpol
Islamic State|IS|ISIS|ISIL|Daesh|Hezbollah|Hamas|Taliban|al-Qaeda|Al Qaeda|Nusra Front
AP|AFP|Reuters|TASS|Interfax|RIA Novosti|SANA|BBC|CNN|Al Jazeera|Bloomberg|Xinhua
""")
TITLES = _names("""
President|Mr|Mr.|Mrs|Mrs.|Ms|Ms.|Dr|Dr.|King|Queen|Prince|Princess|Emir|Sheikh|Sultan|Pope
Minister|Secretary|Chancellor|Senator|Governor|Ambassador|General|Major|Colonel|Lieutenant
Commander|Admiral|Chief|Spokesman|Spokeswoman
""")
KEYWORDS = {
    "organisation": _names("""
Ministry|Agency|Army|Force|Forces|Office|Council|Committee|Commission|Party|Corps|Guards
Staff|Nations|Union|Bank|Court|Parliament|Senate|Assembly|Organisation|Organization
Institute|University|Company|Group|Front|Brigade|Brigades|Police|Service|News|Navy|Duma
"""),
    "location": _names("Sea|Ocean|River|Lake|Mountains|Desert|Peninsula|Valley|Strait|Bay|Island"),
    "event": _names("Summit|Olympics|Games|War|Conference|Congress|Forum|Cup|Festival|Expo"),
}
DEMONYMS = _names("""
Saudi|Saudis|Qatari|Qataris|Iraqi|Iraqis|Israeli|Israelis|Kazakh|Kazakhs|Emirati|Emiratis
Pakistani|Pakistanis|Afghan|Afghans|Yemeni|Yemenis|Kuwaiti|Omani|Bahraini|Thai|Greek|Greeks
French|Dutch|Swiss|Arab|Arabs|Turk|Turks|Kurd|Kurds|Sunni|Sunnis|Shia|Shiite|Shiites
Muslim|Muslims|Jew|Jews|Jewish|Islamist|Islamists|Alawite|Alawites|Democrat|Democrats
Republican|Republicans|Uzbek|Uzbeks|Tajik|Tajiks|Chechen|Chechens
""")
DESCRIPTION_NOUNS = ("president", "President", "leader", "guest", "counterpart")
STOPWORDS = _names("""
The|A|An|In|On|At|As|After|Before|But|And|Or|If|When|While|With|Without|For|From|To|Of|By
During|Since|Until|This|That|These|Those|Its|His|Her|Their|Our|My|Your|It|He|She|They|We
You|There|Here|What|Why|How|Who|Where|Which|Asked|According|Also|Both|Many|Some|Most|Every
All|Each|No|Not|Yes|Afterwards|Meanwhile|However|Today|Yesterday|Tomorrow|Read|More|New
Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May
June|July|August|September|October|November|December|Related|Back|Join|Trending|Breaking
Later|Earlier|Then|Now|Still|Despite|Although|Because|Under|Over|Among|Between|Against|Around
Instead|Even|Only|Just|Such|Further|Finally|First|Second|Last|Next|Other|Another|Several|Few
Any|Much|Very|Once|Thus|So|Than|Like|Unlike|Along|Amid|Following|Present|Footage
""")
_DEMONYM_ENDINGS = ("ian", "ians", "ese", "ish")
_GAZETTEER = {
    **dict.fromkeys(PLACES, "place"),
    **dict.fromkeys(LOCATIONS, "location"),
    **dict.fromkeys(ORGANISATIONS, "organisation"),
}
_LONGEST = max(len(name.split()) for name in _GAZETTEER)
_WORD = re.compile(r"[A-Z]\.(?:[A-Z]\.)+|(?:al-|el-|ez-)?[A-ZÀ-Þ][\w]*(?:-[a-z]+-[A-Z][\w]*)?")
_JOIN = frozenset({" ", "\u00a0"})
_PREFIX = re.compile(r"^(?:al-|el-|Al |El )", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Word:
    """A capitalised word of the text."""

    text: str
    start: int
    end: int
    initial: bool  # first word of a sentence or line


@dataclass(frozen=True, slots=True)
class Mention:
    """A mention found by a rule (named as in ``RULE_LABELS``)."""

    start: int
    end: int
    rule: str
    canonical: str | None = None


@cache
def labels() -> dict[str, str]:
    """``RULE_LABELS``, checked against the entity labels of the schema."""
    return checked(RULE_LABELS, schemas().layers["entities"].labels, "entity rule labels")


def extract(document: Document) -> Prediction:
    """The entity mentions of a document."""
    return Prediction.of(document, NAME, VERSION, entities=find_entities(document.text))


def find_entities(text: str) -> list[Entity]:
    """Every entity mention the rules find in ``text``, in text order, never nested.

    >>> text = "Russian President Vladimir Putin met Assad in Sochi. Putin said so."
    >>> [(e.text, e.label) for e in find_entities(text)]
    [('Russian', 'NORP'), ('Vladimir Putin', 'PERSON'), ('Sochi', 'GPE'), ('Putin', 'PERSON')]
    """
    rule_labels = labels()
    mentions: list[Mention] = []
    leftovers: list[Word] = []
    for run in _runs(text):
        found, rest = _classify(run, _headline(text, run))
        mentions += found
        leftovers += rest
    mentions = _with_descriptions(text, _with_family_names(text, mentions, leftovers))
    return [
        entity(m.start, m.end, rule_labels[m.rule], text[m.start : m.end], m.canonical)
        for m in sorted(mentions, key=lambda m: m.start)
    ]


def _runs(text: str) -> list[list[Word]]:
    """Capitalised words grouped into runs joined by one space (stopwords break runs)."""
    runs: list[list[Word]] = []
    previous_end = -2
    for match in _WORD.finditer(text):
        word = Word(match.group(), match.start(), match.end(), _initial(text, match.start()))
        if word.text in STOPWORDS or len(word.text) == 1:
            previous_end = -2
            continue
        joined = match.start() == previous_end + 1 and text[previous_end] in _JOIN
        if runs and joined:
            runs[-1].append(word)
        else:
            runs.append([word])
        previous_end = match.end()
    return runs


def _initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\u00a0“\"‘'([•":
        i -= 1
    return i < 0 or text[i] in "\n.!?:—–-"


def _headline(text: str, run: Sequence[Word]) -> bool:
    """True inside a Title Case line, where capitals say nothing about names."""
    line_start = text.rfind("\n", 0, run[0].start) + 1
    line_end = text.find("\n", run[0].start)
    words = text[line_start : line_end if line_end >= 0 else len(text)].split()
    capitalised = sum(1 for w in words if w[:1].isupper())
    return len(words) >= 4 and capitalised >= 0.75 * len(words)


def _classify(run: Sequence[Word], headline: bool) -> tuple[list[Mention], list[Word]]:
    """The mentions of one run, and the single words no rule claimed."""
    mentions: list[Mention] = []
    leftovers: list[Word] = []
    i, after_title = 0, False
    while i < len(run):
        j, rule = _rule_at(run, i, headline, after_title)
        after_title = rule == "title"
        if rule in RULE_LABELS:
            mentions.append(Mention(run[i].start, run[j - 1].end, rule))
        elif rule is None:
            leftovers.append(run[i])
        i = j
    return mentions, leftovers


def _rule_at(
    run: Sequence[Word], i: int, headline: bool, after_title: bool
) -> tuple[int, str | None]:
    """Where the mention starting at word ``i`` ends, and the rule that found it."""
    words = [w.text for w in run]
    found = _gazetteer_at(words, i) or _keyword_end(words, i) or _word_rule(words[i])
    if found is not None:
        return i + found[0], found[1]
    end = i + 1 if headline else _name_end(words, i)
    return end, "person" if end - i >= 2 or after_title else None


def _gazetteer_at(words: Sequence[str], i: int) -> tuple[int, str] | None:
    """The longest gazetteer name starting at word ``i``: (its length in words, rule)."""
    for size in range(min(_LONGEST, len(words) - i), 0, -1):
        rule = _gazetteer(" ".join(words[i : i + size]))
        if rule is not None:
            return size, rule
    return None


def _word_rule(word: str) -> tuple[int, str | None] | None:
    """A one-word decision: a title (skipped), an unknown acronym (dropped), a demonym."""
    if word in TITLES:
        return 1, "title"
    if word.isupper():  # an acronym no list knows, or shouting furniture (NOW WATCH)
        return 1, None
    return (1, "group") if _demonym(word) else None


def _gazetteer(name: str) -> str | None:
    rule = _GAZETTEER.get(name)
    if rule is None and name.isupper() and len(name) > 3:  # datelines: MOSCOW (AP)
        rule = _GAZETTEER.get(name.title())
    return rule


def _keyword_end(words: Sequence[str], i: int) -> tuple[int, str] | None:
    """A name of two words or more ending with an organisation, location or event keyword
    (``Russian Air Force``, ``Black Sea``): (its length in words, rule). A demonym before a
    location or event stays apart."""
    for j in range(i + 1, len(words)):
        if _gazetteer(words[j]) is not None:
            return None
        rule = _keyword_rule(words[j])
        if rule is not None:
            if rule != "organisation" and _demonym(words[i]):
                return None
            while j + 1 < len(words) and _keyword_rule(words[j + 1]) == rule:
                j += 1
            return j + 1 - i, rule
    return None


def _keyword_rule(word: str) -> str | None:
    return next((rule for rule, keywords in KEYWORDS.items() if word in keywords), None)


def _demonym(word: str) -> bool:
    return word in DEMONYMS or (
        word.endswith(_DEMONYM_ENDINGS) and word[:1].isupper() and len(word) > 4
    )


def _name_end(words: Sequence[str], i: int) -> int:
    j = i + 1
    while (
        j < len(words)
        and words[j] not in TITLES
        and _gazetteer(words[j]) is None
        and not _demonym(words[j])
    ):
        j += 1
    return j


def _with_family_names(
    text: str, mentions: Sequence[Mention], leftovers: Iterable[Word]
) -> list[Mention]:
    """Single words that are the family name of a person named in full in the document
    become persons; the full name becomes the canonical name of such mentions."""
    full_names: dict[str, str] = {}
    for m in mentions:
        name = " ".join(text[m.start : m.end].split())
        family = _PREFIX.sub("", name.split(" ")[-1])
        if m.rule == "person" and " " in name and len(name) > len(full_names.get(family, "")):
            full_names[family] = name
    out = []
    for m in [*mentions, *(Mention(w.start, w.end, "") for w in leftovers)]:
        canonical = (
            full_names.get(_PREFIX.sub("", text[m.start : m.end]))
            if m.rule in ("person", "")
            else None
        )
        if m.rule or canonical:
            out.append(Mention(m.start, m.end, "person", canonical) if canonical else m)
    return out


_DESCRIPTION = re.compile(
    r"\b(?:[Tt]he|[Hh]is|[Hh]er)\s+([A-Z][a-z]+\s+(?:"
    + "|".join(DESCRIPTION_NOUNS)
    + r"))\b(?!,?\s+[A-Z])"
)


def _with_descriptions(text: str, mentions: list[Mention]) -> list[Mention]:
    """Add ``the Russian president``-style persons (when someone is named), replacing what
    they contain."""
    if not any(m.rule == "person" for m in mentions):
        return mentions
    descriptions = [
        Mention(m.start(1), m.end(1), "person")
        for m in _DESCRIPTION.finditer(text)
        if _demonym(m.group(1).split()[0])
    ]
    kept = [
        m for m in mentions if not any(d.start < m.end and m.start < d.end for d in descriptions)
    ]
    return kept + descriptions
