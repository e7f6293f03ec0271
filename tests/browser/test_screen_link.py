"""A projector on its own computer, in Chromium: the facilitator makes a screen link on
their laptop and opens it on the projector's machine (another browser, no cookie of
theirs); the spotlight set from the laptop shows there live; a new link stops it, and
the projector says why."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_marketplace import exactly, listed, wait_until_live

pytestmark = [pytest.mark.browser, pytest.mark.server]

TITLE = "Le cloud pour travailler les usages sans projet informatique"


def make_screen_link(facilitation):
    facilitation.get_by_role("button", name="lien d’écran").click()
    expect(facilitation.get_by_role("heading", level=1)).to_have_text(
        "Un vidéoprojecteur en direct sur un autre ordinateur"
    )
    link = facilitation.get_by_label("Le lien d’écran").input_value()
    assert "/screen/key/" in link
    return link


def test_a_projector_opened_by_screen_link_follows_the_facilitator(demo, new_context):
    laptop = new_context(viewport={"width": 1280, "height": 900}).new_page()
    laptop.goto(demo["facilitator"])
    expect(laptop).to_have_url(f"{laptop.url.split('/e/')[0]}/e/BERCY/facilitate")
    link = make_screen_link(laptop)

    # The projector's own computer: nobody joined there, it only opens the link.
    projector = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(link)
    expect(projector).to_have_url(f"{link.split('/e/')[0]}/e/BERCY/screen")
    wait_until_live(projector)
    expect(projector.locator(".screen-notice")).to_have_count(0)
    expect(projector.locator(".screen-keys")).to_have_count(0)  # no controls there
    spotlight = projector.locator("[data-live=spotlight]")
    expect(spotlight).to_be_hidden()

    # From the laptop, the facilitator puts a topic in the spotlight: it shows there.
    laptop.goto("/e/BERCY/facilitate")
    wait_until_live(laptop)
    listed(laptop, TITLE).locator("form[data-live-action=topic_spotlight] button").click()
    expect(spotlight).to_be_visible()
    expect(spotlight.locator("[data-slot=title]")).to_have_text(exactly(TITLE))

    # A new link: the projector stops and says so.
    make_screen_link(laptop)
    status = projector.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "renewed")
    expect(status).to_contain_text("remplacé par un nouveau")
