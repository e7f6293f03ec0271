"""Shared session notes: a Yjs document per session kept as an append-only log of
binary updates, plain-text revisions, and the roles people take in a session."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from barcamp.extensions import db
from barcamp.models._types import one_of, utcnow

EPOCH_LENGTH = 16


class Note(db.Model):
    """The note of one session, tied to its topic (moving a session on the grid
    makes a new Session row, the note stays), or of one plenary talk. Its content
    lives only in its updates: it is never rebuilt from text. `epoch` names this
    history; browsers key their offline copy by it, so a copy of another history (a
    reset, a recreated database) is never merged."""

    __tablename__ = "note"
    __table_args__ = (
        CheckConstraint("(topic_id IS NULL) <> (talk_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topic.id", ondelete="CASCADE"), unique=True
    )
    talk_id: Mapped[int | None] = mapped_column(
        ForeignKey("talk.id", ondelete="CASCADE"), unique=True
    )
    epoch: Mapped[str] = mapped_column(String(EPOCH_LENGTH))
    # The plain text as of the last stored update: for reading, search and export
    # without loading the document. Never used to rebuild it.
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped["Topic | None"] = relationship()  # noqa: F821
    talk: Mapped["Talk | None"] = relationship()  # noqa: F821

    @property
    def subject(self):
        """The session's topic or the talk this note is about."""
        return self.topic if self.topic_id is not None else self.talk


class NoteUpdate(db.Model):
    """One Yjs update exactly as received (deletions included), or a compaction of
    earlier ones. Stored before the sender is told it is saved."""

    __tablename__ = "note_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoteEditor(db.Model):
    """Who wrote in a note, and when last: the authors of each revision."""

    __tablename__ = "note_editor"
    __table_args__ = (UniqueConstraint("note_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    last_edit_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped["Participant"] = relationship()  # noqa: F821


class RevisionReason(StrEnum):
    AUTO = "auto"
    MANUAL = "manual"
    RESTORE = "restore"


class NoteRevision(db.Model):
    """A plain-text snapshot of a note, numbered from 1 within the note."""

    __tablename__ = "note_revision"
    __table_args__ = (
        UniqueConstraint("note_id", "number"),
        one_of("reason", RevisionReason, "reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(16))
    # Display names of who wrote since the previous revision (names as they were then).
    authors: Mapped[list] = mapped_column(db.JSON, default=list)
    # Their participant ids, in the same order (none in revisions made before it was
    # kept): erasing someone's data finds their name here even if they renamed since.
    author_ids: Mapped[list | None] = mapped_column(db.JSON)
    restored_from: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped["Participant | None"] = relationship()  # noqa: F821


class SessionRoleKind(StrEnum):
    FACILITATOR = "facilitator"  # animateur
    NOTE_TAKER = "note_taker"  # rapporteur


class SessionRole(db.Model):
    """A participant who facilitates or takes the notes of a session (of its topic,
    so that the role follows the session when it moves on the grid)."""

    __tablename__ = "session_role"
    __table_args__ = (
        UniqueConstraint("topic_id", "participant_id", "kind"),
        one_of("kind", SessionRoleKind, "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped["Participant"] = relationship()  # noqa: F821
