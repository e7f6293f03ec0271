"""Messages that close the sockets they reach, in every process.

When a facilitator removes someone, their open pages must stop hearing the event at
once, whichever process holds them. A message to the person's room crosses processes
(through the message queue); the room's members are known only to the process that
holds them. So each process, as it delivers one of these messages to its own sockets
in that room, then disconnects them: the page gets the message, then the server's
disconnect (no automatic reconnection), and the socket leaves every room.

With one process, python-socketio's manager delivers in `emit`; with several, the
queue's listener delivers each published message in `_handle_emit`. Both are wrapped
here, once the Socket.IO server exists (`install`); tests/test_moderation.py checks
both paths.
"""

from socketio.pubsub_manager import PubSubManager

# Messages after which their recipients' sockets are closed.
CLOSING = frozenset({"removed", "screen_link_renewed"})
NAMESPACE = "/"


def close_room(server, room):
    """Disconnect this process's sockets in `room`."""
    for sid, _eio_sid in list(server.manager.get_participants(NAMESPACE, room)):
        server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)


def install(socketio):
    server = socketio.server
    manager = server.manager
    if getattr(manager, "_barcamp_closing", False):
        return
    if isinstance(manager, PubSubManager):
        handle_emit = manager._handle_emit

        def delivered_from_queue(message):
            handle_emit(message)
            room = message.get("room")
            if message.get("event") in CLOSING and isinstance(room, str):
                close_room(server, room)

        manager._handle_emit = delivered_from_queue
    else:
        emit = manager.emit

        def delivered(event, data, namespace, room=None, skip_sid=None, callback=None, **kwargs):
            emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
            room = kwargs.get("to") or room
            if event in CLOSING and isinstance(room, str):
                close_room(server, room)

        manager.emit = delivered
    manager._barcamp_closing = True
