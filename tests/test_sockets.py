"""Live pages: a socket opens only for members of the event, gets a snapshot, then
hears every committed change once, in order, and nothing from other events."""

import pytest
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.identity import Visitor
from barcamp.models import AppliedOperation, Event, Participant, Role, Session, SlotKind
from barcamp.services import facilitation, schedule, topics
from barcamp.services import participants as participant_service
from barcamp.unit_of_work import unit_of_work
from tests.conftest import join, received


def names(app, event):
    with app.app_context():
        return db.session.scalars(
            select(Participant.display_name).where(Participant.event_id == event.id)
        ).all()


def test_a_stranger_cannot_open_a_live_connection(client, event, socket_client):
    sio = socket_client(client, event)
    assert not sio.is_connected()


def test_an_unknown_event_refuses_the_connection(client, event, socket_client):
    join(client, event, "Amélie")
    event.code = "NOPE42"
    assert not socket_client(client, event).is_connected()


@pytest.mark.parametrize(
    "auth",
    [
        {"event": 5},
        {"event": ["BERCY"]},
        {"event": {"code": "BERCY"}},
        {"event": None},
        ["BERCY"],
        "BERCY",
        5,
        {"event": "X" * 10_000},
        {"event": "\ud800"},
    ],
)
def test_an_odd_handshake_is_refused_even_from_a_member(client, event, socket_client, auth):
    """A joined browser whose page sends a malformed `auth` is refused, not let in
    bound to nothing (issue 14: the connect handler's failure used to accept)."""
    join(client, event, "Amélie")
    sio = socket_client(client, event, auth=auth)
    assert not sio.is_connected()


def test_a_participant_connects_and_receives_a_snapshot(client, event, socket_client):
    join(client, event, "Amélie")
    sio = socket_client(client, event)
    assert sio.is_connected()
    [snapshot] = received(sio, "snapshot")
    state = snapshot["args"][0]
    assert [p["name"] for p in state["participants"]] == ["Amélie"]
    assert state["present"] == 1
    assert state["event"]["code"] == event.code
    assert state["version"] == 1


def test_the_projector_connects_with_the_facilitator_link_alone(client, make_event, socket_client):
    event, keys = make_event()
    client.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    sio = socket_client(client, event)
    assert sio.is_connected()
    assert received(sio, "snapshot")


def test_someone_joining_is_seen_live_with_the_next_version(
    client, other_client, event, socket_client
):
    join(client, event, "Amélie")
    sio = socket_client(client, event)
    version = received(sio, "snapshot")[0]["args"][0]["version"]

    join(other_client, event, "Baptiste")

    [message] = received(sio)
    assert message["name"] == "participant_joined"
    payload = message["args"][0]
    assert payload["participant"]["name"] == "Baptiste"
    assert payload["version"] == version + 1


def test_a_rename_over_the_socket_is_acknowledged_and_broadcast(
    client, other_client, app, event, socket_client
):
    join(client, event, "Amelie")
    join(other_client, event, "Baptiste")
    mine, theirs = socket_client(client, event), socket_client(other_client, event)
    received(mine), received(theirs)

    ack = mine.emit("participant_rename", {"op_id": "op-1", "name": "Amélie B."}, callback=True)

    assert ack["ok"] is True
    assert ack["name"] == "Amélie B."
    for sio in (mine, theirs):
        [message] = received(sio)
        assert message["name"] == "participant_updated"
        assert message["args"][0]["participant"]["name"] == "Amélie B."
        assert message["args"][0]["version"] == ack["version"]
    assert sorted(names(app, event)) == ["Amélie B.", "Baptiste"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 200, None, 42, ["list"]])
def test_a_bad_rename_gets_an_error_ack_and_changes_nothing(
    client, other_client, app, event, socket_client, name
):
    join(client, event, "Amélie")
    join(other_client, event, "Baptiste")
    mine, theirs = socket_client(client, event), socket_client(other_client, event)
    received(mine), received(theirs)

    ack = mine.emit("participant_rename", {"op_id": "op-bad", "name": name}, callback=True)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "invalid"
    assert ack["error"]["message"]
    assert received(mine) == []
    assert received(theirs) == []
    assert sorted(names(app, event)) == ["Amélie", "Baptiste"]


@pytest.mark.parametrize(
    "payload", [None, "text", 3, {"op_id": 5, "name": "X"}, {"op_id": "x" * 65, "name": "X"}]
)
def test_a_malformed_payload_is_refused_without_effect(client, app, event, socket_client, payload):
    join(client, event, "Amélie")
    sio = socket_client(client, event)
    received(sio)
    ack = sio.emit("participant_rename", payload, callback=True)
    assert ack["ok"] is False
    assert received(sio) == []
    assert names(app, event) == ["Amélie"]


def test_a_retried_operation_changes_nothing_twice(client, app, event, socket_client):
    join(client, event, "Amelie")
    sio = socket_client(client, event)
    received(sio)

    first = sio.emit("participant_rename", {"op_id": "op-42", "name": "Amélie"}, callback=True)
    # The ack was lost; the client retries with the same op_id, then a later rename
    # lands before the retry is answered.
    second = sio.emit("participant_rename", {"op_id": "op-42", "name": "Amélie"}, callback=True)

    assert first == second
    assert len(received(sio, "participant_updated")) == 1
    with app.app_context():
        assert db.session.scalar(select(db.func.count(AppliedOperation.id))) == 1


def test_the_same_operation_id_from_two_people_is_two_operations(
    client, other_client, app, event, socket_client
):
    join(client, event, "Amelie")
    join(other_client, event, "Baptiste")
    mine, theirs = socket_client(client, event), socket_client(other_client, event)
    assert mine.emit("participant_rename", {"op_id": "same", "name": "A"}, callback=True)["ok"]
    ack = theirs.emit("participant_rename", {"op_id": "same", "name": "B"}, callback=True)
    assert ack["name"] == "B"
    assert sorted(names(app, event)) == ["A", "B"]


def test_changes_in_one_event_are_never_heard_in_another(
    client, other_client, make_event, socket_client
):
    first, _ = make_event(name="First")
    second, _ = make_event(name="Second")
    join(client, first, "Amélie")
    join(other_client, second, "Baptiste")
    in_first, in_second = socket_client(client, first), socket_client(other_client, second)
    received(in_first), received(in_second)

    in_first.emit("participant_rename", {"name": "Amélie B."}, callback=True)
    join(client, second, "Amélie")

    assert [m["name"] for m in received(in_first)] == ["participant_updated"]
    assert [m["args"][0]["participant"]["name"] for m in received(in_second)] == ["Amélie"]


def test_a_socket_bound_to_one_event_cannot_act_on_another(client, make_event, socket_client, app):
    first, _ = make_event(name="First")
    second, _ = make_event(name="Second")
    join(client, first, "Amélie")
    join(client, second, "Amélie 2")
    sio = socket_client(client, first)
    ack = sio.emit("participant_rename", {"name": "Renamed", "event": second.code}, callback=True)
    assert ack["ok"]
    assert names(app, first) == ["Renamed"]
    assert names(app, second) == ["Amélie 2"]


def test_identity_is_checked_again_on_every_event(client, other_client, app, event, socket_client):
    join(client, event, "Amélie")
    sio = socket_client(client, event)
    # The same person leaves from another tab (same cookie) after the socket opened.
    client.post(f"/e/{event.code}/me/leave")
    ack = sio.emit("participant_rename", {"name": "Ghost"}, callback=True)
    assert ack["ok"] is False
    assert names(app, event) == []


def test_a_renewed_facilitator_link_cuts_an_open_projector_off(
    client, other_client, make_event, socket_client
):
    event, keys = make_event()
    other_client.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    projector = socket_client(other_client, event)
    assert projector.emit("snapshot", {}, callback=True)["ok"]

    client.get(f"/e/{event.code}/key/{keys[Role.ORGANIZER]}")
    client.post(f"/e/{event.code}/organize/links/facilitator")

    ack = projector.emit("snapshot", {}, callback=True)
    assert ack["ok"] is False
    assert ack["error"]["code"] == "forbidden"


def test_a_client_that_missed_something_asks_for_a_fresh_snapshot(
    client, other_client, event, socket_client
):
    join(client, event, "Amélie")
    sio = socket_client(client, event)
    join(other_client, event, "Baptiste")
    ack = sio.emit("snapshot", {}, callback=True)
    assert ack["ok"]
    assert [p["name"] for p in ack["snapshot"]["participants"]] == ["Amélie", "Baptiste"]


def test_a_failed_write_is_not_broadcast(
    client, other_client, app, event, socket_client, monkeypatch
):
    join(client, event, "Amélie")
    listener = socket_client(client, event)
    received(listener)

    from barcamp.services import participants as participant_service

    original = participant_service.rename

    def rename_then_fail(participant, name):
        original(participant, name)
        raise RuntimeError("disk full")

    monkeypatch.setattr(participant_service, "rename", rename_then_fail)
    ack = listener.emit("participant_rename", {"name": "Never"}, callback=True)
    assert ack["ok"] is False
    assert received(listener) == []
    assert names(app, event) == ["Amélie"]


def test_the_handshake_refuses_a_foreign_origin(client):
    url = "/socket.io/?EIO=4&transport=polling"
    assert client.get(url, headers={"Origin": "https://evil.example"}).status_code == 400
    assert client.get(url, headers={"Origin": "http://localhost"}).status_code == 200


@pytest.fixture
def published_grid(app, make_event):
    """An event whose grid is published: two sessions side by side in its one workshop
    slot. Returns the event and the two session ids."""
    event, _ = make_event()
    with app.app_context():
        event = db.session.get(Event, event.id)
        with unit_of_work():
            paul, _ = participant_service.join(event, "Paul", role=Role.FACILITATOR)
        facilitator = Visitor(event, paul, Role.FACILITATOR)
        with unit_of_work():
            facilitation.set_marketplace(facilitator, proposals_open=True)
        with unit_of_work():
            wall = [topics.propose(paul, title) for title in ("Open data", "Diplomatie 2.0")]
        [slot] = [slot for slot in event.slots if slot.kind == SlotKind.SESSIONS]
        with unit_of_work():
            for topic, room in zip(wall, event.rooms, strict=True):
                schedule.place(facilitator, topic.id, room.id, slot.id)
        with unit_of_work():
            schedule.publish(facilitator)
        ids = db.session.scalars(
            select(Session.id).where(Session.event_id == event.id).order_by(Session.room_id)
        ).all()
    return event, ids


def test_my_seats_carries_the_seats_version_that_orders_it(
    client, other_client, published_grid, socket_client
):
    event, (first, second) = published_grid
    join(client, event, "Amélie")
    join(other_client, event, "Baptiste")
    phone, laptop = socket_client(client, event), socket_client(client, event)
    baptiste = socket_client(other_client, event)
    [snapshot] = [m["args"][0] for m in received(phone, "snapshot")]
    assert snapshot["me"]["seats"] == []
    assert snapshot["me"]["seats_version"] == snapshot["occupancy"]["seats_version"]
    received(laptop)

    took = phone.emit("seat_take", {"op_id": "take", "session_id": first}, callback=True)
    # Someone else's seat moves `seats_version` on without telling Amélie.
    assert baptiste.emit("seat_take", {"op_id": "b", "session_id": first}, callback=True)["ok"]
    moved = phone.emit("seat_take", {"op_id": "move", "session_id": second}, callback=True)
    left = phone.emit("seat_leave", {"op_id": "leave", "session_id": second}, callback=True)

    # Every page of hers hears each change, with the seats of its ack and a
    # seats_version above the one before (not +1: other people's seats count too).
    heard = [m["args"][0] for m in received(laptop, "my_seats")]
    assert [m["args"][0] for m in received(phone, "my_seats")] == heard
    slot_id = took["seats"][0][0]
    acked = [took["seats"], moved["seats"], left["seats"]]
    assert [m["seats"] for m in heard] == acked == [[[slot_id, first]], [[slot_id, second]], []]
    versions = [m["seats_version"] for m in heard]
    assert snapshot["me"]["seats_version"] < versions[0]
    assert versions[0] + 1 < versions[1] < versions[2]

    # A retry is answered from storage and sends nothing again; a snapshot's `me` is
    # as new as the last message.
    assert phone.emit("seat_take", {"op_id": "take", "session_id": first}, callback=True) == took
    assert received(laptop, "my_seats") == []
    me = phone.emit("snapshot", {}, callback=True)["snapshot"]["me"]
    assert (me["seats"], me["seats_version"]) == ([], versions[-1])


def test_a_grid_change_that_drops_a_seat_tells_whoever_sat_there(
    client, published_grid, socket_client, app
):
    """Paul takes a session off the published grid: Amélie, who sat in it, hears on her
    pages that she has no seat any more, and the seat ack's version orders it."""
    event, (first, _second) = published_grid
    join(client, event, "Amélie")
    phone = socket_client(client, event)
    took = phone.emit("seat_take", {"op_id": "take", "session_id": first}, callback=True)
    received(phone)
    with app.app_context():
        session = db.session.get(Session, first)
        paul = db.session.scalar(select(Participant).where(Participant.display_name == "Paul"))
        with unit_of_work():
            schedule.unplace(Visitor(paul.event, paul, Role.FACILITATOR), session.topic_id)
    [dropped] = [m["args"][0] for m in received(phone, "my_seats")]
    assert dropped["seats"] == []
    assert dropped["seats_version"] > took["seats_version"]


def test_a_connect_that_fails_unexpectedly_is_refused(client, event, socket_client, monkeypatch):
    """A bug while connecting shuts the door rather than opening it."""
    from barcamp.sockets import connection

    join(client, event, "Amélie")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(connection, "event_snapshot", broken)
    assert not socket_client(client, event).is_connected()
