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
    # Position in the event's stream of changes; None for messages outside it.
    version: int | None = None
    # Who hears it: None for the whole event, else a Socket.IO room (one person's tabs).
    room: str | None = None
    # Coalesced messages are state (tallies, occupancy), read and sent at most a few
    # times a second per event, always the latest.
    coalesce: bool = False


def _bump(event, column):
    table = Event.__table__
    # An UPDATE ... RETURNING takes the row lock, so concurrent writers get
    # consecutive numbers on PostgreSQL as on SQLite.
    value = db.session.execute(
        update(table)
        .where(table.c.id == event.id)
        .values({column: table.c[column] + 1})
        .returning(table.c[column])
    ).scalar_one()
    set_committed_value(event, column, value)
    return value


def _append(change):
    db.session.info.setdefault(_KEY, []).append(change)
    return change


def record(event, name, payload=None):
    """Note a change to broadcast to the event after commit, bumping its version."""
    return _append(Change(event.id, name, payload or {}, _bump(event, "version")))


def record_votes_changed(event):
    """Note that votes changed: the tallies will be sent, coalesced, after commit."""
    _bump(event, "votes_version")
    return _append(Change(event.id, "tallies", coalesce=True))


def record_seats_changed(event):
    """Note that seats changed: the occupancy will be sent, coalesced, after commit."""
    _bump(event, "seats_version")
    return _append(Change(event.id, "occupancy", coalesce=True))


def record_questions_changed(event):
    """Note that questions or their upvotes changed: sent coalesced, after commit."""
    _bump(event, "questions_version")
    return _append(Change(event.id, "questions", coalesce=True))


def record_private(event, room, name, payload):
    """Note a message for one room only (a participant's own tabs), sent after commit."""
    return _append(Change(event.id, name, payload, room=room))


def take_recorded():
    """Remove and return the changes recorded in the current session."""
    return db.session.info.pop(_KEY, [])
