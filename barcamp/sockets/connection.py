"""Connecting a live page to its event."""

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, join_room

from barcamp import identity, live
from barcamp.errors import BarcampError, database_down
from barcamp.live import load
from barcamp.models import Role
from barcamp.services.events import get_event
from barcamp.services.snapshots import event_snapshot
from barcamp.sockets.context import BOUND_EVENT, query

# Longer than any join code: not worth a query.
EVENT_CODE_MAX = 32


def connect(auth=None):
    """The connect handler, failing closed: any unexpected error refuses the connection
    (Flask-SocketIO would take the error handler's answer for an acceptance)."""
    try:
        return _connect(auth)
    except ConnectionRefusedError:
        raise
    except Exception as error:
        if database_down(error):  # the page tries again by itself
            raise ConnectionRefusedError("unavailable") from None
        current_app.logger.error("Socket connect failed", exc_info=error)
        raise ConnectionRefusedError("server_error") from None


def _connect(auth):
    """connect, auth {event: code, notes?}: refused unless this browser joined the event,
    holds one of its role links, or opened its screen link (a projector: it hears what
    the event's pages hear, and may only ask for a snapshot). Joins the event's room
    (and the participant's own, the facilitators' for a facilitator, the projectors'
    for a screen link), then emits `snapshot`, except to a note editor (auth
    `notes: true`), which needs only the note's events (and joins only the
    participant's own room: a `removed` there closes it, barcamp/live/closing.py)."""
    load.watch()
    code = auth.get("event") if isinstance(auth, dict) else None
    if not isinstance(code, str) or len(code) > EVENT_CODE_MAX:
        raise ConnectionRefusedError("unknown_event")
    try:
        event = get_event(code)
    except BarcampError:
        raise ConnectionRefusedError("unknown_event") from None
    visitor = identity.visitor(event)
    if not visitor.is_live:
        raise ConnectionRefusedError("not_a_member")
    session[BOUND_EVENT] = event.id
    if auth.get("notes") is True:
        if not visitor.is_member:  # a projector writes no notes
            raise ConnectionRefusedError("not_a_member")
        if visitor.participant is not None:  # closed with their other pages if removed
            join_room(live.participant_room(visitor.participant.id))
        return
    # Join the rooms before reading the snapshot: a change committed in between is
    # then in the snapshot or broadcast after it, never lost.
    join_room(live.event_room(event.id))
    if visitor.participant is not None:
        join_room(live.participant_room(visitor.participant.id))
    if visitor.can(Role.FACILITATOR):
        join_room(live.facilitator_room(event.id))
    if visitor.screen and not visitor.is_member:
        join_room(live.screen_room(event.id))
    live.send_snapshot(request.sid, event_snapshot(event, visitor.participant))


@query(screens=True)
def snapshot(visitor, payload):
    """snapshot {}: ack {ok, snapshot}. Asked by a client that saw a version gap."""
    return {"snapshot": event_snapshot(visitor.event, visitor.participant)}
