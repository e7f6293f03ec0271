"""The only code that emits to Socket.IO clients.

With one process the Socket.IO server delivers in memory; with several, the
message queue configured in SOCKETIO_MESSAGE_QUEUE (Redis) carries each emit.
"""

from barcamp.extensions import socketio


def event_room(event_id):
    """The Socket.IO room every live page of an event joins."""
    return f"event:{event_id}"


def publish(changes):
    """Broadcast committed changes to the pages of their events, in order."""
    for change in changes:
        payload = dict(change.payload, version=change.version)
        socketio.emit(change.name, payload, to=event_room(change.event_id))


def send_snapshot(sid, snapshot):
    """Send one client the full state of its page."""
    socketio.emit("snapshot", snapshot, to=sid)
