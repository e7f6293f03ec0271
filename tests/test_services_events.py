"""Organizers create an event and edit it; the rules hold whatever the form sends."""

from datetime import date, time

import pytest
from sqlalchemy import select

from barcamp.errors import NotFound, ValidationFailed
from barcamp.extensions import db
from barcamp.models import Event, Participant, Role, Room
from barcamp.security import matches
from barcamp.services import events as event_service
from barcamp.services import participants as participant_service
from barcamp.services.events import EventSettings, RoomRow, SlotRow
from barcamp.unit_of_work import unit_of_work
from tests.conftest import new_event

pytestmark = pytest.mark.usefixtures("ctx")


def settings(**overrides):
    values = dict(
        name="Barcamp Bercy",
        starts_on=date(2027, 4, 11),
        venue="La Cantine",
        timezone="Europe/Paris",
        locale="fr",
    )
    return EventSettings(**(values | overrides))


ROOMS = [RoomRow("Grande salle", 60), RoomRow("Salle Colbert", 20)]
SLOTS = [
    SlotRow(time(9, 30), time(10, 30), "plenary", "Ouverture"),
    SlotRow(time(10, 45), time(11, 45), "sessions"),
]


def test_an_organizer_creates_an_event_with_rooms_slots_and_two_secret_links():
    event, keys = new_event(rooms=ROOMS, slots=SLOTS)

    stored = db.session.scalar(select(Event).where(Event.code == event.code))
    assert [(r.name, r.capacity) for r in stored.rooms] == [
        ("Grande salle", 60),
        ("Salle Colbert", 20),
    ]
    assert [s.starts_at.isoformat() for s in stored.slots] == [
        "2027-04-11T09:30:00",
        "2027-04-11T10:45:00",
    ]
    assert stored.phase == "draft"
    assert len(event.code) == 6
    assert set(event.code) <= set(event_service.CODE_ALPHABET)
    # Only digests are stored; the secrets match them.
    assert matches(keys[Role.ORGANIZER], stored.organizer_key_digest)
    assert matches(keys[Role.FACILITATOR], stored.facilitator_key_digest)
    assert keys[Role.ORGANIZER] not in (stored.organizer_key_digest, stored.facilitator_key_digest)


def test_codes_typed_loosely_still_find_the_event():
    event, _ = new_event(code="BERCY")
    assert event_service.get_event(" bercy ").id == event.id
    assert event_service.get_event("b-e-r-c-y").id == event.id
    with pytest.raises(NotFound):
        event_service.get_event("NOPE42")
    with pytest.raises(NotFound):
        event_service.get_event("")


@pytest.mark.parametrize(
    ("overrides", "rooms", "slots", "field"),
    [
        ({"name": ""}, ROOMS, SLOTS, "name"),
        ({"name": "   "}, ROOMS, SLOTS, "name"),
        ({"name": "x" * 500}, ROOMS, SLOTS, "name"),
        ({"starts_on": None}, ROOMS, SLOTS, "starts_on"),
        ({"timezone": "Mars/Olympus"}, ROOMS, SLOTS, "timezone"),
        ({"locale": "de"}, ROOMS, SLOTS, "locale"),
        ({}, [], SLOTS, "rooms"),
        ({}, [RoomRow("Closet", 0)], SLOTS, "rooms.0.capacity"),
        ({}, [RoomRow("Hall", None)], SLOTS, "rooms.0.capacity"),
        ({}, [RoomRow("Hall", 20), RoomRow("hall", 30)], SLOTS, "rooms.1.name"),
        ({}, [RoomRow("", 30)], SLOTS, "rooms.0.name"),
        ({}, ROOMS, [], "slots"),
        ({}, ROOMS, [SlotRow(time(11, 0), time(10, 0))], "slots.0.ends"),
        ({}, ROOMS, [SlotRow(time(9, 0), None)], "slots.0.ends"),
        (
            {},
            ROOMS,
            [SlotRow(time(9, 0), time(10, 0)), SlotRow(time(9, 30), time(11, 0))],
            "slots.1.starts",
        ),
        ({}, ROOMS, [SlotRow(time(9, 0), time(10, 0), "party")], "slots.0.kind"),
    ],
)
def test_bad_event_input_is_refused_with_the_field_named_and_nothing_saved(
    overrides, rooms, slots, field
):
    with pytest.raises(ValidationFailed) as failure, unit_of_work():
        event_service.create_event(settings(**overrides), rooms, slots)
    assert field in failure.value.errors
    assert db.session.scalar(select(db.func.count(Event.id))) == 0
    assert db.session.scalar(select(db.func.count(Room.id))) == 0


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationFailed) as failure:
        event_service.create_event(
            settings(name=""), [RoomRow("Hall", 0)], [SlotRow(time(10, 0), time(9, 0))]
        )
    assert {"name", "rooms.0.capacity", "slots.0.ends"} <= set(failure.value.errors)


def test_blank_rows_are_skipped_and_markup_is_kept_as_plain_text():
    rooms = [RoomRow("<b>Salle</b>", 10), RoomRow("", None)]
    event, _ = new_event(name="<script>alert(1)</script> Barcamp", rooms=rooms)
    assert event.name == "<script>alert(1)</script> Barcamp"
    assert [r.name for r in event.rooms] == ["<b>Salle</b>"]


def test_the_organizer_edits_rooms_and_slots_and_the_change_is_broadcast_once():
    event, _ = new_event(rooms=ROOMS, slots=SLOTS)
    hall, colbert = event.rooms
    version = event.version
    with unit_of_work():
        event_service.update_event(
            event,
            settings(name="Barcamp Bercy 2", starts_on=date(2027, 4, 12)),
            [
                RoomRow("Salle Colbert", 25, id=hall.id),  # names swapped
                RoomRow("Grande salle", 70, id=colbert.id),
                RoomRow("Salle Necker", 12),
            ],
            [
                SlotRow(time(9, 30), time(10, 30), "plenary", "Ouverture", id=event.slots[0].id),
                SlotRow(time(10, 45), time(11, 45), "sessions", id=event.slots[1].id, remove=True),
            ],
        )
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.name == "Barcamp Bercy 2"
    assert [(r.name, r.capacity) for r in event.rooms] == [
        ("Salle Colbert", 25),
        ("Grande salle", 70),
        ("Salle Necker", 12),
    ]
    assert [s.starts_at.isoformat() for s in event.slots] == ["2027-04-12T09:30:00"]
    assert event.version == version + 1


def test_a_failed_edit_changes_nothing():
    event, _ = new_event(rooms=ROOMS, slots=SLOTS)
    with pytest.raises(ValidationFailed), unit_of_work():
        event_service.update_event(
            event, settings(name="Renamed"), [RoomRow("Hall", 0, id=event.rooms[0].id)], SLOTS
        )
    db.session.expire_all()
    stored = db.session.get(Event, event.id)
    assert stored.name == "Barcamp de test"
    assert [r.capacity for r in stored.rooms] == [60, 20]


def test_rows_of_another_event_cannot_be_edited_through_this_one():
    mine, _ = new_event(name="Mine")
    theirs, _ = new_event(name="Theirs")
    with pytest.raises(ValidationFailed) as failure, unit_of_work():
        event_service.update_event(
            mine, settings(name="Mine"), [RoomRow("Stolen", 5, id=theirs.rooms[0].id)], SLOTS
        )
    assert "rooms.0.name" in failure.value.errors
    db.session.expire_all()
    assert db.session.get(Room, theirs.rooms[0].id).name == "Grande salle"


def test_renewing_the_facilitator_link_revokes_it_and_demotes_its_holders():
    event, keys = new_event()
    with unit_of_work():
        participant_service.join(event, "Paul", role=Role.FACILITATOR)
        participant_service.join(event, "Claire", role=Role.ORGANIZER)
    with unit_of_work():
        new_secret = event_service.rotate_key(event, Role.FACILITATOR)
    assert not matches(keys[Role.FACILITATOR], event.facilitator_key_digest)
    assert matches(new_secret, event.facilitator_key_digest)
    roles = dict(db.session.execute(select(Participant.display_name, Participant.role)).all())
    assert roles == {"Paul": "attendee", "Claire": "organizer"}


def test_renewing_the_organizer_link_keeps_the_organizer_who_did_it():
    event, _ = new_event()
    with unit_of_work():
        me, _ = participant_service.join(event, "Claire", role=Role.ORGANIZER)
        other, _ = participant_service.join(event, "Bernard", role=Role.ORGANIZER)
    with unit_of_work():
        event_service.rotate_key(event, Role.ORGANIZER, keep=me)
    assert (me.role, other.role) == ("organizer", "attendee")
