"""Live actions on the grid (facilitators) and on seats (participants)."""

from barcamp.services import schedule, seating
from barcamp.services.snapshots import my_seats
from barcamp.sockets.context import mutation, participant_of


@mutation("10/minute")
def schedule_optimize(visitor, payload):
    """schedule_optimize {op_id}: ack {ok, version, report}. Runs the optimizer in its own
    process around pinned sessions. Broadcasts `schedule_updated`, `occupancy`."""
    return {"report": schedule.optimize(visitor)}


@mutation()
def schedule_place(visitor, payload):
    """schedule_place {op_id, topic_id, room_id, slot_id}: ack {ok, version}. Swaps with
    the topic there, if any. Broadcasts `schedule_updated`."""
    schedule.place(visitor, payload.get("topic_id"), payload.get("room_id"), payload.get("slot_id"))


@mutation()
def schedule_unplace(visitor, payload):
    """schedule_unplace {op_id, topic_id}: ack {ok, version}."""
    schedule.unplace(visitor, payload.get("topic_id"))


@mutation()
def schedule_pin(visitor, payload):
    """schedule_pin {op_id, topic_id, pinned}: ack {ok, version}."""
    schedule.pin(visitor, payload.get("topic_id"), payload.get("pinned") is not False)


@mutation()
def schedule_block(visitor, payload):
    """schedule_block {op_id, room_id, slot_id, blocked}: ack {ok, version}."""
    schedule.block(
        visitor, payload.get("room_id"), payload.get("slot_id"), payload.get("blocked") is not False
    )


@mutation()
def schedule_publish(visitor, payload):
    """schedule_publish {op_id}: ack {ok, version}. Broadcasts `schedule_updated`."""
    schedule.publish(visitor)


def _mine(participant):
    return {"seats": my_seats(participant)}


@mutation("60/minute")
def seat_take(visitor, payload):
    """seat_take {op_id, session_id}: ack {ok, version, seats}, or error `session_full`.
    Sends `my_seats` to the participant's pages, `occupancy` (coalesced) to all."""
    participant = participant_of(visitor)
    seating.take_seat(participant, payload.get("session_id"))
    return _mine(participant)


@mutation("60/minute")
def seat_leave(visitor, payload):
    """seat_leave {op_id, session_id}: ack {ok, version, seats}."""
    participant = participant_of(visitor)
    seating.leave_seat(participant, payload.get("session_id"))
    return _mine(participant)


@mutation("20/minute")
def seat_me(visitor, payload):
    """seat_me {op_id}: ack {ok, version, seats, taken}. Seats in sessions voted for."""
    participant = participant_of(visitor)
    taken = seating.seat_me(participant)
    return dict(_mine(participant), taken=taken)
