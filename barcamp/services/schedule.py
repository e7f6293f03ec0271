"""The grid: build it with the optimizer, edit it by hand, publish it."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from barcamp.changes import record
from barcamp.errors import BarcampError, ValidationFailed
from barcamp.extensions import db
from barcamp.models import (
    BlockedCell,
    Phase,
    Room,
    Seat,
    Session,
    Slot,
    SlotKind,
    Topic,
    TopicStatus,
    Vote,
)
from barcamp.models._types import utcnow
from barcamp.scheduling import Cell, Problem
from barcamp.scheduling import Room as RoomSpec
from barcamp.scheduling import Topic as TopicSpec
from barcamp.services.facilitation import advance, require
from barcamp.services.lookup import event_topic, is_id
from barcamp.services.seating import seats_moved
from barcamp.services.snapshots import schedule_view

PROBLEM_MESSAGES = {
    "pin_on_blocked_cell": _l("A pinned session sits in a blocked cell."),
    "two_pins_in_one_cell": _l("Two pinned sessions share a cell."),
    "pinned_host_in_two_places": _l("Two pinned sessions have the same host at the same time."),
    "pin_in_room_without_needs": _l("A pinned session is in a room without what it needs."),
    "room_without_seats": _l("A room has no seats."),
}


class ScheduleProblem(BarcampError):
    status = 409
    code = "schedule_problem"


class ScheduleStale(BarcampError):
    status = 409
    code = "schedule_stale"
    default_message = _l(
        "Votes or the grid changed while the optimizer was working, so nothing was "
        "changed. Build the grid again to take them into account."
    )


def session_slots(event):
    """The slots that hold workshops, in time order."""
    return [slot for slot in event.slots if slot.kind == SlotKind.SESSIONS]


def problem_for(event):
    """The optimizer's view of the event: open topics with their voters and hosts, rooms,
    workshop slots, pinned sessions and blocked cells."""
    topics = db.session.scalars(
        select(Topic)
        .where(Topic.event_id == event.id, Topic.status == TopicStatus.OPEN)
        .order_by(Topic.id)
    ).all()
    voters = {}
    for topic_id, participant_id in db.session.execute(
        select(Vote.topic_id, Vote.participant_id).where(Vote.event_id == event.id)
    ):
        voters.setdefault(topic_id, set()).add(participant_id)
    sessions = _sessions(event)
    return Problem(
        topics=tuple(
            TopicSpec(
                t.id, frozenset(voters.get(t.id, ())), frozenset(t.host_ids()), frozenset(t.needs)
            )
            for t in topics
        ),
        rooms=tuple(RoomSpec(r.id, r.capacity, frozenset(r.features)) for r in event.rooms),
        slots=tuple(slot.id for slot in session_slots(event)),
        pins={s.topic_id: Cell(s.room_id, s.slot_id) for s in sessions if s.pinned},
        blocked=frozenset(Cell(b.room_id, b.slot_id) for b in _blocked(event)),
    )


def _sessions(event):
    return db.session.scalars(select(Session).where(Session.event_id == event.id)).all()


def seats_at_stake(event):
    """The sessions a new run of the optimizer may move, with the seats people took in
    them (given back if they move): [(topic title, seats taken)], fullest first."""
    rows = db.session.execute(
        select(Topic.title, Session.seats_taken)
        .join(Topic, Topic.id == Session.topic_id)
        .where(Session.event_id == event.id, ~Session.pinned, Session.seats_taken > 0)
        .order_by(Session.seats_taken.desc(), Topic.title)
    )
    return [(title, seats) for title, seats in rows]


def _blocked(event):
    return db.session.scalars(select(BlockedCell).where(BlockedCell.event_id == event.id)).all()


def _changed(event, sessions=()):
    """After an edit: mark changed sessions once published, and tell everybody."""
    if event.schedule_published_at is not None:
        for session in sessions:
            session.changed_at = utcnow()
    db.session.flush()
    record(event, "schedule_updated", schedule_view(event))


@dataclass(frozen=True)
class OptimizerInputs:
    """What the optimizer's grid depends on: the problem, and where sessions are."""

    problem: Problem
    placements: tuple  # (topic id, room id, slot id, pinned), sorted


def optimizer_inputs(visitor):
    """Read what the optimizer needs (a facilitator's action)."""
    require(visitor)
    event = visitor.event
    problem = problem_for(event)
    if not problem.slots:
        raise ScheduleProblem(_l("Add a time slot for workshops first."))
    placements = tuple(
        sorted((s.topic_id, s.room_id, s.slot_id, s.pinned) for s in _sessions(event))
    )
    return OptimizerInputs(problem, placements)


def apply_search(visitor, inputs, answer):
    """In the unit of work, once the optimizer answered: put its grid in place of the
    sessions that are not pinned, unless what it worked from changed meanwhile (a vote,
    a pin, a placement, a merge): then nothing is written. Returns its report."""
    require(visitor)
    event = visitor.event
    if "problems" in answer:
        raise ScheduleProblem(
            " ".join(str(PROBLEM_MESSAGES.get(code, code)) for code, _ in answer["problems"])
        )
    if optimizer_inputs(visitor) != inputs:
        raise ScheduleStale()
    result = answer["result"]
    wanted = {(room, slot): topic for room, slot, topic in result["grid"]}
    kept, unseated = set(), []
    for session in _sessions(event):
        cell = (session.room_id, session.slot_id)
        if session.pinned or wanted.get(cell) == session.topic_id:
            kept.add(cell)
        else:
            unseated += _seated_in(session)
            db.session.delete(session)  # its seats go with it
    db.session.flush()
    rooms = {room.id: room for room in event.rooms}
    placed = []
    for (room_id, slot_id), topic_id in wanted.items():
        if (room_id, slot_id) not in kept:
            placed.append(
                Session(
                    event_id=event.id,
                    topic_id=topic_id,
                    room_id=room_id,
                    slot_id=slot_id,
                    capacity=rooms[room_id].capacity,
                )
            )
    db.session.add_all(placed)
    event.schedule_report = {
        key: result[key] for key in ("score", "upper_bound", "by_hand", "seconds", "unplaced")
    }
    _changed(event, placed)
    seats_moved(event, unseated)
    return event.schedule_report


def _seated_in(session):
    return list(
        db.session.scalars(select(Seat.participant_id).where(Seat.session_id == session.id))
    )


def _cell(event, room_id, slot_id):
    room = db.session.get(Room, room_id) if is_id(room_id) else None
    slot = db.session.get(Slot, slot_id) if is_id(slot_id) else None
    if room is None or slot is None or room.event_id != event.id or slot.event_id != event.id:
        raise ValidationFailed.on("cell", _l("This place does not exist."))
    if slot.kind != SlotKind.SESSIONS:
        raise ValidationFailed.on("cell", _l("This slot holds no workshops."))
    return room, slot


def _session_at(event, room, slot):
    return db.session.scalar(
        select(Session).where(Session.room_id == room.id, Session.slot_id == slot.id)
    )


def _session_of(topic):
    return db.session.scalar(select(Session).where(Session.topic_id == topic.id))


def place(visitor, topic_id, room_id, slot_id):
    """Put a topic in a cell. A topic already there swaps places with it, or leaves the
    grid if the one moved in was not on it."""
    require(visitor)
    event = visitor.event
    topic = event_topic(event, topic_id)
    if topic.status != TopicStatus.OPEN:
        raise ValidationFailed.on("topic", _l("This topic is no longer on the wall."))
    room, slot = _cell(event, room_id, slot_id)
    if db.session.scalar(
        select(BlockedCell.id).where(BlockedCell.room_id == room.id, BlockedCell.slot_id == slot.id)
    ):
        raise ValidationFailed.on("cell", _l("This place is blocked."))
    moving = _session_of(topic)
    there = _session_at(event, room, slot)
    if moving is not None and moving is there:
        return
    plan = {topic.id: (room, slot)}
    if there is not None:
        plan[there.topic_id] = (moving.room, moving.slot) if moving is not None else None
    _rearrange(event, plan)


def _rearrange(event, plan):
    """Move topics to new cells ({topic id: (room, slot) or None for off the grid}).
    Pins are kept; seats follow a topic that stays in its slot (as many as the new room
    seats), and are dropped when it changes slot: people then choose again."""
    before = {}
    for topic_id in plan:
        session = db.session.scalar(select(Session).where(Session.topic_id == topic_id))
        if session is not None:
            seats = db.session.scalars(
                select(Seat).where(Seat.session_id == session.id).order_by(Seat.id)
            ).all()
            before[topic_id] = (
                session.slot_id,
                session.pinned,
                [seat.participant_id for seat in seats],
            )
            db.session.delete(session)  # the database drops its seats
    db.session.flush()
    placed = []
    for topic_id, cell in plan.items():
        if cell is None:
            continue
        room, slot = cell
        old_slot, pinned, people = before.get(topic_id, (None, False, []))
        session = Session(
            event_id=event.id,
            topic_id=topic_id,
            room_id=room.id,
            slot_id=slot.id,
            capacity=room.capacity,
            pinned=pinned,
        )
        db.session.add(session)
        db.session.flush()
        if old_slot == slot.id:
            kept = people[: room.capacity]
            for participant_id in kept:
                db.session.add(
                    Seat(
                        event_id=event.id,
                        session_id=session.id,
                        participant_id=participant_id,
                        slot_id=slot.id,
                    )
                )
            session.seats_taken = len(kept)
        placed.append(session)
    _changed(event, placed)
    seats_moved(event, [person for _, _, people in before.values() for person in people])


def unplace(visitor, topic_id):
    """Take a topic off the grid (its seats go)."""
    require(visitor)
    session = _session_of(event_topic(visitor.event, topic_id))
    if session is not None:
        unseated = _seated_in(session)
        db.session.delete(session)
        _changed(visitor.event)
        seats_moved(visitor.event, unseated)


def pin(visitor, topic_id, pinned=True):
    """Keep a session where it is when the optimizer runs again."""
    require(visitor)
    session = _session_of(event_topic(visitor.event, topic_id))
    if session is None:
        raise ValidationFailed.on("topic", _l("This topic is not on the grid."))
    session.pinned = bool(pinned)
    _changed(visitor.event)


def block(visitor, room_id, slot_id, blocked=True):
    """Keep a cell free of sessions (or free it again)."""
    require(visitor)
    event = visitor.event
    room, slot = _cell(event, room_id, slot_id)
    existing = db.session.scalar(
        select(BlockedCell).where(BlockedCell.room_id == room.id, BlockedCell.slot_id == slot.id)
    )
    if blocked and existing is None:
        if _session_at(event, room, slot) is not None:
            raise ValidationFailed.on(
                "cell", _l("Move the session away before blocking this place.")
            )
        db.session.add(BlockedCell(event_id=event.id, room_id=room.id, slot_id=slot.id))
    elif not blocked and existing is not None:
        db.session.delete(existing)
    _changed(event)


def publish(visitor):
    """Show the grid to everybody; later changes are marked as such."""
    require(visitor)
    event = visitor.event
    if not _sessions(event):
        raise ScheduleProblem(_l("The grid is empty: build it or place topics first."))
    if event.schedule_published_at is None:
        event.schedule_published_at = utcnow()
        advance(event, Phase.SCHEDULING)
    _changed(event)


def conflicts(event):
    """What is wrong with each session, for the facilitator: {topic id: [codes]}:
    `host_clash` (a host has two sessions at once), `too_small` (more voters than seats),
    `needs` (the room lacks what the topic needs, where rooms declare features)."""
    sessions = _sessions(event)
    problem = problem_for(event)
    topics = {t.id: t for t in problem.topics}
    enforce = problem.enforce_needs
    found = {}
    busy = {}
    for session in sessions:
        spec = topics.get(session.topic_id)
        if spec is None:
            continue
        for host in spec.hosts:
            busy.setdefault((host, session.slot_id), []).append(session.topic_id)
        codes = []
        if len(spec.voters) > session.capacity:
            codes.append("too_small")
        room = db.session.get(Room, session.room_id)
        if enforce and not spec.needs <= set(room.features):
            codes.append("needs")
        found[session.topic_id] = codes
    for topic_ids in busy.values():
        if len(topic_ids) > 1:
            for topic_id in topic_ids:
                found[topic_id].append("host_clash")
    return found
