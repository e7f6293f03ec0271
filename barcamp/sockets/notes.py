"""Co-writing a session's note: the Yjs sync handshake and updates, over acknowledged
events. An acknowledgement {ok: true} to `note_update` means the update is stored."""

from flask import request
from flask_babel import gettext as _
from flask_socketio import join_room, leave_room

from barcamp import live
from barcamp.errors import BarcampError
from barcamp.extensions import db
from barcamp.live import presence
from barcamp.models import Note, Role
from barcamp.ratelimit import limiter
from barcamp.services import notes
from barcamp.sockets.context import bound_event, current_visitor
from barcamp.unit_of_work import unit_of_work


def _name(visitor):
    if visitor.participant is not None:
        return visitor.participant.display_name
    return _("Organizer") if visitor.can(Role.ORGANIZER) else _("Facilitator")


def _answer(handler):
    def wrapper(payload=None):
        try:
            payload = payload if isinstance(payload, dict) else {}
            return {"ok": True, **(handler(payload) or {})}
        except BarcampError as error:
            return error.as_ack()

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


@_answer
def note_join(payload):
    """note_join {note, sv}: ack {ok, epoch, update, sv, editors}. `update` holds what
    the client lacks (its state vector `sv` says what it has); the client answers with a
    `note_update` of what the server lacks (from the server's `sv`). Run on every
    (re)connect. Joins the note's room and emits `note_presence` to it."""
    visitor = current_visitor()
    limiter.enforce("120/minute", "note_join", visitor.event.id, visitor.actor)
    note = notes.note_by_id(visitor.event, payload.get("note"))
    # In the room before reading the state: an update stored in between is then in
    # the answer or sent after it, never missed.
    join_room(live.note_room(note.id))
    answer = notes.join(note, payload.get("sv"))
    presence.enter(note.id, request.sid, _name(visitor))
    editors = presence.names(note.id)
    live.send_note_presence(note.id, editors)
    return {**answer, "editors": [{"name": name} for name in editors]}


@_answer
def note_update(payload):
    """note_update {note, update}: ack {ok} once the update is stored; refused updates
    (unreadable, too large, another event's note) store nothing. Sent on to the others
    writing the note as `note_update {note, update}`."""
    visitor = current_visitor()
    limiter.enforce("1200/minute", "note_update", visitor.event.id, visitor.actor)
    note = notes.note_by_id(visitor.event, payload.get("note"))
    update = payload.get("update")
    with unit_of_work():
        notes.receive(note, visitor.participant, update)
    live.send_note_update(note.id, bytes(update), skip_sid=request.sid)


@_answer
def note_leave(payload):
    """note_leave {note}: ack {ok}; leaves the note's room."""
    bound_event()
    note_id = payload.get("note")
    leave_room(live.note_room(note_id))
    if presence.leave(note_id, request.sid):
        _left(note_id)


def disconnect(reason=None):
    """A closed connection leaves every note it had open."""
    for note_id in presence.leave_all(request.sid):
        _left(note_id)


def _left(note_id):
    """Tell who is still writing; when nobody is, keep a revision if the text changed."""
    editors = presence.names(note_id)
    live.send_note_presence(note_id, editors)
    if editors:
        return
    note = db.session.get(Note, note_id)
    if note is not None:
        with unit_of_work():
            notes.settle(note)
