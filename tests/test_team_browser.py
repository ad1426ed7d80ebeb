"""One annotator of the team server works in real Chromium: the login page with the password
``annotate team add`` made, then the labeling stream ("Label All Tasks"), a region drawn with
the mouse, submit. Debian's Chromium only; nothing but 127.0.0.1 is reached."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from annotate.labelstudio.accounts import add_member
from annotate.labelstudio.client import Client, Connection
from annotate.labelstudio.push import push
from annotate.records import Document

pytestmark = [pytest.mark.team, pytest.mark.server, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
TEXT = "Putin met Assad in Sochi on Monday, the Kremlin said."
TEXT_AREA = ".lsf-htx-richtext"
REGION = ".htx-highlight[data-label]"
BOXES = """(needle) => {
  const root = document.querySelector('.lsf-htx-richtext');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const box = (pos) => {
      const range = document.createRange();
      range.setStart(node, pos);
      range.setEnd(node, pos + 1);
      const r = range.getBoundingClientRect();
      return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    };
    return [box(at), box(at + needle.length - 1)];
  }
  return null;
}"""


def drag_over(page: Page, needle: str) -> None:
    """Select ``needle`` with a real mouse drag."""
    boxes = page.evaluate(BOXES, needle)
    assert boxes, f"{needle!r} is not shown"
    first, last = boxes
    page.mouse.move(first["left"] + 1, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(last["right"] - 1, (last["top"] + last["bottom"]) / 2, steps=5)
    page.mouse.up()


def test_an_annotator_labels_in_chromium_through_the_login_page(team_server) -> None:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium", pytrace=False)
    admin = Client(Connection(team_server.url, team_server.credentials.token))
    document = Document("browser-1", TEXT, "wire", "2017-11-21", "en")
    project_id = push(admin, [document], "Team browser").project.id
    member = add_member(admin, "dora@example.org")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(60_000)
            page.goto(f"{team_server.url}/user/login/")
            page.fill("input[name=email]", member.email)
            page.fill("input[name=password]", member.password)
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/user/login" not in url)
            page.goto(f"{team_server.url}/projects/{project_id}/data?labeling=1")
            expect(page.locator(TEXT_AREA)).to_be_visible()
            button = page.locator(".lsf-label").filter(has=page.get_by_text("PERSON", exact=True))
            button.click()
            expect(button).to_have_class(re.compile(r"\blsf-label_selected\b"))
            drag_over(page, "Putin")
            expect(page.locator(REGION)).to_have_count(1)
            page.locator("[data-testid=bottombar-submit-button]").click()
            expect(page.get_by_text("No More Tasks Left in Queue")).to_be_visible()
        finally:
            browser.close()

    tasks = admin.get_json(f"/api/projects/{project_id}/export", exportType="JSON")
    (annotation,) = tasks[0]["annotations"]
    assert annotation["completed_by"] == member.user_id
    (label,) = [r for r in annotation["result"] if r["type"] == "labels"]
    assert (label["value"]["start"], label["value"]["end"]) == (0, 5)
    assert label["value"]["labels"] == ["PERSON"]
