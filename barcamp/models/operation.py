"""Operations already applied, so that a retried socket event changes nothing twice."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from barcamp.extensions import db
from barcamp.models._types import utcnow

OP_ID_MAX = 64


class AppliedOperation(db.Model):
    """The acknowledgement given for one client operation id, stored with its effect."""

    __tablename__ = "applied_operation"
    __table_args__ = (UniqueConstraint("event_id", "actor", "op_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # "participant:<id>" or "<role>" for a role held without a participant.
    actor: Mapped[str] = mapped_column(String(40))
    op_id: Mapped[str] = mapped_column(String(OP_ID_MAX))
    ack: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
