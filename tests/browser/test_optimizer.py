"""Paul builds the grid in chromium and sees the optimizer at work: its best score so
far, a progress bar, and a Stop button reached by keyboard; stopped, nothing changes.

The server gives the search far more steps than the demo needs, so that it lasts."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import running_server

pytestmark = pytest.mark.browser

SEARCHING = re.compile(r"Recherche en cours : pour l’instant, \d+ des \d+ votes")
STOPPED = "Arrêté : la grille n’a pas été modifiée."


@pytest.fixture(scope="module")
def server(browser):
    with running_server(SCHEDULE_STEPS="400000") as server:
        yield server


def test_the_facilitator_watches_the_search_and_stops_it_by_keyboard(new_context, demo):
    desk = new_context(viewport={"width": 1280, "height": 800}).new_page()
    desk.goto(demo["facilitator"])
    desk.goto("/e/BERCY/schedule")
    expect(desk.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
    build = desk.locator("form[data-optimize-form] button")
    build.click()

    run = desk.locator("[data-live=optimizer]")
    expect(run.locator("[data-slot=line]")).to_have_text(SEARCHING)
    expect(run.locator("progress")).to_be_visible()
    assert build.get_attribute("aria-disabled") == "true"  # no second run by mistake

    stop = run.locator("[data-optimize-cancel] button")
    stop.focus()
    desk.keyboard.press("Enter")
    expect(run.locator("[data-slot=line]")).to_have_text(STOPPED)
    expect(desk.locator("[data-live=action-error]")).to_be_hidden()  # said once, not twice
    expect(run.locator("progress")).to_be_hidden()
    expect(stop).to_be_hidden()
    expect(desk.locator("ol[data-live=grid] li[data-session-id]")).to_have_count(0)
    expect(build).not_to_have_attribute("aria-disabled", "true")
