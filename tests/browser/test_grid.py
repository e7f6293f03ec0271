"""The grid of the demo barcamp, live: build, edit by keyboard, publish, take seats.

Each test starts from a fresh demo event (French, 60 people, 4 rooms, 3 workshop slots
today, 8 topics with votes). The facilitator builds the grid with the optimizer (a
subprocess: a few seconds); when a test is not about building, the facilitator does it
over HTTP with the plain forms, as do the crowds filling a room. Phones join with a name.
Everything must change without a page reload (the grid page fetches its <main> again,
so a mark on `window` survives), except on the phone without JavaScript.
Text is matched in French or English, as the catalogs may still be partly untranslated.
"""

import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.server]

BUILD_TIMEOUT = 30_000  # the optimizer runs in a subprocess
HTTP_TIMEOUT = 30
NOT_PUBLISHED = re.compile(r"pas encore publiée|not published yet", re.I)
FULL = re.compile(r"complet|full", re.I)
YOU_GO_HERE = re.compile(r"Vous y allez|You go here", re.I)
PINNED = re.compile(r"^\s*(épinglé|pinned)\s*$", re.I)
UNPIN = re.compile(r"^\s*(Désépingler|Unpin)\s*$", re.I)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def seats(taken, capacity):
    """An occupancy line: '3 / 20', perhaps followed by the 'full' badge."""
    return re.compile(rf"^\s*{taken}\s*/\s*{capacity}\b")


# ---- people over HTTP: the plain forms ----


class Visitor:
    """A browser without JavaScript, as `requests`: a cookie jar and the plain forms."""

    def __init__(self, server):
        self.server = server
        self.http = requests.Session()

    def get(self, path):
        response = self.http.get(self.server.url(path), timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response

    def post(self, path, form_page="/e/BERCY/schedule", **data):
        """Send a plain form found on `form_page` (for its CSRF token); no error flashed."""
        token = CSRF.search(self.get(form_page).text)
        assert token, f"{form_page} has no form with a CSRF token"
        data["csrf_token"] = html.unescape(token.group(1))
        response = self.http.post(self.server.url(path), data=data, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        assert "flash-error" not in response.text, (path, data, response.text[:2000])
        return response

    def join(self, name):
        self.post("/e/BERCY/join", form_page="/e/BERCY", display_name=name)
        return self

    def state(self):
        return self.get("/e/BERCY/state.json").json()


@pytest.fixture
def facilitator_http(server, demo):
    visitor = Visitor(server)
    visitor.get(demo["facilitator"])
    yield visitor
    visitor.http.close()


def build(facilitator: Visitor):
    facilitator.post("/e/BERCY/schedule/optimize")


def publish(facilitator: Visitor):
    facilitator.post("/e/BERCY/schedule/publish")
    state = facilitator.state()
    assert state["schedule"]["published"]
    return state


def built_and_published(facilitator: Visitor):
    build(facilitator)
    return publish(facilitator)


def workshop_slots(state):
    return [slot for slot in state["slots"] if slot["kind"] == "sessions"]


def room_named(state, name):
    return next(room for room in state["rooms"] if room["name"] == name)


def title_of(state, session):
    return next(t["title"] for t in state["topics"] if t["id"] == session["topic_id"])


# ---- pages ----


def wait_until_live(page: Page):
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "connected")


def mark_page(page: Page):
    """Tag this document: the tag survives anything but a reload or a navigation."""
    page.evaluate("window.__sameDocument = true")


def assert_same_page(page: Page, what):
    assert page.evaluate("window.__sameDocument === true"), f"{what} reloaded instead of live"


def open_phone(new_context, **options):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options).new_page()
    page.goto("/e/BERCY")
    return page


def join(phone: Page, name):
    phone.locator("section.join input[name=display_name]").fill(name)
    phone.locator("section.join button[type=submit]").click()
    expect(phone.locator("[data-live=my-name]")).to_have_text(exactly(name))


def open_grid(page: Page):
    """The grid page, live, marked."""
    page.goto("/e/BERCY/schedule")
    wait_until_live(page)
    mark_page(page)
    return page


def phone_on_the_grid(new_context, name):
    phone = open_phone(new_context)
    join(phone, name)
    return open_grid(phone)


def session_cell(page: Page, session_id):
    return page.locator(f"ol[data-live=grid] li[data-session-id='{session_id}']")


def taken(page: Page, session_id):
    return session_cell(page, session_id).locator("[data-occupancy] [data-slot=taken]")


def take_button(page: Page, session_id):
    return session_cell(page, session_id).locator("form[data-control=take] button")


def leave_form(page: Page, session_id):
    return session_cell(page, session_id).locator("form[data-control=leave]")


def cell_in(page: Page, slot_index, room_name):
    """The cell of a room in the n-th workshop slot of the grid page."""
    row = page.locator("ol[data-live=grid] > li.grid-sessions").nth(slot_index)
    return row.locator("ul.cells > li.cell").filter(
        has=page.locator(".cell-room", has_text=re.compile(rf"^\s*{re.escape(room_name)}\b"))
    )


def my_seat_titles(page: Page):
    return [t.strip() for t in page.locator("li.cell.my-seat .cell-title a").all_inner_texts()]


def open_projector(new_context, demo, state, slot):
    """The laptop on the projector, its clock ten minutes before `slot`: once the grid
    is published, the board shows that slot as next."""
    page = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    zone = ZoneInfo(state["event"]["timezone"])
    starts = datetime.fromisoformat(slot["starts_at"]).replace(tzinfo=zone)
    assert starts.date() == date.fromisoformat(state["event"]["starts_on"])
    page.clock.set_fixed_time(starts - timedelta(minutes=10))
    page.goto(demo["facilitator"])
    page.goto("/e/BERCY/screen")
    wait_until_live(page)
    mark_page(page)
    return page


def expect_board_on(projector: Page, slot):
    expect(projector.locator("body")).to_have_attribute("data-mode", "board")
    expect(projector.locator("[data-live=board]")).to_be_visible()
    expect(projector.locator("[data-live=board] [data-slot=when]")).to_contain_text(
        f"{slot['starts_at'][11:16]}–{slot['ends_at'][11:16]}"
    )


def board_seats(projector: Page, room_id):
    return projector.locator(f"[data-live=board] li[data-room-id='{room_id}'] [data-slot=seats]")


def board_title(projector: Page, room_id):
    return projector.locator(f"[data-live=board] li[data-room-id='{room_id}'] [data-slot=title]")


def tab_to(page: Page, selector, presses=400):
    """Press Tab until the focus is on `selector` (a keyboard user's way there)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def choose_with_arrows(page: Page, label):
    """On a focused <select>: arrow down until `label` is chosen."""
    for _ in range(20):
        if page.evaluate("document.activeElement.selectedOptions[0].text.trim()") == label:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{label!r} is not in the menu")


# ---- the stories ----


def test_the_facilitator_builds_edits_by_keyboard_pins_and_publishes(new_context, demo, server):
    desk = new_context(viewport={"width": 1280, "height": 800}).new_page()
    desk.goto(demo["facilitator"])
    open_grid(desk)
    phone = phone_on_the_grid(new_context, "Zélie Martin")
    expect(phone.locator("main")).to_contain_text(NOT_PUBLISHED)
    expect(phone.locator("ol[data-live=grid]")).to_have_count(0)
    state = Visitor(server).state()
    first_round = workshop_slots(state)[0]
    projector = open_projector(new_context, demo, state, first_round)
    expect(projector.locator("body")).to_have_attribute("data-mode", "wall")

    # Build: the page fetches itself again, with the sessions in their cells.
    desk.locator("form[data-live-action=schedule_optimize] button").click()
    cells = desk.locator("ol[data-live=grid] li[data-session-id]")
    expect(cells.first).to_be_visible(timeout=BUILD_TIMEOUT)
    placed = cells.count()
    assert placed >= 4, placed
    expect(desk.locator("form[data-live-action=schedule_publish]")).to_be_visible()
    # A draft: the participant still sees nothing.
    expect(phone.locator("main")).to_contain_text(NOT_PUBLISHED)

    # Move a session of the last round to the free small room of the first round,
    # with the keyboard only: Tab to the cell's menu, arrows, Tab to "Place", Enter.
    moved = desk.locator("ol[data-live=grid] > li.grid-sessions").last.locator(
        "li[data-session-id] .cell-title a"
    )
    title = moved.first.inner_text().strip()
    target = cell_in(desk, 0, "Salle Necker")  # free, else it is a swap
    select_id = target.locator("select[name=topic_id]").get_attribute("id")
    tab_to(desk, f"select#{select_id}")
    choose_with_arrows(desk, title)
    desk.keyboard.press("Tab")
    assert desk.evaluate("document.activeElement.closest('form.place') !== null")
    assert desk.evaluate(f"document.activeElement.form.topic_id.id === '{select_id}'")
    desk.keyboard.press("Enter")

    necker = cell_in(desk, 0, "Salle Necker")
    expect(necker.locator(".cell-title a")).to_have_text(exactly(title))
    expect(desk.locator("ol[data-live=grid] .cell-title a", has_text=exactly(title))).to_have_count(
        1
    )

    # Pin it here: building again keeps it there.
    necker.locator("form[data-live-action=schedule_pin] button").click()
    expect(necker.locator(".cell-title .badge")).to_have_text(PINNED)
    expect(necker.locator("form[data-live-action=schedule_pin] button")).to_have_text(UNPIN)
    desk.evaluate("document.querySelector('ol[data-live=grid]').dataset.before = 'rebuild'")
    desk.locator("form[data-live-action=schedule_optimize] button").click()
    expect(desk.locator("ol[data-live=grid][data-before]")).to_have_count(0, timeout=BUILD_TIMEOUT)
    expect(necker.locator(".cell-title a")).to_have_text(exactly(title))
    expect(necker.locator(".cell-title .badge")).to_have_text(PINNED)
    placed = cells.count()

    # Publish (after a confirmation): the phone shows the grid, without a reload.
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.locator("form[data-live-action=schedule_publish] button").click()
    expect(desk.locator("form[data-live-action=schedule_publish]")).to_have_count(0)

    expect(phone.locator("ol[data-live=grid] li[data-session-id]")).to_have_count(placed)
    expect(phone.locator("main")).not_to_contain_text(NOT_PUBLISHED)
    expect(cell_in(phone, 0, "Salle Necker").locator(".cell-title a")).to_have_text(exactly(title))
    expect(phone.locator("ol[data-live=grid] .badge", has_text=PINNED)).to_have_count(0)
    expect(phone.locator("form[data-control=take] button:visible")).to_have_count(placed)
    expect(phone.locator("form[data-live-action=seat_me]")).to_be_visible()
    # The projector turns into the now/next board, the moved session in the small room.
    expect_board_on(projector, first_round)
    necker_id = room_named(state, "Salle Necker")["id"]
    expect(board_title(projector, necker_id)).to_have_text(exactly(title))
    expect(board_seats(projector, necker_id)).to_have_text(seats(0, 12))
    assert_same_page(phone, "the participant's grid")
    assert_same_page(desk, "the facilitator's grid")
    assert_same_page(projector, "the projector")


def test_the_keyboard_focus_stays_in_the_grid_after_placing(facilitator_http, new_context, demo):
    build(facilitator_http)
    desk = new_context(viewport={"width": 1280, "height": 800}).new_page()
    desk.goto(demo["facilitator"])
    open_grid(desk)
    target = cell_in(desk, 0, "Salle Necker")
    target.locator("select[name=topic_id]").focus()
    desk.keyboard.press("ArrowDown")
    title = desk.evaluate("document.activeElement.selectedOptions[0].text.trim()")
    desk.keyboard.press("Tab")
    desk.keyboard.press("Enter")
    expect(cell_in(desk, 0, "Salle Necker").locator(".cell-title a")).to_have_text(exactly(title))
    assert desk.evaluate("document.activeElement.closest('ol.grid') !== null"), (
        "the focus left the grid: " + desk.evaluate("document.activeElement.tagName")
    )


def test_a_seat_taken_counts_live_everywhere_moves_and_is_given_back(
    facilitator_http, new_context, demo
):
    state = built_and_published(facilitator_http)
    # A workshop slot with at least two sessions; the projector's clock just before it.
    sessions = state["schedule"]["sessions"]
    slot = next(
        s for s in workshop_slots(state) if sum(x["slot_id"] == s["id"] for x in sessions) >= 2
    )
    first, second = [x for x in sessions if x["slot_id"] == slot["id"]][:2]
    projector = open_projector(new_context, demo, state, slot)
    expect_board_on(projector, slot)
    for session in (first, second):
        expect(board_title(projector, session["room_id"])).to_have_text(
            exactly(title_of(state, session))
        )
        expect(board_seats(projector, session["room_id"])).to_have_text(
            seats(0, session["capacity"])
        )
    alice = phone_on_the_grid(new_context, "Alice")
    bruno = phone_on_the_grid(new_context, "Bruno")
    expect(taken(bruno, first["id"])).to_have_text("0")

    # Alice goes to the first session: one more seat taken, on Bruno's phone and the board.
    take_button(alice, first["id"]).click()
    expect(leave_form(alice, first["id"])).to_be_visible()
    expect(leave_form(alice, first["id"])).to_contain_text(YOU_GO_HERE)
    expect(take_button(alice, first["id"])).to_be_hidden()
    expect(taken(alice, first["id"])).to_have_text("1")
    expect(taken(bruno, first["id"])).to_have_text("1")
    expect(board_seats(projector, first["room_id"])).to_have_text(seats(1, first["capacity"]))

    # She changes her mind, in the same slot: her seat moves.
    take_button(alice, second["id"]).click()
    expect(leave_form(alice, second["id"])).to_be_visible()
    expect(leave_form(alice, first["id"])).to_be_hidden()
    expect(take_button(alice, first["id"])).to_be_visible()
    expect(alice.locator("li.cell.my-seat")).to_have_count(1)
    expect(taken(bruno, first["id"])).to_have_text("0")
    expect(taken(bruno, second["id"])).to_have_text("1")
    expect(board_seats(projector, first["room_id"])).to_have_text(seats(0, first["capacity"]))
    expect(board_seats(projector, second["room_id"])).to_have_text(seats(1, second["capacity"]))

    # She gives it back.
    leave_form(alice, second["id"]).locator("button").click()
    expect(take_button(alice, second["id"])).to_be_visible()
    expect(alice.locator("li.cell.my-seat")).to_have_count(0)
    expect(taken(bruno, second["id"])).to_have_text("0")
    expect(board_seats(projector, second["room_id"])).to_have_text(seats(0, second["capacity"]))
    for page, what in ((alice, "Alice's grid"), (bruno, "Bruno's grid"), (projector, "board")):
        assert_same_page(page, what)


def fill_the_small_room(facilitator: Visitor):
    """Put a topic in the Salle Necker (12 seats) in the first round, publish; return
    its session."""
    build(facilitator)
    state = facilitator.state()
    necker = room_named(state, "Salle Necker")
    slot = workshop_slots(state)[0]
    topic = state["topics"][-1]
    facilitator.post(
        "/e/BERCY/schedule/place", topic_id=topic["id"], room_id=necker["id"], slot_id=slot["id"]
    )
    state = publish(facilitator)
    session = next(
        s
        for s in state["schedule"]["sessions"]
        if s["room_id"] == necker["id"] and s["slot_id"] == slot["id"]
    )
    assert session["topic_id"] == topic["id"]
    assert session["capacity"] == 12
    return session


def test_a_small_room_fills_up_and_the_thirteenth_is_told_it_is_full(
    facilitator_http, new_context, server
):
    session = fill_the_small_room(facilitator_http)
    late = phone_on_the_grid(new_context, "Lucie en retard")
    expect(taken(late, session["id"])).to_have_text("0")
    badge = session_cell(late, session["id"]).locator("[data-slot=full]")
    expect(badge).to_be_hidden()

    crowd = [Visitor(server).join(f"Personne {n}") for n in range(1, 13)]
    for person in crowd:
        person.post("/e/BERCY/seats/take", session_id=session["id"], slot_id=session["slot_id"])
        person.http.close()
    occupancy = dict(facilitator_http.state()["occupancy"]["counts"])
    assert occupancy[session["id"]] == 12

    # Lucie's page shows it full, live, and no longer offers "I go here" there.
    expect(taken(late, session["id"])).to_have_text("12")
    expect(badge).to_be_visible()
    expect(badge).to_have_text(FULL)
    expect(take_button(late, session["id"])).to_be_hidden()
    # Had she clicked just before it filled up, the server would have said it is full.
    refused = late.evaluate(
        """id => new Promise(done => window.barcampLive.send(
               "seat_take", {session_id: id}, ack => done(ack)))""",
        session["id"],
    )
    assert refused["ok"] is False
    assert FULL.search(refused["error"]["message"])
    expect(taken(late, session["id"])).to_have_text("12")
    expect(session_cell(late, session["id"]).locator("[data-occupancy]")).to_have_text(
        seats(12, 12)
    )
    expect(badge).to_be_visible()
    expect(leave_form(late, session["id"])).to_be_hidden()
    expect(late.locator("li.cell.my-seat")).to_have_count(0)
    assert_same_page(late, "Lucie's grid")


def vote_for_three(phone: Page):
    """Vote for the first three topics of the wall; return their ids."""
    cards = phone.locator("ul[data-live=topics] > li[data-topic-id]")
    ids = []
    for n in range(3):
        cards.nth(n).locator("[data-control=vote] button").click()
        expect(cards.nth(n).locator("[data-control=unvote]")).to_be_visible()
        ids.append(int(cards.nth(n).get_attribute("data-topic-id")))
    return ids


def test_seat_me_in_what_i_voted_for(facilitator_http, new_context):
    state = built_and_published(facilitator_http)
    phone = open_phone(new_context)
    join(phone, "Victor")
    wait_until_live(phone)
    voted = vote_for_three(phone)
    titles = {t["id"]: t["title"] for t in state["topics"]}
    placed = [s for s in state["schedule"]["sessions"] if s["topic_id"] in voted]
    assert placed, "none of the topics voted for is on the grid"
    slots = {s["slot_id"] for s in placed}

    open_grid(phone)
    expect(phone.locator("li.cell.my-seat")).to_have_count(0)
    phone.locator("form[data-live-action=seat_me] button").click()
    expect(phone.locator("li.cell.my-seat")).to_have_count(len(slots))
    mine = my_seat_titles(phone)
    assert set(mine) <= {titles[t] for t in voted}, mine
    for session in placed:
        if titles[session["topic_id"]] in mine:
            expect(taken(phone, session["id"])).to_have_text("1")
    assert_same_page(phone, "Victor's grid")

    phone.goto("/e/BERCY/me")
    agenda = phone.locator("ol.agenda")
    for title in mine:
        expect(agenda.locator("p strong", has_text=exactly(title))).to_have_count(1)


def test_without_javascript_the_plain_form_takes_a_seat(facilitator_http, new_context):
    state = built_and_published(facilitator_http)
    session = state["schedule"]["sessions"][0]
    phone = open_phone(new_context, java_script_enabled=False)
    join(phone, "Odette sans script")
    phone.goto("/e/BERCY/schedule")
    expect(leave_form(phone, session["id"])).to_be_hidden()

    take_button(phone, session["id"]).click()
    expect(phone).to_have_url(re.compile(rf"/e/BERCY/schedule#slot-{session['slot_id']}$"))
    expect(leave_form(phone, session["id"])).to_be_visible()
    expect(leave_form(phone, session["id"])).to_contain_text(YOU_GO_HERE)
    expect(take_button(phone, session["id"])).to_be_hidden()
    expect(taken(phone, session["id"])).to_have_text("1")
    expect(session_cell(phone, session["id"])).to_have_class(re.compile(r"\bmy-seat\b"))


def test_my_day_and_my_calendar_link(facilitator_http, new_context, server):
    state = built_and_published(facilitator_http)
    session = state["schedule"]["sessions"][-1]
    title = title_of(state, session)
    phone = phone_on_the_grid(new_context, "Capucine")
    take_button(phone, session["id"]).click()
    expect(leave_form(phone, session["id"])).to_be_visible()

    phone.goto("/e/BERCY/me")
    expect(phone.locator("ol.agenda p strong", has_text=exactly(title))).to_have_count(1)
    calendar = phone.locator("#calendar")
    expect(calendar.locator("#calendar-url")).to_have_count(0)
    calendar.locator("form button[type=submit]").click()
    link = phone.locator("#calendar #calendar-url")
    expect(link).to_be_visible()
    expect(link).to_have_value(re.compile(rf"^{re.escape(server.base_url)}/e/BERCY/calendar/.+"))

    # A calendar app fetches it: no cookie, the person's day in the event's time zone.
    response = requests.get(link.input_value(), timeout=HTTP_TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    text = response.text.replace("\r\n ", "")  # unfold long lines
    assert text.startswith("BEGIN:VCALENDAR")
    assert "TZID=Europe/Paris" in text or "X-WR-TIMEZONE:Europe/Paris" in text
    summaries = [
        str(item["summary"]) for item in Calendar.from_ical(response.content).walk("VEVENT")
    ]
    assert title in summaries, summaries
