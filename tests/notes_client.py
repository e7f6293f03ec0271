"""A note writer in Python: a pycrdt document behind a python-socketio client, speaking
the same protocol as the browser's editor (barcamp/static/js/notes.min.js).

It types whole lines, each a unique token, so that tests can check that nothing was
lost or duplicated: a token counts as saved once the server acknowledged an update
(or a handshake) sent after it was typed.
"""

import random
import threading
import time

import socketio
from pycrdt import Doc, Text, merge_updates

COOKIE = "barcamp_session"
WAIT = 10


class NoteWriter:
    def __init__(self, base_url, cookie, code, note_id, *, seed=0):
        self.base_url = base_url
        self.cookie = cookie
        self.code = code
        self.note_id = note_id
        self.random = random.Random(seed)
        self.lock = threading.RLock()
        self.doc = Doc()
        self.body = self.doc.get("body", type=Text)
        self.outbox = []  # local updates the server has not acknowledged
        self.typed = []  # tokens, in the order typed
        self.saved = set()  # tokens the server acknowledged
        self.epoch = None
        self.synced_sid = None
        self.answer_timeout = WAIT  # how long an ack may take before it counts as lost
        self._applying = False
        self.doc.observe(self._changed)
        self.sio = self._new_client()

    def _new_client(self):
        from tests.test_server import QuickClosingWebSocket

        sio = socketio.Client(
            reconnection=True,
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            websocket_extra_options={"class_": QuickClosingWebSocket},
        )
        sio.on("note_update", self._remote_update)
        sio.on("disconnect", self._drop_socket)
        # python-engineio's client hands each message to a thread of its own, so the
        # two messages of a binary event (its header, then the update) can be decoded
        # out of order. Browsers decode them in order; make this client do the same.
        trigger = sio.eio._trigger_event

        def in_order(event, *args, **kwargs):
            if event == "message":
                kwargs["run_async"] = False
            return trigger(event, *args, **kwargs)

        sio.eio._trigger_event = in_order
        return sio

    # ---------- connection ----------

    def connect(self):
        self.sio.connect(
            self.base_url,
            headers={"Cookie": f"{COOKIE}={self.cookie}"},
            auth={"event": self.code, "notes": True},
            transports=["websocket"],
            wait_timeout=WAIT,
        )
        return self

    def wait_connected(self, timeout=30):
        deadline = time.monotonic() + timeout
        while not self.sio.connected:
            assert time.monotonic() < deadline, "the writer never reconnected"
            time.sleep(0.05)  # polling the client's state, not waiting for the server

    def _drop_socket(self, reason=None):
        """python-engineio's client leaves its websocket open when the server goes
        away (it closes it only on a disconnect of its own): close it."""
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None and reason != self.sio.reason.CLIENT_DISCONNECT:
            ws.shutdown()

    def go_offline(self):
        """Lose the connection and stop trying (a train in a tunnel). The next
        `connect` uses a new client: python-socketio's can mistake the first packet
        of a new connection for the binary part of an event cut off by the old one."""
        self.sio.reconnection = False
        self.sio.shutdown()
        self.sio = self._new_client()

    def close(self):
        self.sio.reconnection = False
        self.sio.shutdown()

    # ---------- the protocol ----------

    def _changed(self, event):
        if not self._applying:
            self.outbox.append(event.update)

    def _apply_remote(self, update):
        with self.lock:
            self._applying = True
            try:
                self.doc.apply_update(update)
            finally:
                self._applying = False

    def _remote_update(self, payload):
        # An update cut off by a dropped connection can reach python-socketio's client
        # mangled (not bytes): skip it, the next handshake brings what it carried.
        if payload.get("note") == self.note_id and isinstance(payload.get("update"), bytes):
            self._apply_remote(payload["update"])

    def handshake(self):
        """What the editor does on every (re)connect: get what it lacks, send what the
        server lacks. True once the server acknowledged."""
        sid = self.sio.get_sid()
        with self.lock:
            state = self.doc.get_state()
        ack = self.sio.call(
            "note_join", {"note": self.note_id, "sv": state}, timeout=self.answer_timeout
        )
        assert ack["ok"], ack
        self.epoch = ack["epoch"]
        self._apply_remote(ack["update"])
        with self.lock:
            diff = self.doc.get_update(ack["sv"])
            covered = list(self.typed)
            self.outbox = []
        if self._send(diff, covered):
            self.synced_sid = sid
            return True
        return False

    def _send(self, update, covered):
        try:
            ack = self.sio.call(
                "note_update",
                {"note": self.note_id, "update": update},
                timeout=self.answer_timeout,
            )
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            with self.lock:
                self.outbox.insert(0, update)  # sent again by the next handshake
            return False
        if not ack.get("ok"):
            with self.lock:
                self.outbox.insert(0, update)
            self.last_refusal = ack["error"]
            return False
        self.saved.update(covered)
        return True

    def flush(self):
        """Send what was typed since the last acknowledgement (after a handshake if the
        connection is new). False if it could not be sent now."""
        if not self.sio.connected:
            return False
        try:
            if self.synced_sid != self.sio.get_sid():
                return self.handshake()
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            return False
        with self.lock:
            if not self.outbox:
                return True
            update = merge_updates(*self.outbox) if len(self.outbox) > 1 else self.outbox[0]
            self.outbox = []
            covered = list(self.typed)
        return self._send(update, covered)

    def sync(self, timeout=30):
        """Wait for the connection, then send everything; fail if it never goes."""
        deadline = time.monotonic() + timeout
        while True:
            self.wait_connected(timeout=max(0.1, deadline - time.monotonic()))
            if self.flush() and not self.outbox:
                return
            assert time.monotonic() < deadline, "the writer could not sync"
            time.sleep(0.1)  # polling: the connection is coming back

    # ---------- typing ----------

    def type_line(self, token, *, not_last=False):
        """Insert `token` as a whole line at a random line start of the local text
        (`not_last`: never after the last line, where someone else may be typing)."""
        with self.lock:
            text = str(self.body)
            starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
            if not_last:
                last = text.rstrip("\n").rfind("\n") + 1
                starts = [i for i in starts if i < last] or [0]
            at = self.random.choice(starts)
            line = token + "\n"
            if at == len(text) and text and not text.endswith("\n"):
                line = "\n" + line
            self.body.insert(len(text[:at].encode()), line)  # pycrdt counts bytes
            self.typed.append(token)

    def delete_line(self, token):
        with self.lock:
            text = str(self.body)
            at = len(text[: text.index(token + "\n")].encode())
            del self.body[at : at + len((token + "\n").encode())]

    def text(self):
        with self.lock:
            return str(self.body)
