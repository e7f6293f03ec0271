"""Connecting a live page to its event."""

from flask import request, session
from flask_socketio import ConnectionRefusedError, join_room

from barcamp import identity, live
from barcamp.errors import BarcampError
from barcamp.services.events import get_event
from barcamp.services.snapshots import event_snapshot
from barcamp.sockets.context import BOUND_EVENT, bound_event, current_visitor


def connect(auth=None):
    """connect, auth {event: code}: refused unless this browser joined the event or
    holds one of its role links. Joins the event's room, then emits `snapshot`."""
    code = auth.get("event") if isinstance(auth, dict) else None
    try:
        event = get_event(code)
    except BarcampError:
        raise ConnectionRefusedError("unknown_event") from None
    if not identity.visitor(event).is_member:
        raise ConnectionRefusedError("not_a_member")
    session[BOUND_EVENT] = event.id
    # Join the room before reading the snapshot: a change committed in between is
    # then in the snapshot or broadcast after it, never lost.
    join_room(live.event_room(event.id))
    live.send_snapshot(request.sid, event_snapshot(event))


def snapshot(payload=None):
    """snapshot: ack {ok, snapshot}. Asked by a client that saw a version gap."""
    try:
        current_visitor()
        return {"ok": True, "snapshot": event_snapshot(bound_event())}
    except BarcampError as error:
        return error.as_ack()
