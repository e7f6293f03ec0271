"""A bare Flask-SocketIO server with barcamp.live.fanout installed, for tests/test_fanout.py.

`python tests/fanout_server.py PORT`; GET /burst/N emits N numbered messages to
everybody, letting the writers run every 50 (a client that does not read fills its
socket, and the rest waits in its queue); in the second half, every fifth carries
bytes, which takes python-engineio's own (compressed) path, between frames written by
the fan-out."""

import sys
from pathlib import Path

from gevent import monkey

monkey.patch_all()

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

from barcamp.live import fanout  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")
fanout.install(socketio)
connected = set()


@socketio.on("connect")
def connect(auth=None):
    from flask import request

    connected.add(request.sid)


@socketio.on("disconnect")
def disconnect(reason=None):
    from flask import request

    connected.discard(request.sid)


@app.route("/connected")
def count():
    return str(len(connected))


@app.route("/counts")
def counts():
    return fanout.counts


@app.route("/burst/<int:count>")
def burst(count):
    for number in range(count):
        if number % 5 == 4 and number >= count // 2:
            socketio.emit("m", {"i": number, "bytes": number.to_bytes(4, "big") * 100})
        else:
            socketio.emit("m", {"i": number, "text": f"{number:06d}" * 2000})
        if number % 50 == 49:
            socketio.sleep(0.001)  # the writers of the pages that read catch up
    return "sent"


if __name__ == "__main__":
    WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None).serve_forever()
