"""Fixtures: an app on a fresh SQLite file per test, clients, and small factories."""

import os
import re
import shutil
import subprocess
import time as clock
from contextlib import contextmanager
from datetime import date, time

import pytest

from barcamp import create_app
from barcamp.database import assert_may_wait
from barcamp.extensions import db, socketio
from barcamp.identity import Visitor
from barcamp.models import Role
from barcamp.ratelimit import limiter
from barcamp.services import events as event_service
from barcamp.services import facilitation, topics
from barcamp.services import participants as participant_service
from barcamp.services.events import EventSettings, RoomRow, SlotRow
from barcamp.unit_of_work import unit_of_work
from config import TestingConfig

IN_CI = os.environ.get("CI", "").lower() == "true"


def make_config(database_url, **overrides):
    """A testing configuration bound to one database, with optional overrides."""
    return type(
        "Config",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False, **overrides},
    )


@pytest.fixture(autouse=True)
def nothing_waits_inside_a_unit_of_work(monkeypatch):
    """In-process there is no gevent hub to catch a unit of work that waits (the real
    server's tests have it): make the usual ways of waiting fail loudly inside one."""

    def guarded(what, function):
        def wrapper(*args, **kwargs):
            assert_may_wait(what)
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(clock, "sleep", guarded("time.sleep", clock.sleep))
    monkeypatch.setattr(socketio, "sleep", guarded("socketio.sleep", socketio.sleep))
    monkeypatch.setattr(
        subprocess.Popen, "__init__", guarded("a subprocess", subprocess.Popen.__init__)
    )


@pytest.fixture
def config_overrides():
    """Override in a test module to change the app's configuration."""
    return {}


@contextmanager
def app_on(database_url, **overrides):
    """An app on an empty database. No context stays pushed, so that each request and
    socket event gets its own, as in production."""
    app = create_app(make_config(database_url, **overrides))
    with app.app_context():
        db.create_all()
        limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def database_template(tmp_path_factory, build):
    """Build a database once (for a module of tests that all start from the same day):
    `build()` runs in an app context on it; returns (its path, what build returned)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    with app_on(f"sqlite:///{path}") as template, template.app_context():
        made = build()
    return path, made


@contextmanager
def app_on_copy(template, tmp_path, **overrides):
    """An app on a copy of a template database (see database_template)."""
    copy = tmp_path / "test.db"
    shutil.copyfile(template, copy)
    with app_on(f"sqlite:///{copy}", **overrides) as app:
        yield app


@pytest.fixture
def app(tmp_path, config_overrides):
    with app_on(f"sqlite:///{tmp_path / 'test.db'}", **config_overrides) as app:
        yield app


@pytest.fixture
def ctx(app):
    """An application context, for tests that call services directly."""
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def other_client(app):
    """A second browser."""
    return app.test_client()


def new_event(name="Barcamp de test", code=None, locale="fr", rooms=None, slots=None):
    """Create an event through the service in the current app context."""
    settings = EventSettings(
        name=name,
        starts_on=date(2027, 4, 11),
        venue="La Cantine",
        timezone="Europe/Paris",
        locale=locale,
    )
    rooms = rooms or [RoomRow("Grande salle", 60), RoomRow("Salle Colbert", 20)]
    slots = slots or [
        SlotRow(time(9, 30), time(10, 30), "plenary", "Ouverture"),
        SlotRow(time(10, 45), time(11, 45), "sessions", ""),
    ]
    with unit_of_work():
        return event_service.create_event(settings, rooms, slots, code=code)


@pytest.fixture
def make_event(app):
    """Create an event in its own app context; returns (event, role link secrets)."""

    def make(**kwargs):
        with app.app_context():
            return new_event(**kwargs)

    return make


@pytest.fixture
def event(make_event):
    return make_event()[0]


@pytest.fixture
def add_participant(app):
    """Add a participant directly through the service; returns (participant, secret)."""

    def add(event, name="Alice", role="attendee"):
        with app.app_context(), unit_of_work():
            event = db.session.merge(event, load=True)
            return participant_service.join(event, name, role=role)

    return add


def join(client, event, name):
    """Join an event in this browser, as a person would with the form."""
    return client.post(f"/e/{event.code}/join", data={"display_name": name})


@pytest.fixture
def socket_client(app):
    """Open a Socket.IO connection sharing a browser's cookies."""
    opened = []

    def connect(test_client, event, **kwargs):
        kwargs.setdefault("auth", {"event": event.code})
        sio = socketio.test_client(app, flask_test_client=test_client, **kwargs)
        opened.append(sio)
        return sio

    yield connect
    for sio in opened:
        if sio.is_connected():
            sio.disconnect()


def received(sio, name=None):
    """Events a socket received since last asked, optionally only those named `name`."""
    events = sio.get_received()
    return [e for e in events if name is None or e["name"] == name]


def text_of(response):
    """The visible text of an HTML response, tags stripped, spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


TITLES = [
    "Réseau social d'entreprise",
    "Diplomatie 2.0",
    "Le cloud souverain",
    "Open data des marchés publics",
    "Écrire simple pour être lu",
]


def open_wall(app):
    """An event with voting open and five topics, proposed by five of forty people
    (and Paul, facilitator): returns it with the topics' ids."""
    with app.app_context():
        event, _ = new_event()
        with unit_of_work():
            people = [participant_service.join(event, f"Personne {n}")[0] for n in range(40)]
            paul, _ = participant_service.join(event, "Paul", role=Role.FACILITATOR)
        with unit_of_work():
            facilitation.set_marketplace(
                Visitor(event, paul, Role.FACILITATOR), proposals_open=True, voting_open=True
            )
        ids = []
        for n, person in enumerate(people[:5]):
            with unit_of_work():
                ids.append(topics.propose(person, TITLES[n]).id)
        return event, ids


def terminal_language(monkeypatch, lang):
    """The operator's terminal speaks `lang` (as `flask` commands read it)."""
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", lang)


def service_or_skip(name, probe):
    """Use a local service if it answers; skip with the reason if not, unless CI=true
    (then a missing service is a failure)."""
    try:
        probe()
    except Exception as error:  # any failure to reach it
        message = f"{name} is not reachable ({error.__class__.__name__}: {error})"
        if IN_CI:
            pytest.fail(f"{message}; it is required when CI=true")
        pytest.skip(message)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """The tests share one Redis server, and Socket.IO's messages through it reach
    every process listening, whatever the test: under pytest-xdist they all run in
    one worker, one at a time."""
    for item in items:
        if "redis_url" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("redis"))


POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def postgres_database():
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    import uuid

    import sqlalchemy

    admin_url = f"{POSTGRES_URL}/postgres"

    def probe():
        engine = sqlalchemy.create_engine(admin_url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()

    service_or_skip("PostgreSQL", probe)
    name = f"barcamp_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL}/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def redis_url():
    """The URL of a reachable Redis server (a database number of its own)."""
    import redis

    service_or_skip("Redis", lambda: redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    return REDIS_URL


# The real server's fixtures, for every module that starts one.
from tests.test_server import (  # noqa: E402, F401
    browser,
    demo_database,
    live_page,
    live_server,
    make_server,
)
