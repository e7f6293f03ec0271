"""The grid as templates draw it: slots in order, each with its rooms' cells."""

from dataclasses import dataclass, field

from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import BlockedCell, Seat, Session, SlotKind, Topic, TopicStatus
from barcamp.services import talks as talk_service
from barcamp.services.notes import roles_by_topic


@dataclass
class GridCell:
    room: object
    session: object = None
    blocked: bool = False
    conflicts: list = field(default_factory=list)
    roles: dict = field(default_factory=dict)  # {kind: [names]}: facilitator, note-taker


@dataclass
class TalkLine:
    talk: object
    starts: object
    ends: object


@dataclass
class GridRow:
    slot: object
    cells: list  # GridCell per room, for workshop slots; empty for plenaries and breaks
    talks: list = field(default_factory=list)  # TalkLine per talk, for plenaries

    @property
    def is_workshops(self):
        return self.slot.kind == SlotKind.SESSIONS


def grid_rows(event, *, draft=False, conflicts=None):
    """Every slot of the day with, for workshop slots, one cell per room. The grid shows
    only once published, unless `draft` (facilitators)."""
    show = draft or event.schedule_published_at is not None
    sessions = {}
    if show:
        for session in db.session.scalars(select(Session).where(Session.event_id == event.id)):
            sessions[session.room_id, session.slot_id] = session
    blocked = {
        (b.room_id, b.slot_id)
        for b in db.session.scalars(select(BlockedCell).where(BlockedCell.event_id == event.id))
    }
    conflicts = conflicts or {}
    roles = roles_by_topic(event) if show else {}
    talks = talk_service.event_talks(event, drafts=draft)
    times = talk_service.programmes(talks)
    programme = {}
    for talk in talks:
        if talk.id in times:
            programme.setdefault(talk.slot_id, []).append(TalkLine(talk, *times[talk.id]))
    rows = []
    for slot in event.slots:
        cells = []
        if slot.kind == SlotKind.SESSIONS:
            for room in event.rooms:
                session = sessions.get((room.id, slot.id))
                cells.append(
                    GridCell(
                        room,
                        session,
                        (room.id, slot.id) in blocked,
                        conflicts.get(session.topic_id, []) if session else [],
                        roles.get(session.topic_id, {}) if session else {},
                    )
                )
        rows.append(GridRow(slot, cells, sorted(programme.get(slot.id, []), key=_by_start)))
    return rows


def _by_start(line):
    return line.starts


def unplaced_topics(event):
    """Open topics not on the grid, most voted first."""
    placed = select(Session.topic_id).where(Session.event_id == event.id)
    return db.session.scalars(
        select(Topic)
        .where(
            Topic.event_id == event.id, Topic.status == TopicStatus.OPEN, Topic.id.not_in(placed)
        )
        .order_by(Topic.id)
    ).all()


def seats_of(participant):
    """{slot id: session id} of a participant's seats."""
    if participant is None:
        return {}
    return dict(
        db.session.execute(
            select(Seat.slot_id, Seat.session_id).where(Seat.participant_id == participant.id)
        ).all()
    )
