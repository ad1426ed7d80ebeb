from __future__ import annotations

import random

import pytest

import annotate.dataset.tokens
from annotate.dataset.tokens import TOKEN_PATTERN, bio_ids, bio_tags, tokenize
from annotate.records import Entity


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
    assert bio_tags(tokens, entities) == expected


def test_mentions_apart_get_the_tags_the_longest_first_rule_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole-array shortcut (mentions on separate tokens) against the general rule."""
    tag_ids = {"O": 0, "B-PERSON": 1, "I-PERSON": 2, "B-GPE": 3, "I-GPE": 4}
    words = ["Putin", "met", "Xi", "in", "Sochi", ",", "Moscow's"]
    cases = []
    for seed in range(60):
        rnd = random.Random(seed)
        text = " ".join(rnd.choice(words) for _ in range(40))
        entities = []
        for i in range(rnd.randint(0, 8)):
            start = rnd.randrange(len(text) - 1)
            end = rnd.randint(start + 1, min(len(text), start + 20))
            label = rnd.choice(["PERSON", "GPE"])
            entities.append(Entity(f"e{i}", start, end, text[start:end], label))
        tokens = tokenize(text)
        shortcut = annotate.dataset.tokens._apart_bio_ids(
            tokens.starts, tokens.ends, entities, tag_ids
        )
        cases.append((tokens, entities, shortcut))
    assert any(s is None for *_, s in cases) and any(s is not None for *_, s in cases)
    monkeypatch.setattr(annotate.dataset.tokens, "_apart_bio_ids", lambda *args: None)
    for tokens, entities, shortcut in cases:
        if shortcut is not None:
            assert shortcut.tolist() == bio_ids(tokens, entities, tag_ids).tolist()
