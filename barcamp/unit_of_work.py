"""The one way writes happen: take the write turn, run the service, commit, then publish
what changed.

**Nothing inside a unit of work may wait**: no subprocess, no network call, no sleep.
On SQLite it holds the process's write turn (barcamp/database.py), so every other writer
waits with it; a unit of work that waits fails in tests and is logged in production.
Whatever must wait (the optimizer's search, a message to Redis) runs before or after.
"""

from contextlib import contextmanager

from barcamp import live
from barcamp.changes import take_recorded
from barcamp.database import WRITE_LOCK, write_turns
from barcamp.extensions import db


def _start_fresh(session):
    """Begin a transaction of its own, reading nothing older than its start.

    Whatever was read before (who the visitor is, the form) belongs to a read
    transaction that may have waited on the network since: end it, forget what it
    loaded, and start again with the write lock on SQLite.
    """
    end_read()
    session.expire_all()
    session.connection(execution_options={WRITE_LOCK: True})


@contextmanager
def unit_of_work():
    """Commit the block's changes and broadcast them; on error roll back, say nothing.

    Raises ServerBusy (nothing done) if the write turn does not come in time.
    """
    session = db.session
    turns = write_turns()
    with turns.turn():
        _start_fresh(session)
        try:
            yield session
            turns.check()
            session.commit()
        except BaseException:
            session.rollback()
            take_recorded()
            raise
    live.publish(take_recorded())


def end_read():
    """End the current read transaction (before something that waits, like the
    optimizer), so that no snapshot of the database is kept open meanwhile."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("changes were made outside a unit of work")
    if session().in_transaction():
        session.commit()
