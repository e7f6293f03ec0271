"""The grid in the app: built by the optimizer, edited by hand, published, and seats
taken by participants with the capacity kept even in a rush."""

import threading

import pytest
from sqlalchemy import select

from barcamp.errors import Forbidden, ValidationFailed
from barcamp.extensions import db
from barcamp.identity import Visitor
from barcamp.models import BlockedCell, Event, Participant, Role, Seat, Session
from barcamp.services import facilitation, optimizer, schedule, seating, topics, voting
from barcamp.services import participants as participant_service
from barcamp.services.schedule import ScheduleProblem
from barcamp.services.seating import NotPublished, SessionFull
from barcamp.services.snapshots import occupancy_view, schedule_view
from barcamp.unit_of_work import unit_of_work
from tests.conftest import app_on, new_event

pytestmark = pytest.mark.usefixtures("ctx")


def optimize(facilitator):
    """Build the grid as the facilitator's button does (the search runs outside any
    transaction, then the grid is written); return the optimizer's report."""
    return optimizer.optimize(facilitator)["report"]


def build_camp(n_people=12, capacities=(10, 4), rounds=2):
    """An event with workshop rounds (two by default), topics proposed and voted for."""
    from datetime import time

    from barcamp.services.events import RoomRow, SlotRow

    event, _ = new_event(
        rooms=[RoomRow(f"Salle {i}", c) for i, c in enumerate(capacities, 1)],
        slots=[SlotRow(time(9, 0), time(10, 0), "plenary", "Ouverture")]
        + [SlotRow(time(10 + i, 0), time(11 + i, 0), "sessions") for i in range(rounds)],
    )
    with unit_of_work():
        paul, _ = participant_service.join(event, "Paul", role=Role.FACILITATOR)
        people = [participant_service.join(event, f"P{i}")[0] for i in range(n_people)]
    facilitator = Visitor(event, paul, Role.FACILITATOR)
    with unit_of_work():
        facilitation.set_marketplace(facilitator, proposals_open=True, voting_open=True)
    titles = [
        "Résistance au changement",
        "Diplomatie 2.0",
        "Le cloud et les usages",
        "Open data",
        "Droit de réserve",
    ]
    with unit_of_work():
        wall = [
            topics.propose(people[i], title, allow_similar=True) for i, title in enumerate(titles)
        ]
    for i, person in enumerate(people):
        for topic in (wall[i % 5], wall[(i + 1) % 5]):
            with unit_of_work():
                voting.cast_vote(person, topic.id)
    return event, facilitator, people, wall


@pytest.fixture
def camp():
    return build_camp()


def sessions(event):
    return {
        s.topic_id: s
        for s in db.session.scalars(select(Session).where(Session.event_id == event.id))
    }


def test_the_optimizer_builds_the_grid_and_says_how_good_it_is(camp):
    event, facilitator, _, _wall = camp
    report = optimize(facilitator)
    placed = sessions(event)
    assert len(placed) == 4  # 2 rooms x 2 workshop rounds, 5 topics
    assert report["score"] <= report["upper_bound"]
    assert report["score"] >= report["by_hand"]
    assert len(report["unplaced"]) == 1
    workshop_slots = {s.id for s in event.slots if s.kind == "sessions"}
    assert {s.slot_id for s in placed.values()} <= workshop_slots
    assert schedule.conflicts(event) == {t: [] for t in placed} or all(
        "host_clash" not in codes for codes in schedule.conflicts(event).values()
    )


def test_only_facilitators_touch_the_grid(camp):
    event, _, people, wall = camp
    attendee = Visitor(event, people[0], Role.ATTENDEE)
    room, slot = event.rooms[0], schedule.session_slots(event)[0]
    with pytest.raises(Forbidden):
        optimize(attendee)
    for action in (
        lambda: schedule.place(attendee, wall[0].id, room.id, slot.id),
        lambda: schedule.publish(attendee),
    ):
        with pytest.raises(Forbidden), unit_of_work():
            action()


def test_placing_by_hand_swaps_and_pins_survive_a_new_run(camp):
    event, facilitator, _, wall = camp
    big, small = event.rooms
    first, _second = schedule.session_slots(event)
    with unit_of_work():
        schedule.place(facilitator, wall[0].id, small.id, first.id)
    with unit_of_work():
        schedule.place(facilitator, wall[1].id, big.id, first.id)
    with unit_of_work():  # onto an occupied cell: the two swap
        schedule.place(facilitator, wall[0].id, big.id, first.id)
    placed = sessions(event)
    assert (placed[wall[0].id].room_id, placed[wall[1].id].room_id) == (big.id, small.id)
    with unit_of_work():
        schedule.pin(facilitator, wall[1].id)
    optimize(facilitator)
    kept = sessions(event)[wall[1].id]
    assert (kept.room_id, kept.slot_id, kept.pinned) == (small.id, first.id, True)


def test_blocked_cells_plenaries_and_foreign_rooms_are_refused(camp):
    event, facilitator, _, wall = camp
    other, _ = new_event(name="Ailleurs")
    plenary = next(s for s in event.slots if s.kind == "plenary")
    first = schedule.session_slots(event)[0]
    with unit_of_work():
        schedule.block(facilitator, event.rooms[0].id, first.id)
    for room_id, slot_id in [
        (event.rooms[0].id, first.id),
        (event.rooms[0].id, plenary.id),
        (other.rooms[0].id, first.id),
        (event.rooms[0].id, None),
    ]:
        with pytest.raises(ValidationFailed), unit_of_work():
            schedule.place(facilitator, wall[0].id, room_id, slot_id)
    optimize(facilitator)
    assert all(
        not (s.room_id == event.rooms[0].id and s.slot_id == first.id)
        for s in sessions(event).values()
    )
    assert db.session.scalar(select(db.func.count(BlockedCell.id))) == 1


def test_a_pin_on_a_blocked_cell_is_explained(camp):
    event, facilitator, _, wall = camp
    room, slot = event.rooms[0], schedule.session_slots(event)[0]
    with unit_of_work():
        schedule.place(facilitator, wall[0].id, room.id, slot.id)
        schedule.pin(facilitator, wall[0].id)
    db.session.add(BlockedCell(event_id=event.id, room_id=room.id, slot_id=slot.id))
    db.session.commit()
    with pytest.raises(ScheduleProblem) as refusal:
        optimize(facilitator)
    assert "bloqu" in str(refusal.value.message) or "blocked" in str(refusal.value.message)


def test_the_grid_is_hidden_until_published_then_changes_are_marked(camp):
    event, facilitator, _, wall = camp
    optimize(facilitator)
    assert schedule_view(event) == {"published": False, "sessions": []}
    with unit_of_work():
        schedule.publish(facilitator)
    view = schedule_view(event)
    assert view["published"]
    assert len(view["sessions"]) == 4
    assert not any(s["changed"] for s in view["sessions"])
    unplaced = next(t for t in wall if t.id not in sessions(event))
    target = next(iter(sessions(event).values()))
    with unit_of_work():
        schedule.place(facilitator, unplaced.id, target.room_id, target.slot_id)
    changed = [s for s in schedule_view(event)["sessions"] if s["changed"]]
    assert [s["topic_id"] for s in changed] == [unplaced.id]


@pytest.fixture
def published(camp):
    _event, facilitator, _people, _wall = camp
    optimize(facilitator)
    with unit_of_work():
        schedule.publish(facilitator)
    return camp


def test_a_participant_takes_a_seat_and_switches_within_a_slot(published):
    event, _, people, _ = published
    first = schedule.session_slots(event)[0]
    here = [s for s in sessions(event).values() if s.slot_id == first.id]
    with unit_of_work():
        seating.take_seat(people[0], here[0].id)
    with unit_of_work():  # the law of two feet
        seating.take_seat(people[0], here[1].id)
    seats = db.session.scalars(select(Seat).where(Seat.participant_id == people[0].id)).all()
    assert [s.session_id for s in seats] == [here[1].id]
    db.session.expire_all()
    assert (
        db.session.get(Session, here[0].id).seats_taken,
        db.session.get(Session, here[1].id).seats_taken,
    ) == (0, 1)
    with unit_of_work():
        seating.leave_seat(people[0], here[1].id)
    assert db.session.scalars(select(Seat)).all() == []


def test_a_full_session_refuses_one_more(published):
    event, _, people, _ = published
    small = min(sessions(event).values(), key=lambda s: s.capacity)
    for person in people[: small.capacity]:
        with unit_of_work():
            seating.take_seat(person, small.id)
    with pytest.raises(SessionFull), unit_of_work():
        seating.take_seat(people[-1], small.id)
    db.session.expire_all()
    assert db.session.get(Session, small.id).seats_taken == small.capacity
    assert occupancy_view(event)["counts"]


def test_seat_me_fills_my_slots_with_what_i_voted_for(published):
    event, _, people, wall = published
    with unit_of_work():
        taken = seating.seat_me(people[3])
    mine = db.session.scalars(select(Seat).where(Seat.participant_id == people[3].id)).all()
    voted = {wall[3].id, wall[4].id}
    by_id = {s.id: s for s in sessions(event).values()}
    assert taken == len(mine) >= 1
    assert {by_id[s.session_id].topic_id for s in mine} <= voted
    assert len({s.slot_id for s in mine}) == len(mine)


def test_no_seats_before_publishing_nor_in_another_events_session(camp):
    event, facilitator, people, _ = camp
    optimize(facilitator)
    some = next(iter(sessions(event).values()))
    with pytest.raises(NotPublished), unit_of_work():
        seating.take_seat(people[0], some.id)
    with unit_of_work():
        schedule.publish(facilitator)
    _other_event, _other_facilitator, other_people, _ = build_camp(n_people=5)
    with pytest.raises(ValidationFailed), unit_of_work():
        seating.take_seat(other_people[0], some.id)
    with pytest.raises(ValidationFailed), unit_of_work():
        seating.take_seat(people[0], None)


def test_conflicts_show_host_clashes_small_rooms_and_needs(camp):
    event, facilitator, people, wall = camp
    first = schedule.session_slots(event)[0]
    big, small = event.rooms
    with unit_of_work():
        topics.join_as_cohost(people[0], wall[1])  # P0 hosts wall[0] and wall[1]
        stored = db.session.get(Event, event.id)
        stored.rooms[1].features = ["whiteboard"]
        wall[2].needs = ["projector"]
    with unit_of_work():
        schedule.place(facilitator, wall[0].id, big.id, first.id)
        schedule.place(facilitator, wall[1].id, small.id, first.id)
    second = schedule.session_slots(event)[1]
    with unit_of_work():
        schedule.place(facilitator, wall[2].id, small.id, second.id)
    found = schedule.conflicts(event)
    assert "host_clash" in found[wall[0].id]
    assert "host_clash" in found[wall[1].id]
    assert "too_small" in found[wall[2].id] or "needs" in found[wall[2].id]
    assert "needs" in found[wall[2].id]


def race_for_seats(app, session_id, participant_ids):
    """Everybody asks for a seat at once; returns how many were told yes."""
    outcomes = []
    start = threading.Barrier(len(participant_ids))

    def ask(participant_id):
        with app.app_context():
            participant = db.session.get(Participant, participant_id)
            db.session.commit()  # give the connection back to the pool while waiting
            start.wait()
            try:
                with unit_of_work():
                    seating.take_seat(participant, session_id)
                outcomes.append("seated")
            except SessionFull:
                outcomes.append("full")

    threads = [threading.Thread(target=ask, args=(p,)) for p in participant_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def rush(app):
    with app.app_context():
        event, facilitator, people, _ = build_camp(n_people=50, capacities=(20, 20))
        optimize(facilitator)
        with unit_of_work():
            schedule.publish(facilitator)
        target = next(iter(sessions(event).values()))
        target_id, ids = target.id, [p.id for p in people]
    outcomes = race_for_seats(app, target_id, ids)
    with app.app_context():
        seated = db.session.scalar(
            select(db.func.count(Seat.id)).where(Seat.session_id == target_id)
        )
        taken = db.session.get(Session, target_id).seats_taken
    return outcomes, seated, taken


def test_fifty_people_racing_for_twenty_seats_get_exactly_twenty(app):
    outcomes, seated, taken = rush(app)
    assert outcomes.count("seated") == 20
    assert outcomes.count("full") == 30
    assert seated == taken == 20


@pytest.mark.postgres
def test_the_race_for_seats_on_postgresql(postgres_database):
    with app_on(postgres_database) as app:
        outcomes, seated, taken = rush(app)
    assert outcomes.count("seated") == 20
    assert seated == taken == 20


def test_a_room_made_smaller_gives_back_the_seats_over_it(published):
    from barcamp.services import events as event_service
    from barcamp.services.events import EventSettings, RoomRow, SlotRow

    event, _, people, _ = published
    big = max(sessions(event).values(), key=lambda s: s.capacity)
    for person in people[:6]:
        with unit_of_work():
            seating.take_seat(person, big.id)
    rooms = [
        RoomRow(r.name, 4 if r.id == big.room_id else r.capacity, id=r.id, features=("projector",))
        for r in event.rooms
    ]
    slots = [
        SlotRow(s.starts_at.time(), s.ends_at.time(), s.kind, s.label, id=s.id) for s in event.slots
    ]
    settings = EventSettings(event.name, event.starts_on, event.venue, event.timezone, event.locale)
    with unit_of_work():
        event_service.update_event(event, settings, rooms, slots)
    db.session.expire_all()
    resized = db.session.get(Session, big.id)
    assert (resized.capacity, resized.seats_taken) == (4, 4)
    seated = db.session.scalars(select(Seat.participant_id).where(Seat.session_id == big.id))
    assert sorted(seated) == sorted(p.id for p in people[:4])  # the first four keep theirs
    assert all(room.features == ["projector"] for room in event.rooms)


def test_one_round_of_parallel_tables_works_the_same_way():
    """The founding barcamp's format: one slot, small groups around tables."""
    event, facilitator, people, wall = build_camp(n_people=12, capacities=(4,) * 5, rounds=1)
    report = optimize(facilitator)
    with unit_of_work():
        schedule.publish(facilitator)
    assert len(sessions(event)) == len(wall) == 5  # every topic has a table
    assert report["score"] == report["upper_bound"]
    for person in people:
        with unit_of_work():
            seating.seat_me(person)
    db.session.expire_all()
    tables = sessions(event).values()
    assert all(table.seats_taken <= 4 for table in tables)
    assert sum(table.seats_taken for table in tables) == len(people)
