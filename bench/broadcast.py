"""What one broadcast costs the server, per open page: python-engineio's own path
against barcamp/live/fanout.py (one frame for everybody).

A bare Flask-SocketIO server (gevent, the project's pinned versions) on one core, N
WebSocket clients in this process on the other, asking for permessage-deflate as
browsers do (or not, with --no-deflate). The server broadcasts a `tallies`-sized
message (312 bytes) K times, one every `--every` seconds; the server's CPU time over
the run, divided by K and by N, is the cost of a broadcast per socket. Each client
counts what it received, so a run that lost messages says so.

    .venv/bin/python bench/broadcast.py                    # 500 pages, both paths, deflate
    .venv/bin/python bench/broadcast.py --no-deflate
    .venv/bin/python bench/broadcast.py --smoke            # what CI runs
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MESSAGE = {"votes_version": 1, "total": 456, "counts": [[i, i * 3 % 17] for i in range(100, 130)]}


def serve(port, fanout):
    from gevent import monkey

    monkey.patch_all()
    import gevent
    from flask import Flask
    from flask_socketio import SocketIO
    from gevent.pywsgi import WSGIServer

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="gevent", ping_interval=600, ping_timeout=600)
    if fanout:
        sys.path.insert(0, str(ROOT))
        from barcamp.live import fanout as module

        module.install(socketio)
    connected = []

    @socketio.on("connect")
    def connect(auth=None):
        connected.append(1)

    @app.route("/connected")
    def count():
        return str(len(connected))

    @app.route("/cpu")
    def cpu():
        return str(time.process_time())

    @app.route("/broadcast/<int:times>/<float:every>")
    def broadcast(times, every):
        def run():
            for version in range(times):
                socketio.emit("tallies", dict(MESSAGE, votes_version=version))
                gevent.sleep(every)

        gevent.spawn(run)
        return "started"

    WSGIServer(("127.0.0.1", port), app, log=None).serve_forever()


def get(port, path):
    return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read().decode()


def measure(port, clients, times, every, deflate):
    import gevent
    from gevent import socket

    received = [0] * clients

    def client(index):
        sock = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        extension = (
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            if deflate
            else ""
        )
        sock.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extension}\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        mask = os.urandom(4)
        payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(b"40"))
        sock.sendall(bytes([0x81, 0x80 | 2]) + mask + payload)
        while True:
            data = sock.recv(65536)
            if not data:
                return
            received[index] += data.count(b"tallies")  # compressed frames: counted apart

    greenlets = [gevent.spawn(client, index) for index in range(clients)]
    deadline = time.monotonic() + 60
    while int(get(port, "/connected")) < clients:
        assert time.monotonic() < deadline, "the clients did not all connect"
        gevent.sleep(0.1)
    gevent.sleep(1)
    before = float(get(port, "/cpu"))
    get(port, f"/broadcast/{times}/{every}")
    gevent.sleep(times * every + 1.5)
    after = float(get(port, "/cpu"))
    gevent.killall(greenlets)
    seconds = after - before
    return {
        "clients": clients,
        "broadcasts": times,
        "deflate": deflate,
        "server_cpu_s": round(seconds, 3),
        "ms_per_broadcast": round(seconds / times * 1000, 3),
        "us_per_socket": round(seconds / times / clients * 1e6, 2),
        # Uncompressed frames show their text; deflated ones do not (counted as None).
        "received_readable": sum(received) if not deflate else None,
    }


def run(path, args):
    from gevent import monkey

    monkey.patch_all()
    sys.path.insert(0, str(ROOT))
    from tests.live_server import free_port

    port = free_port()
    command = [sys.executable, __file__, "--serve", str(port)]
    if path == "fanout":
        command.append("--fanout")
    if not args.no_pin:
        command = ["taskset", "-c", str(args.server_cpu), *command]
        os.sched_setaffinity(0, {args.client_cpu})
    server = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                get(port, "/connected")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        figures = measure(port, args.clients, args.times, args.every, not args.no_deflate)
    finally:
        server.terminate()
        server.wait(10)
    figures["path"] = path
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--times", type=int, default=200, help="broadcasts")
    parser.add_argument("--every", type=float, default=0.05, help="seconds between them")
    parser.add_argument("--no-deflate", action="store_true", help="clients ask no compression")
    parser.add_argument("--path", choices=["library", "fanout", "both"], default="both")
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--client-cpu", type=int, default=1)
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a tiny run, for CI")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fanout", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.fanout)
        return
    if args.smoke:
        args.clients, args.times, args.every, args.no_pin = 10, 20, 0.01, True
    paths = ["library", "fanout"] if args.path == "both" else [args.path]
    results = [run(path, args) for path in paths]
    for figures in results:
        print(
            f"{figures['path']:8} {figures['clients']} clients, deflate {figures['deflate']}: "
            f"{figures['ms_per_broadcast']} ms a broadcast, {figures['us_per_socket']} µs a socket"
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
