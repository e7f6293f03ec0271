"""Co-writing a session's note: the Yjs sync handshake and updates, over acknowledged
events. An acknowledgement {ok: true} to `note_update` means the update is stored."""

import zlib

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_socketio import join_room, leave_room

from barcamp import live
from barcamp.errors import NotFound
from barcamp.extensions import db
from barcamp.live import presence
from barcamp.models import Note, Role
from barcamp.ratelimit import limiter
from barcamp.services import notes
from barcamp.services.lookup import is_id
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


CARET_COLOURS = 8  # the browser has as many (app.css: .cm-writer-0 … 7)


@query
def note_cursor(visitor, payload):
    """note_cursor {note, client, clock, cursor}: ack {ok}; where this writer's caret
    is (`cursor` {anchor, head} of Yjs relative positions, or null), `client` and
    `clock` as in y-protocols' awareness. Passed on to the others on the note as
    `note_cursor {note, client, clock, cursor, name, colour}`, with the name and
    colour the server knows for this person; nothing stored. A connection that
    closes or leaves the note sends `note_cursor {note, client, gone: true}`."""
    limiter.enforce("600/minute", "note_cursor", visitor.event.id, visitor.actor)
    note = notes.note_by_id(visitor.event, payload.get("note"))
    if not presence.here(note.id, request.sid):
        raise NotFound(_l("This note does not exist."))
    client, clock, cursor = notes.caret(
        payload.get("client"), payload.get("clock"), payload.get("cursor")
    )
    presence.show_caret(note.id, request.sid, client)
    caret = {
        "client": client,
        "clock": clock,
        "cursor": cursor,
        "name": _name(visitor),
        "colour": zlib.crc32(visitor.actor.encode()) % CARET_COLOURS,
    }
    live.send_note_caret(note.id, caret, skip_sid=request.sid)
    return {}


@query
def note_leave(visitor, payload):
    """note_leave {note}: ack {ok}; leaves the note's room."""
    note_id = payload.get("note")
    if not is_id(note_id):
        return {}  # never joined: nothing to leave
    leave_room(live.note_room(note_id))
    if presence.leave(note_id, request.sid):
        _left(note_id, request.sid)
    return {}


def disconnect(reason=None):
    """A closed connection leaves every note it had open."""
    for note_id in presence.leave_all(request.sid):
        _left(note_id, request.sid)


def _left(note_id, sid):
    """Tell who is still writing; when nobody is, keep a revision if the text changed."""
    client = presence.drop_caret(note_id, sid)
    if client is not None:
        live.send_note_caret(note_id, {"client": client, "gone": True}, skip_sid=sid)
    editors = presence.names(note_id)
    live.send_note_presence(note_id, editors)
    if editors:
        return
    note = db.session.get(Note, note_id)
    if note is not None:
        with unit_of_work():
            notes.settle(note)
