"""Entry point: `python wsgi.py` runs the live server; `gunicorn -k gevent -w 1 wsgi:app`
does the same in production. gevent patches the standard library first of all."""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402

from barcamp import create_app  # noqa: E402
from barcamp.extensions import socketio  # noqa: E402

app = create_app()

if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Barcamp is running on http://{host}:{port}/", flush=True)
    socketio.run(app, host=host, port=port, log_output=app.debug)
