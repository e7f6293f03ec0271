"""Live actions on the grid (facilitators) and on seats (participants)."""

from barcamp.services import optimizer, schedule, seating
from barcamp.services.snapshots import seats_view
from barcamp.sockets.context import mutation, participant_of, query


@mutation("10/minute", waits=True)
def schedule_optimize(visitor, payload, op_id):
    """schedule_optimize {op_id}: ack {ok, version, report}, or errors `schedule_stale`
    (votes or the grid changed meanwhile: nothing written), `schedule_busy`,
    `schedule_cancelled`. Runs the optimizer in its own process around pinned sessions,
    outside any transaction; facilitators hear `schedule_progress` meanwhile. Then
    broadcasts `schedule_updated`, `occupancy`."""
    return optimizer.optimize(visitor, op_id)


@query
def schedule_cancel(visitor, payload):
    """schedule_cancel {}: ack {ok, cancelled}. Stops the optimizer's run under way."""
    return {"cancelled": optimizer.cancel(visitor)}


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
    return seats_view(participant)


@mutation("60/minute")
def seat_take(visitor, payload):
    """seat_take {op_id, session_id}: ack {ok, version, seats, seats_version}, or error
    `session_full`.
    Sends `my_seats` to the participant's pages, `occupancy` (coalesced) to all."""
    participant = participant_of(visitor)
    seating.take_seat(participant, payload.get("session_id"))
    return _mine(participant)


@mutation("60/minute")
def seat_leave(visitor, payload):
    """seat_leave {op_id, session_id}: ack {ok, version, seats, seats_version}."""
    participant = participant_of(visitor)
    seating.leave_seat(participant, payload.get("session_id"))
    return _mine(participant)


@mutation("20/minute")
def seat_me(visitor, payload):
    """seat_me {op_id}: ack {ok, version, seats, seats_version, taken}. Seats in sessions
    voted for."""
    participant = participant_of(visitor)
    taken = seating.seat_me(participant)
    return dict(_mine(participant), taken=taken)
