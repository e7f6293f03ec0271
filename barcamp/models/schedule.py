"""The grid: sessions (a topic in a room and a slot), blocked cells, and seats."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from barcamp.extensions import db
from barcamp.models._types import utcnow


class Session(db.Model):
    """A topic placed in a room and a slot. `seats_taken` counts its Seat rows; the
    database refuses more than `capacity` (the room's seats when it was placed)."""

    __tablename__ = "session"
    __table_args__ = (
        UniqueConstraint("room_id", "slot_id"),
        UniqueConstraint("topic_id"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"), index=True)
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    pinned: Mapped[bool] = mapped_column(default=False)
    # Set when the session changed after the grid was published, to mark it.
    changed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped["Topic"] = relationship()  # noqa: F821
    room: Mapped["Room"] = relationship()  # noqa: F821
    slot: Mapped["Slot"] = relationship()  # noqa: F821

    @property
    def is_full(self):
        return self.seats_taken >= self.capacity


class BlockedCell(db.Model):
    """A room that takes no session in a slot (kept free, or booked for something else)."""

    __tablename__ = "blocked_cell"
    __table_args__ = (UniqueConstraint("room_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))


class Seat(db.Model):
    """A participant's place in a session; one per participant and slot."""

    __tablename__ = "seat"
    __table_args__ = (UniqueConstraint("participant_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("session.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
