"""What one vote and one connection cost, and how a busy server says so: the hot paths
of a big barcamp, held to their budgets (statements counted, not seconds timed: the
figures under load are in docs/benchmarks.md)."""

import gc
from collections import OrderedDict
from types import SimpleNamespace

import pytest
from limits import parse
from socketio import packet as socketio_packet
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from barcamp.database import write_turns
from barcamp.extensions import db
from barcamp.live import memory
from barcamp.live.load import LoadWatch
from barcamp.live.packets import Packet
from barcamp.models import Event, Participant, Vote
from barcamp.ratelimit import LocalMovingWindow, RateLimiter, limiter
from barcamp.services import participants as participant_service
from barcamp.services import topics, vote_batches
from barcamp.services.vote_batches import VoteJob
from barcamp.unit_of_work import unit_of_work
from tests.conftest import join, open_wall, received
from tests.live_server import free_port


@pytest.fixture
def wall(app):
    return open_wall(app)


@pytest.fixture
def statements(app):
    """Count the SQL statements sent to the database."""
    counted = []
    with app.app_context():
        engine = db.engine

    def count(_connection, _cursor, statement, *_args):
        counted.append(statement.split("\n")[0][:60])

    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    yield counted
    sqlalchemy_event.remove(engine, "before_cursor_execute", count)


def voter(client, socket_client, event, name="Amélie"):
    join(client, event, name)
    sio = socket_client(client, event)
    received(sio)
    return sio


def test_a_vote_costs_a_handful_of_statements(client, socket_client, wall, statements):
    event, ids = wall
    sio = voter(client, socket_client, event)
    statements.clear()
    ack = sio.emit("vote_cast", {"op_id": "v-1", "topic_id": ids[0]}, callback=True)
    assert ack["ok"]
    assert ack["me"]["votes"] == [[ids[0], 1]]
    # BEGIN IMMEDIATE, the event, who votes, the answers already given, their votes,
    # the topics, the vote, the votes version, the operation id (services/
    # vote_batches.py: the same for a batch of two hundred); then the tallies (BEGIN,
    # the event, the counts), which the real server sends a few times a second, not
    # once per vote.
    vote = statements[: statements.index("BEGIN")]
    assert len(vote) <= 9, vote
    assert len(statements) <= 12, statements
    assert [m["args"][0]["counts"] for m in received(sio, "tallies")] == [[[ids[0], 1]]]


def test_a_crowd_voting_at_once_costs_the_statements_of_one_vote(app, wall, statements):
    """Thirty people vote in the same instant, two of them twice and one retrying: one
    batch, the same few statements as a single vote, every vote answered as alone."""
    event, ids = wall
    with app.app_context():
        with unit_of_work():
            event = db.session.get(Event, event.id)
            crowd = [participant_service.join(event, f"Foule {n}") for n in range(30)]
        jobs = [
            VoteJob(
                "vote_cast", {"participant": [p.id, secret]}, f"c-{n}", {"topic_id": ids[n % 5]}
            )
            for n, (p, secret) in enumerate(crowd)
        ]
        jobs.append(VoteJob("vote_cast", jobs[0].entry, "c-0", {"topic_id": ids[0]}))  # retry
        jobs.append(VoteJob("vote_cast", jobs[0].entry, "c-again", {"topic_id": ids[0]}))
        jobs.append(
            VoteJob(
                "vote_move", jobs[1].entry, "m-1", {"from_topic_id": ids[1], "to_topic_id": ids[2]}
            )
        )
        statements.clear()
        with unit_of_work():
            vote_batches.apply(event.id, jobs)
        assert len(statements) <= 12, statements
        assert all(job.result["ok"] for job in jobs[:30]), [job.result for job in jobs[:30]]
        assert jobs[30].result == jobs[0].result  # the retry: the first try's answer
        assert jobs[31].result.code == "topic_maximum"  # refused alone
        assert jobs[32].result["me"]["votes"] == [[ids[2], 1]]
        assert jobs[1].result["me"] == jobs[32].result["me"]  # both as of the batch
        counts = dict(
            db.session.execute(
                select(Vote.topic_id, func.sum(Vote.dots)).group_by(Vote.topic_id)
            ).all()
        )
        assert counts == {ids[0]: 6, ids[1]: 5, ids[2]: 7, ids[3]: 6, ids[4]: 6}


def test_the_acks_votes_are_the_voters_votes_after_it(client, socket_client, wall):
    event, ids = wall
    sio = voter(client, socket_client, event)
    for n, topic_id in enumerate(ids[:3]):
        ack = sio.emit("vote_cast", {"op_id": f"c-{n}", "topic_id": topic_id}, callback=True)
    assert ack["me"]["votes"] == [[topic_id, 1] for topic_id in ids[:3]]
    assert ack["me"]["left"] == 0
    refused = sio.emit("vote_cast", {"op_id": "c-over", "topic_id": ids[3]}, callback=True)
    assert refused["error"]["code"] == "over_budget"
    back = sio.emit("vote_withdraw", {"op_id": "w-0", "topic_id": ids[0]}, callback=True)
    assert back["me"]["votes"] == [[topic_id, 1] for topic_id in ids[1:3]]
    assert back["me"]["left"] == 1
    [mine] = [m["args"][0] for m in received(sio, "my_votes")][-1:]
    assert mine == back["me"]


def test_a_retry_refused_now_still_gets_its_first_answer(client, socket_client, wall):
    """Three votes spent; the third's retry would be over budget, yet it is answered
    with the third's acknowledgement, and nothing is counted twice."""
    event, ids = wall
    sio = voter(client, socket_client, event)
    acks = [
        sio.emit("vote_cast", {"op_id": f"c-{n}", "topic_id": topic_id}, callback=True)
        for n, topic_id in enumerate(ids[:3])
    ]
    assert sio.emit("vote_cast", {"op_id": "c-2", "topic_id": ids[2]}, callback=True) == acks[2]
    with client.application.app_context():
        assert db.session.scalar(select(db.func.sum(Vote.dots))) == 3


def test_connecting_reads_the_same_few_statements_however_many_topics(
    app, client, socket_client, wall, statements
):
    event, _ = wall
    join(client, event, "Amélie")
    socket_client(client, event)
    with app.app_context(), unit_of_work():
        fresh = db.session.get(Event, event.id)
        author = db.session.scalars(
            select(Participant).where(Participant.event_id == fresh.id)
        ).first()
        for n in range(20):
            topics.propose(author, f"Sujet en plus numéro {n}", allow_similar=True)
    statements.clear()
    first = socket_client(client, event)
    first_cost, statements_of_first = len(statements), list(statements)
    statements.clear()
    second = socket_client(client, event)
    [snapshot] = [m["args"][0] for m in received(second, "snapshot")]
    assert len(snapshot["topics"]) == 25
    # Who connects, then the event's parts, one query each (none per topic or person):
    # the structure (with the talks and the projector's state), tallies, seats, the
    # questions.
    assert first_cost <= 15, statements_of_first
    # The shared part was read once: the next page reads only who it is and its own
    # votes, seats and upvotes.
    assert len(statements) <= 6, statements
    assert received(first, "snapshot")[0]["args"][0] == snapshot


def test_the_shared_snapshot_follows_every_change(app, client, other_client, socket_client, wall):
    event, ids = wall
    sio = voter(client, socket_client, event)
    sio.emit("vote_cast", {"op_id": "v-1", "topic_id": ids[0]}, callback=True)
    sio.emit("participant_rename", {"op_id": "r-1", "name": "Amélie B."}, callback=True)
    join(other_client, event, "Baptiste")
    again = socket_client(other_client, event)
    [snapshot] = [m["args"][0] for m in received(again, "snapshot")]
    names = [p["name"] for p in snapshot["participants"]]
    assert "Amélie B." in names
    assert "Baptiste" in names
    assert "Amélie" not in names
    assert snapshot["tallies"]["counts"] == [[ids[0], 1]]
    assert snapshot["me"]["votes"] == []
    assert snapshot == dict(
        app.test_client().get(f"/e/{event.code}/state.json").json, me=snapshot["me"]
    )


def test_a_server_that_falls_behind_refuses_actions_at_once_and_changes_nothing(
    app, client, socket_client, wall
):
    event, ids = wall
    sio = voter(client, socket_client, event)
    watch = app.extensions["barcamp_load"]
    watch.limit, watch.lag = 0.3, 1.2  # the event loop runs 1.2 s late
    refused = sio.emit("vote_cast", {"op_id": "v-1", "topic_id": ids[0]}, callback=True)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "busy"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Vote.id))) == 0
    watch.lag = 0.01  # caught up: the client's retry, same operation id, is done
    ack = sio.emit("vote_cast", {"op_id": "v-1", "topic_id": ids[0]}, callback=True)
    assert ack["ok"] is True


def test_rate_limits_in_one_process_forget_what_is_older_than_their_window():
    now = [1000.0]
    window = LocalMovingWindow(clock=lambda: now[0])
    rule = parse("3/minute")
    assert [window.hit(rule, "amélie") for _ in range(4)] == [True, True, True, False]
    assert window.hit(rule, "baptiste") is True  # each person has their own count
    now[0] += 30
    assert window.hit(rule, "amélie") is False
    now[0] += 31
    assert window.hit(rule, "amélie") is True
    now[0] += 3600
    window._sweep(now[0])
    assert window._hits == {}  # people gone quiet are forgotten


def test_a_retry_over_the_rate_limit_gets_its_first_answer(client, socket_client, wall, app):
    event, ids = wall
    sio = voter(client, socket_client, event)
    first = sio.emit("vote_cast", {"op_id": "v-1", "topic_id": ids[0]}, callback=True)
    for n in range(60):  # 60 a minute at most: these (refused: one vote per topic) count
        sio.emit("vote_cast", {"op_id": f"again-{n}", "topic_id": ids[0]}, callback=True)
    assert (
        sio.emit("vote_cast", {"op_id": "v-2", "topic_id": ids[1]}, callback=True)["error"]["code"]
        == "rate_limited"
    )
    assert sio.emit("vote_cast", {"op_id": "v-1", "topic_id": ids[0]}, callback=True) == first
    limiter.reset()


def test_rate_limits_count_locally_while_redis_is_out_of_reach():
    """Redis restarts (nothing listens on its port): joins and votes are still counted,
    by each process on its own, instead of every one of them failing."""
    now = [1000.0]
    limits = RateLimiter(clock=lambda: now[0])
    app = SimpleNamespace(
        config={"RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}, extensions={}
    )
    limits.init_app(app)
    assert [limits.hit("3/minute", "amélie") for _ in range(4)] == [True, True, True, False]
    assert limits.hit("3/minute", "baptiste") is True
    now[0] += RateLimiter.RETRY_SHARED_AFTER + 0.1  # tries Redis again, still out
    assert limits.hit("3/minute", "amélie") is False


def test_a_long_queue_of_writers_refuses_actions_as_busy(
    app, client, socket_client, wall, monkeypatch
):
    """The event loop keeps time but votes queue for SQLite's write turn: past
    LOAD_SHED_LAG of expected waiting, a vote is refused at once, then done on retry."""
    event, ids = wall
    sio = voter(client, socket_client, event)
    app.extensions["barcamp_load"].limit = 0.3
    turns = write_turns(app)
    monkeypatch.setattr(turns, "expected_wait", lambda: 1.5)  # 1.5 s of writers queued
    refused = sio.emit("vote_cast", {"op_id": "v-1", "topic_id": ids[0]}, callback=True)
    assert refused["error"]["code"] == "busy"
    monkeypatch.setattr(turns, "expected_wait", lambda: 0.0)
    assert sio.emit("vote_cast", {"op_id": "v-1", "topic_id": ids[0]}, callback=True)["ok"]


def test_a_client_flooding_new_actions_is_refused_without_reading_the_database(
    client, socket_client, wall, statements
):
    """Past the limit, a few retries are looked up (a page retrying gets its first
    answer); a flood of new operation ids is then refused for the cost of a counter."""
    event, ids = wall
    sio = voter(client, socket_client, event)
    for n in range(70):  # 60 a minute, then 10 lookups of possible retries
        sio.emit("vote_cast", {"op_id": f"flood-{n}", "topic_id": ids[0]}, callback=True)
    statements.clear()
    refusals = [
        sio.emit("vote_cast", {"op_id": f"more-{n}", "topic_id": ids[0]}, callback=True)
        for n in range(100)
    ]
    assert {r["error"]["code"] for r in refusals} == {"rate_limited"}
    assert statements == []
    limiter.reset()


def test_the_loop_remembers_its_worst_stall_of_the_last_minute():
    now = [1000.0]
    watch = LoadWatch(0.3, clock=lambda: now[0])
    watch.note(0.004)
    now[0] += 5
    watch.note(0.120)  # the process stood still 120 ms (a full collection, say)
    watch.note(0.010)
    now[0] += 8
    watch.note(0.002)
    assert watch.lag == 0.002
    assert watch.worst(10) == 0.120
    assert watch.worst(5) == 0.002
    now[0] += 70
    watch.note(0.001)
    assert watch.worst(60) == 0.001  # a minute later it is forgotten


def test_health_says_the_database_answers_and_how_late_the_loop_runs(app, client):
    app.extensions["barcamp_load"].note(0.042)
    response = client.get("/healthz")
    assert response.status_code == 200
    health = response.get_json()
    assert health["ok"] is True
    assert health["database"] is True
    assert health["loop_lag_ms"] == 42.0
    assert health["worst_lag_ms_10s"] == 42.0
    assert health["write_wait_ms"] == 0.0


def test_what_survives_a_full_collection_is_frozen_and_swept_now_and_then():
    """barcamp/live/memory.py: after each full pass its survivors leave the next ones;
    the periodic sweep thaws everything, collects, and freezes again."""
    tasks, soon, naps = [], [], []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) > 1:
            raise InterruptedError  # stop the sweep's loop after one round

    memory.keep_full_passes_short(tasks.append, sleep, soon.append)
    callback = gc.callbacks[-1]
    try:
        gc.collect(0)
        assert soon == []  # a young pass: nothing frozen
        gc.collect(2)
        assert soon == [gc.freeze]  # run once the collector has returned
        [sweep] = tasks
        with pytest.raises(InterruptedError):
            sweep()
        assert naps[0] == memory.SWEEP_EVERY
        assert gc.get_freeze_count() > 0
    finally:
        gc.callbacks.remove(callback)
        gc.unfreeze()


def test_the_quicker_look_for_binary_parts_answers_as_python_socketio_does():
    people = [{"id": n, "name": f"P {n}", "role": "attendee"} for n in range(50)]
    snapshot = {"participants": people}
    payloads = [
        ["snapshot", snapshot],
        ["note_update", {"note": 1, "update": b"\x00\x01"}],
        ["deep", [[1, [2, {"x": bytearray(b"1")}]]]],
        ["plain", 1, None, 2.5, True, "text"],
        ["ordered", OrderedDict(update=b"1")],
        ["tuple", (b"1",)],  # python-socketio does not look into tuples either
    ]
    assert [Packet.data_is_binary(p) for p in payloads] == [
        socketio_packet.Packet.data_is_binary(p) for p in payloads
    ]
    assert [Packet.data_is_binary(p) for p in payloads] == [False, True, True, False, True, False]
