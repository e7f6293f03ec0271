"""A person taking part in an event, known by a display name and a secret link."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from barcamp.extensions import db
from barcamp.models._types import one_of, utcnow

DISPLAY_NAME_MAX = 60


class Role(StrEnum):
    """What a person may do in an event; each role includes the ones before it."""

    ATTENDEE = "attendee"
    FACILITATOR = "facilitator"
    ORGANIZER = "organizer"

    @property
    def rank(self):
        return list(Role).index(self)

    def includes(self, other):
        return self.rank >= Role(other).rank


class Participant(db.Model):
    __tablename__ = "participant"
    __table_args__ = (one_of("role", Role, "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX))
    role: Mapped[str] = mapped_column(String(16), default=Role.ATTENDEE)
    # Digest of the personal resume link's secret; the secret itself is never stored.
    resume_key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # Digest of the secret of their calendar feed, made when they first ask for it.
    calendar_key_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When an organizer erased their personal data (GDPR): the name is a placeholder, the
    # links are dead, what they wrote stays, anonymous.
    erased_at: Mapped[datetime | None]

    event: Mapped["Event"] = relationship(back_populates="participants")  # noqa: F821

    def __repr__(self):
        return f"<Participant {self.display_name!r} {self.role}>"


class Ban(db.Model):
    """Someone a facilitator removed and kept out: the browser they used and their
    personal link may not join the event again. Without accounts that is all a server can
    recognise; a person who clears their browser can come back under a new name, and be
    removed again."""

    __tablename__ = "ban"
    __table_args__ = (UniqueConstraint("event_id", "key_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # The digest of the removed participant's resume secret, which their browser keeps.
    key_digest: Mapped[str] = mapped_column(String(64))
    # The name they had, for the organizers' list (erased when the ban is lifted).
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<Ban {self.display_name!r}>"
