from __future__ import annotations

from pathlib import Path

import pytest

from annotate.corpus import load_corpus
from annotate.errors import CorpusError

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "sochi-2017"

BAD = FIXTURES / "corpus"


def test_seed_corpus_loads_byte_exact() -> None:
    documents = load_corpus(CORPUS)
    assert [d.id for d in documents] == [
        "000_5fe341c9287af28b",
        "001_81e078628aa1d8a7",
        "002_5710ac8a3a42415b",
        "003_437f314616787b1a",
        "004_7ade0f10b569dd62",
    ]
    for document in documents:
        raw = (CORPUS / f"{document.id}.txt").read_bytes()
        assert document.text.encode("utf-8") == raw
        assert document.published == "2017-11-21"


def test_crlf_and_emoji_are_kept() -> None:
    doc = load_corpus(BAD / "valid")[0]
    assert doc.text.startswith("😀 Line one\r\nPutin")
    assert doc.text[12:17] == "Putin"  # code points, as Label Studio counts


def test_jsonl_form() -> None:
    docs = load_corpus(BAD / "documents.jsonl")
    assert [d.id for d in docs] == ["j1", "j2"]
    assert docs[0].text == "Putin met Assad.\r\n"
    assert docs[1].title == "Call"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param(
            "missing-published",
            r"manifest\.jsonl:2, doc doc2, field published: missing required field; "
            r"expected the publication date, YYYY-MM-DD",
            id="missing-published",
        ),
        pytest.param(
            "duplicate-id",
            r"manifest\.jsonl:3, doc doc1, field id: duplicate document id "
            r"\(first seen on line 1\)",
            id="duplicate-id",
        ),
        pytest.param(
            "not-utf8",
            r"manifest\.jsonl:1, doc doc1: doc1\.txt is not UTF-8: invalid "
            r"byte 0xe9 at byte offset 3",
            id="not-utf8",
        ),
        pytest.param(
            "missing-file",
            r"manifest\.jsonl:2, doc doc2: text file doc2\.txt is missing",
            id="missing-file",
        ),
    ],
)
def test_bad_corpus_folder(case: str, message: str) -> None:
    with pytest.raises(CorpusError, match=message):
        load_corpus(BAD / case)


def test_bad_jsonl_reports_every_problem() -> None:
    with pytest.raises(CorpusError) as info:
        load_corpus(BAD / "documents-bad.jsonl")
    text = str(info.value)
    assert "5 problem(s)" in text
    assert "documents-bad.jsonl:2, doc j2, field published: missing required field" in text
    assert (
        "documents-bad.jsonl:3, doc j1, field id: duplicate document id (first seen on line 1)"
        in text
    )
    assert "documents-bad.jsonl:4: not UTF-8 at byte" in text
    assert "documents-bad.jsonl:5: not a JSON object" in text
    assert "documents-bad.jsonl:6, doc j6, field published: '2017-02-30' is not a 'date'" in text


def test_missing_corpus_path(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such corpus folder or JSONL file"):
        load_corpus(tmp_path / "nope")


def test_fixture_bytes_are_what_the_tests_expect() -> None:
    # The not-UTF-8 fixture must really hold a Latin-1 byte at offset 3.
    raw = (BAD / "not-utf8" / "doc1.txt").read_bytes()
    assert raw[3] == 0xE9
