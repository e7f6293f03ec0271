"""The one way writes happen: run the service, commit, then publish what changed."""

from contextlib import contextmanager

from barcamp import live
from barcamp.changes import take_recorded
from barcamp.extensions import db


@contextmanager
def unit_of_work():
    """Commit the block's changes and broadcast them; on error roll back, say nothing."""
    session = db.session
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        take_recorded()
        raise
    live.publish(take_recorded())
