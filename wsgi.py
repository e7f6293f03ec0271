"""Entry point: `python wsgi.py` runs the live server; `gunicorn -k gevent -w 1 wsgi:app`
does the same in production. gevent patches the standard library first of all."""

from gevent import monkey

monkey.patch_all()

import contextlib  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
from gevent.pywsgi import WSGIHandler  # noqa: E402

from barcamp import create_app  # noqa: E402
from barcamp.database import claim_sqlite_file  # noqa: E402
from barcamp.extensions import db, socketio  # noqa: E402
from barcamp.live import memory  # noqa: E402
from config import ConfigError  # noqa: E402

try:
    app = create_app()
except ConfigError as refusal:  # one line saying what to do, not a traceback
    hint = ""
    if "SECRET_KEY" in str(refusal):
        hint = (
            " Make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"
            " and set it as SECRET_KEY in the environment (docs/deployment.md)."
        )
    sys.exit(f"Barcamp cannot start: {refusal}.{hint}")

# Every template compiled now (~0.5 s at start) rather than at its first use, which
# would hold every page and socket for 5-35 ms (the proceedings' template: 33 ms).
for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")):
    app.jinja_env.get_template(name)

# Keep Python's full collections from stopping every page and socket for 100-180 ms
# with 500 people connected (barcamp/live/memory.py, docs/benchmarks.md).
memory.settle()
memory.keep_full_passes_short(
    socketio.start_background_task, socketio.sleep, gevent.get_hub().loop.run_callback
)


def claim_database():
    """SQLite means one app process: a second server on the same file would make both
    stall in SQLite's busy wait. Refuse to start instead, saying why."""
    with app.app_context():
        refusal = claim_sqlite_file(db.engine)
    if refusal:
        sys.exit(f"Barcamp cannot start: {refusal}")


class NoDelayHandler(WSGIHandler):
    """Each connection with Nagle's algorithm off (TCP_NODELAY, as gunicorn sets it):
    an acknowledgement written right after another message (one's own `my_upvotes`,
    a rename everybody hears) otherwise waits for the client's delayed ACK, ~40 ms."""

    def __init__(self, sock, address, server, rfile=None):
        with contextlib.suppress(OSError):  # not a TCP socket (a Unix socket)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, address, server, rfile)


if os.path.basename(sys.argv[0]) == "gunicorn":
    claim_database()  # each worker: a second one on the same SQLite file stops here

if __name__ == "__main__":
    claim_database()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Barcamp is running on http://{host}:{port}/", flush=True)
    socketio.run(app, host=host, port=port, log_output=app.debug, handler_class=NoDelayHandler)
