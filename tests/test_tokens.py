from __future__ import annotations

import pytest

from annotate.dataset.tokens import TOKEN_PATTERN, bio_ids, tokenize
from annotate.records import Entity
from annotate.schema import SchemaSet
from annotate.schema.columns import tag_names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Putin met Xi.", ["Putin", "met", "Xi", "."], id="words-and-period"),
        pytest.param("😀 Line\r\nPutin", ["😀", "Line", "Putin"], id="emoji-and-crlf"),
        pytest.param(
            "“We agree,” he said",
            ["“", "We", "agree", ",", "”", "he", "said"],
            id="curly-quotes",
        ),
        pytest.param("Al\u00a0Assad", ["Al", "Assad"], id="non-breaking-space"),
        pytest.param("𝐀𝐁 x𐐀y", ["𝐀𝐁", "x𐐀y"], id="letters-outside-the-bmp"),
        pytest.param("a_1 b-2", ["a_1", "b", "-", "2"], id="underscore-is-a-word-character"),
        pytest.param("", [], id="empty"),
        pytest.param("  \t ", [], id="only-spaces"),
    ],
)
def test_tokens_and_their_code_point_offsets(text: str, expected: list[str]) -> None:
    tokens = tokenize(text)
    assert tokens.texts == expected
    spans = zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True)
    assert [text[s:e] for s, e in spans] == expected


def test_same_tokens_as_the_regular_expression() -> None:
    text = (
        "😀 Line one\r\n<script>alert(1)</script> Putin’s “close”: 42%… Ελλάδα, 東京\u00a0x\ud800y"
    )
    matches = list(TOKEN_PATTERN.finditer(text))
    tokens = tokenize(text)
    assert tokens.texts == [m.group() for m in matches]
    assert tokens.starts.tolist() == [m.start() for m in matches]
    assert tokens.ends.tolist() == [m.end() for m in matches]


def test_emoji_counts_as_one_code_point() -> None:
    # "😀 Putin": the emoji is 1 code point (2 UTF-16 units), so Putin starts at 2.
    tokens = tokenize("😀 Putin")
    assert (tokens.starts[1], tokens.ends[1]) == (2, 7)


def _entity(text: str, sub: str, label: str) -> Entity:
    start = text.index(sub)
    return Entity(sub, start, start + len(sub), sub, label)


TEXT = "Vladimir Putin's Kremlin met Russia's Black Sea fleet."


@pytest.mark.parametrize(
    ("mentions", "expected"),
    [
        pytest.param(
            [("Vladimir Putin", "PERSON"), ("Kremlin", "ORG")],
            ["B-PERSON", "I-PERSON", "O", "O", "B-ORG", "O", "O", "O", "O", "O", "O", "O", "O"],
            id="multi-token-and-single",
        ),
        pytest.param(
            [("Black Sea", "LOC"), ("Sea", "ORG")],
            ["O"] * 9 + ["B-LOC", "I-LOC", "O", "O"],
            id="nested-longest-wins",
        ),
        pytest.param(
            [("Russi", "GPE")],
            ["O"] * 6 + ["B-GPE"] + ["O"] * 6,
            id="mention-ending-inside-a-token",
        ),
        pytest.param(
            [("ussia", "GPE")],
            ["O"] * 6 + ["B-GPE"] + ["O"] * 6,
            id="mention-starting-inside-a-token",
        ),
    ],
)
def test_bio_tags(mentions: list[tuple[str, str]], expected: list[str]) -> None:
    tokens = tokenize(TEXT)
    # tokens: Vladimir Putin ' s Kremlin met Russia ' s Black Sea fleet .
    entities = [_entity(TEXT, sub, label) for sub, label in mentions]
    names = tag_names(SchemaSet())
    ids = bio_ids(tokens.starts, tokens.ends, entities, {n: i for i, n in enumerate(names)})
    assert [names[i] for i in ids.tolist()] == expected
