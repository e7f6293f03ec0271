"""The founding barcamp, end to end, at its real size, on the real server.

The demo event (sixty people, eight topics, votes already cast) as `flask demo` makes
it; then sixty more people arrive from their phones, seven propose the topics still
missing (fifteen in all), and everybody votes, each phone sending about one action in
four twice at the same moment (a retry that overtook its first try). Paul closes the
marketplace and builds the grid while the room keeps reading and renaming; a retried
"build" arrives meanwhile. He publishes; everybody takes a seat at once, again with
retries. The server is killed and restarted: every acknowledged vote and seat is there,
no session holds more people than its room, no operation counted twice. Then the
closing plenary: the whole room reads the testimonies' pages at once, asks and upvotes
questions (with retries), the most upvoted goes on the projector; a second crash keeps
it all; the report-back steps through every workshop. After the day, the organizer
opens the proceedings to the participants: the whole room reads them at once while the
organizer downloads the ZIP, which holds every workshop, vote, seat and question.

Run with `-s` to see the measured figures.
"""

import contextlib
import csv
import html
import io
import json
import random
import re
import threading
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from markupsafe import escape

from tests.notes_client import NoteWriter
from tests.test_server import WAIT, Browser, LivePage

pytestmark = pytest.mark.server

CROWD = 60
NEW_TOPICS = [
    "Le wiki interministériel, mode d'emploi",
    "Messagerie instantanée et archives publiques",
    "Animer une communauté de pratique",
    "Écrire simple pour être lu",
    "Open data des marchés publics",
    "Former les managers au travail en réseau",
    "Mesurer l'engagement sans flicage",
]
RETRY_SHARE = 0.25
SEED = 2013


def submit(browser, path, data):
    """Open a page with a form, then send the form with its security token, as a
    person pressing its button does; return the page it leads to."""
    page = browser.get(path).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, f"no form on {path}"
    response = browser.http.post(
        browser.server.url(path),
        data={"csrf_token": html.unescape(token.group(1)), **data},
        timeout=WAIT,
    )
    assert response.status_code == 200, response.text[:300]
    return response


class Person:
    def __init__(self, server, name):
        self.name = name
        self.browser = Browser(server)
        self.browser.join(name)
        self.page = LivePage().connect(server, self.browser)
        [self.snapshot] = self.page.wait_for("snapshot")
        self.twin = None  # a second connection of the same phone, for retries

    def send(self, event, payload, chance):
        """Send an action, sometimes twice at the same moment; return its answer."""
        payload = {"op_id": f"{event}-{uuid.uuid4()}", **payload}
        if chance.random() >= RETRY_SHARE:
            return self.page.call_as_a_page(event, payload, chance), payload["op_id"]
        start = threading.Barrier(2)

        def send(page):
            start.wait(WAIT)
            return page.call_as_a_page(event, payload, chance)

        with ThreadPoolExecutor(2) as pool:
            first, again = pool.map(send, [self.page, self.twin])
        assert first == again, (event, first, again)
        return first, payload["op_id"]

    def reconnect(self, server):
        """After a restart, the phone's two pages connect again."""
        for page in (self.page, self.twin):
            with contextlib.suppress(Exception):
                page.close()
        self.page = LivePage().connect(server, self.browser)
        self.twin = LivePage().connect(server, self.browser)
        for page in (self.page, self.twin):
            page.wait_for("snapshot")

    def close(self):
        for page in (self.page, self.twin):
            if page is not None:
                with contextlib.suppress(Exception):
                    page.close()
        self.browser.close()


@pytest.fixture
def day(make_server):
    server = make_server("bercy")
    server.prepare()
    server.start()
    people = []
    yield server, people
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(Person.close, people))


@pytest.fixture
def figures():
    measured = {}
    yield measured
    print("\nthe founding barcamp:", *(f"  {k}: {v}" for k, v in measured.items()), sep="\n")


def test_the_founding_barcamp_from_the_first_vote_to_the_seats(day, browser, live_page, figures):
    server, people = day
    chance = random.Random(SEED)

    # Sixty people arrive from their phones.
    began = time.monotonic()
    with ThreadPoolExecutor(12) as pool:
        people += pool.map(lambda n: Person(server, f"Arrivée {n}"), range(CROWD))
    for person in people:
        person.twin = LivePage().connect(server, person.browser)
        person.twin.wait_for("snapshot")
    figures["joined"] = f"{CROWD} people in {time.monotonic() - began:.1f} s"

    # Seven of them propose the topics still missing: fifteen on the wall.
    for person, title in zip(people, NEW_TOPICS, strict=False):
        ack, _ = person.send("topic_propose", {"title": title, "format": "discussion"}, chance)
        assert ack["ok"], ack
    paul = browser(server)
    paul.get(server.links["facilitator"])

    # A troll joins and pins an advert to the wall. Paul removes them, hides their
    # topic and keeps them out: their page is closed at once, their phone cannot join
    # again, and the wall is as it was.
    troll = Person(server, "Vendeur")
    ack, _ = troll.send("topic_propose", {"title": "Achetez mes cryptos", "format": "talk"}, chance)
    assert ack["ok"], ack
    troll_id = next(p["id"] for p in paul.state()["participants"] if p["name"] == "Vendeur")
    removed = submit(paul, f"/e/BERCY/people/{troll_id}/remove", {"topics": "hide", "ban": "y"})
    assert "Vendeur ne fait plus partie de l’événement." in html.unescape(removed.text)
    assert troll.page.wait_for("removed") == [{"banned": True}]
    deadline = time.monotonic() + WAIT
    while troll.page.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not troll.page.sio.connected
    kept_out = html.unescape(troll.browser.get("/e/BERCY").text)
    assert "Les animateurs vous ont retiré de cet événement" in kept_out
    assert 'action="/e/BERCY/join"' not in kept_out
    assert "Vendeur" not in [p["name"] for p in paul.state()["participants"]]
    troll.close()

    console = live_page().connect(server, paul)
    [before_votes] = console.wait_for("snapshot")
    topics = [topic["id"] for topic in before_votes["topics"]]
    assert len(topics) == 15
    already = sum(count for _, count in before_votes["tallies"]["counts"])

    # Everybody spends their three votes; some phones send a vote twice at once.
    def vote(person):
        own = random.Random(person.name)
        return [
            person.send("vote_cast", {"topic_id": topic}, own)[0] for topic in own.sample(topics, 3)
        ]

    began = time.monotonic()
    with ThreadPoolExecutor(12) as pool:
        voted = [ack for answers in pool.map(vote, people) for ack in answers]
    assert all(ack["ok"] for ack in voted), [a for a in voted if not a["ok"]][:3]
    figures["votes"] = f"{len(voted)} in {time.monotonic() - began:.1f} s ({already} before)"
    counted = sum(count for _, count in paul.state()["tallies"]["counts"])
    assert counted == already + 3 * CROWD  # each vote counted once

    # Paul closes the marketplace and builds the grid; the room goes on meanwhile.
    close = {"op_id": f"close-{uuid.uuid4()}", "proposals_open": False, "voting_open": False}
    ack = console.call("marketplace_set", close)
    assert ack["ok"], ack
    delays, done = [], threading.Event()

    def keep_reading(person):
        while not done.is_set():
            began = time.monotonic()
            person.browser.get("/e/BERCY")
            delays.append(time.monotonic() - began)
            time.sleep(0.05)

    readers = [threading.Thread(target=keep_reading, args=(p,)) for p in people[:4]]
    for reader in readers:
        reader.start()
    try:
        build = {"op_id": f"grid-{uuid.uuid4()}"}
        second = live_page().connect(server, paul)
        second.wait_for("snapshot")
        start = threading.Barrier(2)

        def ask(page):
            start.wait(WAIT)
            return page.call("schedule_optimize", build)

        with ThreadPoolExecutor(2) as pool:
            built, retried = pool.map(ask, [console, second])
        renamed, _ = people[5].send("participant_rename", {"name": "Arrivée 5 (Bercy)"}, chance)
    finally:
        done.set()
        for reader in readers:
            reader.join(WAIT)
    assert built["ok"], built
    assert retried == built
    assert renamed["ok"], renamed
    figures["grid"] = (
        f"{built['report']['score']} of {built['report']['upper_bound']} votes can be attended"
    )
    figures["event page loads while building"] = (
        f"{len(delays)}, median {sorted(delays)[len(delays) // 2] * 1000:.0f} ms, "
        f"slowest {max(delays) * 1000:.0f} ms"
    )
    # Before, a write during the search froze the process for 5 s; the search's own
    # process now only competes for the CPU (two cores here, shared with the clients).
    assert max(delays) < 1.0
    # The server's own timer says the same: how long its loop stood still at worst.
    health = paul.get("/healthz").json()
    assert health["ok"], health
    assert health["worst_lag_ms_60s"] < 1000, health
    figures["server's worst stall, last minute (its own timer)"] = (
        f"{health['worst_lag_ms_60s']:.0f} ms"
    )

    ack = console.call("schedule_publish", {"op_id": f"publish-{uuid.uuid4()}"})
    assert ack["ok"], ack

    # Everybody takes a seat in what they voted for, at once, some twice.
    began = time.monotonic()
    with ThreadPoolExecutor(12) as pool:
        seated = list(pool.map(lambda p: p.send("seat_me", {}, random.Random(p.name))[0], people))
    assert all(ack["ok"] for ack in seated), [a for a in seated if not a["ok"]][:3]
    figures["seat rush"] = (
        f"{sum(a['taken'] for a in seated)} seats in {time.monotonic() - began:.1f} s"
    )
    acked_seats = {person.name: ack["seats"] for person, ack in zip(people, seated, strict=True)}

    # In three workshops of the first round two people write the notes at once; each
    # sees where the other's caret is, with the name the server knows.
    sessions = paul.state()["schedule"]["sessions"]
    first_slot = min(s["slot_id"] for s in sessions)
    workshops = [s["topic_id"] for s in sessions if s["slot_id"] == first_slot][:3]
    typed = {}
    began = time.monotonic()
    for n, topic_id in enumerate(workshops):
        editor = people[2 * n].browser.get(f"/e/BERCY/sessions/{topic_id}/note").text
        note_id = int(re.search(r'data-note="(\d+)"', editor).group(1))
        pair = [
            NoteWriter(server.base_url, p.browser.cookie, "BERCY", note_id, seed=n).connect()
            for p in people[2 * n : 2 * n + 2]
        ]
        carets = []
        pair[1].sio.on("note_cursor", carets.append)
        for writer in pair:
            writer.sync()
        cursor = {"anchor": {"type": None, "tname": "body", "item": None, "assoc": 0}}
        cursor["head"] = cursor["anchor"]
        ack = pair[0].sio.call(
            "note_cursor",
            {"note": note_id, "client": pair[0].doc.client_id, "clock": 1, "cursor": cursor},
            timeout=WAIT,
        )
        assert ack == {"ok": True}, ack
        for k in range(5):
            for writer, person in zip(pair, people[2 * n : 2 * n + 2], strict=True):
                writer.type_line(f"note-{topic_id}-{person.name}-{k}")
                writer.flush()
        for writer in pair:
            writer.sync()
        pair[0].close()
        deadline = time.monotonic() + WAIT
        while len(carets) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # polling what the other writer heard
        pair[1].close()
        shown, gone = carets  # her caret, then gone when she closed the page
        assert shown["name"] == people[2 * n].name, carets
        assert gone == {"note": note_id, "client": pair[0].doc.client_id, "gone": True}
        typed[topic_id] = [t for writer in pair for t in writer.typed]
    figures["notes"] = (
        f"{len(workshops)} notes, two writers each, {sum(map(len, typed.values()))} lines"
        f" in {time.monotonic() - began:.1f} s"
    )

    # A crash, a restart: everything acknowledged is there, nothing twice.
    server.kill()
    server.start()
    after = paul.state()
    assert sum(count for _, count in after["tallies"]["counts"]) == already + 3 * CROWD
    capacity = {s["id"]: s["capacity"] for s in after["schedule"]["sessions"]}
    for session_id, taken in after["occupancy"]["counts"]:
        assert taken <= capacity[session_id]
    for person in people[:10]:
        page = live_page().connect(server, person.browser)
        [mine] = page.wait_for("snapshot")
        assert sorted(mine["me"]["seats"]) == sorted(acked_seats[person.name])
    for topic_id, tokens in typed.items():
        note = people[0].browser.get(f"/e/BERCY/sessions/{topic_id}/note.md").text
        assert sorted(line for line in note.split("\n") if line.startswith("note-")) == sorted(
            tokens
        )

    # The closing plenary: the room reads the three testimonies on their phones while
    # the speakers talk, the whole crowd at once.
    listing = people[0].browser.get("/e/BERCY/testimonies").text
    pages = sorted(set(re.findall(r'href="(/e/BERCY/testimonies/\d+)"', listing)))
    assert len(pages) == 4  # the opening talk and the three testimonies
    with ThreadPoolExecutor(12) as pool:
        read = list(pool.map(lambda p: p.browser.get(pages[-1]).text, people))
    assert all("Diplomatie 2.0" in text and "1 000" in text for text in read)

    # During the last testimony the room asks and upvotes, some phones twice at once.
    with ThreadPoolExecutor(12) as pool:
        list(pool.map(lambda p: p.reconnect(server), people))
    talk_id = int(pages[-1].rsplit("/", 1)[1])
    asked = [
        p.send("question_ask", {"talk_id": talk_id, "text": f"Question {n} de la salle"}, chance)
        for n, p in enumerate(people[:12])
    ]
    assert all(ack["ok"] for ack, _ in asked), [a for a, _ in asked if not a["ok"]][:3]
    question_ids = [ack["question_id"] for ack, _ in asked]

    def upvote(person):
        own = random.Random(f"upvote {person.name}")
        return [
            person.send("question_upvote", {"question_id": q, "up": True}, own)[0]
            for q in own.sample(question_ids, 4)
        ]

    began = time.monotonic()
    with ThreadPoolExecutor(12) as pool:
        upvoted = [ack for answers in pool.map(upvote, people) for ack in answers]
    assert all(ack["ok"] for ack in upvoted), [a for a in upvoted if not a["ok"]][:3]
    figures["upvotes"] = f"{len(upvoted)} in {time.monotonic() - began:.1f} s"
    ours = [q for q in paul.state()["questions"]["questions"] if q["id"] in question_ids]
    assert sum(q["upvotes"] for q in ours) == 4 * CROWD  # each upvote counted once
    top = max(ours, key=lambda q: q["upvotes"])

    # Paul shows the most upvoted one on the projector; a crash and a restart keep it
    # all; then the report-back steps through every workshop of the grid.
    console = live_page().connect(server, paul)
    console.wait_for("snapshot")
    shown = console.call(
        "screen_set", {"op_id": f"show-{uuid.uuid4()}", "mode": "plenary", "question_id": top["id"]}
    )
    assert shown["ok"], shown
    console.close()
    server.kill()
    server.start()
    after = paul.state()
    assert after["screen"]["question_id"] == top["id"]
    assert after["screen"]["talk_id"] == talk_id
    kept = [q for q in after["questions"]["questions"] if q["id"] in question_ids]
    assert sum(q["upvotes"] for q in kept) == 4 * CROWD
    workshops = paul.get("/e/BERCY/screen/report.json").json()["workshops"]
    assert len(workshops) == len(after["schedule"]["sessions"])
    projector = live_page().connect(server, paul)
    projector.wait_for("snapshot")
    for step in range(len(workshops)):
        ack = projector.call(
            "screen_set", {"op_id": f"step-{step}-{uuid.uuid4()}", "mode": "report", "step": step}
        )
        assert ack["ok"], ack
        assert ack["screen"]["step"] == step

    # After the day, Paul the organizer opens the proceedings to the participants; the
    # whole room downloads them at once while he takes the ZIP of everything.
    organizer = browser(server)
    organizer.get(server.links["organizer"])
    page = organizer.get("/e/BERCY/organize").text
    form = re.search(r'<form[^>]*action="[^"]*/organize/proceedings"[^>]*>(.*?)</form>', page, re.S)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.group(1)).group(1)
    opened = organizer.http.post(
        server.url("/e/BERCY/organize/proceedings"),
        data={"access": "participants", "csrf_token": html.unescape(token)},
        timeout=WAIT,
    )
    assert "Enregistré" in opened.text, opened.text[:500]
    assert people[0].browser.http.get(server.url("/e/BERCY/export.zip")).status_code == 403

    titles = [workshop["title"] for workshop in workshops]
    began = time.monotonic()
    with ThreadPoolExecutor(12) as pool:
        readers = pool.map(lambda p: p.browser.get("/e/BERCY/proceedings.html").text, people)
        archive = pool.submit(lambda: organizer.get("/e/BERCY/export.zip").content)
        proceedings = list(readers)
        archive = zipfile.ZipFile(io.BytesIO(archive.result()))
    figures["proceedings"] = f"{CROWD} readers and the ZIP in {time.monotonic() - began:.1f} s"
    for text in proceedings:
        assert all(escape(title) in text for title in titles)
        assert "Diplomatie 2.0" in text

    # The ZIP holds the day as the room left it: a file per workshop, every vote and
    # every seat, the same people, and a dump that says the same.
    names = archive.namelist()
    assert len([n for n in names if n.startswith("BERCY/sessions/")]) == len(titles)

    def table(name):
        text = archive.read(f"BERCY/{name}").decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text), delimiter=";"))

    votes = sum(count for _, count in after["tallies"]["counts"])
    assert sum(int(row["Votes"]) for row in table("topics.csv")) == votes
    assert {t["title"] for t in after["topics"]} <= {row["Titre"] for row in table("topics.csv")}
    seats = sum(count for _, count in after["occupancy"]["counts"])
    assert sum(int(row["Places prises"]) for row in table("sessions.csv")) == seats
    dump = json.loads(archive.read("BERCY/event.json"))
    assert sum(vote["dots"] for vote in dump["tables"]["vote"]) == votes
    assert len(dump["tables"]["seat"]) == seats
    assert sorted(
        q["text"] for q in dump["tables"]["question"] if q["text"].startswith("Quest")
    ) == (sorted(f"Question {n} de la salle" for n in range(12)))
