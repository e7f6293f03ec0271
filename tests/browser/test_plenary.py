"""The closing plenary of the demo barcamp, in Chromium: the speaker corrects their
testimony through the link the organizers sent; a phone asks a question, a second
phone upvotes it, live; the facilitator shows it on the projector; then the
report-back steps through the demo's workshops by the keyboard. And the projector's
live regions say only what changed.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_keyboard import RECORD_LIVE_REGIONS
from tests.browser.test_marketplace import exactly, join_live, open_phone, wait_until_live

pytestmark = [pytest.mark.browser, pytest.mark.server]

TESTIMONY = "Le réseau social d'entreprise de L'Oréal"
QUESTION = "Combien de temps a-t-il fallu pour convaincre la direction ?"


@pytest.fixture
def grid_demo(server):
    """A fresh demo event with its grid published and five workshops' notes written."""
    return server.demo(reset=True, grid=True)


def open_testimony(page: Page):
    page.goto("/e/BERCY/testimonies")
    page.get_by_role("link", name=TESTIMONY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TESTIMONY)
    return page.url


def question(page: Page, text):
    return page.locator("ol[data-questions] > li").filter(
        has=page.locator(".question-text", has_text=exactly(text))
    )


def test_the_speaker_the_room_and_the_projector_at_the_closing_plenary(grid_demo, new_context):
    # The facilitator's laptop: the talk's page, then the projector in another tab.
    laptop = new_context(viewport={"width": 1280, "height": 900})
    facilitator = laptop.new_page()
    facilitator.goto(grid_demo["facilitator"])
    talk_url = open_testimony(facilitator)

    # The organizers make the speaker's link; the speaker opens it on their own laptop
    # and corrects a key figure, without an account.
    facilitator.get_by_role("button", name=re.compile("lien d.intervenant")).click()
    link = facilitator.locator("code.speaker-link").inner_text()
    speaker = new_context(viewport={"width": 1280, "height": 900}).new_page()
    speaker.goto(link)
    expect(speaker).to_have_url(re.compile(r"/testimonies/\d+/edit$"))
    figures = speaker.locator("textarea[name=figures]")
    figures.fill(figures.input_value().replace("6 000", "6 500"))
    speaker.get_by_role("button", name=re.compile("Enregistrer", re.I)).click()
    expect(speaker.locator("dl.figures")).to_contain_text("6 500")
    facilitator.goto(talk_url.replace(grid_demo["facilitator"], ""))
    facilitator.get_by_role("link", name="Historique de la page").first.click()
    expect(facilitator.locator("main")).to_contain_text("(intervenant)")

    # The projector puts the plenary on: the testimony on stage with its key figures.
    projector = laptop.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto("/e/BERCY/screen")
    wait_until_live(projector)
    projector.keyboard.press("p")
    expect(projector.locator("body")).to_have_attribute("data-mode", "plenary")
    stage = projector.locator("[data-live=plenary]")
    # The talk on stage is the one of the hour, whatever the hour the test runs: to the
    # testimony, talk by talk, as a presenter's clicker does.
    title = stage.locator("[data-slot=title]")
    titles = projector.evaluate("window.barcampLive.state().talks.map(t => t.title)")
    for _ in range(len(titles)):
        shown = title.inner_text()
        if shown == TESTIMONY:
            break
        before = titles.index(TESTIMONY) < titles.index(shown)
        projector.keyboard.press("ArrowLeft" if before else "ArrowRight")
        expect(title).not_to_have_text(shown)  # the next talk is on stage
    expect(title).to_have_text(TESTIMONY)
    expect(stage.locator("[data-slot=figures]")).to_contain_text("6 500")

    # A phone asks; a second phone sees it arrive and upvotes it; the first sees it count.
    asking = open_phone(new_context)
    join_live(asking, "Zélie Martin")
    asking.goto(talk_url.replace(grid_demo["facilitator"], ""))
    wait_until_live(asking)
    other = open_phone(new_context)
    join_live(other, "Gaspard")
    other.goto(asking.url)
    wait_until_live(other)
    asking.get_by_label("Votre question").fill(QUESTION)
    asking.get_by_role("button", name="Envoyer ma question").click()
    expect(asking.locator("[data-questions-announce]")).to_have_text("Votre question est envoyée.")
    expect(asking.get_by_label("Votre question")).to_have_value("")
    arrived = question(other, QUESTION)
    expect(arrived).to_have_count(1)
    expect(arrived.locator(".question-author")).to_have_text("Zélie Martin")
    arrived.get_by_role("button", name=re.compile("Soutenir")).click()
    expect(arrived.get_by_role("button", name=re.compile("Soutenir"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(question(asking, QUESTION).locator(".upvote-count")).to_have_text("1")

    # The facilitator shows it on the projector, large.
    facilitator.goto(asking.url)
    wait_until_live(facilitator)
    question(facilitator, QUESTION).get_by_role(
        "button", name=re.compile("Afficher au projecteur")
    ).click()
    shown = projector.locator("[data-live=plenary] [data-slot=question]")
    expect(shown).to_be_visible()
    expect(shown.locator("[data-slot=question-text]")).to_have_text(QUESTION)
    expect(shown.locator("[data-slot=question-meta]")).to_have_text("Zélie Martin")

    # The report-back: one workshop at a time, stepped by the keyboard.
    projector.keyboard.press("r")
    report = projector.locator("[data-live=report]")
    expect(projector.locator("body")).to_have_attribute("data-mode", "report")
    progress = report.locator("[data-slot=progress]")
    expect(progress).to_have_text(re.compile(r"^Atelier 1 sur 8$"))
    titles = [report.locator("[data-slot=title]").inner_text()]
    for step in range(2, 9):
        projector.keyboard.press("ArrowRight")
        expect(progress).to_have_text(f"Atelier {step} sur 8")
        titles.append(report.locator("[data-slot=title]").inner_text())
    assert len(set(titles)) == 8  # every workshop of the grid, once
    # Each has its people and what it produced, from its notes.
    for _ in range(7):
        projector.keyboard.press("ArrowLeft")
    expect(progress).to_have_text("Atelier 1 sur 8")
    expect(report.locator("[data-slot=people]")).to_contain_text("Animé par Amélie B.")
    expect(report.locator("[data-slot=decisions]")).to_contain_text("groupe d'entraide")
    expect(report.locator("[data-slot=todo]")).to_contain_text("espace d'échange")
    # The phone in the room is not a remote control.
    other.keyboard.press("r")
    expect(projector.locator("body")).to_have_attribute("data-mode", "report")


def test_the_projectors_live_regions_stay_quiet_while_the_room_votes_and_asks(
    grid_demo, new_context
):
    """A screen reader at the projector hears the question shown and the workshop
    reported on when they change, not the same text again at every broadcast."""
    laptop = new_context(viewport={"width": 1280, "height": 900})
    facilitator = laptop.new_page()
    facilitator.goto(grid_demo["facilitator"])
    talk_url = open_testimony(facilitator)
    wait_until_live(facilitator)
    projector = laptop.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto("/e/BERCY/screen")
    wait_until_live(projector)
    asking = open_phone(new_context)
    join_live(asking, "Zélie Martin")
    asking.goto(talk_url)
    wait_until_live(asking)
    asking.get_by_label("Votre question").fill(QUESTION)
    asking.get_by_role("button", name="Envoyer ma question").click()
    question(facilitator, QUESTION).get_by_role(
        "button", name=re.compile("Afficher au projecteur")
    ).click()
    shown = projector.locator("[data-live=plenary] [data-slot=question-text]")
    expect(shown).to_have_text(QUESTION)

    # The question on the big screen; the room asks more and upvotes.
    projector.evaluate(RECORD_LIVE_REGIONS)
    asking.get_by_label("Votre question").fill("Et le budget ?")
    asking.get_by_role("button", name="Envoyer ma question").click()
    expect(question(facilitator, "Et le budget ?")).to_have_count(1)
    expect(projector.locator("[data-live=plenary] [data-slot=questions]")).to_contain_text(
        "Et le budget ?"
    )
    assert projector.evaluate("window.__spoken") == []

    # The report-back on the big screen; the room still asks.
    projector.keyboard.press("r")
    expect(projector.locator("body")).to_have_attribute("data-mode", "report")
    title = projector.locator("[data-live=report] [data-slot=title]")
    expect(title).not_to_be_empty()
    projector.wait_for_timeout(500)  # the workshops' reports arrive (one fetch)
    projector.evaluate(RECORD_LIVE_REGIONS)
    asking.get_by_label("Votre question").fill("Et la suite ?")
    asking.get_by_role("button", name="Envoyer ma question").click()
    expect(question(facilitator, "Et la suite ?")).to_have_count(1)
    projector.wait_for_timeout(500)  # the projector heard it too
    assert projector.evaluate("window.__spoken") == []
