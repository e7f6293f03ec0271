"""Changes recorded by services, published by the live layer once committed."""

from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from barcamp.extensions import db
from barcamp.models import Event

_KEY = "barcamp.changes"


@dataclass(frozen=True)
class Change:
    """One thing that happened to an event, as its live clients will hear it."""

    event_id: int
    name: str
    payload: dict = field(default_factory=dict)
    version: int = 0


def record(event, name, payload=None):
    """Note a change to broadcast after commit, bumping the event's version."""
    # An UPDATE ... RETURNING takes the row lock, so concurrent writers get
    # consecutive versions on PostgreSQL as on SQLite.
    version = db.session.execute(
        update(Event.__table__)
        .where(Event.__table__.c.id == event.id)
        .values(version=Event.__table__.c.version + 1)
        .returning(Event.__table__.c.version)
    ).scalar_one()
    set_committed_value(event, "version", version)
    change = Change(event.id, name, payload or {}, version)
    db.session.info.setdefault(_KEY, []).append(change)
    return change


def take_recorded():
    """Remove and return the changes recorded in the current session."""
    return db.session.info.pop(_KEY, [])
