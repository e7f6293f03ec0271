"""The real server in a subprocess, started as an operator would: `flask db upgrade`,
`flask demo`, then `python wsgi.py` (gevent). Used by the integration tests, the
browser tests and scripts/screenshots."""

import atexit
import contextlib
import functools
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Settings that could come from the caller's shell and change how the server behaves.
INHERITED_SETTINGS = (
    "BASE_URL",
    "FLASK_DEBUG",
    "TRUSTED_HOSTS",
    "EVENT_CREATION",
    "ADMIN_TOKEN",
    "SOCKETIO_MESSAGE_QUEUE",
    "SOCKETIO_CORS_ALLOWED_ORIGINS",
    "RATELIMIT_STORAGE_URI",
    "DATABASE_URL",
    "SECRET_KEY",
)
# "  facilitator link:       http://127.0.0.1:5000/e/BERCY/key/…", as `flask demo` prints.
DEMO_LINK_KEYS = {  # `flask demo` speaks the terminal's language
    "join": "join",
    "projector screen": "screen",
    "facilitator link": "facilitator",
    "organizer link": "organizer",
    "rejoindre": "join",
    "écran de projection": "screen",
    "lien d’animation": "facilitator",
    "lien d’organisation": "organizer",
}
DEMO_LINK = re.compile(rf"^\s*({'|'.join(DEMO_LINK_KEYS)})[^:]*:\s+(\S+)\s*$", re.M)


class ServerError(RuntimeError):
    """The server or one of its commands failed; the message carries its output."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process):
    """Ask a server process to stop; kill it if it lingers ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def run_flask(env, *args, timeout=60):
    """Run a `flask` command of the app with these settings; return its output."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise ServerError(
            f"flask {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result.stdout


@functools.cache
def migrated_sqlite_file():
    """An empty SQLite database with the whole schema, made by `flask db upgrade` the
    first time it is asked for in this process (removed when the process ends)."""
    workdir = Path(tempfile.mkdtemp(prefix="barcamp-schema-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    LiveServer(workdir).flask("db", "upgrade")
    path = workdir / "barcamp.db"
    with contextlib.closing(sqlite3.connect(path)) as connection:  # all in one file
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


class LiveServer:
    """One Barcamp process on a local port; stopped, killed and restarted on demand,
    always on the same database, port and secret key (so cookies stay valid)."""

    def __init__(self, workdir, *, database_url=None, secret_key=None, **settings):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "server.log"
        self.process = None
        self.links = {}
        env = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS}
        env.update(
            BARCAMP_ENV="development",
            BARCAMP_INSTANCE_PATH=str(self.workdir),
            DATABASE_URL=database_url or f"sqlite:///{self.workdir / 'barcamp.db'}",
            HOST="127.0.0.1",
            PORT=str(self.port),
            SECRET_KEY=secret_key or secrets.token_hex(32),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONUNBUFFERED="1",
            # A unit of work caught waiting fails, as in the in-process tests.
            WRITE_TURN_STRICT="1",
            BARCAMP_TEST_HOOKS="1",
            **settings,
        )
        self.env = env
        self._here = None  # the app flask_here runs commands with, made once

    def flask(self, *args):
        """Run a `flask` command against this server's database; return its output."""
        return run_flask(self.env, *args)

    def flask_here(self, *args):
        """Run a `flask` command in this process against the server's database: the
        same command as `flask(...)` without starting Python and the app again (the
        demo is remade before each browser test). Its connections are closed after."""
        from barcamp import create_app
        from barcamp.extensions import db
        from config import DevelopmentConfig

        if self._here is None:  # the server's own settings (its grid is the same)
            settings = {
                "SQLALCHEMY_DATABASE_URI": self.env["DATABASE_URL"],
                "SECRET_KEY": self.env["SECRET_KEY"],
                # Never a message queue here: Flask-SocketIO's object is shared by every
                # app of this process, and the in-process tests' apps have none.
                "SOCKETIO_MESSAGE_QUEUE": None,
                "RATELIMIT_STORAGE_URI": "memory://",
            }
            self._here = create_app(type("Config", (DevelopmentConfig,), settings))
        result = self._here.test_cli_runner().invoke(args=list(args))
        with self._here.app_context():
            db.session.remove()
            db.engine.dispose()
        if result.exit_code != 0:
            raise ServerError(f"`flask {' '.join(args)}` failed:\n{result.output}")
        return result.output

    def demo(self, reset=False, grid=False):
        """Make the demo event (again, with `reset`; its grid published, with `grid`);
        remember and return its links, as paths: join, screen, facilitator, organizer."""
        options = (["--reset"] if reset else []) + (["--grid"] if grid else [])
        output = self.flask_here("demo", *options, "--base-url", self.base_url)
        found = {DEMO_LINK_KEYS[label]: url for label, url in DEMO_LINK.findall(output)}
        missing = set(DEMO_LINK_KEYS.values()) - set(found)
        if missing:
            raise ServerError(f"`flask demo` printed no {', '.join(sorted(missing))}:\n{output}")
        self.links = {key: url.removeprefix(self.base_url) for key, url in found.items()}
        return self.links

    def prepare(self, grid=False):
        """Create the schema and the demo event; return the demo's links. On SQLite the
        schema is a copy of one `flask db upgrade` made once per test process (the
        migrations themselves are tested in test_migrations.py)."""
        database = self.env["DATABASE_URL"]
        if database.startswith("sqlite:///"):
            path = Path(database.removeprefix("sqlite:///"))
            for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                stale.unlink(missing_ok=True)
            shutil.copyfile(migrated_sqlite_file(), path)
        else:
            self.flask("db", "upgrade")
        return self.demo(grid=grid)

    def copy_database(self, other):
        """Start from a copy of another (stopped) server's SQLite database."""
        assert other.process is None
        for path in other.workdir.glob("barcamp.db*"):
            shutil.copyfile(path, self.workdir / path.name)
        self.links = dict(other.links)

    def start(self, timeout=20):
        """Start the process and wait until its port answers."""
        assert self.process is None, "already running"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "wsgi.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._reap()
                raise ServerError(f"the server exited at start:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)  # polling the port, not waiting for the app
        self.stop()
        raise ServerError(f"the server did not answer within {timeout} s:\n{self.log()}")

    def kill(self):
        """Hard stop, like a crash or an OOM kill: no cleanup of any kind."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self._reap()

    def stop(self):
        """Ask the process to stop; kill it if it lingers."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def _reap(self):
        self.process.wait(timeout=10)
        self.process = None

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def url(self, path):
        return self.base_url + path
