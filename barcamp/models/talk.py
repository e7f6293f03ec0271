"""Talks in the plenaries: the opening keynote, the closing testimonies."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from barcamp.extensions import db
from barcamp.models._types import one_of, utcnow

SPEAKER_MAX = 80
ROLE_MAX = 80
ORGANISATION_MAX = 120
LINK_MAX = 300
TALK_TITLE_MAX = 120
SUMMARY_MAX = 400
FIGURE_LABEL_MAX = 60
FIGURE_VALUE_MAX = 60
FIGURES_MAX = 12
LESSON_MAX = 200
LESSONS_MAX = 10
BODY_MAX = 20_000


class TalkKind(StrEnum):
    KEYNOTE = "keynote"
    TESTIMONY = "testimony"


talk_topic = Table(
    "talk_topic",
    db.metadata,
    Column("talk_id", ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)


class Talk(db.Model):
    """A speaker's page: who, the project, its key figures and lessons, a Markdown
    text; placed in a plenary slot (in order, each with its minutes), tied to the
    workshops it echoes. A draft until published."""

    __tablename__ = "talk"
    __table_args__ = (one_of("kind", TalkKind, "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=20)
    kind: Mapped[str] = mapped_column(String(16), default=TalkKind.TESTIMONY)
    speaker_name: Mapped[str] = mapped_column(String(SPEAKER_MAX))
    speaker_role: Mapped[str] = mapped_column(String(ROLE_MAX), default="")
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_MAX), default="")
    link: Mapped[str] = mapped_column(String(LINK_MAX), default="")
    title: Mapped[str] = mapped_column(String(TALK_TITLE_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    # [[label, value], …] and [lesson, …]
    figures: Mapped[list] = mapped_column(JSON, default=list)
    lessons: Mapped[list] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    # The digest of the speaker's secret edit link (None: no link handed out).
    speaker_key_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped["Event"] = relationship()  # noqa: F821
    slot: Mapped["Slot | None"] = relationship()  # noqa: F821
    topics: Mapped[list["Topic"]] = relationship(  # noqa: F821
        secondary=talk_topic, order_by="Topic.id"
    )

    @property
    def published(self):
        return self.published_at is not None

    def __repr__(self):
        return f"<Talk {self.id} {self.title!r}>"


class TalkRevision(db.Model):
    """A talk's page as it was saved, numbered from 1 within the talk, with who saved it
    (a name as it was then: a facilitator, an organizer, or the speaker through their link)."""

    __tablename__ = "talk_revision"
    __table_args__ = (UniqueConstraint("talk_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talk.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    # The page's fields as saved: speaker, role, organisation, link, title, summary,
    # figures, lessons, body.
    fields: Mapped[dict] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(SPEAKER_MAX))
    # The participant who saved it, when one did (so that erasing their data finds
    # their name here even if they changed it since).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
