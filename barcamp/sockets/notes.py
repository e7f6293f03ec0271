"""Co-writing a session's note: the Yjs sync handshake and updates, over acknowledged
events. An acknowledgement {ok: true} to `note_update` means the update is stored."""

from flask import request
from flask_babel import gettext as _
from flask_socketio import join_room, leave_room

from barcamp import live
from barcamp.extensions import db
from barcamp.live import presence
from barcamp.models import Note, Role
from barcamp.ratelimit import limiter
from barcamp.services import notes
from barcamp.sockets.context import query
from barcamp.unit_of_work import unit_of_work


def _name(visitor):
    if visitor.participant is not None:
        return visitor.participant.display_name
    return _("Organizer") if visitor.can(Role.ORGANIZER) else _("Facilitator")


@query
def note_join(visitor, payload):
    """note_join {note, sv}: ack {ok, epoch, update, sv, editors}. `update` holds what
    the client lacks (its state vector `sv` says what it has); the client answers with a
    `note_update` of what the server lacks (from the server's `sv`). Run on every
    (re)connect. Joins the note's room and emits `note_presence` to it."""
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


@query
def note_update(visitor, payload):
    """note_update {note, update}: ack {ok} once the update is stored; refused updates
    (unreadable, too large, another event's note) store nothing. Sent on to the others
    writing the note as `note_update {note, update}`. (No operation id: an update
    applied twice changes nothing.)"""
    limiter.enforce("1200/minute", "note_update", visitor.event.id, visitor.actor)
    note = notes.note_by_id(visitor.event, payload.get("note"))
    update = payload.get("update")
    with unit_of_work():
        notes.receive(note, visitor.participant, update)
    live.send_note_update(note.id, bytes(update), skip_sid=request.sid)
    return {}


@query
def note_leave(visitor, payload):
    """note_leave {note}: ack {ok}; leaves the note's room."""
    note_id = payload.get("note")
    leave_room(live.note_room(note_id))
    if presence.leave(note_id, request.sid):
        _left(note_id)
    return {}


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
