"""Scale-out: app processes on one PostgreSQL database, Redis carrying their Socket.IO
broadcasts and their rate-limit counters, as deploy/ sets them up.

A vote cast through one process is counted on pages connected to the other; two
people writing one note through different processes converge with nothing lost, also
when the note's log is compacted under them; the seats of a small session are never
oversold by people asking through both processes at once; and after Redis restarts,
every process delivers the others' changes again.
"""

import html
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import sqlalchemy

from tests.conftest import service_or_skip
from tests.live_server import free_port
from tests.notes_client import NoteWriter
from tests.test_notes_server import check_every_line_once, open_note, stored
from tests.test_server import CODE, WAIT

pytestmark = [pytest.mark.server, pytest.mark.postgres, pytest.mark.redis]

# How long Redis stays down in the restart test (seconds): longer than the listener's
# first retry (1 s), so that its back-off has doubled by the time Redis is back.
OUTAGE = 3
# After Redis is back, how long each process may take to deliver again (seconds).
RECOVERY = 15


@pytest.fixture
def processes(postgres_database, redis_url, make_server):
    """Start app processes sharing one PostgreSQL database and one Redis (queue and
    rate limits) with one secret key, as deploy/ runs them; the demo event made once
    through the first."""

    def start(count=2, grid=False, redis=redis_url):
        settings = {
            "database_url": postgres_database,
            "secret_key": secrets.token_hex(32),
            "SOCKETIO_MESSAGE_QUEUE": redis,
            "RATELIMIT_STORAGE_URI": redis,
        }
        servers = [make_server(f"process-{n}", **settings) for n in range(1, count + 1)]
        links = servers[0].prepare(grid=grid)
        for server in servers:
            server.links = links
            server.start()
        return servers

    return start


def query(database_url, sql, **params):
    """Rows of one SQL query, read straight from the shared database."""
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sqlalchemy.text(sql), params).all()
    finally:
        engine.dispose()


def op_id(kind):
    return f"{kind}-{uuid.uuid4()}"


def facilitator_page(server, browser, live_page):
    facilitator = browser(server)
    facilitator.get(server.links["facilitator"])
    page = live_page().connect(server, facilitator)
    [snapshot] = page.wait_for("snapshot")
    return facilitator, page, snapshot


def attendee_page(server, browser, live_page, name):
    person = browser(server)
    person.join(name)
    page = live_page().connect(server, person)
    [snapshot] = page.wait_for("snapshot")
    return person, page, snapshot


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.05)  # polling what the clients heard


def at_once(work, items, timeout=WAIT * 3):
    """Run `work(item)` for every item in threads of their own, all released at the same
    moment; their results, in order."""
    start = threading.Barrier(len(items))

    def released(item):
        start.wait(WAIT)
        return work(item)

    with ThreadPoolExecutor(len(items)) as pool:
        return list(pool.map(released, items, timeout=timeout))


# ---------- votes ----------


def test_a_vote_through_one_process_is_counted_on_the_other(processes, browser, live_page):
    """The facilitator opens voting on the projector (process 2); Alice votes from
    her phone (process 1): the projector's tallies reach that vote's votes_version,
    with one more dot on the topic."""
    first, second = processes()
    facilitator, screen, snapshot = facilitator_page(second, browser, live_page)
    ack = screen.call("marketplace_set", {"op_id": op_id("open"), "voting_open": True})
    assert ack["ok"] is True, ack
    assert facilitator.state()["event"]["voting_open"] is True

    _alice, phone, alice_snapshot = attendee_page(first, browser, live_page, "Alice")
    counts = dict(alice_snapshot["tallies"]["counts"])
    topic_id = min(counts, key=counts.get)  # the least voted for
    vote = phone.call("vote_cast", {"op_id": op_id("vote"), "topic_id": topic_id})
    assert vote["ok"] is True, vote
    votes_version = vote["me"]["votes_version"]
    assert votes_version > snapshot["tallies"]["votes_version"]

    def heard():
        return [t for t in screen.events("tallies") if t["votes_version"] >= votes_version]

    wait_until(heard, WAIT, "the projector never heard the vote")
    tallies = heard()[0]
    assert tallies["votes_version"] == votes_version
    assert dict(tallies["counts"])[topic_id] == counts[topic_id] + 1
    assert tallies["total"] == snapshot["tallies"]["total"] + 1
    assert facilitator.state()["tallies"] == tallies


# ---------- notes ----------

# More updates than a note's log holds before it is merged into one row
# (NOTE_COMPACT_AFTER, 200): each process compacts it at least once while the other
# holds a cached document of its own.
LINES_EACH = 110


def test_two_editors_on_two_processes_converge_through_compaction(processes, postgres_database):
    """Amélie writes the first session's note through process 1, Baptiste through
    process 2, at the same moment, one update per line, enough for the log to be
    compacted while both write: both end with the same text, the one stored, every
    line either typed in it once, and the log merged."""
    first, second = processes(grid=True)
    writers = []
    try:
        for server, name, seed in ((first, "Amélie S.", 11), (second, "Baptiste S.", 12)):
            browser, topic_id, note_id = open_note(server, name)
            writer = NoteWriter(server.base_url, browser.cookie, CODE, note_id, seed=seed)
            writer.browser, writer.topic_id = browser, topic_id
            writers.append(writer.connect())
        assert writers[0].note_id == writers[1].note_id
        for writer in writers:
            writer.sync()

        def write(job):
            writer, prefix = job
            for n in range(LINES_EACH):
                writer.type_line(f"{prefix}-{n:03d}")
                assert writer.flush(), getattr(writer, "last_refusal", "not sent")
            return writer

        at_once(write, list(zip(writers, ("east", "west"), strict=True)))
        for writer in writers:
            writer.sync()
        wait_until(
            lambda: writers[0].text() == writers[1].text(),
            WAIT,
            "the two editors never converged",
        )
        text = writers[0].text()
        for writer, server in zip(writers, (first, second), strict=True):
            assert stored(server, writer) == text
        check_every_line_once(text, writers[0].typed + writers[1].typed)
        [(rows,)] = query(
            postgres_database,
            "SELECT count(*) FROM note_update WHERE note_id = :id",
            id=writers[0].note_id,
        )
        assert rows < 2 * LINES_EACH, "the log was never compacted"
    finally:
        for writer in writers:
            writer.close()
            writer.browser.close()


# ---------- seats ----------


def test_seats_are_never_oversold_across_processes(
    processes, postgres_database, browser, live_page
):
    """The grid is published; twice as many people as the smallest session has free
    seats, half of them on each process, ask for a seat in it at the same moment. As
    many as it has free get one, every ok ack is a seat in the database, and nobody
    else has one."""
    first, second = processes(grid=True)
    state = browser(second).state()
    assert state["schedule"]["published"]
    occupancy = dict(state["occupancy"]["counts"])
    session = min(
        state["schedule"]["sessions"],
        key=lambda s: (s["capacity"] - occupancy.get(s["id"], 0), s["id"]),
    )
    free = session["capacity"] - occupancy.get(session["id"], 0)
    assert 0 < free <= 20, session

    crowd = []
    for n in range(2 * free):
        server = (first, second)[n % 2]
        _person, page, _snapshot = attendee_page(server, browser, live_page, f"Seat {n}")
        crowd.append((f"Seat {n}", page))

    def take(entry):
        _name, page = entry
        return page.call("seat_take", {"op_id": op_id("seat"), "session_id": session["id"]})

    acks = at_once(take, crowd)
    seated = [name for (name, _page), ack in zip(crowd, acks, strict=True) if ack["ok"]]
    refused = [ack["error"]["code"] for ack in acks if not ack["ok"]]
    assert len(seated) == free, acks
    assert refused == ["session_full"] * free, refused
    for ack in acks:
        if ack["ok"]:
            assert [session["slot_id"], session["id"]] in ack["seats"], ack

    after = browser(first).state()
    assert dict(after["occupancy"]["counts"])[session["id"]] == session["capacity"]
    ids = {p["name"]: p["id"] for p in after["participants"]}
    [(taken, capacity)] = query(
        postgres_database,
        "SELECT seats_taken, capacity FROM session WHERE id = :id",
        id=session["id"],
    )
    holders = {
        participant_id
        for (participant_id,) in query(
            postgres_database,
            "SELECT participant_id FROM seat WHERE session_id = :id",
            id=session["id"],
        )
    }
    assert taken == capacity == len(holders) == session["capacity"]
    crowd_ids = {ids[name] for name, _page in crowd}
    assert holders & crowd_ids == {ids[name] for name in seated}


# ---------- a Redis restart ----------


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that it may kill."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        command = [
            *(shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
        ]
        with open(self.workdir / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        client = redis.Redis(port=self.port, socket_timeout=1)
        try:
            wait_until(lambda: self._answers(client), WAIT, "redis-server did not start")
        finally:
            client.close()
        return self

    def _answers(self, client):
        assert self.process.poll() is None, f"redis-server exited:\n{self.log()}"
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def kill(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=WAIT)
            self.process = None

    def log(self):
        return (self.workdir / "redis.log").read_text(errors="replace")[-2000:]


def redis_server_binary():
    if shutil.which("redis-server") is None:
        raise FileNotFoundError("redis-server is not on PATH")


@pytest.fixture
def private_redis(tmp_path):
    service_or_skip("redis-server", redis_server_binary)
    server = PrivateRedis(tmp_path / "redis")
    yield server.start()
    server.kill()


def rename_by_form(person, name):
    """Change one's name with the event page's form (it has no rate limit, so it
    works while Redis, which holds the rate-limit counters, is down)."""
    page = person.get(f"/e/{CODE}").text
    form = re.search(r'<form[^>]*action="[^"]*/me/name"[^>]*>(.*?)</form>', page, re.S)
    assert form, "the event page has no rename form"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.group(1))
    response = person.http.post(
        person.server.url(f"/e/{CODE}/me/name"),
        data={"display_name": name, "csrf_token": html.unescape(token.group(1))},
        timeout=WAIT * 3,
    )
    assert response.status_code == 200, response.text[:500]
    return response


def renamed(page, name):
    return any(u["participant"]["name"] == name for u in page.events("participant_updated"))


def delivered_again(person, watcher, label, timeout, since=None):
    """Rename `person` (on one process) until `watcher` (on the other) hears it; how
    long it took (since `since`, a time.monotonic(), if given). Each try waits a
    second: a broadcast published while a process is not subscribed yet is lost for it
    (Redis keeps no pub/sub history)."""
    began = time.monotonic()
    since = began if since is None else since
    attempt = 0
    while time.monotonic() - began < timeout:
        name = f"{label} {attempt}"
        rename_by_form(person, name)
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            if renamed(watcher, name):
                return time.monotonic() - since
            time.sleep(0.05)  # polling what the watcher heard
        attempt += 1
    pytest.fail(f"{label}: not delivered across processes within {timeout} s")


def test_every_process_delivers_again_after_redis_restarts(
    processes, private_redis, browser, live_page
):
    """Redis is killed, stays down a few seconds and starts again on the same port.
    While it is down, a change is still committed and heard on its own process; once
    it is back, each process hears the other's changes again within RECOVERY seconds
    (its pub/sub listener reconnected and subscribed again instead of dying). Actions
    counted by the rate limits, kept in Redis too, still go through meanwhile: each
    process counts them on its own until Redis is back."""
    first, second = processes(redis=private_redis.url)
    alice, alice_page, snapshot = attendee_page(first, browser, live_page, "Alice")
    bob, _page, _snapshot = attendee_page(second, browser, live_page, "Bob")
    _facilitator, watcher_1, _snapshot = facilitator_page(first, browser, live_page)
    _facilitator, watcher_2, _snapshot = facilitator_page(second, browser, live_page)
    assert delivered_again(alice, watcher_2, "Alice before", 3) < 1
    assert delivered_again(bob, watcher_1, "Bob before", 3) < 1

    private_redis.kill()
    down = time.monotonic()
    rename_by_form(alice, "Alice offline")
    took = time.monotonic() - down
    assert any(p["name"] == "Alice offline" for p in bob.state()["participants"])
    wait_until(lambda: renamed(watcher_1, "Alice offline"), WAIT, "not heard on its process")
    assert not renamed(watcher_2, "Alice offline")
    opened = watcher_1.call("marketplace_set", {"op_id": op_id("open"), "voting_open": True})
    assert opened["ok"] is True, opened
    topic_id = snapshot["topics"][0]["id"]
    vote = alice_page.call("vote_cast", {"op_id": op_id("vote"), "topic_id": topic_id})
    assert vote["ok"] is True, vote
    time.sleep(max(0.0, OUTAGE - (time.monotonic() - down)))  # Redis stays down a while

    private_redis.start()
    back = time.monotonic()
    one_to_two = delivered_again(alice, watcher_2, "Alice after", RECOVERY, since=back)
    two_to_one = delivered_again(bob, watcher_1, "Bob after", RECOVERY, since=back)
    print(
        f"Redis down {OUTAGE} s; a rename meanwhile took {took:.2f} s; once it was back, "
        f"delivered again after {one_to_two:.1f} s (process 1 to 2), {two_to_one:.1f} s (2 to 1)"
    )
    logs = first.log() + second.log()
    assert "Cannot receive from redis" in logs  # the listeners did see Redis go
    assert "Traceback" not in logs, logs
