"""Topics proposed by participants, their co-hosts, and the dots (votes) they get."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from barcamp.extensions import db
from barcamp.models._types import one_of, utcnow

TITLE_MAX = 120
PITCH_MAX = 1000


class TopicFormat(StrEnum):
    DISCUSSION = "discussion"
    WORKSHOP = "workshop"
    TALK = "talk"
    DEMO = "demo"
    OTHER = "other"


class TopicStatus(StrEnum):
    """Only open topics are shown and can be voted for."""

    OPEN = "open"
    HIDDEN = "hidden"  # by a facilitator
    WITHDRAWN = "withdrawn"  # by its proposer
    MERGED = "merged"  # into another topic


class Need(StrEnum):
    """What a session may need from its room."""

    PROJECTOR = "projector"
    WHITEBOARD = "whiteboard"
    FLIPCHART = "flipchart"
    SOUND = "sound"


topic_cohost = Table(
    "topic_cohost",
    db.metadata,
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True),
)


class Topic(db.Model):
    __tablename__ = "topic"
    __table_args__ = (
        one_of("format", TopicFormat, "format"),
        one_of("status", TopicStatus, "status"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_into"),
        # At most one topic in the spotlight per event.
        Index(
            "uq_topic_spotlight",
            "event_id",
            unique=True,
            sqlite_where=text("spotlight"),
            postgresql_where=text("spotlight"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    pitch: Mapped[str] = mapped_column(String(PITCH_MAX), default="")
    format: Mapped[str] = mapped_column(String(16), default=TopicFormat.DISCUSSION)
    needs: Mapped[list] = mapped_column(JSON, default=list)
    proposer_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default=TopicStatus.OPEN)
    # A merged topic goes with the topic it was merged into (only when the event goes).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    spotlight: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped["Event"] = relationship(back_populates="topics")  # noqa: F821
    proposer: Mapped["Participant | None"] = relationship()  # noqa: F821
    cohosts: Mapped[list["Participant"]] = relationship(  # noqa: F821
        secondary=topic_cohost, order_by="Participant.id"
    )
    votes: Mapped[list["Vote"]] = relationship(back_populates="topic", cascade="all, delete-orphan")

    @property
    def is_open(self):
        return self.status == TopicStatus.OPEN

    def host_ids(self):
        """The proposer first, then the co-hosts."""
        ids = [self.proposer_id] if self.proposer_id else []
        return ids + [p.id for p in self.cohosts if p.id not in ids]

    def host_names(self):
        """Display names of the proposer, then the co-hosts."""
        hosts = [self.proposer] if self.proposer else []
        return [p.display_name for p in hosts + [c for c in self.cohosts if c not in hosts]]

    def __repr__(self):
        return f"<Topic {self.id} {self.title!r} {self.status}>"


class Vote(db.Model):
    """The dots one participant put on one topic (at most the event's maximum)."""

    __tablename__ = "vote"
    __table_args__ = (
        UniqueConstraint("topic_id", "participant_id"),
        CheckConstraint("dots >= 1", name="dots_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    dots: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped[Topic] = relationship(back_populates="votes")
