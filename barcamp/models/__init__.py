"""The data model. Importing this package registers every table (for Alembic too)."""

from barcamp.models.event import Event, Language, Phase, ProceedingsAccess, Room, Slot, SlotKind
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
from barcamp.models.participant import Ban, Participant, Role
from barcamp.models.question import (
    Question,
    QuestionStatus,
    QuestionUpvote,
    ScreenMode,
    ScreenState,
)
from barcamp.models.schedule import BlockedCell, Seat, Session
from barcamp.models.talk import Talk, TalkKind, TalkRevision
from barcamp.models.topic import Need, Topic, TopicFormat, TopicStatus, Vote

__all__ = [
    "AppliedOperation",
    "Ban",
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
    "ProceedingsAccess",
    "Question",
    "QuestionStatus",
    "QuestionUpvote",
    "RevisionReason",
    "Role",
    "Room",
    "ScreenMode",
    "ScreenState",
    "Seat",
    "Session",
    "SessionRole",
    "SessionRoleKind",
    "Slot",
    "SlotKind",
    "Talk",
    "TalkKind",
    "TalkRevision",
    "Topic",
    "TopicFormat",
    "TopicStatus",
    "Vote",
]
