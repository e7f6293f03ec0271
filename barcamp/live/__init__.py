"""The only code that emits to Socket.IO clients.

With one process the Socket.IO server delivers in memory; with several, the
message queue configured in SOCKETIO_MESSAGE_QUEUE (Redis) carries each emit.
"""

import threading

from flask import current_app

from barcamp.extensions import socketio
from barcamp.live.coalescer import Batcher, Coalescer

_EXTENSION = "barcamp_live"
# Held while this process sends committed changes (see publish): gevent's lock once
# the server is monkey-patched.
_PUBLISHING = threading.RLock()
_BATCHES = "barcamp_live_batches"

# Changes in the event's stream sent in batches during a burst: arrivals (at the doors
# at 9:00, fifty a second) would otherwise cost one message to every open page each.
BATCHED = {"participant_joined"}


def event_room(event_id):
    """The Socket.IO room every live page of an event joins."""
    return f"event:{event_id}"


def participant_room(participant_id):
    """The Socket.IO room of one participant's open pages (phone, laptop, tabs)."""
    return f"participant:{participant_id}"


def facilitator_room(event_id):
    """The Socket.IO room of the facilitators' pages of an event (the optimizer's
    progress)."""
    return f"facilitators:{event_id}"


def screen_room(event_id):
    """The Socket.IO room of the projectors opened by the event's screen link."""
    return f"screens:{event_id}"


def init_app(app):
    """Set up the coalescer of this process (tallies and occupancy, per event) and its
    load watch."""
    from barcamp.live import load

    load.init_app(app)

    def send_state(key):
        event_id, name = key
        with app.app_context():
            from barcamp.services.snapshots import state_message

            message = state_message(event_id, name)
            if message is not None:
                socketio.emit(name, message, to=event_room(event_id))

    def later(delay, function, *args):
        def run():
            socketio.sleep(delay)
            with _PUBLISHING:
                function(*args)

        socketio.start_background_task(run)

    app.extensions[_EXTENSION] = Coalescer(
        app.config["TALLY_INTERVAL"],
        send_state,
        later=later,
        intervals={"questions": app.config["QUESTIONS_INTERVAL"]},
        spare=load.has_time_to_spare(app),
    )

    def send_changes(event_id, messages):
        if len(messages) == 1:
            name, payload = messages[0]
            socketio.emit(name, payload, to=event_room(event_id))
        else:
            changes = [dict(payload, name=name) for name, payload in messages]
            socketio.emit("changes", {"changes": changes}, to=event_room(event_id))

    app.extensions[_BATCHES] = Batcher(app.config["BATCH_INTERVAL"], send_changes, later=later)


def publish(changes):
    """Broadcast committed changes, in order; state messages are coalesced per event.

    Between two messages to a whole event the rest of the process runs (a message to a
    thousand pages holds it ~10 ms: a grid applied, then its seat counts, would hold it
    twice as long at once); the other publishers wait their turn meanwhile, so every
    page still receives the changes in the order of their versions."""
    from barcamp.services.snapshots import follow_committed

    follow_committed(changes)
    batches = current_app.extensions[_BATCHES]
    broadcasts = 0
    states = set()  # one state message per kind and event (a batch of votes: once)

    def to_everybody():
        nonlocal broadcasts
        if broadcasts:
            socketio.sleep(0)
        broadcasts += 1

    with _PUBLISHING:
        for change in changes:
            if change.coalesce:
                key = (change.event_id, change.name)
                if key not in states:
                    states.add(key)
                    to_everybody()
                    current_app.extensions[_EXTENSION].changed(key)
                continue
            payload = (
                change.payload
                if change.version is None
                else dict(change.payload, version=change.version)
            )
            if change.room is None:
                to_everybody()
                if change.name in BATCHED:
                    batches.add(change.event_id, (change.name, payload))
                    continue
                batches.flush(change.event_id)  # the stream stays in order
            socketio.emit(change.name, payload, to=change.room or event_room(change.event_id))


def send_snapshot(sid, snapshot):
    """Send one client of this process the full state of its page: straight to its
    socket, not through the message queue (which would encode and publish 30 KB for
    every connection, for no other process to deliver)."""
    socketio.emit("snapshot", snapshot, to=sid, ignore_queue=True)


def note_room(note_id):
    """The Socket.IO room of the people writing one note."""
    return f"note:{note_id}"


def send_note_update(note_id, update, skip_sid=None):
    """Pass a stored note update to everybody else writing the note."""
    socketio.emit(
        "note_update", {"note": note_id, "update": update}, to=note_room(note_id), skip_sid=skip_sid
    )


def send_note_caret(note_id, caret, skip_sid):
    """Pass a writer's caret (name and colour given by the server) to the others."""
    socketio.emit(
        "note_cursor", {"note": note_id, **caret}, to=note_room(note_id), skip_sid=skip_sid
    )


def send_note_presence(note_id, editors):
    socketio.emit(
        "note_presence",
        {"note": note_id, "editors": [{"name": name} for name in editors]},
        to=note_room(note_id),
    )


def send_schedule_progress(event_id, progress):
    """Tell the event's facilitators how the optimizer's run is going."""
    socketio.emit("schedule_progress", progress, to=facilitator_room(event_id))
