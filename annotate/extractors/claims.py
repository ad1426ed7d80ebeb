"""Baseline claim extractor: quotations, reporting verbs, and the outlet's own sentences.

1. **Quotes.** Quotation marks (“ ”, ", and ‘ ’ or ' around a short phrase) are paired
   within a paragraph; a quotation left open at the end of a paragraph ends there. The
   words inside, without the marks and the final comma or full stop, are a quote claim
   when there are at least four of them (shorter ones are scare quotes or terms).
2. **Paraphrases.** In a sentence without a quote claim, a reporting verb (``said``,
   ``says``, ``told ... that``, ``claimed``, ``added``…) introduces the clause after it
   (``X said (that) ...``); a clause before ``, X said`` and after ``according to X,``
   count too.
3. **Assertions.** Every other sentence of six words or more ending in a full stop is an
   assertion of the outlet, with no speaker.

The speaker of a quote is the nearest person, organisation or group mention (from the
entity baseline; the labels a speaker may have come from the claims schema) outside the
quotation and near it, preferring one right before a reporting verb; for a paraphrase, the
mention nearest the verb on its side. Failing that (``he said``), the nearest person
mentioned before the claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from annotate.extractors import Span, checked, paragraphs, schemas, sentences, trim
from annotate.extractors import entities as entity_rules
from annotate.predictions import Prediction, claim
from annotate.records import Claim, Document, Entity

NAME = "baseline-claims"
VERSION = "1"

# Rule -> claim type of the schema (checked on first use).
RULE_TYPES = {"quoted": "quote", "reported": "paraphrase", "outlet": "assertion"}

MIN_QUOTE_WORDS = 4
MIN_SENTENCE_WORDS = 6
_VERBS = r"said|says|told|tells|claimed|claims|added|adds|insisted|noted|warned|stressed|argued"
_VERB = re.compile(rf"\b(?:{_VERBS})\b")
_TOLD_THAT = re.compile(r"^(?:\s+\S+){1,6}?\s+that\s")
_THAT = re.compile(r"^\s*that\s")
# "said on Tuesday", "said in a statement": circumstances, not a reported clause.
_CIRCUMSTANCE = re.compile(
    r"\s*(?:in|on|at|during|after|before|late|earlier|later|last|this|via|from)\b"
)
_PRONOUN = re.compile(r"\b(?:he|she|He|She)\s+(?:also\s+)?$")
_ACCORDING = re.compile(r"\b[Aa]ccording to\b[^,]{1,80},")
_SINGLE = re.compile(r"(?<!\w)[‘'](?=\w)([^‘’'\n]{1,100}?[\w.,!?])[’'](?!\w)")
_OPENING, _CLOSING, _STRAIGHT = "“", "”", '"'
_EDGE = " \t\u00a0\n\"“”‘’',.;:"
_SPEAKER_REACH = 150
_VERB_AFTER_SPEAKER = 15


@dataclass(frozen=True, slots=True)
class Found:
    """A claim found by a rule (named as in ``RULE_TYPES``), with its speaker span."""

    start: int
    end: int
    rule: str
    speaker: Span | None = None


@cache
def types() -> dict[str, str]:
    """``RULE_TYPES``, checked against the claim types of the schema."""
    return checked(RULE_TYPES, schemas().layers["claims"].attribute("type").choices, "claim rules")


@cache
def speaker_labels() -> frozenset[str]:
    """The entity labels a speaker may have (the claims schema's relation targets)."""
    relation = schemas().layers["claims"].relation
    return frozenset(relation.target_labels if relation else ())


def extract(document: Document) -> Prediction:
    """The claims of a document, with speakers from the entity baseline."""
    claims = find_claims(document.text, entity_rules.find_entities(document.text))
    return Prediction.of(document, NAME, VERSION, claims=claims)


def find_claims(text: str, entities: Sequence[Entity]) -> list[Claim]:
    """Quotes, paraphrases and assertions in ``text``; speakers are among ``entities``.

    >>> text = "“We will win this war soon,” Putin said. Peskov said the talks went well."
    >>> from annotate.predictions import entity
    >>> people = [entity(29, 34, "PERSON"), entity(41, 47, "PERSON")]
    >>> for c in find_claims(text, people):
    ...     print(repr(text[c.start:c.end]), c.type, c.speaker)
    'We will win this war soon' quote 29-34
    'the talks went well' paraphrase 41-47
    """
    speakers = [(e.start, e.end) for e in entities if e.label in speaker_labels()]
    person = entity_rules.labels()["person"]
    people = [(e.start, e.end) for e in entities if e.label == person]
    quotes = [_quote(text, s, speakers, people) for s in quotations(text)]
    quotes = [q for q in quotes if len(text[q.start : q.end].split()) >= MIN_QUOTE_WORDS]
    reported = _paraphrases(text, quotes, speakers, people)
    outlet = _assertions(text, [*quotes, *reported])
    rule_types = types()
    return [
        claim(c.start, c.end, rule_types[c.rule], c.speaker, text[c.start : c.end])
        for c in sorted([*quotes, *reported, *outlet], key=lambda c: c.start)
    ]


# --- quotes -----------------------------------------------------------------------------


def quotations(text: str) -> list[Span]:
    """The spans inside quotation marks, paragraph by paragraph (marks excluded).

    >>> text = '“One,” he said. "Two.\\n"Three," and ‘four five’.'
    >>> [text[s:e] for s, e in quotations(text)]
    ['One,', 'Two.', 'Three,', 'four five']
    """
    spans: list[Span] = []
    for start, end in paragraphs(text):
        spans += _double_quotes(text, start, end)
        spans += [m.span(1) for m in _SINGLE.finditer(text, start, end)]
    return sorted(spans)


def _double_quotes(text: str, start: int, end: int) -> list[Span]:
    """Pair “ ” and " marks in one paragraph: a straight mark closes an open quotation."""
    spans: list[Span] = []
    opened: int | None = None
    for i in range(start, end):
        char = text[i]
        if char == _OPENING or (char == _STRAIGHT and opened is None):
            if opened is not None:
                spans.append((opened, i))
            opened = i + 1
        elif char in (_CLOSING, _STRAIGHT) and opened is not None:
            spans.append((opened, i))
            opened = None
    if opened is not None:
        spans.append((opened, end))
    return [s for s in spans if s[1] > s[0]]


def _quote(text: str, span: Span, speakers: Sequence[Span], people: Sequence[Span]) -> Found:
    start, end = trim(text, *span, strip=_EDGE)
    speaker = _nearest_speaker(text, span, speakers) or _previous(people, span[0])
    return Found(start, end, "quoted", speaker)


def _nearest_speaker(text: str, quote: Span, speakers: Sequence[Span]) -> Span | None:
    """The speaker mention close to a quotation (outside it), one before a verb first."""
    paragraph = next((p for p in paragraphs(text) if p[0] <= quote[0] <= p[1]), quote)
    near = [
        s
        for s in speakers
        if paragraph[0] <= s[0]
        and s[1] <= paragraph[1]
        and not (quote[0] <= s[0] < quote[1])
        and _distance(s, quote) <= _SPEAKER_REACH
    ]
    if not near:
        return None
    return min(
        near,
        key=lambda s: (
            not _VERB.search(text[s[1] : s[1] + _VERB_AFTER_SPEAKER]),
            _distance(s, quote),
        ),
    )


def _distance(a: Span, b: Span) -> int:
    return max(b[0] - a[1], a[0] - b[1], 0)


def _previous(people: Sequence[Span], before: int) -> Span | None:
    """The last person mention before an offset (``he said`` refers back)."""
    return max((p for p in people if p[1] <= before), default=None)


# --- paraphrases ------------------------------------------------------------------------


def _paraphrases(
    text: str, quotes: Sequence[Found], speakers: Sequence[Span], people: Sequence[Span]
) -> list[Found]:
    found: list[Found] = []
    for sentence in sentences(text):
        if any(q.start < sentence[1] and sentence[0] < q.end for q in quotes):
            continue
        reported = _reported(text, sentence, speakers, people)
        if reported is not None:
            found.append(reported)
    return found


def _reported(
    text: str, sentence: Span, speakers: Sequence[Span], people: Sequence[Span]
) -> Found | None:
    """The reported clause of a sentence and its speaker, if a reporting pattern matches."""
    start, end = sentence
    according = _ACCORDING.search(text, start, end)
    if according is not None:
        speaker = _last_in(speakers, according.start(), according.end())
        return _clause(text, according.end(), end, speaker)
    for verb in _VERB.finditer(text, start, end):
        after = _clause_after(text, verb, end)
        if after is not None:
            return _clause(text, after, end, _subject(text, start, verb.start(), speakers, people))
        comma = text.rfind(",", start, verb.start())
        if comma > start and len(text[comma : verb.start()].split()) <= 6:
            speaker = _subject(text, comma, verb.start(), speakers, people)
            speaker = speaker or _first_in(speakers, verb.end(), end)  # ", said Peskov"
            return _clause(text, start, comma, speaker)
    return None


def _subject(
    text: str, start: int, verb: int, speakers: Sequence[Span], people: Sequence[Span]
) -> Span | None:
    """The speaker mention before a reporting verb; a pronoun refers to the last person."""
    if _PRONOUN.search(text, start, verb):
        return _previous(people, verb)
    return _last_in(speakers, start, verb)


def _clause_after(text: str, verb: re.Match[str], end: int) -> int | None:
    """Where the clause reported by a verb starts, if one follows it."""
    rest = text[verb.end() : end]
    if verb.group() in ("told", "tells"):
        told = _TOLD_THAT.match(rest)
        return verb.end() + told.end() if told else None
    that = _THAT.match(rest)
    start = verb.end() + (that.end() if that else 0)
    first = text[start:end].lstrip()[:1]
    if not first or first in "“\"‘':" or _CIRCUMSTANCE.match(text, start):
        return None
    return start


def _last_in(speakers: Sequence[Span], start: int, end: int) -> Span | None:
    return max((s for s in speakers if start <= s[0] and s[1] <= end), default=None)


def _first_in(speakers: Sequence[Span], start: int, end: int) -> Span | None:
    return min((s for s in speakers if start <= s[0] and s[1] <= end), default=None)


def _clause(text: str, start: int, end: int, speaker: Span | None) -> Found | None:
    start, end = trim(text, start, end, strip=_EDGE)
    if len(text[start:end].split()) < MIN_QUOTE_WORDS:
        return None
    return Found(start, end, "reported", speaker)


# --- assertions -------------------------------------------------------------------------


def _assertions(text: str, claims: Sequence[Found]) -> list[Found]:
    found = []
    for start, end in sentences(text):
        sentence = text[start:end]
        if any(c.start < end and start < c.end for c in claims):
            continue
        if sentence.endswith(".") and len(sentence.split()) >= MIN_SENTENCE_WORDS:
            found.append(Found(*trim(text, start, end, strip=_EDGE), "outlet"))
    return found
