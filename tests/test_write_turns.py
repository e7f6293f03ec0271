"""Writers wait their turn cooperatively: under gevent, a writer waiting for SQLite's
write lock lets every other page and socket of the process run, and a unit of work that
waits on anything while holding the lock is caught.

These run in a child process patched by gevent, as the live server is (the in-process
tests are not)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
from gevent import monkey

monkey.patch_all()

import json
import sys
import time

import gevent
from sqlalchemy import text

from barcamp import create_app
from barcamp.database import WaitedInsideUnitOfWork, write_turns
from barcamp.extensions import db
from barcamp.unit_of_work import unit_of_work
from config import TestingConfig

config = type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
app = create_app(config)
with app.app_context():
    db.create_all()
found = {}


def caught(block):
    with app.app_context():
        try:
            block()
        except WaitedInsideUnitOfWork:
            return True
    return False


def sleeps_inside():
    with unit_of_work():
        gevent.sleep(0.01)


def reads_and_writes_only():
    with unit_of_work():
        db.session.execute(text("SELECT 1"))


found["sleep_caught"] = caught(sleeps_inside)
found["plain_caught"] = caught(reads_and_writes_only)

# One greenlet holds the write lock for 0.5 s (sleeping in its unit of work, which is
# caught and rolled back at its end); another writes meanwhile; a third keeps reading.
began = time.monotonic()
gaps, writes = [], []


def holder():
    with app.app_context():
        try:
            with unit_of_work():
                gevent.sleep(0.5)
        except WaitedInsideUnitOfWork:
            pass


def writer():
    gevent.sleep(0.1)
    with app.app_context(), unit_of_work():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS written (at REAL)"))
        db.session.execute(text("INSERT INTO written VALUES (:at)"), {"at": time.monotonic()})
    writes.append(time.monotonic() - began)


def reader():
    last = time.monotonic()
    while time.monotonic() - began < 0.8:
        with app.app_context():
            db.session.execute(text("SELECT 1"))
            db.session.rollback()
        gevent.sleep(0.01)
        now = time.monotonic()
        gaps.append(now - last)
        last = now


gevent.joinall([gevent.spawn(holder), gevent.spawn(writer), gevent.spawn(reader)], timeout=20)
found["writes"] = writes
found["longest_gap"] = max(gaps)

# Four writers queue behind a long turn: a newcomer would wait about four turns.
turns = write_turns(app)
waits = {"idle": turns.expected_wait()}


def queued():
    with app.app_context(), unit_of_work():
        db.session.execute(text("SELECT 1"))


def look():
    gevent.sleep(0.1)
    waits["four queued"] = turns.expected_wait()


gevent.joinall(
    [gevent.spawn(holder)] + [gevent.spawn(queued) for _ in range(4)] + [gevent.spawn(look)],
    timeout=20,
)
waits["after"] = turns.expected_wait()
found["waits"] = waits
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def under_gevent(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("turns")
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path / 'turns.db'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_a_unit_of_work_that_waits_is_caught(under_gevent):
    assert under_gevent["sleep_caught"] is True
    assert under_gevent["plain_caught"] is False


def test_a_writer_waits_its_turn_without_stopping_the_process(under_gevent):
    [written_at] = under_gevent["writes"]  # it succeeded…
    assert 0.45 <= written_at < 1.0  # …as soon as the lock was free
    assert under_gevent["longest_gap"] < 0.1  # and readers never stopped meanwhile


def test_a_queue_of_writers_says_how_long_a_newcomer_would_wait(under_gevent):
    """What load shedding reads (barcamp/live/load.py): the writers queued times how
    long a turn lasts, zero when nobody waits."""
    waits = under_gevent["waits"]
    assert waits["idle"] == 0
    assert waits["four queued"] > 0.05  # four writers, turns of up to 0.5 s so far
    assert waits["after"] == 0
