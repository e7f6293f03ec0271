"""Faults on the real server (gevent, as `python wsgi.py` runs it): killed with SIGKILL
in the middle of a mixed burst of votes, seats and note edits; twenty people writing
at once for five seconds; a backup taken while people write.

The day is the demo's afternoon (`flask demo --grid`: the grid published), with
voting opened again by the facilitator, so that votes, seats and notes can all be
written at once. Every acknowledged write survives, nothing is applied twice, and the
pages come back by themselves to what the server holds.
"""

import contextlib
import re
import sqlite3
import threading
import time
from collections import Counter

import pytest
import requests
from pycrdt import Doc, Text, merge_updates

from tests.live_server import LiveServer
from tests.notes_client import NoteWriter
from tests.test_notes_server import check_every_line_once, grid_database, open_note  # noqa: F401
from tests.test_server import CODE, WAIT, Browser, LivePage

pytestmark = pytest.mark.server

# An answer slower than this is taken as lost (the server died meanwhile): the client
# stops there, as a phone would give up and retry later.
ANSWER = 2


@pytest.fixture
def server(tmp_path, grid_database):  # noqa: F811
    server = LiveServer(tmp_path / "server")
    server.copy_database(grid_database)
    server.start()
    yield server
    server.stop()


class Person:
    """Someone who joined from their phone: a browser and a live page that reconnects
    by itself, and what they sent, in order, with the answers they got."""

    def __init__(self, server, name):
        self.name = name
        self.browser = Browser(server)
        self.browser.join(name)
        self.page = LivePage(reconnection=True)
        self.page.sio.on("disconnect", self._drop_socket)
        self.page.connect(server, self.browser)
        [self.snapshot] = self.page.wait_for("snapshot")
        self.sent = []  # (op_id, event, payload), in the order sent
        self.acked = {}  # op_id -> ack, for the answers {ok: true}
        self.answers = []  # every answer, refusals included
        self.busy = 0  # how many times it was told to try again later

    def _drop_socket(self, reason=None):
        """python-engineio's client leaves its websocket open when the server dies
        (it only notes the loss), then opens another one: close the dead one."""
        ws = getattr(self.page.sio.eio, "ws", None)
        if ws is not None and reason != self.page.sio.reason.CLIENT_DISCONNECT:
            ws.shutdown()

    def send(self, event, payload):
        """Send an action with its operation id; False once no answer comes. Told
        `busy` (the process fell behind, nothing done), it sends it again after a
        growing wait, as live.js does."""
        self.sent.append((payload["op_id"], event, payload))
        for attempt in range(5):
            try:
                ack = self.page.sio.call(event, payload, timeout=ANSWER)
            except Exception:  # the server went away (or took too long): an answer lost
                return False
            if (ack.get("error") or {}).get("code") != "busy":
                break
            self.busy += 1
            time.sleep(0.2 * 2**attempt)
        self.answers.append((event, ack))
        if ack.get("ok"):
            self.acked[payload["op_id"]] = ack
        return True

    def me(self):
        """What the page holds of its own votes and seats: its latest snapshot's."""
        latest = self.page.events("snapshot")[-1]["me"]
        return sorted(map(tuple, latest["votes"])), sorted(map(tuple, latest["seats"]))

    def close(self):
        with contextlib.suppress(Exception):
            self.page.close()
        self.browser.close()


@pytest.fixture
def crowd():
    """People coming to a server; all gone at the end of the test."""
    people = []

    def come(server, count, prefix):
        people.extend(Person(server, f"{prefix} {n:02d}") for n in range(count))
        return people[-count:]

    yield come
    for person in people:
        person.close()


@pytest.fixture
def stop():
    """Tells the people writing to stop: at the latest when the test ends, even failed."""
    event = threading.Event()
    yield event
    event.set()


def open_voting(server):
    """The facilitator opens voting again, from their laptop."""
    laptop = Browser(server)
    laptop.get(server.links["facilitator"])
    console = LivePage().connect(server, laptop)
    console.wait_for("snapshot")
    ack = console.call("marketplace_set", {"op_id": "reopen", "voting_open": True})
    assert ack["ok"], ack
    console.close()
    laptop.close()


def roomiest_sessions(snapshot):
    """The two sessions of one slot with the most free seats: people switch between
    them (the demo's crowd already sits in the grid)."""
    taken = dict(map(tuple, snapshot["occupancy"]["counts"]))
    by_slot = {}
    for session in snapshot["schedule"]["sessions"]:
        free = session["capacity"] - taken.get(session["id"], 0)
        by_slot.setdefault(session["slot_id"], []).append((free, session["id"]))
    pairs = [sorted(sessions, reverse=True)[:2] for sessions in by_slot.values()]
    (_, first), (_, second) = max((pair for pair in pairs if len(pair) == 2), key=min)
    return first, second


def stored_operations(server):
    database = server.env["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return Counter(
            (actor, op_id)
            for actor, op_id in connection.execute("SELECT actor, op_id FROM applied_operation")
        )


def actor_of(person):
    [me] = [p for p in person.snapshot["participants"] if p["name"] == person.name]
    return f"participant:{me['id']}"


def note_on_disk(server, note_id):
    """A note's text as its stored updates make it, read from the database file."""
    database = server.env["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        log = [
            row[0]
            for row in connection.execute(
                "SELECT data FROM note_update WHERE note_id = ? ORDER BY id", (note_id,)
            )
        ]
    doc = Doc()
    body = doc.get("body", type=Text)
    doc.apply_update(merge_updates(*log))
    return str(body)


def made_by(kept, topic):
    """The votes and seat that these stored actions of one person make, in order."""
    dots = sum(1 if kind == "vote_cast" else -1 for _, kind, _ in kept if kind != "seat_take")
    seats = [payload["session_id"] for _, kind, payload in kept if kind == "seat_take"]
    return ([(topic, dots)] if dots else []), seats[-1:]


def as_held(me):
    return sorted(map(tuple, me["votes"])), [session for _, session in me["seats"]]


def test_a_kill_during_a_burst_of_votes_seats_and_notes_loses_nothing_acknowledged(
    server, crowd, stop
):
    """Eight people vote and take their dot back, and switch seats between two
    sessions, while two others type in a session's notes, all at once; the server is
    killed with SIGKILL in the middle. What the database file holds then has every
    acknowledged vote, seat and line. Started again, every page reconnects by itself
    and shows what the server holds; retries of the actions sent before the kill
    (answered or not) are applied once, never twice."""
    open_voting(server)
    people = crowd(server, 8, "Rush")
    snapshot = people[-1].snapshot
    topic = snapshot["topics"][0]["id"]
    session_a, session_b = roomiest_sessions(snapshot)
    writers = []
    for name, seed in (("Plume A", 11), ("Plume B", 12)):
        browser, topic_id, note_id = open_note(server, name)
        writer = NoteWriter(server.base_url, browser.cookie, CODE, note_id, seed=seed)
        writer.browser, writer.topic_id, writer.answer_timeout = browser, topic_id, ANSWER
        writers.append(writer.connect())
    for writer in writers:
        writer.sync()

    def rush(n, person):
        for step in range(200):
            if step % 2 == 0:  # cast, withdraw, cast, …
                kind = "vote_withdraw" if step % 4 == 2 else "vote_cast"
                payload = {"topic_id": topic}
            else:  # seat in A, in B, in A, …
                kind = "seat_take"
                payload = {"session_id": session_b if step % 4 == 3 else session_a}
            if stop.is_set() or not person.send(kind, {"op_id": f"rush-{n}-{step}", **payload}):
                return
            time.sleep(0.03)  # a person taps; 60 actions a minute of each kind at most

    def keep_typing(writer, prefix):
        n = 0
        while not stop.is_set():
            writer.type_line(f"{prefix}-{n:04d}")
            writer.flush()
            n += 1
            time.sleep(0.01)

    threads = [threading.Thread(target=rush, args=pair, daemon=True) for pair in enumerate(people)]
    threads += [
        threading.Thread(target=keep_typing, args=(writer, prefix), daemon=True)
        for writer, prefix in zip(writers, ("plume-a", "plume-b"), strict=True)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WAIT
    while sum(len(p.acked) for p in people) < 120:
        assert time.monotonic() < deadline, (
            "the burst never got going",
            Counter((a.get("error") or {}).get("code", "ok") for p in people for _, a in p.answers),
        )
        time.sleep(0.02)
    server.kill()
    acknowledged_lines = set().union(*(writer.saved for writer in writers))
    acknowledged = {(actor_of(p), op_id) for p in people for op_id in p.acked.copy()}

    # What survived the kill, read from the file before anyone can send it again.
    on_disk = stored_operations(server)
    note_text = note_on_disk(server, writers[0].note_id)
    assert len(acknowledged) >= 120
    assert acknowledged <= set(on_disk), "acknowledged actions lost"
    assert len(acknowledged_lines) > 20, "too little was typed to mean anything"
    missing = acknowledged_lines - set(note_text.split("\n"))
    assert not missing, f"{len(missing)} acknowledged lines lost, e.g. {sorted(missing)[:3]}"

    time.sleep(0.3)  # the note writers go on typing while it is down
    server.start()
    time.sleep(0.5)  # and after it is back
    stop.set()
    for thread in threads:
        thread.join(WAIT * 2)
    refused = [(p.name, e, a) for p in people for e, a in p.answers if not a.get("ok")]
    assert not refused, refused

    # Every page reconnects by itself and gets a fresh snapshot: what the server holds.
    for person in people:
        person.page.wait_for("snapshot", 2, timeout=WAIT * 2)
        person.page.wait_for("connect", 2)
    witness = Browser(server)
    witness.join("Witness")
    truth = LivePage().connect(server, witness)
    [state] = truth.wait_for("snapshot")
    for person in people:
        actor = actor_of(person)
        kept = [(op_id, kind, p) for op_id, kind, p in person.sent if (actor, op_id) in on_disk]
        # At most the action under way at the kill was stored without its answer.
        assert len(kept) - len(person.acked) <= 1, person.name
        latest = person.page.events("snapshot")[-1]
        assert as_held(latest["me"]) == made_by(kept, topic), person.name
        for part in ("tallies", "occupancy", "topics", "schedule"):
            assert latest[part] == state[part], (person.name, part)

    # Each page sends again what it was not sure of: the action under way at the kill,
    # and the last one answered (its answer lost on the way, say). Each counts once.
    for person in people:
        unanswered = person.sent[-1] if person.sent[-1][0] not in person.acked else None
        _, kind, payload = unanswered or person.sent[-1]
        person.page.call(kind, payload)
        op_id, kind, payload = [sent for sent in person.sent if sent[0] in person.acked][-1]
        assert person.page.call(kind, payload) == person.acked[op_id]
    stored = stored_operations(server)
    assert max(stored.values()) == 1
    for person in people:
        actor = actor_of(person)
        kept = [(op_id, kind, p) for op_id, kind, p in person.sent if (actor, op_id) in stored]
        me = person.page.call("snapshot", {})["snapshot"]["me"]
        assert as_held(me) == made_by(kept, topic), person.name
    truth.close()
    witness.close()

    # The note writers too reconnected by themselves: everyone's lines, each once.
    for writer in writers:
        writer.sync()
        writer.handshake()
    text = writers[0].browser.get(f"/e/{CODE}/sessions/{writers[0].topic_id}/note.md").text
    check_every_line_once(text, writers[0].typed + writers[1].typed)
    assert writers[0].text() == writers[1].text() == text
    for writer in writers:
        writer.close()
        writer.browser.close()


class Writer:
    """One of many people writing at once over the live page: their dot cast and taken
    back, their seat switched, their name changed and lines added to a note, each at a
    pace within its rate limit; every answer kept."""

    def __init__(self, person, topic, sessions, note):
        self.person, self.topic, self.sessions, self.note = person, topic, sessions, note
        self.doc = Doc()
        self.body = self.doc.get("body", type=Text)
        self.lines = 0

    def run(self, n, until):
        ack = self.person.page.call("note_join", {"note": self.note, "sv": b"\x00"})
        assert ack["ok"], ack
        step = 0
        while time.monotonic() < until:
            op = {"op_id": f"w{n}-{step}"}
            if step % 10 == 0:  # a dot cast, taken back, cast…
                kind = "vote_withdraw" if step % 20 == 10 else "vote_cast"
                sent = self.person.send(kind, {**op, "topic_id": self.topic})
            elif step % 10 == 5:  # a seat taken, given back, taken…
                kind = "seat_leave" if step % 20 == 15 else "seat_take"
                sent = self.person.send(kind, {**op, "session_id": self.sessions[0]})
            elif step % 30 == 3:
                name = f"{self.person.name} ({step})"
                sent = self.person.send("participant_rename", {**op, "name": name})
            else:  # a line in the note
                before = self.doc.get_state()
                self.body += f"w{n}-{self.lines}\n"
                self.lines += 1
                update = self.doc.get_update(before)
                sent = self.person.send("note_update", {**op, "note": self.note, "update": update})
            if not sent:
                self.person.answers.append(("no answer", {"error": {"code": "no_answer"}}))
                return
            step += 1
            time.sleep(0.01)  # 1,200 note edits a minute at most; votes, seats 60


def first_note(server, person):
    grid = person.browser.get(f"/e/{CODE}/schedule").text
    topic_id = re.search(rf"/e/{CODE}/sessions/(\d+)", grid).group(1)
    editor = person.browser.get(f"/e/{CODE}/sessions/{topic_id}/note").text
    return int(re.search(r'data-note="(\d+)"', editor).group(1))


def write_for(server, crowd, count, seconds):
    """`count` people write at once for `seconds`: return them (their answers kept)."""
    open_voting(server)
    people = crowd(server, count, "Writer")
    snapshot = people[-1].snapshot
    topic = snapshot["topics"][0]["id"]
    sessions = roomiest_sessions(snapshot)
    note = first_note(server, people[0])
    until = time.monotonic() + seconds
    writers = [Writer(person, topic, sessions, note) for person in people]
    threads = [
        threading.Thread(target=w.run, args=(n, until), daemon=True) for n, w in enumerate(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + WAIT * 2)
    return people


def check_no_lock_and_no_server_error(server, people):
    log = server.log()
    assert "database is locked" not in log
    assert "Traceback" not in log, log
    answers = [(event, ack) for person in people for event, ack in person.answers]
    codes = Counter((ack.get("error") or {}).get("code", "ok") for _, ack in answers)
    assert codes["server_error"] == 0, codes
    # Only "ok": a writer waits its turn rather than being refused (`busy`, when the
    # process fell behind by LOAD_SHED_LAG, is sent again, as pages do).
    assert set(codes) == {"ok"}, codes
    assert len(answers) > 20 * 5, f"only {len(answers)} writes in 5 s"


def test_twenty_people_writing_at_once_for_five_seconds_are_never_refused(server, crowd):
    """Twenty phones vote, switch seats, rename themselves and type in a note at the
    same time for five seconds, on SQLite (one writer at a time): every write is
    answered `ok`; never "database is locked", never `server_error`."""
    people = write_for(server, crowd, 20, 5)
    check_no_lock_and_no_server_error(server, people)


@pytest.mark.postgres
def test_twenty_people_writing_at_once_on_postgresql(postgres_database, tmp_path, crowd):
    """The same on PostgreSQL, where writers run side by side (row locks, no
    serialization failure answered as an error)."""
    server = LiveServer(tmp_path / "pg", database_url=postgres_database)
    server.prepare(grid=True)
    server.start()
    try:
        people = write_for(server, crowd, 20, 5)
        check_no_lock_and_no_server_error(server, people)
    finally:
        server.stop()


def test_a_backup_taken_while_people_write_restores_with_every_acknowledged_write(
    server, crowd, stop, tmp_path
):
    """While eight people vote, switch seats and type in a note, the operator runs
    `flask backup` beside the server. The copy opens as the app's database on another
    server, and holds every write acknowledged before the backup started."""
    server.flask_here("backup", "--help")  # the operator's command ready to run
    open_voting(server)
    people = crowd(server, 8, "Backup")
    snapshot = people[-1].snapshot
    topic = snapshot["topics"][0]["id"]
    sessions = roomiest_sessions(snapshot)
    browser, topic_id, note_id = open_note(server, "Plume C")
    writer = NoteWriter(server.base_url, browser.cookie, CODE, note_id, seed=21)
    writer.answer_timeout = ANSWER
    writer.connect()
    writer.sync()

    def write(n, person):
        step = 0
        while not stop.is_set():
            kind = ("vote_cast", "seat_take", "vote_withdraw", "seat_take")[step % 4]
            field = (
                {"topic_id": topic}
                if kind != "seat_take"
                else {"session_id": sessions[step % 4 // 2]}
            )
            person.send(kind, {"op_id": f"b{n}-{step}", **field})
            step += 1
            time.sleep(0.03)

    def type_lines():
        n = 0
        while not stop.is_set():
            writer.type_line(f"backup-{n:04d}")
            writer.flush()
            n += 1
            time.sleep(0.01)

    threads = [threading.Thread(target=write, args=pair, daemon=True) for pair in enumerate(people)]
    threads.append(threading.Thread(target=type_lines, daemon=True))
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # people writing for a while
    acked_before = {(actor_of(p), op_id) for p in people for op_id in p.acked.copy()}
    lines_before = writer.saved.copy()
    copy = tmp_path / "backup.db"
    server.flask_here("backup", str(copy))  # beside the running server, writers going on
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join(WAIT)
    writer.close()
    assert len(acked_before) > 30, "too little written"
    assert len(lines_before) > 10, "too little typed"
    assert all(ack.get("ok") for p in people for _, ack in p.answers)

    # Restored: the copy becomes another server's database, and it opens.
    restored = LiveServer(tmp_path / "restored", secret_key=server.env["SECRET_KEY"])
    copy.rename(restored.workdir / "barcamp.db")
    restored.links = dict(server.links)
    restored.start()
    try:
        with contextlib.closing(sqlite3.connect(restored.workdir / "barcamp.db")) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            kept = set(db.execute("SELECT actor, op_id FROM applied_operation"))
        assert acked_before <= kept
        state = requests.get(restored.url(f"/e/{CODE}/state.json"), timeout=WAIT).json()
        assert {p["name"] for p in state["participants"]} >= {p.name for p in people}
        # The note holds every line saved before.
        again = Browser(restored)
        text = again.get(f"/e/{CODE}/sessions/{topic_id}/note.md").text
        assert lines_before <= set(text.split("\n"))
        check_every_line_once(text, [line for line in writer.typed if line in text.split("\n")])
        again.close()
    finally:
        restored.stop()
        browser.close()
