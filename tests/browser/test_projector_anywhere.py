"""A projector on its own computer, in Chromium: the facilitator makes a screen link on
their laptop and opens it on the projector's machine (another browser, no cookie of
theirs); the spotlight set from the laptop shows there live; a new link stops it, and
the projector says why."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_marketplace import (
    exactly,
    join_live,
    listed,
    open_phone,
    wait_until_live,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]

TITLE = "Le cloud pour travailler les usages sans projet informatique"
MORE_TOPICS = [
    "Le wiki interministériel, mode d'emploi",
    "Messagerie instantanée et archives publiques",
    "Animer une communauté de pratique",
    "Écrire simple pour être lu",
    "Open data des marchés publics",
    "Former les managers au travail en réseau",
]


def propose(phone, title):
    phone.locator("#propose > summary").click()
    form = phone.locator("[data-propose-form]")
    form.locator("input[name=title]").fill(title)
    form.locator(".propose-buttons button.primary").click()
    anyway = form.locator("button[name=allow_similar]:visible")
    on_wall = phone.locator("ul[data-live=topics] [data-slot=title]", has_text=exactly(title))
    expect(on_wall.or_(anyway).first).to_be_visible()
    if anyway.count():
        anyway.click()
    expect(on_wall).to_have_count(1)
    expect(form).to_be_hidden()


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

    # More topics than fit: the wall shows a page at a time and says which.
    laptop.get_by_role("button", name="Éteindre le projecteur").click()
    expect(spotlight).to_be_hidden()
    phone = open_phone(new_context)
    join_live(phone, "Zélie Martin")
    for title in MORE_TOPICS:
        propose(phone, title)
    caption = projector.locator("[data-live=ranking-page]")
    expect(caption).to_be_visible()
    expect(caption).to_have_text(re.compile(r"^1–\d+ sur 14$"))
    per_page = int(caption.inner_text().split("–")[1].split()[0])
    assert 1 < per_page < 14
    ranking = projector.locator("ol[data-live=ranking] > li")
    expect(ranking).to_have_count(per_page)

    # The facilitator turns the page from the laptop (by the keyboard): it turns there.
    laptop.reload()
    wait_until_live(laptop)
    laptop.get_by_role("button", name="Page suivante").focus()
    laptop.keyboard.press("Enter")
    expect(caption).to_have_text(re.compile(rf"^{per_page + 1}–\d+ sur 14$"))
    # Numbered on from the first page (the second page's first topic is number 11).
    ol = projector.locator("ol[data-live=ranking]")
    expect(ol).to_have_css("counter-reset", f"rank {per_page}")
    expect(laptop.locator("#projector")).to_contain_text("Le mur : page 2")
    laptop.get_by_role("button", name="Défilement automatique").click()
    expect(laptop.locator("#projector")).to_contain_text("ses pages défilent")

    # A new link: the projector stops and says so.
    make_screen_link(laptop)
    status = projector.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "renewed")
    expect(status).to_contain_text("remplacé par un nouveau")


@pytest.fixture(scope="module")
def rehearsal_server(browser):
    """A server whose projector shows the day at 11:00 whatever the hour (CLOCK)."""
    from tests.browser.conftest import running_server

    with running_server(CLOCK="11:00") as server:
        yield server


def test_a_rehearsal_at_any_hour_shows_the_projector_at_the_hour_set(browser, rehearsal_server):
    """At night, the organizers rehearse the afternoon: with CLOCK=11:00 the projector's
    board says what is on at 11:00 in each room, and the countdown runs from there."""
    demo = rehearsal_server.demo(reset=True, grid=True)
    context = browser.new_context(
        base_url=rehearsal_server.base_url, viewport={"width": 1920, "height": 1080}
    )
    try:
        projector = context.new_page()
        projector.goto(demo["facilitator"])
        projector.goto("/e/BERCY/screen")
        state = projector.request.get("/e/BERCY/state.json").json()
        first = next(s for s in state["slots"] if s["kind"] == "sessions")
        assert first["starts_at"][11:16] <= "11:00" < first["ends_at"][11:16], first
        expect(projector.locator("body")).to_have_attribute("data-mode", "board")
        when = projector.locator("[data-live=board] [data-slot=when]")
        expect(when).to_have_text(
            re.compile(rf"^En ce moment · {first['starts_at'][11:16]}–{first['ends_at'][11:16]}$")
        )
        minutes_left = int(first["ends_at"][14:16]) + 60 * (int(first["ends_at"][11:13]) - 11)
        countdown = projector.locator("[data-live=board] [data-slot=countdown]")
        expect(countdown).to_contain_text(re.compile(rf"\b({minutes_left}|{minutes_left - 1})\b"))
    finally:
        context.close()


def fill_the_wall(server, count):
    """Bring the demo's wall to `count` topics, each with a title of the longest length
    allowed, proposed by the demo's people (in the server's database, through the
    same service as the propose form)."""
    from sqlalchemy import select

    from barcamp.extensions import db
    from barcamp.models import Event, Participant, Topic
    from barcamp.models.topic import TITLE_MAX
    from barcamp.services import topics
    from barcamp.unit_of_work import unit_of_work

    server.flask_here("--help")  # makes the in-process app on the server's database
    app = server._here
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.code == "BERCY"))
        people = db.session.scalars(
            select(Participant).where(Participant.event_id == event.id)
        ).all()
        have = db.session.query(Topic).filter(Topic.event_id == event.id).count()
        for n in range(count - have):
            words = f"Sujet {n + 1:03d} : " + " ".join(["interopérabilité des services"] * 6)
            with unit_of_work():
                topics.propose(people[n % len(people)], words[:TITLE_MAX], allow_similar=True)
        db.session.remove()


def test_a_hundred_long_titles_page_calmly_on_the_wall(server, new_context, demo):
    fill_the_wall(server, 100)
    projector = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(demo["facilitator"])
    projector.goto("/e/BERCY/screen")
    wait_until_live(projector)
    caption = projector.locator("[data-live=ranking-page]")
    expect(caption).to_have_text(re.compile(r"^1–\d+ sur 100$"))
    per_page = int(caption.inner_text().split("–")[1].split()[0])
    assert 3 <= per_page < 100
    ranking = projector.locator("ol[data-live=ranking] > li:visible")
    expect(ranking).to_have_count(per_page)
    # Every card shown is whole, inside the screen, nothing sideways.
    boxes = ranking.evaluate_all(
        "cards => cards.map(card => { const r = card.getBoundingClientRect();"
        " return [r.left, r.right, r.bottom, card.scrollWidth - card.clientWidth]; })"
    )
    for left, right, bottom, overflow in boxes:
        assert (left >= 0, right <= 1920, bottom <= 1080, overflow <= 1) == (True,) * 4, boxes
    assert projector.evaluate("document.documentElement.scrollWidth") <= 1920
