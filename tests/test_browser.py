"""The labeling page in a real browser, used the way an annotator uses it.

Debian's Chromium (``/usr/bin/chromium``), driven by Playwright, logs in to the test server
of ``conftest.py``, selects text with real mouse drags, picks labels, fills the per-region
fields, draws ``said_by`` and submits; the work is then pulled, converted, validated and
exported. Without Chromium the tests fail, never skip. Playwright's own browsers are never
used. Host names do not resolve in the test browser, so nothing but the test server on
127.0.0.1 is reached (Label Studio's pages load Sentry from the internet). That is done with
a resolver rule, not Playwright routing: routing turns Chromium's HTTP cache off, and with a
cold cache Label Studio 1.23 sometimes opens a task from a ``?task=`` link without its
predictions (a race in its data manager; the label stream does not have it).

The browser runs in a time zone west of UTC on purpose: a date widget that parsed
``2017-11-20`` as UTC midnight and showed local time would store ``2017-11-19``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    BrowserContext,
    Dialog,
    Error,
    Locator,
    Page,
    ViewportSize,
    expect,
)

from annotate.corpus import load_corpus
from annotate.gold.validate import validate_export
from annotate.labelstudio.accounts import add_member
from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.convert import iter_tasks
from annotate.labelstudio.exportfile import read_export
from annotate.labelstudio.manifest import load_annotators
from annotate.labelstudio.pull import pull
from annotate.labelstudio.push import PushOptions, existing_tasks, push
from annotate.labelstudio.server import ADMIN_EMAIL
from annotate.predictions import Prediction, claim, entity, event
from annotate.records import Annotation, Document
from annotate.schema import Layer, SchemaSet

pytestmark = [pytest.mark.browser, pytest.mark.server]

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus" / "sochi-2017"
DOCS_SCREENSHOT = REPO / "docs" / "labeling-page.png"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
TIME_ZONE = "America/Los_Angeles"

# An emoji (one code point, two UTF-16 units) and CRLF line ends before every span.
TEXT = "😀 Line one\r\nLine two\r\nPutin met Assad in Sochi on Monday, the Kremlin said."
CLAIM = "Putin met Assad in Sochi on Monday"
SCRIPT, IMAGE = "<script>alert(1)</script>", "<img src=x onerror=alert(2)>"
MARKUP = f"Headline\r\n{SCRIPT} and {IMAGE} end.\r\nPutin spoke."

# UI selectors of Label Studio 1.23's labeling page.
TEXT_AREA = ".lsf-htx-richtext"
REGION = ".htx-highlight[data-label]"  # the last piece of each region carries "N:LABEL"
REGION_ITEM = ".lsf-tree__node_type_richtextregion"  # a region in the Regions panel
PANEL_TAB = ".lsf-panel-tabs__tab"
SCROLLER = ".lsf-main-content"  # the labeling area scrolls, the page itself does not
SUBMIT = "[data-testid=bottombar-submit-button]"
UPDATE = "[data-testid=bottombar-update-button]"

# The client rectangles of the first and last character of the nth occurrence of a string
# in the text as shown (line breaks are <br> elements, not text).
CHAR_BOXES = """([needle, nth]) => {
  const root = document.querySelector('.lsf-htx-richtext');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let shown = '';
  for (let node; (node = walker.nextNode()); ) {
    nodes.push([node, shown.length]);
    shown += node.data;
  }
  let at = -1;
  for (let i = 0; i <= nth; i++) { at = shown.indexOf(needle, at + 1); if (at < 0) return null; }
  const box = (pos) => {
    for (const [node, base] of nodes) {
      if (pos >= base && pos < base + node.data.length) {
        const range = document.createRange();
        range.setStart(node, pos - base);
        range.setEnd(node, pos - base + 1);
        const r = range.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
      }
    }
  };
  return [box(at), box(at + needle.length - 1)];
}"""


# Scroll the labeling area so that the nth occurrence of a string sits mid-screen.
SCROLL_TO = """([needle, nth]) => {
  const root = document.querySelector('.lsf-htx-richtext');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let node; (node = walker.nextNode()); ) {
    for (let at = node.data.indexOf(needle); at >= 0; at = node.data.indexOf(needle, at + 1)) {
      if (seen++ !== nth) continue;
      node.parentElement.scrollIntoView({block: 'center', behavior: 'instant'});
      return true;
    }
  }
  return false;
}"""
SCROLL_POSITIONS = """() => [window.scrollY,
  ...[...document.querySelectorAll('*')].filter(e => e.scrollTop > 0).map(e => e.scrollTop)]"""


def span(text: str, part: str) -> tuple[int, int]:
    """The code-point range of the first occurrence of ``part``."""
    start = text.index(part)
    return start, start + len(part)


def require_chromium() -> str:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium "
            "(apt-get install chromium); Playwright's downloaded browsers are not used",
            pytrace=False,
        )
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserContext]:
    """A headless Chromium with a fresh profile, logged in to the test server."""
    executable = require_chromium()  # before the server starts, so that this fails fast
    label_studio = request.getfixturevalue("label_studio")
    playwright = request.getfixturevalue("playwright_driver")
    context = playwright.chromium.launch_persistent_context(
        tmp_path_factory.mktemp("chromium-profile"),
        executable_path=executable,
        headless=True,
        args=LAUNCH_ARGS,
        viewport=VIEWPORT,
        locale="en-US",
        timezone_id=TIME_ZONE,
    )
    try:
        context.set_default_timeout(30_000)
        log_in(context, label_studio)
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser: BrowserContext, tmp_path: Path) -> Iterator[Page]:
    page = browser.new_page()
    try:
        yield page
    finally:
        with contextlib.suppress(Error):  # kept for diagnosis when a test fails
            page.screenshot(path=tmp_path / "last-page.png")
        page.close()


def log_in(context: BrowserContext, server: Any) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/user/login/")
    page.fill("input[name=email]", server.credentials.email)
    page.fill("input[name=password]", server.credentials.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/login" not in url)
    page.close()


def push_one(
    client: Client, document: Document, title: str, predictions: tuple[Prediction, ...] = ()
) -> tuple[int, int]:
    """Push one document; returns (project id, task id)."""
    report = push(client, [document], title, PushOptions(predictions=predictions))
    return report.project.id, existing_tasks(client, report.project.id)[document.id].task_id


def open_task(page: Page, server: Any, ids: tuple[int, int]) -> None:
    """Open one task from its link, /projects/PID/data?task=TID."""
    open_page(page, f"{server.url}/projects/{ids[0]}/data?task={ids[1]}")


def open_label_stream(page: Page, server: Any, project_id: int) -> None:
    """Start labeling the project's next task, as the "Label All Tasks" button does; the
    labeling instructions (the guidelines' summary) open first and are closed."""
    page.goto(f"{server.url}/projects/{project_id}/data?labeling=1")
    instructions = page.locator(".lsf-modal-ls").filter(has_text="Labeling Instructions")
    expect(instructions).to_contain_text("said_by", timeout=60_000)
    instructions.get_by_label("Close modal").click()
    expect(instructions).to_have_count(0)
    editor_ready(page)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    editor_ready(page)


def editor_ready(page: Page) -> None:
    expect(page.locator(TEXT_AREA)).to_be_visible(timeout=60_000)
    expect(page.locator(".lsf-label").first).to_be_visible()


def label_button(page: Page, value: str) -> Locator:
    return page.locator(".lsf-label").filter(has=page.get_by_text(value, exact=True))


def drag_over(page: Page, needle: str, nth: int = 0) -> None:
    """Select ``needle`` in the text with a real mouse drag, as an annotator does."""
    boxes = page.evaluate(CHAR_BOXES, [needle, nth])
    assert boxes, f"{needle!r} is not in the text shown"
    first, last = boxes
    quarter = (first["right"] - first["left"]) / 4
    page.mouse.move(first["left"] + quarter, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    quarter = (last["right"] - last["left"]) / 4
    page.mouse.move(last["right"] - quarter, (last["top"] + last["bottom"]) / 2, steps=5)
    page.mouse.up()


def label_span(page: Page, label: str, needle: str, by_hotkey: bool = False, nth: int = 0) -> None:
    """Pick ``label`` (by its button, or the hotkey shown on it) and drag over the nth
    ``needle``."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("u")  # unselect: a label picked while a region is selected relabels it
    regions = page.locator(REGION).count()
    button = label_button(page, label)
    if by_hotkey:
        page.keyboard.press(button.locator(".lsf-label__hotkey").inner_text())
    else:
        button.click()
    expect(button).to_have_class(re.compile(r"\blsf-label_selected\b"))
    drag_over(page, needle, nth)
    expect(page.locator(REGION)).to_have_count(regions + 1)
    expect(page.locator(REGION).last).to_have_attribute("data-label", f"{regions + 1}:{label}")


def select_region(page: Page, label: str) -> None:
    show_panel(page, "Regions")
    page.locator(REGION_ITEM).filter(has=page.get_by_text(label, exact=True)).click()


def show_panel(page: Page, name: str) -> None:
    page.locator(PANEL_TAB, has_text=name).filter(visible=True).click()


def visible_fields(page: Page, schemas: SchemaSet) -> set[str]:
    """The titles of the per-region fields shown right now."""
    titles = {a.title for layer in schemas.layers.values() for a in layer.attributes}
    return {t for t in titles if page.get_by_text(t, exact=True).filter(visible=True).count()}


def field_titles(layer: Layer) -> set[str]:
    return {a.title for a in layer.attributes}


def field_input(page: Page, layer: Layer, field: str, suffix: str = "") -> Locator:
    """The input of a per-region field; a DateTime's is named CONTROL-date."""
    return page.locator(f"input[name='{layer.control_name(layer.attribute(field))}{suffix}']")


def choice_label(page: Page, value: str) -> Locator:
    """The shown, clickable label of a choice."""
    choice = page.locator("label.lsf-choice__checkbox").filter(
        has=page.locator(f"input[name='{value}']")
    )
    return choice.filter(visible=True)


def choose(page: Page, value: str) -> None:
    choice_label(page, value).click()


def name_relation(page: Page, name: str) -> None:
    """Give the (only) relation its label in the Relations panel."""
    show_panel(page, "Relations")
    expect(page.locator(".lsf-relations__item")).to_have_count(1)
    page.locator(".lsf-relations__item").hover()
    page.get_by_label("Show Relation Labels").click()
    page.locator(".lsf-relation-meta [data-testid^=select-trigger]").click()
    page.locator(f"[data-testid='select-option-{name}']").click()
    page.keyboard.press("Escape")
    expect(page.locator("[data-testid=select-popup]")).to_have_count(0)  # it fades out
    expect(page.locator(".lsf-relation-meta")).to_have_text(name)


def submit(page: Page, by_hotkey: bool = False, in_stream: bool = False) -> None:
    """Submit; a task opened by link then offers Update, the label stream moves on."""
    if by_hotkey:
        page.keyboard.press("Control+Enter")
    else:
        page.locator(SUBMIT).click()
    if in_stream:  # the project's only task is done
        expect(page.get_by_text("No More Tasks Left in Queue")).to_be_visible()
    else:
        expect(page.locator(UPDATE)).to_be_visible()


def shown_text(page: Page) -> str:
    area = page.locator(TEXT_AREA).first
    if area.evaluate("e => e.tagName") == "IFRAME":  # HyperText renders into an iframe
        return area.content_frame.locator("body").inner_text()
    return area.inner_text()


def pull_one(client: Client, title: str, output: Path, schemas: SchemaSet) -> Annotation:
    """Pull the project, check it validates, and return its one submission's records."""
    report = pull(client, title, output)
    assert (report.tasks, report.annotations, report.cancelled) == (1, 1, 0)
    validation = validate_export(output, schemas)
    assert validation.ok, validation.to_text()
    assert validation.valid == 1
    [converted] = list(iter_tasks(output, schemas, load_annotators(output)))
    assert not converted.problems and not converted.rejected
    [submission] = converted.task.submissions
    return submission.layers


def raw_results(output: Path) -> list[dict[str, Any]]:
    """The results of the one annotation in a pulled export, as Label Studio wrote them."""
    [task] = list(read_export(output))
    [annotation] = task["annotations"]
    results: list[dict[str, Any]] = annotation["result"]
    return results


def as_prediction(layers: Annotation, like: Prediction) -> Prediction:
    """Submitted records in the shape of a prediction (speaker as a span), sorted."""
    spans = {e.id: (e.start, e.end) for e in layers.entities}
    return Prediction.of(
        like.document_id,
        like.extractor,
        like.version,
        entities=by_start(
            entity(e.start, e.end, e.label, canonical=e.canonical) for e in layers.entities
        ),
        claims=by_start(
            claim(c.start, c.end, c.type, spans.get(c.speaker or "")) for c in layers.claims
        ),
        event_dates=by_start(
            event(v.start, v.end, v.date, v.precision, v.basis) for v in layers.event_dates
        ),
    )


def by_start(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(sorted(items, key=lambda item: (item.start, item.end)))


def sorted_prediction(p: Prediction) -> Prediction:
    return Prediction.of(
        p.document_id,
        p.extractor,
        p.version,
        entities=by_start(p.entities),
        claims=by_start(p.claims),
        event_dates=by_start(p.event_dates),
    )


def test_chromium_is_installed() -> None:
    require_chromium()


def label_person(page: Page, schemas: SchemaSet) -> None:
    entities = schemas.layers["entities"]
    label_span(page, "PERSON", "Putin")
    select_region(page, "PERSON")
    assert visible_fields(page, schemas) == field_titles(entities)
    canonical = field_input(page, entities, "canonical")
    canonical.fill("Vladimir Putin")
    canonical.press("Enter")  # a per-region text box keeps its value on Enter


def label_claim_said_by_person(page: Page, schemas: SchemaSet) -> None:
    label_span(page, "CLAIM", CLAIM, by_hotkey=True)
    select_region(page, "CLAIM")
    assert visible_fields(page, schemas) == field_titles(schemas.layers["claims"])
    choose(page, "assertion")
    page.keyboard.press("Alt+r")  # start a relation from the selected claim ...
    # ... to the speaker, clicked in the Regions list: Label Studio 1.23 ignores the first
    # click in the text after a drag that crossed another region (docs/annotators.md).
    select_region(page, "PERSON")
    name_relation(page, "said_by")


def label_dated_event(page: Page, schemas: SchemaSet) -> None:
    events = schemas.layers["event_dates"]
    label_span(page, "EVENT_DATE", "met", by_hotkey=True)
    select_region(page, "EVENT_DATE")
    assert visible_fields(page, schemas) == field_titles(events)
    field_input(page, events, "date", suffix="-date").fill("2017-11-20")
    choose(page, "day")
    choose(page, "relative")


def test_annotator_labels_three_layers_and_the_export_matches(
    page: Page,
    label_studio: Any,
    client: Client,
    project_title: str,
    schemas: SchemaSet,
    tmp_path: Path,
) -> None:
    document = Document("browser-1", TEXT, "Wire", "2017-11-21", "en")
    open_task(page, label_studio, push_one(client, document, project_title))
    assert visible_fields(page, schemas) == set()
    label_person(page, schemas)
    label_claim_said_by_person(page, schemas)
    label_dated_event(page, schemas)
    submit(page)

    output = tmp_path / "export.json"
    got = pull_one(client, project_title, output, schemas)
    [person], [claim], [event] = got.entities, got.claims, got.event_dates
    assert (person.start, person.end, person.text, person.label, person.canonical) == (
        *span(TEXT, "Putin"),
        "Putin",
        "PERSON",
        "Vladimir Putin",
    )
    assert (claim.start, claim.end, claim.text, claim.type, claim.speaker) == (
        *span(TEXT, CLAIM),
        CLAIM,
        "assertion",
        person.id,
    )
    assert (event.start, event.end, event.text, event.date, event.precision, event.basis) == (
        *span(TEXT, "met"),
        "met",
        "2017-11-20",
        "day",
        "relative",
    )
    results = raw_results(output)  # the wire offsets themselves count code points
    assert [
        TEXT[r["value"]["start"] : r["value"]["end"]] for r in results if r["type"] == "labels"
    ] == ["Putin", CLAIM, "met"]
    assert [r for r in results if r["type"] == "relation"] == [
        {
            "from_id": claim.id,
            "to_id": person.id,
            "type": "relation",
            "direction": "right",
            "labels": ["said_by"],
        }
    ]
    assert_dataset_row(output, tmp_path / "gold", schemas, got)


def assert_dataset_row(export: Path, gold: Path, schemas: SchemaSet, expected: Annotation) -> None:
    """The export becomes one gold dataset row holding exactly ``expected``."""
    from annotate.dataset.run import export_dataset  # only this test needs datasets
    from annotate.dataset.writer import read_gold

    summary = export_dataset(export, gold, schemas)
    assert summary.documents == 1 and summary.left_out == ()
    [row] = read_gold(gold, "test")
    assert row.document == expected.document
    assert (row.entities, row.claims, row.event_dates) == (
        expected.entities,
        expected.claims,
        expected.event_dates,
    )
    assert {a for r in row.entities for a in r.annotators} == {ADMIN_EMAIL}


def test_predictions_show_as_regions_and_accepting_them_keeps_them(
    page: Page,
    label_studio: Any,
    client: Client,
    project_title: str,
    schemas: SchemaSet,
    tmp_path: Path,
) -> None:
    document = Document("browser-2", TEXT, "Wire", "2017-11-21", "en")
    prediction = Prediction.of(
        document.id,
        "browser-test",
        "1",
        entities=(
            entity(*span(TEXT, "Putin"), "PERSON", canonical="Vladimir Putin"),
            entity(*span(TEXT, "Kremlin"), "ORG", canonical="Kremlin"),
        ),
        claims=(claim(*span(TEXT, CLAIM), "paraphrase", speaker=span(TEXT, "Kremlin")),),
        event_dates=(event(*span(TEXT, "met"), "2017-11-20", "day", "relative"),),
    )
    project_id, _ = push_one(client, document, project_title, (prediction,))
    open_label_stream(page, label_studio, project_id)  # see the module docstring
    expect(page.locator(REGION)).to_have_count(4)
    shown = sorted(
        label.split(":", 1)[1]
        for label in page.locator(REGION).evaluate_all("es => es.map(e => e.dataset.label)")
    )
    assert shown == ["CLAIM", "EVENT_DATE", "ORG", "PERSON"]
    show_panel(page, "Relations")
    expect(page.locator(".lsf-relations__item")).to_have_count(1)
    submit(page, by_hotkey=True, in_stream=True)

    got = pull_one(client, project_title, tmp_path / "export.json", schemas)
    assert as_prediction(got, prediction) == sorted_prediction(prediction)


def test_markup_in_an_article_is_shown_as_text_and_never_runs(
    page: Page,
    label_studio: Any,
    client: Client,
    project_title: str,
) -> None:
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    document = Document("browser-3", MARKUP, "Wire <b>bold</b>", "2017-11-21", "en")
    open_task(page, label_studio, push_one(client, document, project_title))
    shown = shown_text(page)
    assert SCRIPT in shown and IMAGE in shown
    assert page.locator(f"{TEXT_AREA} img, {TEXT_AREA} script").count() == 0
    expect(page.get_by_text("Source: Wire <b>bold</b> · published 2017-11-21")).to_be_visible()
    page.wait_for_timeout(3_000)  # an onerror handler or a late script would have fired by now
    assert dialogs == []


def longest_document() -> Document:
    """Document 000 of the seed corpus, the longest."""
    documents = load_corpus(CORPUS)
    document = max(documents, key=lambda d: len(d.text))
    assert document.id.startswith("000")
    return document


def occurrence(text: str, part: str, before: str) -> int:
    """Which occurrence of ``part`` (0-based) is the first one inside ``before``'s match."""
    return text[: text.index(before) + before.index(part)].count(part)


def scroll_to(page: Page, needle: str, nth: int = 0) -> None:
    """Scroll the text to ``needle`` as a reader would, until it stays in the middle (the
    page may still re-render, and scroll back to the top, just after it has loaded)."""
    for _ in range(20):
        assert page.evaluate(SCROLL_TO, [needle, nth]), f"{needle!r} is not in the text shown"
        page.wait_for_timeout(1_000)
        first, _last = page.evaluate(CHAR_BOXES, [needle, nth])
        if 200 < first["top"] < VIEWPORT["height"] - 200:
            return
    pytest.fail(f"the text does not stay scrolled to {needle!r}")


def click_region(page: Page, label: str) -> None:
    """Click the highlight of the (only) region labelled ``label`` in the text."""
    page.locator(f"{REGION}[data-label$=':{label}']").click()


def assert_in_view(page: Page, field: Locator) -> None:
    """The field is inside the viewport, above the bottom bar, and nothing covers it."""
    box = field.bounding_box()
    bar = page.locator(SUBMIT).bounding_box()
    assert box is not None and bar is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"], box
    assert box["y"] + box["height"] <= bar["y"], (box, bar)
    centre = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
    hit = "([x, y]) => document.elementFromPoint(x, y)"
    assert field.evaluate(f"(e, p) => e.contains(({hit})(p))", centre)


# In the middle of document 000: the Kremlin (ORG) says that Putin would phone on Wednesday.
MIDDLE = "Kremlin said Putin would phone President Donald Trump"
MIDDLE_CLAIM = (
    "Putin would phone President Donald Trump and Saudi King Salman to discuss the "
    "situation in Syria on Wednesday"
)


def test_a_region_mid_article_is_filled_in_without_scrolling(
    page: Page,
    label_studio: Any,
    client: Client,
    project_title: str,
    schemas: SchemaSet,
    tmp_path: Path,
) -> None:
    document = longest_document()
    text = document.text
    entities, events = schemas.layers["entities"], schemas.layers["event_dates"]
    open_task(page, label_studio, push_one(client, document, project_title))
    scroll_to(page, "Kremlin said Putin would phone")
    scrolled = page.evaluate(SCROLL_POSITIONS)
    assert scrolled[0] == 0 and len(scrolled) > 1  # the labeling area scrolled, not the page

    label_span(page, "ORG", "Kremlin", nth=occurrence(text, "Kremlin", MIDDLE))
    click_region(page, "ORG")
    canonical = field_input(page, entities, "canonical")
    assert_in_view(page, canonical)
    canonical.fill("Kremlin")
    canonical.press("Enter")

    label_span(page, "CLAIM", MIDDLE_CLAIM)
    click_region(page, "CLAIM")
    assert_in_view(page, page.locator("label.lsf-choice__checkbox").filter(visible=True).first)
    expect(page.get_by_text(re.compile(r"Alt\+R"))).to_be_visible()  # the relation step
    choose(page, "paraphrase")
    page.keyboard.press("Alt+r")
    click_region(page, "ORG")  # the speaker; the arrow is left without a label (said_by rule)
    show_panel(page, "Relations")
    expect(page.locator(".lsf-relations__item")).to_have_count(1)

    label_span(page, "EVENT_DATE", "phone", nth=occurrence(text, "phone", MIDDLE))
    select_region(page, "EVENT_DATE")
    date = field_input(page, events, "date", suffix="-date")
    assert_in_view(page, date)
    for value in ("day", "relative"):
        assert_in_view(page, choice_label(page, value))
    date.fill("2017-11-22")
    choose(page, "day")
    choose(page, "relative")
    assert page.evaluate(SCROLL_POSITIONS) == scrolled  # nothing scrolled to reach a field
    page.screenshot(path=tmp_path / "labeling-page.png")
    assert (tmp_path / "labeling-page.png").stat().st_size > 10_000
    if os.environ.get("ANNOTATE_UPDATE_SCREENSHOT") == "1":  # refresh the copy in docs/
        shutil.copyfile(tmp_path / "labeling-page.png", DOCS_SCREENSHOT)
    submit(page)

    got = pull_one(client, project_title, tmp_path / "export.json", schemas)
    [org], [claim], [event] = got.entities, got.claims, got.event_dates
    assert (org.text, org.label, org.canonical) == ("Kremlin", "ORG", "Kremlin")
    assert text[org.start : org.end] == "Kremlin"
    assert org.start == text.index(MIDDLE)
    assert (claim.text, claim.type, claim.speaker) == (MIDDLE_CLAIM, "paraphrase", org.id)
    assert (event.text, event.date, event.precision, event.basis) == (
        "phone",
        "2017-11-22",
        "day",
        "relative",
    )
    assert event.start == text.index(MIDDLE) + MIDDLE.index("phone")


def test_a_region_without_a_required_field_cannot_be_submitted(
    page: Page,
    label_studio: Any,
    client: Client,
    project_title: str,
    schemas: SchemaSet,
    tmp_path: Path,
) -> None:
    events = schemas.layers["event_dates"]
    document = Document("browser-4", TEXT, "Wire", "2017-11-21", "en")
    project_id, task_id = push_one(client, document, project_title)
    open_task(page, label_studio, (project_id, task_id))
    label_span(page, "EVENT_DATE", "met")
    select_region(page, "EVENT_DATE")
    field_input(page, events, "date", suffix="-date").fill("2017-11-20")
    choose(page, "day")  # no basis
    page.locator(SUBMIT).click()
    warning = page.locator(".ant-modal, [role=dialog]").filter(has_text="Basis")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("has no Basis")
    page.wait_for_timeout(1_000)  # a save would have reached the server by now
    assert client.get_json(f"/api/tasks/{task_id}/annotations/") == []
    warning.get_by_role("button", name="OK").click()
    expect(warning).to_have_count(0)
    choose(page, "relative")
    submit(page)
    got = pull_one(client, project_title, tmp_path / "export.json", schemas)
    [event] = got.event_dates
    assert (event.date, event.precision, event.basis) == ("2017-11-20", "day", "relative")


@pytest.mark.team
def test_a_team_member_labels_through_the_login_page(
    team_server: Any, playwright_driver: Any
) -> None:
    """One annotator of the team server (PostgreSQL, gunicorn) works in Chromium: the login
    page with the password ``annotate team add`` made, then the labeling stream ("Label All
    Tasks"), a region drawn with the mouse, submit."""
    admin = Client(Connection(team_server.url, team_server.credentials.token))
    text = "Putin met Assad in Sochi on Monday, the Kremlin said."
    document = Document("browser-1", text, "wire", "2017-11-21", "en")
    project_id = push(admin, [document], "Team browser").project.id
    member = add_member(admin, "dora@example.org")
    browser = playwright_driver.chromium.launch(
        executable_path=require_chromium(), headless=True, args=LAUNCH_ARGS
    )
    try:
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(60_000)
        page.goto(f"{team_server.url}/user/login/")
        page.fill("input[name=email]", member.email)
        page.fill("input[name=password]", member.password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/user/login" not in url)
        open_label_stream(page, team_server, project_id)
        label_span(page, "PERSON", "Putin")
        submit(page, in_stream=True)
    finally:
        browser.close()

    tasks = admin.get_json(f"/api/projects/{project_id}/export", exportType="JSON")
    (annotation,) = tasks[0]["annotations"]
    assert annotation["completed_by"] == member.user_id
    (label,) = [r for r in annotation["result"] if r["type"] == "labels"]
    assert (label["value"]["start"], label["value"]["end"]) == (0, 5)
    assert label["value"]["labels"] == ["PERSON"]
