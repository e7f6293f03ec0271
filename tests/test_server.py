"""The real server, as an operator starts it (`flask db upgrade`, `flask demo`, then
`python wsgi.py` under gevent), driven by real clients: `requests` for the pages and
python-socketio for the live events, over WebSocket and long-polling.

Each test starts its own server on a free local port, with its own copy of an SQLite
database made once by those commands; the last one runs two processes on PostgreSQL
and Redis, as a multi-process deployment.
"""

import contextlib
import html
import json
import random
import re
import secrets
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio
import websocket

from tests.live_server import LiveServer

pytestmark = pytest.mark.server

CODE = "BERCY"
DEMO_PEOPLE = 60
COOKIE = "barcamp_session"
WAIT = 10  # seconds: generous for one live event, short enough to fail fast
TRANSPORTS = ["websocket", "polling"]


@pytest.fixture
def make_server(tmp_path):
    """Build servers (not started); every one is stopped when the test ends."""
    servers = []

    def make(name="server", **kwargs):
        server = LiveServer(tmp_path / name, **kwargs)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    """The demo event, made once as an operator would (`flask db upgrade`, then
    `flask demo`), in an SQLite file that each test copies."""
    template = LiveServer(tmp_path_factory.mktemp("demo"))
    template.prepare()
    return template


@pytest.fixture
def live_server(make_server, demo_database):
    """The demo event on a running server with its own copy of the database."""
    server = make_server()
    server.copy_database(demo_database)
    return server.start()


class Browser:
    """One visitor's browser: a cookie jar and the forms it fills in."""

    def __init__(self, server):
        self.server = server
        self.http = requests.Session()

    def get(self, path, **kwargs):
        response = self.http.get(self.server.url(path), timeout=WAIT, **kwargs)
        response.raise_for_status()
        return response

    def join(self, name, code=CODE):
        """Type a name in the join form of the event's page and send it."""
        page = self.get(f"/e/{code}").text
        form = re.search(r'<form[^>]*action="[^"]*/join"[^>]*>(.*?)</form>', page, re.S)
        assert form, "the event page has no join form"
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.group(1))
        assert token, "the join form has no CSRF token"
        response = self.http.post(
            self.server.url(f"/e/{code}/join"),
            data={"display_name": name, "csrf_token": html.unescape(token.group(1))},
            timeout=WAIT,
        )
        assert response.status_code == 200, response.text[:500]
        assert response.url == self.server.url(f"/e/{code}"), "no redirect to the event page"
        assert self.cookie, "joining left no session cookie"
        return response

    def state(self, code=CODE):
        return self.get(f"/e/{code}/state.json").json()

    @property
    def cookie(self):
        return self.http.cookies.get(COOKIE)

    def close(self):
        self.http.close()


@pytest.fixture
def browser():
    """Open browsers on a server; all are closed at the end of the test."""
    opened = []

    def open_browser(server):
        opened.append(Browser(server))
        return opened[-1]

    yield open_browser
    for each in opened:
        each.close()


class QuickClosingWebSocket(websocket.WebSocket):
    """websocket-client waits up to 3 s for the server's reply to its close frame.

    That reply often never comes here: python-engineio's client sends the close frame
    from the calling thread while its writer thread may still be sending its last
    packets, the server's websocket ends at whichever comes first, and gevent's pywsgi
    then reads the rest of the connection as a new HTTP request ("Invalid HTTP
    method" in the server log). Waiting for it only slows the tests down.
    """

    def close(self, status=websocket.STATUS_NORMAL, reason=b"", timeout=0.2):
        super().close(status, reason, timeout)


class LivePage:
    """A live page: a python-socketio client that records every event it hears.

    Headers are computed at each (re)connection, like a browser sending its cookie;
    clearing `network` holds reconnection attempts, like a phone in a tunnel.
    """

    def __init__(self, reconnection=False, websocket_origin=None):
        websocket_options = {"class_": QuickClosingWebSocket}
        if websocket_origin:
            websocket_options["origin"] = websocket_origin
        self.sio = socketio.Client(
            reconnection=reconnection,
            reconnection_delay=0.5,
            reconnection_delay_max=2,
            randomization_factor=0.2,
            websocket_extra_options=websocket_options,
        )
        self.received = []
        self.busy = 0  # how many `busy` answers call_as_a_page sent again
        self.batches = []  # the size of each `changes` heard
        self.refusals = []
        self.network = threading.Event()
        self.network.set()
        self._changed = threading.Condition()
        self.sio.on("*", self._hear)
        self.sio.on("connect", lambda: self._record("connect"))
        self.sio.on("connect_error", self._refused)

    def _hear(self, name, *args):
        """A batch of broadcasts (`changes`) is heard as the broadcasts it holds, in
        order, as live.js applies it."""
        if name == "changes" and args and isinstance(args[0], dict):
            self.batches.append(len(args[0]["changes"]))
            for change in args[0]["changes"]:
                self._record(change["name"], change)
        else:
            self._record(name, *args)

    def _record(self, name, *args):
        with self._changed:
            self.received.append((name, args[0] if args else None))
            self._changed.notify_all()

    def _refused(self, data):
        with self._changed:
            self.refusals.append(data)
            self._changed.notify_all()
        self._hang_up()

    def _hang_up(self):
        """Send the Engine.IO CLOSE packet ourselves over long-polling.

        python-engineio's client can lose the CLOSE packet it queues on disconnect
        (its write loop stops once the state leaves "connected", even with packets
        queued), then waits for its pending poll until the server's next ping, 25 s
        later. The server is not at fault: it closes at once on a CLOSE packet.
        """
        eio = self.sio.eio
        if eio.current_transport == "polling" and eio.sid and eio.state == "connected":
            with contextlib.suppress(requests.RequestException):
                requests.post(
                    eio.base_url,
                    data="1",
                    headers={"Content-Type": "text/plain;charset=UTF-8"},
                    timeout=WAIT,
                )

    def connect(self, server, browser=None, transport="websocket", code=CODE, headers=None):
        cookie = browser.cookie if browser is not None else None

        def current_headers():
            assert self.network.wait(WAIT * 3), "the network never came back"
            sent = dict(headers or {})
            if cookie:
                sent["Cookie"] = f"{COOKIE}={cookie}"
            return sent

        self.sio.connect(
            server.base_url,
            headers=current_headers,
            auth={"event": code},
            transports=[transport],
            wait_timeout=WAIT,
        )
        return self

    def events(self, name):
        with self._changed:
            return [payload for event, payload in self.received if event == name]

    def wait_for(self, name, count=1, timeout=WAIT):
        """The payloads of the first `count` events named `name`, waiting if needed."""
        with self._changed:
            done = self._changed.wait_for(lambda: len(self.events(name)) >= count, timeout)
            got = self.events(name)
        assert done, f"expected {count} {name!r} within {timeout} s; heard {self.heard()}"
        return got[:count]

    def heard(self):
        with self._changed:
            return [
                (name, payload.get("version") if isinstance(payload, dict) else None)
                for name, payload in self.received
            ]

    def call(self, event, data):
        return self.sio.call(event, data, timeout=WAIT)

    def call_as_a_page(self, event, data, chance=random):
        """Call and return the answer. A "busy" answer (nothing done) is tried again
        with the same operation id after a growing wait, as live.js does, up to five
        times (`chance`: a random.Random, to keep a story's own seed)."""
        for attempt in range(5):
            answer = self.call(event, data)
            if (answer.get("error") or {}).get("code") != "busy":
                break
            self.busy += 1
            time.sleep(0.5 * 2**attempt * (0.5 + chance.random()))  # live.js's backoff
        return answer

    def close(self):
        self.network.set()
        self.sio.reconnection = False
        self._hang_up()
        self.sio.shutdown()
        # After its server was killed, python-engineio's client leaves its websocket
        # open (it only notes the loss): close it here.
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None:
            ws.shutdown()


@pytest.fixture
def live_page():
    """Open live pages; every one is disconnected (and stops reconnecting) at the end."""
    opened = []

    def open_page(**options):
        opened.append(LivePage(**options))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def by_name(snapshot, name):
    [participant] = [p for p in snapshot["participants"] if p["name"] == name]
    return participant


def op(name):
    """A rename as a page sends it, with a fresh operation id."""
    return {"op_id": f"rename-{uuid.uuid4()}", "name": name}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_projector_sees_each_attendee_join_in_order(live_server, browser, live_page, transport):
    """The facilitator opens their link on the projector's laptop; two attendees join
    from their phones; the projector hears both, with consecutive versions, and
    counts as many people as state.json does."""
    projector = browser(live_server)
    landed = projector.get(live_server.links["facilitator"])
    assert landed.history, "the role link should redirect"
    assert landed.url == live_server.url(f"/e/{CODE}/facilitate"), "the secret must go"
    screen = live_page().connect(live_server, projector, transport)
    [snapshot] = screen.wait_for("snapshot")
    assert snapshot["event"]["code"] == CODE
    assert snapshot["present"] == len(snapshot["participants"]) == DEMO_PEOPLE

    alice = browser(live_server)
    alice.join("Alice")
    alice_page = live_page().connect(live_server, alice, transport)
    [alice_snapshot] = alice_page.wait_for("snapshot")
    assert by_name(alice_snapshot, "Alice")["role"] == "attendee"
    bob = browser(live_server)
    bob.join("Bob")

    joined = screen.wait_for("participant_joined", 2)
    assert [j["participant"]["name"] for j in joined] == ["Alice", "Bob"]
    assert [j["version"] for j in joined] == [snapshot["version"] + 1, snapshot["version"] + 2]
    # Alice's phone, connected after she joined, hears Bob only.
    [bob_joined] = alice_page.wait_for("participant_joined")
    assert bob_joined == joined[1]

    state = projector.state()
    seen = {p["id"] for p in snapshot["participants"]} | {j["participant"]["id"] for j in joined}
    assert state["present"] == len(seen) == DEMO_PEOPLE + 2
    assert {p["id"] for p in state["participants"]} == seen
    assert state["version"] == joined[-1]["version"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_socket_without_a_participant_or_role_is_refused(
    live_server, browser, live_page, transport
):
    """No cookie, or a cookie from a visit without joining: no live connection, and no
    snapshot. A member asking for another event's code is refused as well."""
    with pytest.raises(socketio.exceptions.ConnectionError):
        live_page().connect(live_server, None, transport)

    onlooker = browser(live_server)
    onlooker.get(f"/e/{CODE}")
    page = live_page()
    with pytest.raises(socketio.exceptions.ConnectionError):
        page.connect(live_server, onlooker, transport)
    assert page.refusals == [{"message": "not_a_member"}]
    assert page.received == []

    alice = browser(live_server)
    alice.join("Alice")
    elsewhere = live_page()
    with pytest.raises(socketio.exceptions.ConnectionError):
        elsewhere.connect(live_server, alice, transport, code="NOPE42")
    assert elsewhere.refusals == [{"message": "unknown_event"}]
    # The same cookie opens the right event: the refusals above were about membership.
    live_page().connect(live_server, alice, transport).wait_for("snapshot")


def test_the_socket_handshake_is_same_origin_only(live_server, browser, live_page):
    """A page on another site cannot open a socket with the visitor's cookie (the
    browser sends that site's Origin); the server's own pages and non-browser
    clients (no Origin) can."""
    handshake = live_server.url("/socket.io/?EIO=4&transport=polling")
    foreign = requests.get(handshake, headers={"Origin": "https://evil.example"}, timeout=WAIT)
    assert foreign.status_code == 400
    own = requests.get(handshake, headers={"Origin": live_server.base_url}, timeout=WAIT)
    assert own.status_code == 200
    assert requests.get(handshake, timeout=WAIT).status_code == 200

    alice = browser(live_server)
    alice.join("Alice")
    evil = {"Origin": "https://evil.example"}
    with pytest.raises(socketio.exceptions.ConnectionError):
        live_page().connect(live_server, alice, "polling", headers=evil)
    with pytest.raises(socketio.exceptions.ConnectionError):
        live_page(websocket_origin=evil["Origin"]).connect(live_server, alice, "websocket")
    assert alice.state()["present"] == DEMO_PEOPLE + 1


def test_acknowledged_renames_survive_a_hard_kill(live_server, browser, live_page):
    """An attendee renames herself twenty times; each rename is acknowledged. The
    server is killed with SIGKILL right after the last ack and restarted: the last
    acknowledged name is there. A page that retries an operation it already sent
    (it never saw the ack) gets the same ack back, and nothing changes."""
    alice = browser(live_server)
    alice.join("Alice")
    page = live_page().connect(live_server, alice, "websocket")
    page.wait_for("snapshot")

    sent = []
    for n in range(1, 21):
        rename = op(f"Alice {n}")
        ack = page.call("participant_rename", rename)
        assert ack.get("ok") is True, ack
        assert ack["name"] == rename["name"]
        sent.append((rename, ack))
    versions = [ack["version"] for _, ack in sent]
    assert versions == list(range(versions[0], versions[0] + 20))

    live_server.kill()
    live_server.start()

    state = alice.state()
    assert by_name(state, "Alice 20")
    assert state["version"] >= versions[-1]

    retry = live_page().connect(live_server, alice, "websocket")
    retry.wait_for("snapshot")
    for rename, ack in (sent[0], sent[-1]):
        assert retry.call("participant_rename", rename) == ack
    after = alice.state()
    assert after["version"] == state["version"]
    assert by_name(after, "Alice 20")["id"] == by_name(state, "Alice 20")["id"]


def test_a_kill_in_the_middle_of_a_vote_rush_loses_no_acknowledged_vote(
    live_server, browser, live_page
):
    """Twenty people vote and take their vote back, over and over, all at once (the
    server stores them in batches); the server is killed with SIGKILL in the middle.
    After the restart each person's vote is where their last acknowledged action left
    it, or one step further (an action stored whose ack was lost with the process);
    every acknowledged operation is stored, and its retry changes nothing."""
    people = []
    for n in range(20):
        person = browser(live_server)
        person.join(f"Votant {n:02d}")
        page = live_page().connect(live_server, person, "websocket")
        [snapshot] = page.wait_for("snapshot")
        people.append((person, page))
    topic = snapshot["topics"][0]["id"]
    acked = {n: [] for n in range(20)}  # (op, ack) of each person, in order
    enough = threading.Event()

    def rush(n):
        _, page = people[n]
        for step in range(60):
            kind = "vote_withdraw" if step % 2 else "vote_cast"
            sent = {"op_id": f"rush-{n}-{step}", "topic_id": topic}
            try:
                ack = page.call(kind, sent)
            except Exception:  # the server is gone: the rest is never answered
                return
            assert ack.get("ok") is True, ack
            acked[n].append((kind, sent, ack))
            if sum(len(a) for a in acked.values()) >= 200:
                enough.set()

    threads = [threading.Thread(target=rush, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    assert enough.wait(WAIT * 3), "the rush never got going"
    live_server.kill()
    for thread in threads:
        thread.join(WAIT * 2)
    live_server.start()

    database = live_server.env["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        stored = {row[0] for row in connection.execute("SELECT op_id FROM applied_operation")}
    for n, (person, _) in enumerate(people):
        done = len(acked[n])  # steps 0 … done-1 acknowledged, casts on the even ones
        assert {sent["op_id"] for _, sent, _ in acked[n]} <= stored
        # The step after them was stored too if its ack was lost with the process.
        lost_ack = f"rush-{n}-{done}" in stored
        expected = (done + lost_ack) % 2 == 1
        again = live_page().connect(live_server, person, "websocket")
        [mine] = again.wait_for("snapshot")
        assert ([topic, 1] in mine["me"]["votes"]) == expected, (n, done, lost_ack)
        if done:
            kind, sent, ack = acked[n][-1]
            # A retry after the restart: the stored answer, and nothing changes.
            assert again.call(kind, sent) == ack
            votes = again.call("snapshot", {})["snapshot"]["me"]["votes"]
            assert ([topic, 1] in votes) == expected
        again.close()
    assert sum(len(a) for a in acked.values()) >= 200


def test_a_page_gets_a_fresh_snapshot_when_it_reconnects_after_a_restart(
    live_server, browser, live_page
):
    """The server restarts while Alice's phone is out of reach; Bob joins in between.
    When the phone reconnects on its own, it gets a new snapshot with Bob in it, and
    it is live again: its next rename comes back as a broadcast."""
    alice = browser(live_server)
    alice.join("Alice")
    page = live_page(reconnection=True).connect(live_server, alice, "websocket")
    [first] = page.wait_for("snapshot")

    page.network.clear()
    live_server.kill()
    live_server.start()
    bob = browser(live_server)
    bob.join("Bob")
    page.network.set()

    second = page.wait_for("snapshot", 2, timeout=WAIT * 2)[1]
    # The server sends the snapshot from its connect handler, just before it confirms
    # the connection; python-socketio only lets a page emit once that has arrived.
    page.wait_for("connect", 2)
    assert by_name(second, "Bob")
    assert by_name(second, "Alice") == by_name(first, "Alice")
    assert second["version"] == first["version"] + 1
    assert second["present"] == first["present"] + 1

    ack = page.call("participant_rename", op("Alice B."))
    assert ack.get("ok") is True, ack
    [updated] = page.wait_for("participant_updated")
    assert updated["participant"]["name"] == "Alice B."
    assert updated["version"] == ack["version"]


def test_a_burst_of_arrivals_reaches_the_projector_in_a_few_batches_in_order(
    live_server, browser, live_page
):
    """Thirty people join at the same moment: the projector hears each arrival once,
    with consecutive versions, most of them in batches rather than one message each."""
    projector = browser(live_server)
    projector.get(live_server.links["facilitator"])
    screen = live_page().connect(live_server, projector, "websocket")
    [snapshot] = screen.wait_for("snapshot")
    names = [f"Arrivée {n:02d}" for n in range(30)]
    doors = [threading.Thread(target=browser(live_server).join, args=(n,)) for n in names]
    for door in doors:
        door.start()
    for door in doors:
        door.join()
    joined = screen.wait_for("participant_joined", 30)
    first = snapshot["version"] + 1
    assert [j["version"] for j in joined] == list(range(first, first + 30))
    assert sorted(j["participant"]["name"] for j in joined) == names
    assert screen.batches
    assert max(screen.batches) > 1
    assert len(screen.batches) + (30 - sum(screen.batches)) < 30  # fewer messages
    assert projector.state()["present"] == DEMO_PEOPLE + 30


@pytest.mark.postgres
@pytest.mark.redis
def test_two_processes_share_live_events_through_redis(
    postgres_database, redis_url, make_server, browser, live_page
):
    """Two server processes on one PostgreSQL database, with Redis carrying their
    broadcasts and rate limits: a join through either process is heard on pages
    connected to the other, and renames made at the same moment through both get
    versions of their own, with no gap."""
    shared = {
        "database_url": postgres_database,
        "secret_key": secrets.token_hex(32),
        "SOCKETIO_MESSAGE_QUEUE": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
    }
    first, second = make_server("a", **shared), make_server("b", **shared)
    second.prepare()
    first.start()
    second.start()

    projector = browser(second)
    projector.get(second.links["facilitator"])
    screen = live_page().connect(second, projector, "websocket")
    [snapshot] = screen.wait_for("snapshot")

    alice = browser(first)
    alice.join("Alice")
    [joined] = screen.wait_for("participant_joined")
    assert joined["participant"]["name"] == "Alice"
    assert joined["version"] == snapshot["version"] + 1

    # And the other way round, over long-polling this time.
    alice_page = live_page().connect(first, alice, "polling")
    alice_page.wait_for("snapshot")
    bob = browser(second)
    bob.join("Bob")
    [bob_joined] = alice_page.wait_for("participant_joined")
    assert bob_joined == screen.wait_for("participant_joined", 2)[1]
    assert bob_joined["version"] == snapshot["version"] + 2
    assert alice.state()["present"] == projector.state()["present"] == DEMO_PEOPLE + 2

    # Attendees on both processes rename themselves at the same moment: each rename
    # gets a version of its own, with no gap, and the projector hears every one (not
    # necessarily in order: two processes publish independently).
    crowd = []
    for n, server in enumerate([first, second] * 3):
        guest = browser(server)
        guest.join(f"Guest {n}")
        crowd.append(live_page().connect(server, guest, "websocket"))
    for page in crowd:
        page.wait_for("snapshot")
    start = threading.Barrier(len(crowd))

    def rename(n):
        start.wait(WAIT)
        return crowd[n].call("participant_rename", op(f"Guest {n} (renamed)"))

    with ThreadPoolExecutor(len(crowd)) as pool:
        acks = list(pool.map(rename, range(len(crowd)), timeout=WAIT * 2))
    assert all(ack.get("ok") is True for ack in acks), acks
    versions = sorted(ack["version"] for ack in acks)
    assert versions == list(range(versions[0], versions[0] + len(crowd)))
    updates = screen.wait_for("participant_updated", len(crowd))
    assert sorted(update["version"] for update in updates) == versions
    assert projector.state()["version"] == versions[-1]

    # The facilitator, on the second process, removes Guest 0, whose page is on the
    # first: that page hears why, and the first process closes it at once.
    guest_id = next(
        joined["participant"]["id"]
        for joined in screen.events("participant_joined")
        if joined["participant"]["name"] == "Guest 0"
    )
    form = projector.get(f"/e/{CODE}/people/{guest_id}/remove").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    removed = projector.http.post(
        second.url(f"/e/{CODE}/people/{guest_id}/remove"),
        data={"csrf_token": html.unescape(token.group(1)), "topics": "keep"},
        timeout=WAIT,
    )
    assert removed.status_code == 200, removed.text[:300]
    assert crowd[0].wait_for("removed") == [{"banned": False}]
    deadline = time.monotonic() + WAIT
    while crowd[0].sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not crowd[0].sio.connected
    assert crowd[1].sio.connected
    [left] = screen.wait_for("participant_left")
    assert left["participant_id"] == guest_id


def test_building_the_grid_does_not_hold_up_the_live_pages(
    make_server, demo_database, browser, live_page
):
    """The optimizer runs in a process of its own, outside any transaction: while it
    searches (given more steps than the demo needs, so that it lasts), a phone's
    requests are answered as fast as usual."""
    live_server = make_server("long-search", SCHEDULE_STEPS="40000")
    live_server.copy_database(demo_database)
    live_server.start()
    facilitator = browser(live_server)
    facilitator.get(live_server.links["facilitator"])
    console = live_page().connect(live_server, facilitator)
    console.wait_for("snapshot")
    alice = browser(live_server)
    alice.join("Alice")
    phone = live_page().connect(live_server, alice)
    phone.wait_for("snapshot")

    delays, done = [], threading.Event()

    def keep_asking():
        while not done.is_set():
            began = time.monotonic()
            assert phone.call("snapshot", {})["ok"]
            delays.append(time.monotonic() - began)
            time.sleep(0.05)

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        began = time.monotonic()
        ack = console.call("schedule_optimize", {"op_id": f"grid-{uuid.uuid4()}"})
        searching = time.monotonic() - began
    finally:
        done.set()
        asker.join(timeout=WAIT)
    assert ack["ok"], ack
    assert ack["report"]["score"] <= ack["report"]["upper_bound"]
    assert searching >= 1.0  # it did search for a while
    assert len(delays) >= 10
    assert max(delays) < 0.5, f"slowest answer while searching: {max(delays):.3f} s"


def silent_page(server, person):
    """A page that opens its socket, takes its snapshot, then never answers a ping
    again (a phone put to sleep mid-connection, a broken client)."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
        header=[f"Cookie: {COOKIE}={person.cookie}"],
        origin=server.base_url,
        timeout=WAIT,
    )
    assert ws.recv().startswith("0")  # Engine.IO's OPEN
    ws.send("40" + json.dumps({"event": CODE}))
    while '"snapshot"' not in ws.recv():
        pass
    return ws


def test_a_page_that_stops_answering_pings_is_dropped_and_others_go_on(
    make_server, demo_database, browser, live_page
):
    """Sam's phone connects, then goes silent: the server pings it every second
    (SOCKETIO_PING_INTERVAL here; 25 s by default) and drops it once a ping goes
    unanswered past the timeout. Meanwhile Zoé's page hears renames as usual."""
    server = make_server(SOCKETIO_PING_INTERVAL="1", SOCKETIO_PING_TIMEOUT="1")
    server.copy_database(demo_database)
    server.start()
    sam, zoe = browser(server), browser(server)
    sam.join("Sam")
    zoe.join("Zoé")
    page = live_page().connect(server, zoe)
    page.wait_for("snapshot")
    ws = silent_page(server, sam)
    raw = ws.sock
    began = time.monotonic()
    pings = 0
    try:
        with contextlib.suppress(websocket.WebSocketConnectionClosedException, OSError):
            while time.monotonic() - began < WAIT:
                frame = ws.recv()  # heard, never answered
                if frame == "":
                    break  # the server's close
                pings += frame == "2"
        dropped_after = time.monotonic() - began
    finally:
        ws.close()
        raw.close()
    assert pings >= 1
    assert dropped_after < 1 + 1 + 3, f"still connected after {dropped_after:.1f} s"
    ack = page.call("participant_rename", {"op_id": str(uuid.uuid4()), "name": "Zoé L."})
    assert ack["ok"] is True, ack
    [renamed] = page.wait_for("participant_updated")
    assert renamed["participant"]["name"] == "Zoé L."
