"""One broadcast, framed once, written to every WebSocket as the same bytes.

python-engineio sends each packet to each socket on its own: it queues the packet,
wakes that socket's writer greenlet, which frames it through wsproto (compressing it
again for every browser, since they all ask for permessage-deflate) and writes it. For a
`tallies` message to 500 open pages that was 30 ms of the process's only core, during
which nothing else ran (docs/benchmarks.md, "One frame for everybody").

A server's WebSocket frames are not masked, so the frame of a message is the same bytes
for every connection. This frames each Engine.IO packet once (wsproto's own framing,
uncompressed: RFC 7692 lets a sender send any message uncompressed, and an
uncompressed message leaves both sides' compression windows as they were) and:

- when a socket's writer is idle (nothing queued for it, not in a write), writes
  the frame straight to its socket, without blocking: a write the kernel takes whole
  costs one system call and nothing else;
- otherwise (its writer is busy, or the kernel took only part of the frame), queues the
  frame (or what is left of it) behind what is already queued, for the writer, which
  writes it as is; the order of a socket's messages is kept either way.

Sockets still on long-polling, binary packets and messages over 16 KB (a page's
snapshot, sent to one page at a time: there compression saves venue Wi-Fi more than it
costs) take python-engineio's own path. `install(socketio)` sets it up, once the Socket.IO server
exists; tests/test_fanout.py checks it against the library's own output.
"""

from engineio import packet as eio_packet
from engineio.async_drivers import gevent as engineio_gevent
from wsproto.frame_protocol import FrameProtocol

_FRAME = "_barcamp_frame"
LARGEST = 16 * 1024  # characters of the largest message framed here

# How frames went out in this process: written at once, queued behind a busy writer,
# or written in part (the rest queued). For tests and for the curious.
counts = {"written": 0, "queued": 0, "partial": 0}


class Frame(bytes):
    """A whole WebSocket frame (or the end of one), written as is."""


class FramePacket:
    """Stands in a socket's queue for a frame, for its writer (which asks for encode())."""

    packet_type = eio_packet.MESSAGE
    binary = False
    data = "<frame>"

    def __init__(self, frame):
        self.frame = frame

    def encode(self, b64=False):
        return self.frame


class WebSocket(engineio_gevent.WebSocketWSGI):
    """python-engineio's gevent WebSocket, known to its Engine.IO socket, and writing
    frames as they are."""

    def __init__(self, handler, server):
        super().__init__(handler, server)
        self.sending = False  # the writer is in a write (which may wait for the client)
        owner = getattr(handler, "__self__", None)
        if owner is not None:
            owner.barcamp_websocket = self

    def send(self, message):
        self.sending = True
        try:
            if type(message) is Frame:
                if not self.ws.connected:
                    raise OSError("the WebSocket is closed")
                self.ws.sock.sendall(message)
                return None
            return super().send(message)
        finally:
            self.sending = False


def frame_of(pkt):
    """The unmasked text frame of an Engine.IO packet, built once per packet; None when
    it is not text, or too long."""
    frame = getattr(pkt, _FRAME, None)
    if frame is None:
        if pkt.binary:
            return None
        encoded = pkt.encode()
        if not isinstance(encoded, str) or len(encoded) > LARGEST:
            return None
        frame = bytes(FrameProtocol(client=False, extensions=[]).send_data(encoded))
        setattr(pkt, _FRAME, frame)
    return frame


def send_packet_to(eio, library_send, sid, pkt):
    socket = eio.sockets.get(sid)
    websocket = getattr(socket, "barcamp_websocket", None)
    if (
        websocket is None
        or socket.closed
        or not socket.upgraded
        or socket.upgrading
        or not getattr(websocket, "ws", None)
        or not websocket.ws.connected
    ):
        return library_send(sid, pkt)
    frame = frame_of(pkt)
    if frame is None:
        return library_send(sid, pkt)
    if not socket.check_ping_timeout():
        return None
    raw = getattr(websocket.ws.sock, "_sock", None)
    if raw is None or websocket.sending or socket.queue.qsize():
        counts["queued"] += 1
        socket.queue.put(FramePacket(Frame(frame)))
        return None
    try:
        sent = raw.send(frame)
    except BlockingIOError:
        sent = 0
    except OSError:
        return None  # the connection is gone: its reader closes the socket
    if sent < len(frame):
        counts["partial"] += 1
        socket.queue.put(FramePacket(Frame(frame[sent:])))
    else:
        counts["written"] += 1
    return None


def install(socketio):
    """Frame once and write directly, for the Engine.IO server behind Flask-SocketIO."""
    eio = socketio.server.eio
    if getattr(eio, "_barcamp_fanout", False):
        return
    library_send = eio.send_packet
    eio._async = dict(eio._async, websocket=WebSocket)

    def send_packet(sid, pkt):
        return send_packet_to(eio, library_send, sid, pkt)

    eio.send_packet = send_packet
    eio._barcamp_fanout = True
