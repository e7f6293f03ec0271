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

# One worker runs them all: one server, one demo, one browser.
pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.xdist_group("accessibility")]

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


LONG_TITLE = (
    "Mutualiser les plateformes d'achat interministérielles : retours d'expérience, "
    "écueils et conditions de réussite"
)
assert len(LONG_TITLE) <= 120


def scrolls_sideways(page: Page, width):
    """How many CSS pixels the page is wider than a phone `width` wide (0: it is not;
    a phone widens its layout to the page, so window.innerWidth would not tell)."""
    return page.evaluate("document.documentElement.scrollWidth") - width


def test_no_page_scrolls_sideways_on_a_320_px_phone(new_context, grid_demo):
    """WCAG 1.4.10: at 320 px everything reflows, the organizer's pages too (the merge
    lists are as wide as the longest title)."""
    page = new_context(viewport={"width": 320, "height": 640}, is_mobile=True).new_page()
    wide = {}
    for path in ("/", "/new", "/accessibility", "/e/BERCY"):
        page.goto(path)
        wide[path] = scrolls_sideways(page, 320)
    page.goto(grid_demo["organizer"])
    page.goto("/e/BERCY")
    page.locator("section.join input[name=display_name]").fill("Reflow à 320 px")
    page.locator("section.join button[type=submit]").click()
    expect(page.locator("[data-live=my-name]")).to_be_visible()
    # A topic whose title is as long as allowed (120 characters), as the organizer may
    # write it: every list to merge into or place is as wide as its longest title.
    page.goto("/e/BERCY/facilitate")
    page.locator(".facilitate-list a[href$='/edit']").last.click()
    page.locator("input[name=title]").fill(LONG_TITLE)
    page.locator("form button[type=submit]").first.click()
    page.goto("/e/BERCY/schedule")
    session = page.locator(".cell-title a").first.get_attribute("href")
    talk = page.locator(".talk-programme a").last.get_attribute("href")
    for path in (
        "/e/BERCY",
        "/e/BERCY/schedule",
        "/e/BERCY/me",
        session,
        session + "/note",
        session + "/note/history",
        "/e/BERCY/testimonies",
        talk,
        "/e/BERCY/facilitate",
        "/e/BERCY/organize",
    ):
        assert page.goto(path).ok, path
        wide[path] = scrolls_sideways(page, 320)
    assert {path: px for path, px in wide.items() if px > 0} == {}


def test_the_projector_text_grows_with_the_browser_zoom(new_context, grid_demo):
    """WCAG 1.4.4: at 200 % zoom (half as many CSS pixels, each twice as big) the
    projector's text is bigger on the wall, not the same size as text sized in vw/vh
    alone would be."""

    def sizes(zoom):
        context = new_context(
            viewport={"width": 1920 // zoom, "height": 1080 // zoom}, device_scale_factor=zoom
        )
        page = context.new_page()
        page.goto(grid_demo["facilitator"])
        page.goto("/e/BERCY/screen")
        wait_until_live(page)
        return {
            selector: zoom
            * float(
                page.locator(selector).first.evaluate(
                    "node => parseFloat(getComputedStyle(node).fontSize)"
                )
            )
            for selector in ("h1", ".board li", ".screen-count", ".screen-people .people li")
        }

    at_100, at_200 = sizes(1), sizes(2)
    for selector, size in at_100.items():
        assert at_200[selector] >= 1.3 * size, (selector, size, at_200[selector])
