"""Browser tests: the real server in a subprocess, driven by Debian's chromium.

`DemoServer` is also used by `scripts/screenshots.py`, so both start the app the way
an operator would: `flask db upgrade`, `flask demo`, then `python wsgi.py`.
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
# Without these, chromium tries background connections that this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
# Settings that could come from the caller's shell and change how the server behaves.
_INHERITED_SETTINGS = (
    "BASE_URL",
    "FLASK_DEBUG",
    "TRUSTED_HOSTS",
    "EVENT_CREATION",
    "ADMIN_TOKEN",
    "SOCKETIO_MESSAGE_QUEUE",
    "SOCKETIO_CORS_ALLOWED_ORIGINS",
    "RATELIMIT_STORAGE_URI",
)


# "  facilitator link:       http://127.0.0.1:5000/e/BERCY/key/…", as `flask demo` prints.
_DEMO_LINK = re.compile(
    r"^\s*(join|projector screen|facilitator link|organizer link)[^:]*:\s+(\S+)\s*$", re.M
)


@dataclass(frozen=True)
class DemoLinks:
    """The demo event's addresses, as `flask demo` printed them."""

    base: str
    join: str
    screen: str
    facilitator: str
    organizer: str


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DemoServer:
    """Barcamp on a fresh SQLite database in `workdir`, on a free local port."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "server.log"
        self.process = None
        env = {k: v for k, v in os.environ.items() if k not in _INHERITED_SETTINGS}
        env.update(
            BARCAMP_ENV="development",
            BARCAMP_INSTANCE_PATH=str(self.workdir),
            DATABASE_URL=f"sqlite:///{self.workdir / 'barcamp.db'}",
            HOST="127.0.0.1",
            PORT=str(self.port),
            SECRET_KEY=secrets.token_hex(32),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONUNBUFFERED="1",
        )
        self.env = env

    def _flask(self, *args):
        result = subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"flask {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def demo(self, reset=False):
        """Make the demo event (again, with `reset`) and return its links."""
        output = self._flask("demo", *(["--reset"] if reset else []), "--base-url", self.base_url)
        found = dict(_DEMO_LINK.findall(output))
        try:
            return DemoLinks(
                base=self.base_url,
                join=found["join"],
                screen=found["projector screen"],
                facilitator=found["facilitator link"],
                organizer=found["organizer link"],
            )
        except KeyError as missing:
            raise RuntimeError(f"`flask demo` printed no {missing} link:\n{output}") from None

    def start(self, timeout=20):
        """Migrate, create the demo event, start the server; return the demo links."""
        self._flask("db", "upgrade")
        links = self.demo()
        with open(self.log_path, "wb") as log:
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
                raise RuntimeError(f"The server stopped at start:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return links
            except OSError:
                time.sleep(0.05)  # polling the port, not waiting for the app
        self.stop()
        raise RuntimeError(
            f"The server did not open port {self.port} in {timeout} s:\n{self.log()}"
        )

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# ---- pytest fixtures ----


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, never a downloaded one: skip without it (fail when CI=true)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = f"{CHROMIUM} is missing (Debian package chromium; scripts/ensure-chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; the browser tests are required when CI=true")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(browser):
    """The real server for one test module, on a database of its own."""
    workdir = tempfile.mkdtemp(prefix="barcamp-browser-")
    server = DemoServer(workdir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def demo(server):
    """A fresh demo event for each test (60 people), and its links."""
    return server.demo(reset=True)


@pytest.fixture
def new_context(browser, server):
    """Open a fresh browser context (a separate person's device); closed after the test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=5_000)
    contexts = []

    def open_context(**options):
        options.setdefault("locale", "fr-FR")
        context = browser.new_context(base_url=server.base_url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def projector(new_context, demo):
    """A laptop on the projector: it opened the facilitator link, then the screen."""
    page = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(demo.facilitator)
    page.goto("/e/BERCY/screen")
    return page


@pytest.fixture
def phone(new_context, demo):
    """A person's phone, at the event page, not joined yet."""
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/e/BERCY")
    return page
