"""Screenshots of the demo barcamp in French and English, for the docs and for review.

Starts the real server on a throwaway database (as the browser tests do), then saves
to docs/screenshots/, for each language:
  phone-front-<lang>.png          the front page, 360x740, full page
  phone-event-<lang>.png          the event page after joining and one vote: the budget
                                  bar and the wall of topics, 360x740, full page
  phone-propose-<lang>.png        "Propose a topic" open, a near-duplicate title typed
                                  and its suggestion shown, 360x740, the viewport only
  phone-organizer-<lang>.png      the organizer page, 360x740, full page
  desktop-facilitate-<lang>.png   the facilitator page, 1280x800, full page
  projector-<lang>.png            the projector screen (the wall and its ranking),
                                  1920x1080, the viewport only
  projector-spotlight-<lang>.png  the same with a topic in the spotlight
  projector-pages-<lang>.png      the wall with more topics than fit: a page at a time,
                                  "1–10 of 13" under it
  desktop-grid-<lang>.png         the facilitator's grid page once built (not published
                                  yet), with its editing controls, 1280x800, full page
  phone-grid-<lang>.png           the grid on the phone once published, after "Seat me
                                  in what I voted for" and one seat taken, full page
  phone-day-<lang>.png            "my day" on the phone, with the calendar link made
  desktop-notes-<lang>.png        a session's shared notes being written with the toolbar,
                                  another writer's caret showing, 1280x800
  phone-session-<lang>.png        a session's page on the phone: roles, the notes as read
  projector-board-<lang>.png      the projector once the grid is published: the now/next
                                  board, its clock set to the first round, 1920x1080
  phone-talk-<lang>.png           a testimony's page on the phone during the closing
                                  plenary: a question just asked, the room's questions
                                  with their upvotes, full page
  projector-plenary-<lang>.png    the projector's plenary: the testimony on stage, its
                                  key figures, the top questions, one shown large
  projector-report-<lang>.png     the projector's report-back: one workshop's decisions
                                  and actions, from its notes
and, in French only (the event's language): desktop-proceedings-fr.png, the proceedings
page at its programme, 1280x800.

Run it with `scripts/screenshots` (which compiles the translations first) or
`.venv/bin/python scripts/screenshots.py [--out DIR]`. It also prints what a reviewer
should look at: pages wider than the screen, and errors in the browser console.
"""

import argparse
import re
import shutil
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, PHONE, launch_chromium  # noqa: E402
from tests.live_server import LiveServer  # noqa: E402

PROJECTOR = {"width": 1920, "height": 1080}
DESKTOP = {"width": 1280, "height": 800}
JOINED_AS = {"fr": "Camille (préfecture)", "en": "Camille (city hall)"}
LANGUAGES = ("fr", "en")
# A near-duplicate of a demo topic ("Résistance au changement et désarroi").
NEAR_DUPLICATE = {"fr": "résistance au changement", "en": "Résistance au changement ?"}
SPOTLIT = "Résistance au changement et désarroi"
BUILD_TIMEOUT = 30_000  # the optimizer runs in a subprocess


class Shooter:
    def __init__(self, browser, server, out):
        self.browser = browser
        self.server = server
        self.out = out
        self.notes = []
        self.contexts = []

    def context(self, lang, viewport, **options):
        context = self.browser.new_context(
            base_url=self.server.base_url,
            viewport=viewport,
            locale="fr-FR" if lang == "fr" else "en-GB",
            **options,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return context

    def page(self, context, name):
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and self.notes.append(f"{name}: console error: {message.text}")
            ),
        )
        page.on("pageerror", lambda error: self.notes.append(f"{name}: script error: {error}"))
        return page

    def open_in_language(self, page, lang, url):
        """Choose the language, then open `url`."""
        page.goto(f"/lang/{lang}?next={quote(urlsplit(url).path)}")
        expect(page.locator("html")).to_have_attribute("lang", lang)

    def save(self, page, name, full_page):
        width = page.viewport_size["width"]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            self.notes.append(f"{name}: the page is {scroll_width}px wide on a {width}px screen")
        clipped = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(e => e.offsetParent !== null && e.clientWidth > 1
                              && e.scrollWidth > e.clientWidth + 1
                              && getComputedStyle(e).overflowX !== 'visible'
                              && !['INPUT', 'TEXTAREA', 'SELECT'].includes(e.tagName))
                 .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
        for element in clipped:
            self.notes.append(f"{name}: content wider than its box, cut, in <{element}>")
        path = self.out / f"{name}.png"
        page.screenshot(path=path, full_page=full_page, animations="disabled", caret="hide")
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    def shoot(self, lang, links):
        # A person's phone: the front page, then the event page once joined.
        phone = self.page(self.context(lang, PHONE, is_mobile=True, has_touch=True), "phone")
        self.open_in_language(phone, lang, "/")
        self.save(phone, f"phone-front-{lang}", full_page=True)
        phone.goto("/e/BERCY")
        phone.locator("input[name=display_name]").fill(JOINED_AS[lang])
        phone.locator("section.join button[type=submit]").click()
        expect(phone.locator("[data-live=my-name]")).to_have_text(JOINED_AS[lang])
        expect(phone.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
        # One vote, so the wall shows a card voted for and the budget going down.
        budget = phone.locator("[data-live=budget]")
        before = budget.inner_text()
        first = phone.locator("ul[data-live=topics] > li[data-topic-id]").first
        first.locator("[data-control=vote] button").click()
        expect(first.locator("[data-control=unvote]")).to_be_visible()
        expect(budget).not_to_have_text(before)
        phone.evaluate("window.scrollTo(0, 0)")  # else the sticky bar shows mid-page
        self.save(phone, f"phone-event-{lang}", full_page=True)

        # Proposing: a title close to one on the wall is suggested before sending.
        phone.locator("#propose > summary").click()
        title = phone.locator("[data-propose-form] input[name=title]")
        title.press_sequentially(NEAR_DUPLICATE[lang])
        expect(phone.locator("[data-propose-form] [data-live=similar]")).to_be_visible()
        # The form's top just under the sticky budget bar.
        phone.evaluate(
            """() => {
                const bar = document.querySelector('.market-bar').getBoundingClientRect();
                const top = document.getElementById('propose').getBoundingClientRect().top;
                window.scrollBy(0, top - bar.height - 8);
            }"""
        )
        self.save(phone, f"phone-propose-{lang}", full_page=False)

        # The organizer, on their phone.
        organizer = self.page(self.context(lang, PHONE, is_mobile=True, has_touch=True), "org")
        self.open_in_language(organizer, lang, links["organizer"])
        expect(organizer).to_have_url(re.compile(r"/e/BERCY/organize$"))
        self.save(organizer, f"phone-organizer-{lang}", full_page=True)

        # The laptop on the projector, with the facilitator link.
        projector = self.page(self.context(lang, PROJECTOR), "projector")
        self.open_in_language(projector, lang, links["facilitator"])
        projector.goto("/e/BERCY/screen")
        expect(projector.locator("html")).to_have_attribute("lang", lang)
        expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
        expect(projector.locator("[data-live=people] .name").first).to_have_text(JOINED_AS[lang])
        self.save(projector, f"projector-{lang}", full_page=False)

        # The facilitator page, in a second tab of that laptop; a topic to the spotlight.
        facilitate = self.page(projector.context, "facilitate")
        facilitate.set_viewport_size(DESKTOP)
        facilitate.goto("/e/BERCY/facilitate")
        expect(facilitate.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )
        self.save(facilitate, f"desktop-facilitate-{lang}", full_page=True)
        # (Each entry lists the other titles too, in its "Merge into" menu.)
        title = facilitate.locator(".topic-line strong", has_text=SPOTLIT)
        topic = facilitate.locator("ol.facilitate-list > li").filter(has=title)
        topic.locator("form[data-live-action=topic_spotlight] button").click()
        spotlight = projector.locator("[data-live=spotlight]")
        expect(spotlight.locator("[data-slot=title]")).to_have_text(SPOTLIT)
        expect(spotlight).to_be_visible()
        self.save(projector, f"projector-spotlight-{lang}", full_page=False)
        facilitate.locator(
            "section form[data-live-action=topic_spotlight]:not(:has(input[name=topic_id])) button"
        ).click()
        expect(spotlight).to_be_hidden()

        # A bigger marketplace: more topics than the projector holds, a page at a time
        # (four more: a person may propose ten times a minute, a near-duplicate twice).
        phone.goto("/e/BERCY")
        for title in MORE_TOPICS[lang]:
            phone.locator("#propose > summary").click()
            form = phone.locator("[data-propose-form]")
            form.locator("input[name=title]").fill(title)
            form.locator(".propose-buttons button.primary").click()
            anyway = form.locator("button[name=allow_similar]:visible")
            on_wall = phone.locator("ul[data-live=topics] [data-slot=title]", has_text=title)
            expect(on_wall.or_(anyway).first).to_be_visible()
            if anyway.count():
                anyway.click()
            expect(on_wall).to_have_count(1)
        caption = projector.locator("[data-live=ranking-page]")
        expect(caption).to_be_visible()
        self.save(projector, f"projector-pages-{lang}", full_page=False)

        self.shoot_grid(lang, phone, projector.context)

        for context in self.contexts:
            context.close()
        self.contexts.clear()

    def shoot_grid(self, lang, phone, laptop):
        """The grid: built and published by the facilitator, seats taken on the phone,
        then "my day" and the projector's board."""
        grid = self.page(laptop, "grid")
        grid.set_viewport_size(DESKTOP)
        grid.goto("/e/BERCY/schedule")
        expect(grid.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
        grid.locator("form[data-live-action=schedule_optimize] button").click()
        expect(grid.locator("li[data-session-id]").first).to_be_visible(timeout=BUILD_TIMEOUT)
        expect(grid.locator("p.report")).to_be_visible()
        self.save(grid, f"desktop-grid-{lang}", full_page=True)
        grid.once("dialog", lambda dialog: dialog.accept())
        grid.locator("form[data-live-action=schedule_publish] button").click()
        expect(grid.locator("form[data-live-action=schedule_publish]")).to_have_count(0)

        # The phone (it voted for one topic): "Seat me", then a seat in another round.
        phone.goto("/e/BERCY/schedule")
        expect(phone.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
        mine = phone.locator("li.cell.my-seat")
        phone.locator("form[data-live-action=seat_me] button").click()
        expect(mine).to_have_count(1)
        free_round = phone.locator("li.grid-sessions").filter(
            has_not=phone.locator("li.cell.my-seat")
        )
        free_round.first.locator("form[data-control=take] button").first.click()
        expect(mine).to_have_count(2)
        for count in mine.locator("[data-slot=taken]").all():  # counts come a moment later
            expect(count).not_to_have_text("0")
        phone.evaluate("window.scrollTo(0, 0)")
        self.save(phone, f"phone-grid-{lang}", full_page=True)

        phone.goto("/e/BERCY/me")
        phone.locator("#calendar form button[type=submit]").click()
        expect(phone.locator("#calendar-url")).to_be_visible()
        phone.evaluate("window.scrollTo(0, 0)")
        self.save(phone, f"phone-day-{lang}", full_page=True)

        # A session's page (the phone takes the note-taker role), then its shared notes
        # being written on the laptop.
        phone.goto("/e/BERCY/schedule")
        phone.locator("li.cell.my-seat .cell-title a").first.click()
        phone.locator("#roles form").nth(1).locator("button").click()
        expect(phone.locator("#roles form").nth(1).locator("input[name=taking]")).to_have_value(
            "false"
        )
        editor_path = urlsplit(phone.url).path + "/note"
        notes = self.page(laptop, "notes")
        notes.set_viewport_size(DESKTOP)
        notes.goto(editor_path)
        status = notes.locator("#note-status")
        expect(status).to_have_attribute("data-state", "saved")
        text = notes.locator("#note-content")
        text.click()
        text.press("Control+End")
        heading, point, action = NOTE_LINES[lang]
        text.press_sequentially(f"\n{heading}", delay=2)
        notes.locator("#note-format [data-format=heading]").click()
        text.press("End")
        text.press_sequentially(f"\n- {point}\n{action}", delay=2)  # Enter goes on listing
        notes.locator("#note-format [data-format=todo]").click()
        # The phone opens the notes too: its caret shows on the laptop, with its name.
        session_path = urlsplit(phone.url).path
        phone.goto(editor_path)
        expect(phone.locator("#note-status")).to_have_attribute("data-state", "saved")
        phone.locator(".cm-line", has_text=point).click()
        expect(notes.locator(".cm-writer-name")).to_have_text(JOINED_AS[lang])
        expect(status).to_have_attribute("data-state", "saved")
        self.save(notes, f"desktop-notes-{lang}", full_page=False)
        phone.goto(session_path)
        expect(phone.locator(".markdown")).to_contain_text(point)
        phone.evaluate("window.scrollTo(0, 0)")
        self.save(phone, f"phone-session-{lang}", full_page=True)

        # The projector, its clock a quarter of an hour into the first round.
        state = phone.request.get("/e/BERCY/state.json").json()
        first = next(slot for slot in state["slots"] if slot["kind"] == "sessions")
        zone = ZoneInfo(state["event"]["timezone"])
        starts = datetime.fromisoformat(first["starts_at"]).replace(tzinfo=zone)
        laptop.clock.set_fixed_time(starts + timedelta(minutes=15))
        board = self.page(laptop, "board")
        board.goto("/e/BERCY/screen")
        expect(board.locator("body")).to_have_attribute("data-mode", "board")
        expect(board.locator("[data-live=board] [data-slot=seats]").first).not_to_be_empty()
        self.save(board, f"projector-board-{lang}", full_page=False)

    def shoot_plenary(self, lang, links):
        """The closing plenary (on the demo with its grid and workshops' notes): a phone
        asks the speaker a question; the projector shows the talk, then that question
        large, then the report-back."""
        phone = self.page(self.context(lang, PHONE, is_mobile=True, has_touch=True), "talk")
        self.open_in_language(phone, lang, "/e/BERCY")
        phone.locator("input[name=display_name]").fill(JOINED_AS[lang])
        phone.locator("section.join button[type=submit]").click()
        expect(phone.locator("[data-live=my-name]")).to_have_text(JOINED_AS[lang])
        phone.goto("/e/BERCY/testimonies")
        phone.locator("main a", has_text=TESTIMONY).first.click()
        expect(phone.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
        phone.locator("[data-question-form] textarea[name=text]").fill(QUESTION[lang])
        phone.locator("[data-question-form] button[type=submit]").click()
        asked = phone.locator("ol[data-questions] > li", has_text=QUESTION[lang])
        expect(asked).to_have_count(1)
        expect(phone.locator("[data-question-form] textarea[name=text]")).to_have_value("")
        phone.evaluate("window.scrollTo(0, 0)")
        self.save(phone, f"phone-talk-{lang}", full_page=True)

        laptop = self.context(lang, PROJECTOR)
        facilitator = self.page(laptop, "moderate")
        self.open_in_language(facilitator, lang, links["facilitator"])
        facilitator.goto(urlsplit(phone.url).path)
        expect(facilitator.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )
        projector = self.page(laptop, "plenary")
        projector.goto("/e/BERCY/screen")
        expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
        # "Show on the projector" puts the plenary on, with that talk and question.
        shown = facilitator.locator("ol[data-questions] > li", has_text=QUESTION[lang])
        shown.locator("form[data-live-action=screen_set] button").click()
        expect(projector.locator("body")).to_have_attribute("data-mode", "plenary")
        stage = projector.locator("[data-live=plenary]")
        expect(stage.locator("[data-slot=title]")).to_have_text(TESTIMONY)
        expect(stage.locator("[data-slot=question-text]")).to_have_text(QUESTION[lang])
        self.save(projector, f"projector-plenary-{lang}", full_page=False)

        projector.keyboard.press("r")
        expect(projector.locator("body")).to_have_attribute("data-mode", "report")
        report = projector.locator("[data-live=report]")
        expect(report.locator("[data-slot=decisions]")).not_to_be_empty()
        self.save(projector, f"projector-report-{lang}", full_page=False)

        if lang == "fr":  # the proceedings are in the event's language, whatever the reader's
            organizer = self.page(self.context(lang, DESKTOP), "proceedings")
            organizer.goto(links["organizer"])
            organizer.goto("/e/BERCY/proceedings.html")
            organizer.evaluate("document.querySelector('#programme').scrollIntoView()")
            self.save(organizer, "desktop-proceedings-fr", full_page=False)

        for context in self.contexts:
            context.close()
        self.contexts.clear()


TESTIMONY = "Le réseau social d'entreprise de L'Oréal"
QUESTION = {
    "fr": "Combien de temps a-t-il fallu pour convaincre la direction ?",
    "en": "How long did it take to win the management over?",
}
MORE_TOPICS = {
    "fr": [
        "Le wiki interministériel, mode d'emploi",
        "Messagerie instantanée et archives publiques",
        "Animer une communauté de pratique",
        "Écrire simple pour être lu",
    ],
    "en": [
        "The cross-ministry wiki, a user's guide",
        "Instant messaging and public records",
        "Running a community of practice",
        "Writing plainly to be read",
    ],
}
NOTE_LINES = {  # a heading, a point, an action (typed with the toolbar)
    "fr": (
        "Pour la restitution",
        "Trois idées à retenir, présentées par le rapporteur",
        "Envoyer le compte rendu aux participants — Paul, vendredi",
    ),
    "en": (
        "For the wrap-up",
        "Three ideas to keep, presented by the note-taker",
        "Send the notes to everyone who came — Paul, Friday",
    ),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (scripts/ensure-chromium)")
    args.out.mkdir(parents=True, exist_ok=True)

    workdir = tempfile.mkdtemp(prefix="barcamp-screenshots-")
    # A public address, so the pictures show what an instance shows (and stay the same).
    server = LiveServer(workdir, BASE_URL="https://barcamp.example.org")
    try:
        server.prepare()
        server.start()
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            shooter = Shooter(browser, server, args.out)
            try:
                for lang in LANGUAGES:
                    # The same starting point for each language: the demo's 60 people.
                    shooter.shoot(lang, server.demo(reset=True))
                    # The afternoon: the grid published, the workshops' notes written.
                    shooter.shoot_plenary(lang, server.demo(reset=True, grid=True))
            finally:
                browser.close()
    except Exception:
        print(f"Server log (end):\n{server.log()}", file=sys.stderr)
        raise
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    if shooter.notes:
        print("To look at:")
        for note in dict.fromkeys(shooter.notes):
            print(f"  - {note}")


if __name__ == "__main__":
    main()
