"""The same stories on PostgreSQL (DATABASE_URL), including concurrent writers."""

import threading

import pytest
from sqlalchemy import select

from barcamp.extensions import db, socketio
from barcamp.models import Event, Participant
from barcamp.services import participants as participant_service
from barcamp.unit_of_work import unit_of_work
from tests.conftest import app_on, join, new_event, received
from tests.test_routes_events import event_form

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(postgres_database):
    with app_on(postgres_database) as app:
        yield app


def test_create_join_and_rename_live_on_postgresql(pg_app):
    organizer, attendee = pg_app.test_client(), pg_app.test_client()
    response = organizer.post("/new", data=event_form())
    assert response.status_code == 302
    with pg_app.app_context():
        event = db.session.scalars(select(Event)).one()

    join(organizer, event, "Claire")
    sio = socketio.test_client(pg_app, flask_test_client=organizer, auth={"event": event.code})
    assert sio.is_connected()
    received(sio)
    join(attendee, event, "Amélie")
    ack = sio.emit("participant_rename", {"op_id": "pg-1", "name": "Claire B."}, callback=True)
    assert ack["ok"]
    assert [m["name"] for m in received(sio)] == ["participant_joined", "participant_updated"]
    sio.disconnect()
    with pg_app.app_context():
        names = db.session.scalars(select(Participant.display_name).order_by(Participant.id))
        assert list(names) == ["Claire B.", "Amélie"]


def test_concurrent_joins_get_distinct_consecutive_versions(pg_app):
    with pg_app.app_context():
        event, _ = new_event()
        start = event.version
    versions, errors = [], []

    def join_one(index):
        try:
            with pg_app.app_context(), unit_of_work():
                fresh = db.session.get(Event, event.id)
                participant_service.join(fresh, f"Person {index}")
                versions.append(fresh.version)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=join_one, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(versions) == list(range(start + 1, start + 21))
    with pg_app.app_context():
        assert db.session.get(Event, event.id).version == start + 20
