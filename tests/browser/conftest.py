"""Browser tests: the real server in a subprocess, driven by Debian's chromium.

The server is tests/live_server.py's, as in scripts/screenshots.py.
"""

import os
import shutil
import tempfile
from contextlib import contextmanager

import pytest

from tests.live_server import LiveServer

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


@contextmanager
def running_server(**settings):
    """The real server on a database of its own (settings: its environment)."""
    workdir = tempfile.mkdtemp(prefix="barcamp-browser-")
    server = LiveServer(workdir, **settings)
    try:
        server.prepare()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def server(browser):
    """The real server for one test module."""
    with running_server() as server:
        yield server


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
    """A laptop on the projector: it opened the facilitator link, then the screen. A
    tall screen (1920x1600), whose wall holds the demo's topics and a few more on one
    page (tests/browser/test_projector_anywhere.py turns the pages of a fuller wall)."""
    page = new_context(viewport={"width": 1920, "height": 1600}).new_page()
    page.goto(demo["facilitator"])
    page.goto("/e/BERCY/screen")
    return page


@pytest.fixture
def phone(new_context, demo):
    """A person's phone, at the event page, not joined yet."""
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/e/BERCY")
    return page
