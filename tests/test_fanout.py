"""A broadcast is framed once and written to every WebSocket as the same bytes
(barcamp/live/fanout.py): what each browser receives must be exactly what
python-engineio would have sent it, in order, whether its socket took the frame at
once, took part of it, or was busy, and beside compressed frames of the library."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from engineio import packet as eio_packet
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

from barcamp.live.fanout import frame_of
from tests.live_server import free_port, stop_process

pytestmark = pytest.mark.server

SERVER = Path(__file__).with_name("fanout_server.py")


def test_a_frame_reads_back_as_the_packet_the_library_would_send():
    long_text = "2" + json.dumps(["m", "é" * 8_000], ensure_ascii=False)
    for data in ('2["tallies",{"total":3}]', long_text):
        pkt = eio_packet.Packet(eio_packet.MESSAGE, data)
        for deflate in (True, False):
            client = Browser.handshake_in_memory(deflate)
            client.receive_data(frame_of(pkt))
            (message,) = list(client.events())
            assert isinstance(message, TextMessage)
            assert message.data == pkt.encode()
    assert frame_of(eio_packet.Packet(eio_packet.MESSAGE, b"\x00\x01")) is None
    assert frame_of(eio_packet.Packet(eio_packet.MESSAGE, "x" * 17_000)) is None


class Browser:
    """A WebSocket client on a raw socket, decoding with wsproto; it asks for
    permessage-deflate, as browsers do, unless told not to."""

    def __init__(self, port, deflate=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.ws = WSConnection(ConnectionType.CLIENT)
        extensions = [PerMessageDeflate()] if deflate else []
        self.sock.sendall(
            self.ws.send(
                Request(
                    host="127.0.0.1",
                    target="/socket.io/?EIO=4&transport=websocket",
                    extensions=extensions,
                )
            )
        )
        self.messages = []
        self._part = None
        self.accepted = None
        while self.accepted is None or not self.messages:
            self._read()
        assert self.messages.pop(0).startswith("0{")  # Engine.IO open
        self.sock.sendall(self.ws.send(TextMessage(data="40")))
        while not self.messages:
            self._read()
        assert self.messages.pop(0).startswith("40")  # Socket.IO connected

    @staticmethod
    def handshake_in_memory(deflate):
        client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
        extensions = [PerMessageDeflate()] if deflate else []
        server.receive_data(client.send(Request(host="x", target="/", extensions=extensions)))
        list(server.events())
        client.receive_data(server.send(AcceptConnection(extensions=[PerMessageDeflate()])))
        list(client.events())
        return client

    def _read(self):
        data = self.sock.recv(65536)
        assert data, "the server closed the connection"
        self.ws.receive_data(data)
        for event in self.ws.events():
            if isinstance(event, AcceptConnection):
                self.accepted = event
            elif isinstance(event, (TextMessage, BytesMessage)):
                self._part = event.data if self._part is None else self._part + event.data
                if event.message_finished:
                    self.messages.append(self._part)
                    self._part = None

    def close(self):
        self.sock.close()

    def read_events(self, count, timeout=60):
        """The next `count` Socket.IO events, their binary attachments put back."""
        events = []
        deadline = time.monotonic() + timeout
        while len(events) < count:
            assert time.monotonic() < deadline, f"{len(events)} of {count} events came"
            while len(self.messages) < 2:
                self._read()
            text = self.messages.pop(0)
            assert isinstance(text, str), "a binary frame came out of order"
            if text.startswith("451-"):
                _, payload = json.loads(text[4:])
                payload["bytes"] = self.messages.pop(0)
            else:
                assert text.startswith("42"), text
                _, payload = json.loads(text[2:])
            events.append(payload)
        return events


@pytest.fixture
def fanout_server():
    port = free_port()
    process = subprocess.Popen([sys.executable, str(SERVER), str(port)], env=dict(os.environ))
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/connected", timeout=1).read()
            break
        except OSError:
            assert time.monotonic() < deadline, "the fan-out server did not start"
            time.sleep(0.1)
    yield port
    stop_process(process)


def connected(port):
    return int(urllib.request.urlopen(f"http://127.0.0.1:{port}/connected").read())


def test_every_browser_gets_every_message_in_order_even_one_that_stops_reading(fanout_server):
    port = fanout_server
    reading, stalled, plain = Browser(port), Browser(port), Browser(port, deflate=False)
    assert reading.accepted.extensions, "the server accepts permessage-deflate"
    while connected(port) < 3:
        time.sleep(0.05)
    count = 1_000  # 10 MB for each client: far more than its socket takes
    heard = {}

    def listen(name, browser):
        heard[name] = browser.read_events(count)

    listeners = [
        threading.Thread(target=listen, args=("reading", reading)),
        threading.Thread(target=listen, args=("plain", plain)),
    ]
    for listener in listeners:
        listener.start()
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/burst/{count}").read() == b"sent"
    time.sleep(1)  # the stalled page's socket is full; the rest waits in its queue
    heard["stalled"] = stalled.read_events(count)
    for listener in listeners:
        listener.join(60)
    for browser in (reading, stalled, plain):
        browser.close()

    counts = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/counts").read())
    # every way out was taken: written at once, behind a busy writer, and in part
    assert counts["written"] > 0, counts
    assert counts["queued"] > 0, counts
    assert counts["partial"] > 0, counts
    for name in ("reading", "stalled", "plain"):
        events = heard[name]
        assert [event["i"] for event in events] == list(range(count)), name
        for event in events:
            number = event["i"]
            if number % 5 == 4 and number >= count // 2:
                assert event["bytes"] == number.to_bytes(4, "big") * 100, name
            else:
                assert event["text"] == f"{number:06d}" * 2000, name
