"""The data model. Importing this package registers every table (for Alembic too)."""

from barcamp.models.event import Event, Language, Phase, Room, Slot, SlotKind
from barcamp.models.note import (
    Note,
    NoteEditor,
    NoteRevision,
    NoteUpdate,
    RevisionReason,
    SessionRole,
    SessionRoleKind,
)
from barcamp.models.operation import AppliedOperation
from barcamp.models.participant import Participant, Role
from barcamp.models.schedule import BlockedCell, Seat, Session
from barcamp.models.talk import Talk, TalkKind
from barcamp.models.topic import Need, Topic, TopicFormat, TopicStatus, Vote

__all__ = [
    "AppliedOperation",
    "BlockedCell",
    "Event",
    "Language",
    "Need",
    "Note",
    "NoteEditor",
    "NoteRevision",
    "NoteUpdate",
    "Participant",
    "Phase",
    "RevisionReason",
    "Role",
    "Room",
    "Seat",
    "Session",
    "SessionRole",
    "SessionRoleKind",
    "Slot",
    "SlotKind",
    "Talk",
    "TalkKind",
    "Topic",
    "TopicFormat",
    "TopicStatus",
    "Vote",
]
