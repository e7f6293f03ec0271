"""The one way writes happen: run the service, commit, then publish what changed."""

from contextlib import contextmanager

from barcamp import live
from barcamp.changes import take_recorded
from barcamp.database import WRITE_LOCK
from barcamp.extensions import db


def _start_fresh(session):
    """Begin a transaction of its own, reading nothing older than its start.

    Whatever was read before (who the visitor is, the form) belongs to a read
    transaction that may have waited on the network since: end it, forget what it
    loaded, and start again with the write lock on SQLite.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("changes were made outside a unit of work")
    if session().in_transaction():
        session.commit()
    session.expire_all()
    session.connection(execution_options={WRITE_LOCK: True})


@contextmanager
def unit_of_work():
    """Commit the block's changes and broadcast them; on error roll back, say nothing.

    Nothing inside the block may wait on the network: on SQLite it holds the write lock.
    """
    session = db.session
    _start_fresh(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        take_recorded()
        raise
    live.publish(take_recorded())
