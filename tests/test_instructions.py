from __future__ import annotations

from pathlib import Path

import pytest

from annotate.errors import InvalidInputError
from annotate.labelstudio.instructions import labeling_instructions, summary, to_html


def test_the_shipped_guidelines_have_a_summary_shown_as_html() -> None:
    shown = labeling_instructions()
    assert shown.startswith("<p>") and shown.count("<li>") >= 4
    assert "<code>said_by</code>" in shown and "<code>Alt+R</code>" in shown
    assert "## " not in shown and "**" not in shown  # the next section is not included


def test_markup_in_the_guidelines_is_escaped() -> None:
    shown = to_html('A <script>alert(1)</script> & "q"\n\n- `<img src=x>` **b**')
    assert "<script" not in shown and "<img" not in shown
    assert "&lt;script&gt;" in shown and "&amp;" in shown
    assert "<code>&lt;img src=x&gt;</code> <strong>b</strong>" in shown


def test_list_items_continue_over_indented_lines() -> None:
    assert to_html("- one\n  more\n- two") == "<ul><li>one more</li><li>two</li></ul>"


@pytest.mark.parametrize(
    ("markdown", "error"),
    [
        pytest.param("# G\n\n## 1. Start\n", "no '## Summary' section", id="missing"),
        pytest.param("# G\n\n## Summary\n\n## 1. Start\n", "section is empty", id="empty"),
    ],
)
def test_a_missing_or_empty_summary_is_a_located_error(
    tmp_path: Path, markdown: str, error: str
) -> None:
    path = tmp_path / "guidelines.md"
    path.write_text(markdown, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=error) as caught:
        labeling_instructions(path)
    assert str(path) in str(caught.value)
    with pytest.raises(InvalidInputError, match=error):
        summary(markdown)


def test_unreadable_guidelines_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read the guidelines"):
        labeling_instructions(tmp_path / "missing.md")
