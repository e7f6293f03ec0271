"""The topic marketplace of the demo event, live, on the real server (`flask db upgrade`,
`flask demo`, `python wsgi.py`) with real clients: `requests` for joining and
python-socketio for the live page, over WebSocket and long-polling.

The story: the facilitator's projector and Dora's phone are open; thirty people join at
once from their phones, each proposes a topic and spends their three votes (some try
a fourth, vote twice for a topic, take a vote back or move one). Every acknowledgement
is kept with the moment it arrived, every message each page heard with the moment it
heard it. Then the facilitator merges two near-duplicate topics that Dora voted for
both, and Dora gets her second vote back.

Run with `-s` to see the measured figures.
"""

import contextlib
import random
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace

import engineio.payload
import pytest

from tests.live_server import LiveServer
from tests.test_server import WAIT, Browser, LivePage

pytestmark = pytest.mark.server

CROWD = 30
POLLING_EVERY = 6  # crowd members 0, 6, 12… use long-polling, the others WebSocket
BUDGET = 3  # the demo's votes per person, at most one per topic
LIVE_DELAY = 1.0  # seconds: a change shows on every open page within this
SEED = 2013
VOTE_EVENTS = ("vote_cast", "vote_withdraw", "vote_move")
EXPECTED_REFUSALS = {"topic_maximum", "over_budget"}

# Titles are distinct; the first two are the near-duplicates merged at the end.
DUPLICATE_TITLES = [
    "Wiki interministériel : retour d'expérience",
    "Un wiki interministériel, mode d'emploi",
]
THEMES = [
    "Animer une communauté de pratique",
    "Messagerie instantanée et archives publiques",
    "Open data des marchés publics",
    "Former les managers au travail en réseau",
    "Télétravail et outils collaboratifs",
    "Accessibilité des intranets",
    "Identité numérique des agents",
    "Mesurer l'engagement sans flicage",
    "Logiciels libres dans les ministères",
    "Modération bienveillante des forums",
    "Le mentorat inversé",
    "Écrire simple pour être lu",
    "Hackathons dans l'administration",
    "Données personnelles et RGPD au quotidien",
    "Veille partagée entre services",
    "Réunions plus courtes, décisions plus claires",
    "Cartographier les compétences cachées",
    "Innovation en préfecture",
    "Documenter ce qui marche",
    "Les jeunes agents et les réseaux",
    "Sobriété numérique",
    "Usagers associés à la conception",
    "Budget participatif interne",
    "Podcasts internes",
    "Travailler avec les associations",
    "Lutter contre l'infobésité",
    "Design des formulaires",
    "Les tiers-lieux publics",
]
TITLES = DUPLICATE_TITLES + [f"{theme} ({n})" for n, theme in enumerate(THEMES, start=3)]
assert len(set(TITLES)) == CROWD


class TimedPage(LivePage):
    """A live page that also notes when it heard each message (time.monotonic())."""

    def __init__(self, label, **options):
        self.label = label
        self.log = []  # (heard at, name, payload)
        super().__init__(**options)
        self.sio.on("disconnect", lambda reason=None: self._record("disconnect", reason))

    def _record(self, name, *args):
        heard = time.monotonic()
        payload = args[0] if args else None
        with self._changed:
            self.log.append((heard, name, payload))
            self.received.append((name, payload))
            self._changed.notify_all()

    def timed(self, name):
        with self._changed:
            return [(heard, payload) for heard, event, payload in self.log if event == name]

    def earliest(self, name, matches, timeout=WAIT):
        """(heard at, payload) of the earliest `name` message that `matches`, waiting
        for one if needed. python-socketio runs each message's handler in a thread of
        its own, so the log is in arrival order only roughly: pick by time."""

        def found():
            hits = [(t, p) for t, p in self.timed(name) if matches(p)]
            return min(hits, key=lambda hit: hit[0]) if hits else None

        with self._changed:
            self._changed.wait_for(found, timeout)
            hit = found()
        assert hit, f"{self.label}: no matching {name!r} within {timeout} s; heard {self.heard()}"
        return hit

    def versions(self):
        """Versions of the broadcasts heard (snapshots excepted), in the order heard."""
        return [
            payload["version"]
            for _, name, payload in sorted(self.log, key=lambda entry: entry[0])
            if name != "snapshot" and isinstance(payload, dict) and "version" in payload
        ]

    def wait_version(self, version, timeout=WAIT):
        with self._changed:
            done = self._changed.wait_for(lambda: version in self.versions(), timeout)
        assert done, f"{self.label}: version {version} not heard within {timeout} s"

    def topics_seen(self):
        """Open topic ids as this page knows them: its snapshot, then the broadcasts."""
        with self._changed:
            log = sorted(self.log, key=lambda entry: entry[0])
        seen = set()
        for _, name, payload in log:
            if name == "snapshot":
                seen = {topic["id"] for topic in payload["topics"]}
            elif name == "topic_created":
                seen.add(payload["topic"]["id"])
            elif name == "topic_removed":
                seen.discard(payload["topic_id"])
        return sorted(seen)


@dataclass
class Action:
    event: str
    payload: dict
    ack: dict
    sent: float
    acked: float

    @property
    def ok(self):
        return self.ack.get("ok") is True

    @property
    def code(self):
        return None if self.ok else self.ack.get("error", {}).get("code")


@dataclass
class Person:
    """One participant: their browser, their live page, what they did and got back."""

    name: str
    browser: Browser
    page: TimedPage
    rng: random.Random
    snapshot: dict
    actions: list = field(default_factory=list)

    @property
    def start_votes(self):
        return self.snapshot["me"]

    def act(self, event, **payload):
        """Send and keep the answer. A `busy` answer (the server fell behind: nothing
        done) is sent again with the same op_id after a back-off, as the live page does."""
        payload["op_id"] = f"{event}-{uuid.uuid4()}"
        sent = time.monotonic()
        ack = self.page.call_as_a_page(event, payload)  # the story keeps its seed
        self.actions.append(Action(event, payload, ack, sent, time.monotonic()))
        return ack

    def my_topics(self):
        """The topics holding this person's votes, by their last successful ack."""
        me = self.start_votes
        for action in self.actions:
            if action.ok and "me" in action.ack:
                me = action.ack["me"]
        return [topic_id for topic_id, _ in me["votes"]]

    def last_me(self):
        acks = [a.ack["me"] for a in self.actions if a.ok and "me" in a.ack]
        return acks[-1] if acks else self.start_votes

    def votes_heard(self):
        """The latest my_votes this person's page heard (highest votes_version)."""
        heard = [payload for _, payload in self.page.timed("my_votes")]
        return max(heard, key=lambda me: me["votes_version"]) if heard else None


@pytest.fixture(autouse=True)
def long_polls(monkeypatch):
    """python-engineio's client refuses a long-polling response of more than 16
    packets ("Too many packets in payload", a guard meant for the server) and drops the
    connection as a transport error. The server rightly sends every packet queued since
    the last poll, and a browser's socket.io-client takes any number: lift the guard in
    this (client) process only."""
    monkeypatch.setattr(engineio.payload.Payload, "max_decode_packets", 10_000)


def server_errors(server):
    """The kinds of exceptions in the server's log, counted: for failure messages."""
    found = re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception)): (.{0,60})", server.log(), re.M)
    counts = {}
    for kind, message in found:
        counts[f"{kind}: {message}"] = counts.get(f"{kind}: {message}", 0) + 1
    return counts


@pytest.fixture
def opened(tmp_path):
    """What the test opens: closed at the end even on failure, pages first (all at
    once, a websocket's close can take up to 0.2 s), then browsers, then the server."""
    things = SimpleNamespace(server=LiveServer(tmp_path / "server"), browsers=[], pages=[])
    try:
        yield things
    finally:
        try:
            with ThreadPoolExecutor(16) as pool:
                for future in [pool.submit(page.close) for page in things.pages]:
                    with contextlib.suppress(Exception):
                        future.result(timeout=WAIT)
        finally:
            for browser in things.browsers:
                browser.close()
            things.server.stop()


def open_browser(opened):
    browser = Browser(opened.server)
    opened.browsers.append(browser)
    return browser


def open_page(opened, label, browser, transport="websocket"):
    page = TimedPage(label)
    opened.pages.append(page)
    page.connect(opened.server, browser, transport)
    [snapshot] = page.wait_for("snapshot")
    return page, snapshot


def join(opened, name, transport, seed):
    browser = open_browser(opened)
    try:
        browser.join(name)
    except AssertionError as failure:
        status = re.search(r"assert (\d+) == 200", str(failure))
        status = f"HTTP {status.group(1)}" if status else str(failure)[:200]
        raise AssertionError(
            f"{name} could not join ({status}); server log: {server_errors(opened.server)}"
        ) from None
    page, snapshot = open_page(opened, name, browser, transport)
    return Person(name, browser, page, random.Random(seed), snapshot)


def counts_of(tallies):
    assert tallies["counts"] is not None, "the demo's voting is not blind"
    return {topic_id: dots for topic_id, dots in tallies["counts"]}


def propose_and_vote(person, index, start, proposed):
    """One crowd member: propose, wait for the others to have proposed, then vote."""
    start.wait()
    person.act(
        "topic_propose",
        title=TITLES[index],
        pitch=f"Proposé par {person.name}.",
        format="discussion",
        needs=[],
        allow_similar=True,
    )
    proposed.wait()
    topics = person.page.topics_seen()
    rng = person.rng
    for _ in range(BUDGET):  # drawn with replacement: a second vote for a topic is refused
        person.act("vote_cast", topic_id=rng.choice(topics))
    mine = person.my_topics()
    others = [topic for topic in topics if topic not in mine]
    extra = index % 6
    if extra == 0:  # a fourth vote: refused once the three are spent
        person.act("vote_cast", topic_id=rng.choice(others))
    elif extra == 1 and mine:  # take one back, give it elsewhere
        person.act("vote_withdraw", topic_id=rng.choice(mine))
        person.act("vote_cast", topic_id=rng.choice(others))
    elif extra == 2 and mine:  # move one (refused, all or nothing, onto one voted for)
        source = rng.choice(mine)
        person.act(
            "vote_move",
            from_topic_id=source,
            to_topic_id=rng.choice([t for t in topics if t != source]),
        )
    elif extra == 3 and mine:  # the same topic again
        person.act("vote_cast", topic_id=rng.choice(mine))


def replay_votes(person):
    """Replay a person's vote actions on a model of their votes: every ack is the one
    expected (ok with `me` as the model says, or the expected refusal); returns the
    final model."""
    model = {topic_id for topic_id, _ in person.start_votes["votes"]}
    for action in person.actions:
        if action.event not in VOTE_EVENTS:
            continue
        payload, expected_refusal, after = action.payload, None, set(model)
        if action.event == "vote_cast":
            target = payload["topic_id"]
            if target in model:
                expected_refusal = "topic_maximum"
            elif len(model) >= BUDGET:
                expected_refusal = "over_budget"
            after.add(target)
        elif action.event == "vote_withdraw":
            after.discard(payload["topic_id"])
        else:
            after.discard(payload["from_topic_id"])
            if payload["to_topic_id"] in after:
                expected_refusal = "topic_maximum"
            elif len(after) >= BUDGET:
                expected_refusal = "over_budget"
            after.add(payload["to_topic_id"])
        where = f"{person.name}: {action.event} {payload} -> {action.ack}"
        if expected_refusal:
            assert action.code == expected_refusal, where
            assert action.ack["error"]["message"], where
            continue
        assert action.ok, where
        me = action.ack["me"]
        assert me["votes"] == [[topic_id, 1] for topic_id in sorted(after)], where
        assert sum(dots for _, dots in me["votes"]) <= me["budget"] == BUDGET, where
        assert me["left"] == BUDGET - len(after), where
        model = after
    return model


def wait_matching_tallies(page, state, since):
    """When `page` heard the tallies of `state` (state.json): the earliest tallies at
    its votes_version or later, which must carry its counts. Returns the delay."""
    final = state["tallies"]
    heard, tallies = page.earliest(
        "tallies", lambda t: t["votes_version"] >= final["votes_version"], timeout=WAIT
    )
    assert tallies == final, f"{page.label}: tallies heard {tallies}, state.json {final}"
    return heard - since


def check_versions(page, first, last):
    """Every broadcast from `first` to `last` heard exactly once: no gap, no repeat."""
    page.wait_version(last)
    versions = [v for v in page.versions() if first <= v <= last]
    assert sorted(versions) == list(range(first, last + 1)), (
        f"{page.label}: versions heard {versions}, expected {first}..{last}"
    )
    return versions == sorted(versions)


@pytest.fixture
def figures():
    """The measured figures, printed at the end (with -s), even when the test fails."""
    measured = {}
    yield measured
    print("\nmarketplace, live:", *(f"  {k}: {v}" for k, v in measured.items()), sep="\n")


def test_a_crowd_proposes_and_votes_and_every_screen_keeps_up(opened, figures):
    server = opened.server
    server.prepare()
    server.start()

    # 1. The projector (the facilitator's link) and Dora's phone are open.
    projector_browser = open_browser(opened)
    projector_browser.get(server.links["facilitator"])
    projector, projector_snapshot = open_page(opened, "projector", projector_browser)
    rules = projector_snapshot["event"]
    assert rules["proposals_open"]
    assert rules["voting_open"]
    assert (rules["vote_budget"], rules["max_votes_per_topic"]) == (BUDGET, 1)
    assert not rules["blind_voting"]
    baseline = counts_of(projector_snapshot["tallies"])

    dora = join(opened, "Dora (téléphone)", "websocket", SEED)
    phone = dora.page
    malik = join(opened, "Malik", "polling", SEED + 1)
    assert (dora.start_votes["votes"], dora.start_votes["left"]) == ([], BUDGET)

    # 2. Thirty people join at once, each propose a topic and vote.
    first_version = {
        projector: projector_snapshot["version"] + 1,
        phone: dora.snapshot["version"] + 1,
    }
    start = threading.Barrier(CROWD, timeout=WAIT * 3)
    proposed = threading.Barrier(CROWD, timeout=WAIT * 2)

    def crowd_member(index):
        transport = "polling" if index % POLLING_EVERY == 0 else "websocket"
        try:
            person = join(opened, f"Participant {index:02d}", transport, SEED + 10 + index)
        except BaseException:
            start.abort()
            raise
        try:
            propose_and_vote(person, index, start, proposed)
        except BaseException:
            start.abort()
            proposed.abort()
            raise
        return person

    began = time.monotonic()
    with ThreadPoolExecutor(CROWD) as pool:
        futures = [pool.submit(crowd_member, index) for index in range(CROWD)]
        failures = [future.exception(timeout=WAIT * 6) for future in futures]
    # One failure breaks the barriers of all the others: report the first real one.
    failures = [f for f in failures if f is not None]
    failures.sort(key=lambda failure: isinstance(failure, threading.BrokenBarrierError))
    if failures:
        raise failures[0]
    crowd = [future.result() for future in futures]
    figures["crowd phase (s)"] = round(time.monotonic() - began, 2)

    actions = [action for person in crowd for action in person.actions]
    last_ack = max(action.acked for action in actions)
    state = projector_browser.state()

    # 3a. Every ack is ok or an expected refusal, and says what a model of the votes says.
    proposals = [a for a in actions if a.event == "topic_propose"]
    vote_actions = [a for a in actions if a.event in VOTE_EVENTS]
    unexpected = [(a.event, a.code) for a in proposals + vote_actions if not a.ok]
    unexpected = [
        (e, c) for e, c in unexpected if e == "topic_propose" or c not in EXPECTED_REFUSALS
    ]
    assert not unexpected, (
        f"{len(unexpected)} unexpected refusals, e.g. {unexpected[:5]}; "
        f"server log: {server_errors(server)}"
    )
    final_votes = {person.name: replay_votes(person) for person in crowd}
    figures["vote actions"] = len(vote_actions)
    figures["votes cast (ok)"] = sum(a.ok for a in vote_actions if a.event == "vote_cast")
    figures["refusals"] = sum(not a.ok for a in vote_actions)
    figures["busy, sent again"] = sum(person.page.busy for person in crowd)
    assert figures["refusals"] > 0, "the story makes a few refused votes"

    # 3b. The database agrees: the counts, and each one's own votes (their `me`, read
    # again), which their page heard last in `my_votes`.
    expected = dict(baseline)
    for topics in final_votes.values():
        for topic_id in topics:
            expected[topic_id] = expected.get(topic_id, 0) + 1
    assert counts_of(state["tallies"]) == expected
    assert state["tallies"]["total"] == sum(expected.values())
    topic_ids = {topic["id"] for topic in state["topics"]}
    created = {a.ack["topic_id"]: a for a in proposals}
    assert set(created) <= topic_ids
    assert len(topic_ids) == len(projector_snapshot["topics"]) + CROWD
    for person in crowd:
        me = person.page.call("snapshot", {})["snapshot"]["me"]
        used = sum(dots for _, dots in me["votes"])
        assert {topic_id for topic_id, _ in me["votes"]} == final_votes[person.name]
        assert me["left"] == BUDGET - used, person.name
        acked = person.last_me()
        assert (me["votes"], me["left"]) == (acked["votes"], acked["left"]), person.name
        # `my_votes` is sent before the ack; its handler may run just after.
        person.page.earliest("my_votes", lambda m, a=acked: m == a)
        assert person.votes_heard() == acked, person.name

    # 3c. Both screens heard the final counts within a second of the last ack, and
    # every topic within a second of its proposer's ack, with no version missed.
    delays = {page: wait_matching_tallies(page, state, last_ack) for page in (projector, phone)}
    figures["ack -> matching tallies, projector (s)"] = round(delays[projector], 3)
    figures["ack -> matching tallies, phone (s)"] = round(delays[phone], 3)
    assert max(delays.values()) < LIVE_DELAY, figures

    created_delays = []
    for page in (projector, phone):
        heard = {payload["topic"]["id"]: (t, payload) for t, payload in page.timed("topic_created")}
        for topic_id, action in created.items():
            assert topic_id in heard, f"{page.label} never heard topic {topic_id}"
            t, payload = heard[topic_id]
            assert payload["version"] == action.ack["version"]
            assert payload["topic"]["title"] == action.payload["title"]
            created_delays.append(t - action.acked)
    figures["ack -> topic_created, max (s)"] = round(max(created_delays), 3)
    assert max(created_delays) < LIVE_DELAY, figures
    in_order = {
        page.label: check_versions(page, first_version[page], state["version"])
        for page in (projector, phone)
    }
    figures["versions heard in order (by handler time)"] = in_order

    # 3d. Tallies are state: never more messages than stored changes of votes (while the
    # server has time to spare each change goes out at once, then at most ten a second),
    # each newer than the last.
    voting_began = min(a.sent for a in vote_actions)
    settled = last_ack + delays[projector]
    heard = [(t, m) for t, m in projector.timed("tallies") if t >= voting_began]
    figures["voting phase (s)"] = round(max(settled - voting_began, 0.0), 2)
    figures["tallies heard by the projector"] = len(heard)
    stored_changes = sum(a.ok for a in vote_actions)
    assert len(heard) <= stored_changes, figures
    versions = [m["votes_version"] for _, m in heard]
    assert versions == sorted(set(versions)), "each tallies message is newer than the last"

    # 4. Dora votes for both near-duplicates; Malik, about to propose a third, is shown
    # them and votes for one instead. The facilitator merges them from the projector.
    kept, duplicate = created_ids = [
        next(topic_id for topic_id, a in created.items() if a.payload["title"] == title)
        for title in DUPLICATE_TITLES
    ]
    for topic_id in created_ids:
        assert dora.act("vote_cast", topic_id=topic_id)["ok"]
    refused = malik.act(
        "topic_propose",
        title="Wiki interministériel : retours d'expérience",
        pitch="",
        format="discussion",
        needs=[],
    )
    assert refused["ok"] is False
    assert refused["error"]["code"] == "similar_topics"
    assert kept in refused["error"]["topics"]
    assert malik.act("vote_cast", topic_id=duplicate)["ok"]
    before = projector_browser.state()
    counts = counts_of(before["tallies"])
    everyone = [*crowd, dora, malik]
    voted = {person.name: set(person.my_topics()) for person in everyone}
    both = [p for p in everyone if {kept, duplicate} <= voted[p.name]]
    only_duplicate = [p for p in everyone if duplicate in voted[p.name] and p not in both]
    assert dora in both
    assert malik in only_duplicate
    assert counts[kept] > 0
    assert counts[duplicate] > 0
    left_before = {p.name: p.last_me()["left"] for p in everyone}

    merge = projector.call(
        "topic_merge",
        {"op_id": f"merge-{uuid.uuid4()}", "source_id": duplicate, "target_id": kept},
    )
    merged_at = time.monotonic()
    assert merge.get("ok") is True, merge
    after = projector_browser.state()
    new_counts = counts_of(after["tallies"])
    assert duplicate not in {topic["id"] for topic in after["topics"]}
    assert duplicate not in new_counts
    assert new_counts[kept] == counts[kept] + counts[duplicate] - len(both)
    assert after["tallies"]["total"] == before["tallies"]["total"] - len(both)
    for page in (projector, phone):
        _, removed = page.earliest("topic_removed", lambda r: r["topic_id"] == duplicate)
        assert removed["reason"] == "merged"
        assert removed["merged_into"] == kept
        check_versions(page, first_version[page], after["version"])
    merge_delays = [wait_matching_tallies(page, after, merged_at) for page in (projector, phone)]
    figures["merge ack -> matching tallies, max (s)"] = round(max(merge_delays), 3)
    assert max(merge_delays) < LIVE_DELAY, figures
    for person in both + only_duplicate:
        person.page.earliest(
            "my_votes", lambda m: m["votes_version"] >= after["tallies"]["votes_version"]
        )
        latest = person.votes_heard()
        gained = 1 if person in both else 0
        assert latest["left"] == left_before[person.name] + gained, (person.name, latest)
        topics = {topic_id for topic_id, _ in latest["votes"]}
        assert topics == (voted[person.name] - {duplicate}) | {kept}, (person.name, latest)
    figures["double voters refunded"] = len(both)
