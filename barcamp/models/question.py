"""Questions the room asks during a talk, their upvotes, and what the projector shows."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from barcamp.extensions import db
from barcamp.models._types import one_of, utcnow

QUESTION_MAX = 280


class QuestionStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    HIDDEN = "hidden"  # taken down by a facilitator (abusive, off topic)


class Question(db.Model):
    """A participant's question to a talk's speaker. Its author's name is shown to the
    room unless they asked anonymously; facilitators always see it. `upvotes` counts
    its QuestionUpvote rows."""

    __tablename__ = "question"
    __table_args__ = (one_of("status", QuestionStatus, "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talk.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(QUESTION_MAX))
    anonymous: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=QuestionStatus.OPEN)
    upvotes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    participant: Mapped["Participant"] = relationship()  # noqa: F821
    talk: Mapped["Talk"] = relationship()  # noqa: F821


class QuestionUpvote(db.Model):
    """One participant's upvote of a question: one each, whatever the retries and tabs."""

    __tablename__ = "question_upvote"
    __table_args__ = (UniqueConstraint("question_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScreenMode(StrEnum):
    AUTO = "auto"  # join, then the wall, then the board: as the day goes
    PLENARY = "plenary"  # the current talk large, then the top questions
    REPORT = "report"  # the report-back: one workshop after another


class ScreenState(db.Model):
    """What the facilitator puts on the projector (one row per event, made when first
    changed): a mode, the talk on stage, a question shown large, the report-back's step,
    the wall's page."""

    __tablename__ = "screen_state"
    __table_args__ = (one_of("mode", ScreenMode, "mode"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[str] = mapped_column(String(16), default=ScreenMode.AUTO)
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talk.id", ondelete="SET NULL"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id", ondelete="SET NULL"))
    report_step: Mapped[int] = mapped_column(default=0)
    # The wall's page when it has more topics than fit (None: pages turn on their own).
    wall_page: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    talk: Mapped["Talk | None"] = relationship()  # noqa: F821
    question: Mapped["Question | None"] = relationship()
