"""The data model. Importing this package registers every table (for Alembic too)."""

from barcamp.models.event import Event, Language, Phase, Room, Slot, SlotKind
from barcamp.models.operation import AppliedOperation
from barcamp.models.participant import Participant, Role

__all__ = [
    "AppliedOperation",
    "Event",
    "Language",
    "Participant",
    "Phase",
    "Role",
    "Room",
    "Slot",
    "SlotKind",
]
