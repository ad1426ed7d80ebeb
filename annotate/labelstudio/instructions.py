"""The labeling instructions of a project: the summary section of the guidelines, as HTML.

Label Studio shows a project's ``expert_instruction`` (HTML) when ``show_instruction`` is on:
as a dialog when the label stream starts, and behind the "Instructions" button of a task.
The text is the ``## Summary`` section of ``docs/guidelines.md`` (shipped in the wheel as
``annotate/guidelines.md``), so it is written once. Only the Markdown that section uses is
rendered (paragraphs, ``-`` lists, ``**bold**`` and ```code```), and everything is
HTML-escaped first, so nothing in the guidelines can inject markup. No ``style`` attributes:
Label Studio strips them from the instructions it stores, and the text must come back as
sent for a re-push to see that nothing changed.
"""

from __future__ import annotations

import html
import re
from importlib import resources
from pathlib import Path

from annotate.errors import InvalidInputError

SUMMARY_HEADING = "## Summary"
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def default_guidelines() -> Path:
    """The guidelines shipped with the package (wheel), or the checkout's ``docs/``."""
    packaged = Path(str(resources.files("annotate"))) / "guidelines.md"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "docs" / "guidelines.md"


def summary(markdown: str, where: str = "guidelines") -> str:
    """The text of the ``## Summary`` section, without its heading.

    >>> summary("# G\\n\\n## Summary\\n\\n- one\\n\\n## 1. Next\\n")
    '- one'
    """
    lines = markdown.splitlines()
    if SUMMARY_HEADING not in lines:
        raise InvalidInputError(f"{where}: no {SUMMARY_HEADING!r} section to show as instructions")
    body = lines[lines.index(SUMMARY_HEADING) + 1 :]
    end = next((i for i, line in enumerate(body) if line.startswith("#")), len(body))
    text = "\n".join(body[:end]).strip()
    if not text:
        raise InvalidInputError(f"{where}: the {SUMMARY_HEADING!r} section is empty")
    return text


def to_html(markdown: str) -> str:
    """Paragraphs and ``-`` lists of Markdown as HTML, everything else escaped as text.

    >>> to_html("Read **this**:\\n\\n- a `<b>`\\n  tag\\n- b")
    '<p>Read <strong>this</strong>:</p>\\n<ul><li>a <code>&lt;b&gt;</code> tag</li><li>b</li></ul>'
    """
    blocks = [b for b in re.split(r"\n\s*\n", markdown.strip()) if b.strip()]
    return "\n".join(_block(block) for block in blocks)


def _block(block: str) -> str:
    if not block.lstrip().startswith("- "):
        return f"<p>{_inline(block)}</p>"
    items: list[str] = []
    for line in block.splitlines():
        if line.startswith("- "):
            items.append(line[2:])
        elif items:
            items[-1] += " " + line.strip()
        else:
            items.append(line.strip())
    return "<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>"


def _inline(text: str) -> str:
    escaped = html.escape(" ".join(text.split()), quote=False)
    return _BOLD.sub(r"<strong>\1</strong>", _CODE.sub(r"<code>\1</code>", escaped))


def labeling_instructions(path: Path | str | None = None) -> str:
    """The summary of the guidelines at ``path`` (the shipped ones when None), as HTML."""
    source = Path(path) if path is not None else default_guidelines()
    try:
        markdown = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{source}: cannot read the guidelines ({exc})") from exc
    return to_html(summary(markdown, str(source)))
