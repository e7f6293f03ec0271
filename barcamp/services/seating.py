"""Self-assignment once the grid is published: a seat per slot, capacity kept by the
database even in a rush, and the "law of two feet" (switch at any time)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from barcamp.changes import record_private, record_seats_changed
from barcamp.errors import BarcampError, ValidationFailed
from barcamp.extensions import db
from barcamp.live import participant_room
from barcamp.models import Participant, Seat, Session, Vote
from barcamp.services.lookup import is_id
from barcamp.services.participants import lock_participant
from barcamp.services.snapshots import seats_view


class SessionFull(BarcampError):
    status = 409
    code = "session_full"
    default_message = _l("This session is full: choose another one.")


class NotPublished(BarcampError):
    status = 409
    code = "not_published"
    default_message = _l("The grid is not published yet.")


def occupancy_changed(event):
    """Tell everybody, coalesced, that seats changed."""
    record_seats_changed(event)


def seats_moved(event, participant_ids):
    """After a grid change that moved or dropped these participants' seats: tell
    everybody (coalesced), and each of them their seats as they are now."""
    occupancy_changed(event)
    for participant in db.session.scalars(
        select(Participant).where(Participant.id.in_(set(participant_ids)))
    ):
        _tell(participant)


def _tell(participant):
    """Send the participant's pages their seats, after this change's `seats_version`
    bump (so that each message is newer than the ones before it)."""
    record_private(
        participant.event, participant_room(participant.id), "my_seats", seats_view(participant)
    )


def _published_session(event, session_id):
    session = db.session.get(Session, session_id) if is_id(session_id) else None
    if session is None or session.event_id != event.id:
        raise ValidationFailed.on("session", _l("This session does not exist."))
    if event.schedule_published_at is None:
        raise NotPublished()
    return session


def _free(seat):
    db.session.execute(
        update(Session)
        .where(Session.id == seat.session_id)
        .values(seats_taken=Session.seats_taken - 1)
    )
    db.session.delete(seat)


def take_seat(participant, session_id):
    """Sit in a session, leaving one's seat in the same slot if any (switching is fine)."""
    event = participant.event
    session = _published_session(event, session_id)
    lock_participant(participant)
    current = db.session.scalar(
        select(Seat).where(Seat.participant_id == participant.id, Seat.slot_id == session.slot_id)
    )
    if current is not None and current.session_id == session.id:
        return session
    # Count the seat only where one is left: the check and the increment are one
    # statement, and the table's CHECK refuses more than the capacity anyway.
    taken = db.session.execute(
        update(Session)
        .where(Session.id == session.id, Session.seats_taken < Session.capacity)
        .values(seats_taken=Session.seats_taken + 1)
        .returning(Session.seats_taken)
    ).first()
    if taken is None:
        raise SessionFull()
    if current is not None:
        _free(current)
        db.session.flush()
    db.session.add(
        Seat(
            event_id=event.id,
            session_id=session.id,
            participant_id=participant.id,
            slot_id=session.slot_id,
        )
    )
    db.session.flush()
    db.session.expire(session, ["seats_taken"])
    occupancy_changed(event)
    _tell(participant)
    return session


def leave_seat(participant, session_id):
    """Give one's seat back (no-op if one has none there)."""
    event = participant.event
    session = _published_session(event, session_id)
    lock_participant(participant)
    seat = db.session.scalar(
        select(Seat).where(Seat.participant_id == participant.id, Seat.session_id == session.id)
    )
    if seat is None:
        return
    _free(seat)
    db.session.flush()
    occupancy_changed(event)
    _tell(participant)


def seat_me(participant):
    """Fill each slot where one has no seat with a session one voted for that has room
    (most votes from me first, then the emptiest). Returns how many seats were taken."""
    event = participant.event
    if event.schedule_published_at is None:
        raise NotPublished()
    lock_participant(participant)
    seated = set(
        db.session.scalars(select(Seat.slot_id).where(Seat.participant_id == participant.id))
    )
    dots = dict(
        db.session.execute(
            select(Vote.topic_id, Vote.dots).where(Vote.participant_id == participant.id)
        ).all()
    )
    candidates = db.session.scalars(
        select(Session).where(Session.event_id == event.id, Session.topic_id.in_(dots))
    ).all()
    taken = 0
    for slot_id in sorted({s.slot_id for s in candidates} - seated):
        options = sorted(
            (s for s in candidates if s.slot_id == slot_id),
            key=lambda s: (-dots[s.topic_id], s.seats_taken / s.capacity),
        )
        for session in options:
            try:
                take_seat(participant, session.id)
            except SessionFull:  # refused before anything was written
                continue
            taken += 1
            break
    return taken


def sync_capacity(session, capacity):
    """A session's room changed size: fewer seats than people means the latest to sit
    down choose again."""
    if session.seats_taken > capacity:
        seats = db.session.scalars(
            select(Seat).where(Seat.session_id == session.id).order_by(Seat.id.desc())
        ).all()
        for seat in seats[: session.seats_taken - capacity]:
            db.session.delete(seat)
        session.seats_taken = capacity
    # Both columns change in one UPDATE, which the CHECK accepts.
    session.capacity = capacity
