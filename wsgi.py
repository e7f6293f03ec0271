"""Entry point: `python wsgi.py` runs the live server; `gunicorn -k gevent -w 1 wsgi:app`
does the same in production. gevent patches the standard library first of all."""

from gevent import monkey

monkey.patch_all()

import gc  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from barcamp import create_app  # noqa: E402
from barcamp.database import claim_sqlite_file  # noqa: E402
from barcamp.extensions import db, socketio  # noqa: E402

app = create_app()

# What importing and building the app left in memory (modules, the ORM's mappers,
# templates: most of the heap) lives as long as the process: keep it out of the
# collector's full passes, which otherwise scan it all and stop every page and socket
# for 100-180 ms with 500 people connected (33-83 ms once frozen; docs/benchmarks.md).
gc.collect()
gc.freeze()


def claim_database():
    """SQLite means one app process: a second server on the same file would make both
    stall in SQLite's busy wait. Refuse to start instead, saying why."""
    with app.app_context():
        refusal = claim_sqlite_file(db.engine)
    if refusal:
        sys.exit(f"Barcamp cannot start: {refusal}")


if os.path.basename(sys.argv[0]) == "gunicorn":
    claim_database()  # each worker: a second one on the same SQLite file stops here

if __name__ == "__main__":
    claim_database()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Barcamp is running on http://{host}:{port}/", flush=True)
    socketio.run(app, host=host, port=port, log_output=app.debug)
