"""A person taking part in an event, known by a display name and a secret link."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
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

    event: Mapped["Event"] = relationship(back_populates="participants")  # noqa: F821

    def __repr__(self):
        return f"<Participant {self.display_name!r} {self.role}>"
