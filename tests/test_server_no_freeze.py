"""Nothing freezes the live server, and a retried action always gets its true answer:
the real server (gevent) with real clients, on SQLite and on PostgreSQL.

- a writer holding the write lock holds up no page, and the next writer goes in as
  soon as the lock is free;
- a second server on the same SQLite file is refused at start, saying why;
- two copies of one action sent at the same moment (a phone's retry) get one answer;
- the facilitator stops a long search, and nothing is changed.
"""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy

from tests.live_server import ServerError
from tests.test_server import WAIT, op

pytestmark = pytest.mark.server


def test_a_writer_holding_the_lock_holds_up_no_page_and_no_other_writer(
    live_server, browser, live_page
):
    """A unit of work holds SQLite's write lock for 1.5 s (a test hook that sleeps in
    one, which the server catches and rolls back). Meanwhile a phone loads a page at
    its usual speed, and Alice's rename waits its turn without error and is stored
    as soon as the lock is free."""
    alice = browser(live_server)
    alice.join("Alice")
    phone = live_page().connect(live_server, alice)
    phone.wait_for("snapshot")
    held = {}

    def hold():
        held.update(
            requests.post(
                live_server.url("/_test/hold-write-turn?seconds=1.5"), timeout=WAIT
            ).json()
        )

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.3)  # the hook holds the lock by now
    began = time.monotonic()
    alice.get("/e/BERCY")
    page_load = time.monotonic() - began
    began = time.monotonic()
    ack = phone.call("participant_rename", op("Alice M."))
    write_wait = time.monotonic() - began
    holder.join(WAIT)

    assert held == {"held": pytest.approx(1.5, abs=0.3), "caught": True}
    assert page_load < 0.2, f"a page took {page_load:.3f} s while the lock was held"
    assert ack["ok"] is True, ack
    assert 0.7 < write_wait < 1.6, f"the rename waited {write_wait:.3f} s"
    assert any(p["name"] == "Alice M." for p in alice.state()["participants"])


def test_a_second_server_on_the_same_sqlite_file_is_refused(live_server, make_server):
    second = make_server("second", database_url=live_server.env["DATABASE_URL"])
    with pytest.raises(ServerError) as refused:
        second.start()
    assert "SQLite means one app process" in str(refused.value)
    assert requests.get(live_server.url("/e/BERCY"), timeout=WAIT).ok  # the first goes on


def stored_operations(server, op_ids):
    engine = sqlalchemy.create_engine(server.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.text(
                    "SELECT op_id FROM applied_operation WHERE op_id IN :ids"
                ).bindparams(sqlalchemy.bindparam("ids", expanding=True)),
                {"ids": list(op_ids)},
            )
            return sorted(row.op_id for row in rows)
    finally:
        engine.dispose()


def both_at_once(pages, event, payload):
    """Send the same operation from two pages at the same moment; both answers."""
    start = threading.Barrier(len(pages))

    def send(page):
        start.wait(WAIT)
        return page.call(event, payload)

    with ThreadPoolExecutor(len(pages)) as pool:
        return list(pool.map(send, pages, timeout=WAIT * 3))


@pytest.fixture(params=["sqlite", "postgresql"])
def afternoon(request, make_server, tmp_path):
    """The demo with its grid published, on a running server."""
    if request.param == "sqlite":
        server = make_server("afternoon")
    else:
        server = make_server("afternoon", database_url=request.getfixturevalue("postgres_database"))
    server.prepare(grid=True)
    return server.start()


def test_two_copies_of_one_action_sent_at_once_get_one_answer(afternoon, browser, live_page):
    """Alice's phone sends each vote and seat choice twice at the same moment (a retry
    that overtook the first try); so does Paul's console with "build the grid". Each
    pair gets one answer, the same, and each operation is stored once."""
    paul = browser(afternoon)
    paul.get(afternoon.links["facilitator"])
    consoles = [live_page().connect(afternoon, paul) for _ in range(2)]
    consoles[0].wait_for("snapshot")
    # The afternoon demo has voting closed, as after the pitches: Paul opens it again.
    reopened = consoles[0].call("marketplace_set", {"op_id": "reopen", "voting_open": True})
    assert reopened["ok"] is True, reopened
    alice = browser(afternoon)
    alice.join("Alice")
    phones = [live_page().connect(afternoon, alice) for _ in range(2)]
    [snapshot] = phones[0].wait_for("snapshot")
    topic = snapshot["topics"][0]["id"]
    first_slot = snapshot["schedule"]["sessions"][0]["slot_id"]
    choices = [s["id"] for s in snapshot["schedule"]["sessions"] if s["slot_id"] == first_slot]
    sent = []
    for n in range(6):
        vote = {"op_id": f"vote-{uuid.uuid4()}", "topic_id": topic}
        voted = both_at_once(phones, "vote_withdraw" if n % 2 else "vote_cast", vote)
        assert voted[0]["ok"] is True, voted
        assert voted[0] == voted[1]
        seat = {"op_id": f"seat-{uuid.uuid4()}", "session_id": choices[n % 2]}
        seated = both_at_once(phones, "seat_take", seat)
        assert seated[0]["ok"] is True, seated
        assert seated[0] == seated[1]
        sent += [vote["op_id"], seat["op_id"]]
    assert voted[0]["me"]["votes"] == []  # cast, withdrawn, three times over
    assert voted[0]["me"]["left"] == voted[0]["me"]["budget"]
    assert [choices[1]] == [session for _, session in seated[0]["seats"]]

    build = {"op_id": f"grid-{uuid.uuid4()}"}
    answers = both_at_once(consoles, "schedule_optimize", build)
    assert answers[0]["ok"] is True, answers
    assert answers[0] == answers[1]
    sent.append(build["op_id"])
    assert stored_operations(afternoon, sent) == sorted(sent)


def test_the_facilitator_stops_a_long_search_and_nothing_changes(
    make_server, demo_database, browser, live_page
):
    """A search far longer than usual: from another tab, Paul stops it. The console is
    told it stopped, and the grid is as it was."""
    server = make_server("slow", SCHEDULE_STEPS="1000000000")
    server.copy_database(demo_database)
    server.start()
    paul = browser(server)
    paul.get(server.links["facilitator"])
    console, other_tab = (live_page().connect(server, paul) for _ in range(2))
    [before] = console.wait_for("snapshot")
    answer = {}
    building = threading.Thread(
        target=lambda: answer.update(
            console.call("schedule_optimize", {"op_id": f"grid-{uuid.uuid4()}"})
        )
    )
    building.start()
    [searching] = console.wait_for("schedule_progress")
    assert searching["state"] == "running"
    time.sleep(0.5)  # well into its search
    assert other_tab.call("schedule_cancel", {}) == {"ok": True, "cancelled": True}
    building.join(WAIT)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "schedule_cancelled"
    assert (
        console.wait_for("schedule_progress", len(console.events("schedule_progress")))[-1]["state"]
        == "cancelled"
    )
    after = paul.state()
    assert after["schedule"] == before["schedule"]
    assert other_tab.call("schedule_cancel", {}) == {"ok": True, "cancelled": False}
