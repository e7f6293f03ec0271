"""SQLite settings applied to every connection (WAL, busy timeout, foreign keys), write
transactions that take the write lock up front, and the queue writers wait in.

SQLite lets one writer at a time in. Its own way of making the others wait (the busy
handler) sleeps in C: under gevent that stops the whole process, every page and socket
with it. So the writers of one process take turns on a lock of ours first (gevent's
when the standard library is patched, so a writer waiting for its turn lets the others
run), and only then `BEGIN IMMEDIATE`. SQLite's busy timeout stays only as a guard
against a second process on the same file, which is not supported: SQLite means one app
process (PostgreSQL for more); see `claim_sqlite_file`.

The rule that follows, for every unit of work: **nothing inside it may wait** — no
subprocess, no network, no sleep — since every other writer of the process waits for it.
A greenlet that yields to gevent's hub while holding the turn is caught (in tests it
fails; in production it is logged).
"""

import fcntl
import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import greenlet
from flask_babel import lazy_gettext as _l
from sqlalchemy import event

from barcamp.errors import BarcampError

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
# Execution option asking for BEGIN IMMEDIATE (set by the unit of work).
WRITE_LOCK = "barcamp_write_lock"
_EXTENSION = "barcamp_write_turns"

log = logging.getLogger(__name__)


class ServerBusy(BarcampError):
    status = 503
    code = "busy"
    default_message = _l("The server is very busy: nothing was changed. Please try again.")


class WaitedInsideUnitOfWork(RuntimeError):
    """Something waited (a subprocess, the network, a sleep) while holding the write
    turn: every other writer of the process was held up meanwhile."""


def configure_sqlite(engine):
    """Register the pragmas on an SQLite engine; other databases are left alone."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # A write that starts as a read could find, in WAL mode, that another writer
        # committed meanwhile: SQLite then refuses at once ("database is locked"),
        # busy timeout or not. Taking the write lock first makes it wait its turn.
        immediate = connection.get_execution_options().get(WRITE_LOCK)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class WriteTurns:
    """The writers of one process, one at a time, waiting cooperatively.

    On SQLite every unit of work takes a turn; on other databases (which lock rows, not
    the whole file) `turn()` only marks the unit of work, to catch nesting.
    """

    def __init__(self, *, serialize, timeout, strict):
        # threading.Lock is gevent's own lock once gevent has patched the standard
        # library (wsgi.py does it first of all), a plain lock in threads otherwise.
        self._lock = threading.Lock() if serialize else None
        self.timeout = timeout
        self.strict = strict
        self._inside = set()  # the greenlets (or threads) in their unit of work
        self._holder = None  # the one holding the lock, on SQLite
        self._waited = False
        self._waiting = 0  # writers queued for the lock
        self._turn_seconds = 0.0  # how long a turn lasts, a moving average
        if serialize and _gevent_patched():
            self._previous_trace = greenlet.settrace(self._trace)

    @property
    def serializes(self):
        """Whether writers take turns (SQLite): no two units of work run at once."""
        return self._lock is not None

    @contextmanager
    def turn(self):
        me = greenlet.getcurrent()
        if me in self._inside:
            raise RuntimeError("a unit of work inside a unit of work")
        if self._lock is not None:
            self._waiting += 1
            try:
                if not self._lock.acquire(timeout=self.timeout):
                    raise ServerBusy()
            finally:
                self._waiting -= 1
            self._holder, self._waited = me, False
            began = time.perf_counter()
        self._inside.add(me)
        try:
            yield
        finally:
            self._inside.discard(me)
            if self._lock is not None:
                self._holder = None
                self._turn_seconds += 0.1 * (time.perf_counter() - began - self._turn_seconds)
                self._lock.release()

    def expected_wait(self):
        """Roughly how long a writer queuing now would wait for its turn (seconds)."""
        return self._waiting * self._turn_seconds if self._lock is not None else 0.0

    def held(self):
        """Whether the current greenlet (or thread) is inside its unit of work."""
        return greenlet.getcurrent() in self._inside

    def check(self):
        """Before committing: fail (strict) or warn if the holder waited meanwhile."""
        if not self._waited:
            return
        self._waited = False
        message = (
            "a unit of work waited (subprocess, network or sleep) while holding the write "
            "turn: every other writer of this process waited with it"
        )
        if self.strict:
            raise WaitedInsideUnitOfWork(message)
        log.error(message)

    def _trace(self, kind, args):
        # gevent switches to its hub whenever a greenlet waits on anything.
        if kind in ("switch", "throw") and self._holder is not None and args[0] is self._holder:
            self._waited = True
        if self._previous_trace is not None:
            self._previous_trace(kind, args)

    def assert_not_held(self, what):
        """Called by code that waits (the optimizer's subprocess…): never in a turn."""
        if self.held():
            raise WaitedInsideUnitOfWork(f"{what} inside a unit of work")


def _gevent_patched():
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return monkey.is_module_patched("threading")


def init_write_turns(app, engine):
    app.extensions[_EXTENSION] = WriteTurns(
        serialize=engine.dialect.name == "sqlite",
        timeout=app.config["WRITE_TURN_TIMEOUT"],
        strict=app.config["WRITE_TURN_STRICT"],
    )


def write_turns(app=None):
    from flask import current_app

    return (app or current_app).extensions[_EXTENSION]


def assert_may_wait(what):
    """Fail loudly when `what` (something that waits) runs inside a unit of work."""
    from flask import current_app

    if current_app:
        write_turns().assert_not_held(what)


_claimed = {}


def claim_sqlite_file(engine):
    """Make sure this is the only server process on its SQLite file.

    Returns None when it is (or the database is not a SQLite file), else a message
    saying what to do. The claim is an advisory lock on a file beside the database,
    held until the process ends (a crash releases it too).
    """
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    path = Path(database).resolve()
    if path in _claimed:
        return None
    lock_file = open(path.with_name(path.name + ".server-lock"), "a")  # noqa: SIM115
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.close()
        return (
            f"Another Barcamp server process already uses the SQLite database {path}. "
            "SQLite means one app process: stop the other one, or give each its own "
            "DATABASE_URL, or use PostgreSQL to run several (see docs/scaling.md)."
        )
    _claimed[path] = lock_file
    return None
