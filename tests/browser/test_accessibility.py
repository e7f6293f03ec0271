"""Automatic accessibility checks: axe-core in Debian's chromium, on the pages people
use on the day, in French and English, on a phone (360 px) and on a laptop.

axe-core comes inside the pinned `axe-playwright-python` package (nothing is fetched
at run time). One server, one browser; for each language and size, one person's device
that opens the join page, joins (after the facilitator link, to reach the projector),
then goes through the topics, the grid, "my day", a session and its notes, a testimony,
the facilitation page and the projector. A serious or critical violation fails.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.server]

SIZES = {"phone": PHONE, "desktop": {"width": 1280, "height": 900}}
BLOCKING = {"serious", "critical"}
# Every WCAG 2.2 A and AA rule axe has, target size included (off by default), and its
# best practices.
RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
LIVE = re.compile(r"^\s*(En direct|Live)\s*$")

_axe = Axe()


@pytest.fixture(scope="module")
def grid_demo(server):
    """The demo barcamp in the afternoon: grid published, everybody seated."""
    return server.demo(reset=True, grid=True)


def bundled_axe_version():
    return re.search(r"axe v(\d+\.\d+\.\d+)", _axe.axe_script[:200]).group(1)


def violations(page: Page, name):
    """The serious and critical violations axe finds on the page, as readable lines."""
    found = _axe.run(page, options=RULES).response["violations"]
    return [
        f"{name}: {v['id']} ({v['impact']}) {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in BLOCKING
    ]


def language_of(locator):
    """The language a screen reader reads this element in (its closest lang)."""
    return locator.evaluate("node => node.closest('[lang]').getAttribute('lang')")


def wait_until_live(page: Page):
    expect(page.locator("[data-live-status]").first).to_have_text(LIVE)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_pages_of_the_day_have_no_serious_accessibility_violation(
    new_context, grid_demo, lang, size
):
    assert bundled_axe_version().startswith("4.")
    viewport = SIZES[size]
    page = new_context(viewport=viewport, is_mobile=size == "phone").new_page()
    page.goto(f"/lang/{lang}?next=/e/BERCY")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    found = violations(page, "join page")

    # A facilitator who takes part too: the projector's pages are theirs.
    page.goto(grid_demo["facilitator"])
    page.goto("/e/BERCY")
    page.locator("section.join input[name=display_name]").fill(f"Axe {lang} {size}")
    page.locator("section.join button[type=submit]").click()
    expect(page.locator("[data-live=my-name]")).to_be_visible()
    wait_until_live(page)
    found += violations(page, "topics")
    # The demo is a French event: what people wrote is read in French, in either UI.
    assert language_of(page.locator(".topic-title").first) == "fr"
    assert language_of(page.locator("#wall-title")) == lang

    page.goto("/e/BERCY/schedule")
    wait_until_live(page)
    found += violations(page, "grid")
    session = page.locator(".cell-title a").first.get_attribute("href")
    talk = page.locator(".talk-programme a").last.get_attribute("href")

    page.goto("/e/BERCY/me")
    found += violations(page, "my day")

    page.goto(session)
    found += violations(page, "session")
    # One h1, the session's title: the notes' own headings come under "Shared notes".
    expect(page.locator("h1")).to_have_count(1)
    assert language_of(page.locator("h1")) == "fr"
    assert language_of(page.locator(".note-reading .markdown")) == "fr"
    page.goto(session + "/note")
    expect(page.locator(".cm-editor")).to_be_visible()
    found += violations(page, "session notes")

    page.goto(talk)
    wait_until_live(page)
    found += violations(page, "testimony")
    expect(page.locator("h1")).to_have_count(1)
    assert language_of(page.locator("h1")) == "fr"

    page.goto("/e/BERCY/facilitate")
    wait_until_live(page)
    found += violations(page, "facilitation")

    page.goto("/e/BERCY/screen")
    wait_until_live(page)
    found += violations(page, "projector")

    assert not found, "\n".join(found)
