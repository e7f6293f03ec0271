"""An event (one barcamp) with its rooms and time slots."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from barcamp.extensions import db
from barcamp.models._types import one_of, utcnow

NAME_MAX = 120
VENUE_MAX = 200
ROOM_NAME_MAX = 80
SLOT_LABEL_MAX = 80
CAPACITY_MAX = 10_000
BUDGET_MAX = 20


class Phase(StrEnum):
    """Where the event stands; proposals and voting may later overlap."""

    DRAFT = "draft"
    PROPOSALS = "proposals"
    VOTING = "voting"
    SCHEDULING = "scheduling"
    RUNNING = "running"
    CLOSED = "closed"


class Language(StrEnum):
    """Languages the interface is translated into; an event picks one as its default."""

    FR = "fr"
    EN = "en"


class SlotKind(StrEnum):
    SESSIONS = "sessions"
    PLENARY = "plenary"
    BREAK = "break"


class ProceedingsAccess(StrEnum):
    """Who may read an event's proceedings (the HTML page, its PDF, the actions page's
    export); the full exports (ZIP, JSON) are the organizers' only."""

    ORGANIZERS = "organizers"
    PARTICIPANTS = "participants"  # people who joined the event
    EVERYONE = "everyone"  # anyone with the address


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        one_of("phase", Phase, "phase"),
        one_of("locale", Language, "locale"),
        one_of("proceedings_access", ProceedingsAccess, "proceedings_access"),
        CheckConstraint("version >= 0", name="version_not_negative"),
        CheckConstraint(f"vote_budget BETWEEN 1 AND {BUDGET_MAX}", name="vote_budget"),
        CheckConstraint(
            "max_votes_per_topic BETWEEN 1 AND vote_budget", name="max_votes_per_topic"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    starts_on: Mapped[date]
    venue: Mapped[str] = mapped_column(String(VENUE_MAX), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(5))
    phase: Mapped[str] = mapped_column(String(16), default=Phase.DRAFT)
    # Bumped once per recorded change; broadcasts carry it so clients spot a gap.
    version: Mapped[int] = mapped_column(default=0)
    # Bumped once per change of votes; tallies are sent coalesced, latest first.
    votes_version: Mapped[int] = mapped_column(default=0)
    proposals_open: Mapped[bool] = mapped_column(default=False)
    voting_open: Mapped[bool] = mapped_column(default=False)
    vote_budget: Mapped[int] = mapped_column(default=3)
    max_votes_per_topic: Mapped[int] = mapped_column(default=1)
    # Blind voting: tallies stay hidden while voting is open.
    blind_voting: Mapped[bool] = mapped_column(default=False)
    # The grid is seen by everybody once published; changes after that are marked.
    schedule_published_at: Mapped[datetime | None]
    # Bumped once per change of seats; occupancy is sent coalesced, latest first.
    seats_version: Mapped[int] = mapped_column(default=0)
    # Bumped once per change of questions or upvotes; sent coalesced, latest first.
    questions_version: Mapped[int] = mapped_column(default=0)
    # What the optimizer said last time: score, bounds, topics left out and why.
    schedule_report: Mapped[dict | None] = mapped_column(JSON)
    proceedings_access: Mapped[str] = mapped_column(
        String(16), default=ProceedingsAccess.ORGANIZERS, server_default="organizers"
    )
    organizer_key_digest: Mapped[str] = mapped_column(String(64))
    facilitator_key_digest: Mapped[str] = mapped_column(String(64))
    # The screen link's: a projector anywhere, read-only (None until one is made).
    screen_key_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rooms: Mapped[list["Room"]] = relationship(
        back_populates="event",
        order_by="Room.position, Room.id",
        cascade="all, delete-orphan",
    )
    slots: Mapped[list["Slot"]] = relationship(
        back_populates="event",
        order_by="Slot.starts_at, Slot.id",
        cascade="all, delete-orphan",
    )
    participants: Mapped[list["Participant"]] = relationship(  # noqa: F821
        back_populates="event",
        order_by="Participant.joined_at, Participant.id",
        cascade="all, delete-orphan",
    )
    # The database deletes an event's topics (and the topics merged into them).
    topics: Mapped[list["Topic"]] = relationship(  # noqa: F821
        back_populates="event",
        order_by="Topic.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def tallies_visible(self):
        """Counts are shown unless voting is blind and still open."""
        return not (self.blind_voting and self.voting_open)

    def __repr__(self):
        return f"<Event {self.code} {self.name!r}>"


class Room(db.Model):
    __tablename__ = "room"
    __table_args__ = (
        UniqueConstraint("event_id", "name"),
        CheckConstraint(f"capacity > 0 AND capacity <= {CAPACITY_MAX}", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(ROOM_NAME_MAX))
    capacity: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    # What the room offers (Need values); sessions needing more go elsewhere.
    features: Mapped[list] = mapped_column(JSON, default=list)

    event: Mapped[Event] = relationship(back_populates="rooms")

    def __repr__(self):
        return f"<Room {self.name!r} ({self.capacity})>"


class Slot(db.Model):
    """A stretch of the day; times are wall-clock times in the event's time zone."""

    __tablename__ = "slot"
    __table_args__ = (
        one_of("kind", SlotKind, "kind"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16), default=SlotKind.SESSIONS)
    label: Mapped[str] = mapped_column(String(SLOT_LABEL_MAX), default="")

    event: Mapped[Event] = relationship(back_populates="slots")

    def __repr__(self):
        return f"<Slot {self.kind} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}>"
