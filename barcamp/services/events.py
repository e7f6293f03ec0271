"""Creating an event, editing its settings, rooms and slots, and renewing its links."""

import re
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from itertools import pairwise

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from barcamp.changes import record
from barcamp.errors import Forbidden, NotFound, ValidationFailed
from barcamp.extensions import db
from barcamp.models import (
    Event,
    Language,
    Need,
    Participant,
    Phase,
    ProceedingsAccess,
    Role,
    Room,
    Session,
    Slot,
    SlotKind,
)
from barcamp.models.event import (
    CAPACITY_MAX,
    NAME_MAX,
    ROOM_NAME_MAX,
    SLOT_LABEL_MAX,
    VENUE_MAX,
)
from barcamp.security import digest, new_token
from barcamp.services.snapshots import event_summary, participant_view, rooms_and_slots
from barcamp.services.text import clean_line

# Unambiguous when read aloud or from the back of a room: no 0/O, 1/I/L, U/V.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 6
_NOT_CODE = re.compile(r"[^A-Z0-9]")


@dataclass
class EventSettings:
    name: str
    starts_on: date | None
    venue: str = ""
    timezone: str = "Europe/Paris"
    locale: str = Language.FR


@dataclass
class RoomRow:
    name: str
    capacity: int | None
    id: int | None = None
    remove: bool = False
    features: tuple = ()

    def is_blank(self):
        return not (self.name or "").strip() and self.capacity is None


@dataclass
class SlotRow:
    starts: time | None
    ends: time | None
    kind: str = SlotKind.SESSIONS
    label: str = ""
    id: int | None = None
    remove: bool = False

    def is_blank(self):
        return self.starts is None and self.ends is None and not (self.label or "").strip()


@cache
def time_zones():
    """Every IANA time zone name known to this machine, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def normalize_code(raw):
    """Turn what someone typed ("bercy", " ab-c2d3 ") into a code to look up."""
    return _NOT_CODE.sub("", (raw or "").upper())[:12]


def get_event(code):
    """Return the event with this join code, or raise NotFound."""
    code = normalize_code(code)
    event = db.session.scalar(select(Event).where(Event.code == code)) if code else None
    if event is None:
        raise NotFound(_l("No event has the code “%(code)s”.", code=code))
    return event


def create_event(settings, rooms, slots, *, code=None):
    """Create an event with its rooms and slots; return it and its role links' secrets."""
    fields, room_rows, slot_rows = _checked(settings, rooms, slots)
    keys = {Role.ORGANIZER: new_token(), Role.FACILITATOR: new_token()}
    event = Event(
        code=code or _unused_code(),
        phase=Phase.DRAFT,
        organizer_key_digest=digest(keys[Role.ORGANIZER]),
        facilitator_key_digest=digest(keys[Role.FACILITATOR]),
        **fields,
    )
    db.session.add(event)
    _apply_rooms(event, room_rows)
    _apply_slots(event, slot_rows)
    db.session.flush()
    return event, keys


def update_event(event, settings, rooms, slots):
    """Change an event's settings, rooms and slots at once (all or nothing)."""
    fields, room_rows, slot_rows = _checked(settings, rooms, slots, event)
    for field, value in fields.items():
        setattr(event, field, value)
    _apply_rooms(event, room_rows)
    _apply_slots(event, slot_rows)
    db.session.flush()
    record(event, "event_updated", {"event": event_summary(event), **rooms_and_slots(event)})
    return event


def set_proceedings_access(visitor, access):
    """The organizer chooses who may read the proceedings (ProceedingsAccess)."""
    if not visitor.can(Role.ORGANIZER):
        raise Forbidden()
    if access not in {member.value for member in ProceedingsAccess}:
        raise ValidationFailed.on("access", _l("Choose who may read the proceedings."))
    visitor.event.proceedings_access = access
    db.session.flush()


def rotate_key(event, role, *, keep=None, demote_holders=True):
    """Replace a role's link; people who held that role lose it, except `keep`."""
    role = Role(role)
    if role is Role.ATTENDEE:
        raise ValidationFailed(_l("Only organizer and facilitator links can be renewed."))
    token = new_token()
    setattr(event, f"{role.value}_key_digest", digest(token))
    holders = db.session.scalars(
        select(Participant).where(Participant.event_id == event.id, Participant.role == role)
    )
    for participant in holders if demote_holders else ():
        if participant is not keep:
            participant.role = Role.ATTENDEE
            record(event, "participant_updated", {"participant": participant_view(participant)})
    db.session.flush()
    return token


def _unused_code():
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Event.id).where(Event.code == code)) is None:
            return code


def _checked(settings, rooms, slots, event=None):
    """Validate everything, then raise one ValidationFailed listing every problem."""
    errors = {}
    fields = _checked_settings(settings, errors)
    room_rows = _checked_rooms(rooms, errors, event)
    slot_rows = _checked_slots(slots, errors, fields.get("starts_on"), event)
    if errors:
        raise ValidationFailed(errors=errors)
    return fields, room_rows, slot_rows


def _try(errors, clean, *args, **kwargs):
    """Run a cleaning function; on failure, note its errors and return None."""
    try:
        return clean(*args, **kwargs)
    except ValidationFailed as failure:
        errors.update(failure.errors)
        return None


def _checked_settings(settings, errors):
    fields = {
        "name": _try(errors, clean_line, settings.name, field="name", max_length=NAME_MAX),
        "venue": _try(
            errors, clean_line, settings.venue, field="venue", max_length=VENUE_MAX, required=False
        ),
        "starts_on": settings.starts_on,
        "timezone": settings.timezone,
        "locale": str(settings.locale),
    }
    if not isinstance(settings.starts_on, date):
        errors["starts_on"] = _l("Please give the date of the event.")
    if settings.timezone not in time_zones():
        errors["timezone"] = _l("Please choose a time zone from the list.")
    if settings.locale not in set(Language):
        errors["locale"] = _l("Please choose French or English.")
    return fields


def _unknown_ids(rows, errors, existing, prefix):
    known = {item.id for item in existing}
    for index, row in enumerate(rows):
        if row.id is not None and row.id not in known:
            errors[f"{prefix}.{index}.name"] = _l("This row no longer exists; reload the page.")


def _checked_rooms(rows, errors, event):
    _unknown_ids(rows, errors, event.rooms if event else [], "rooms")
    kept, seen = [], set()
    for index, row in enumerate(rows):
        if row.remove or row.is_blank():
            continue
        name = _try(
            errors, clean_line, row.name, field=f"rooms.{index}.name", max_length=ROOM_NAME_MAX
        )
        if name and name.casefold() in seen:
            errors[f"rooms.{index}.name"] = _l("Two rooms cannot have the same name.")
        seen.add((name or "").casefold())
        if row.capacity is None or not 1 <= row.capacity <= CAPACITY_MAX:
            errors[f"rooms.{index}.capacity"] = _l(
                "Give a number of seats between 1 and %(max)d.", max=CAPACITY_MAX
            )
        features = [str(need) for need in Need if need in set(row.features or ())]
        if set(row.features or ()) - set(Need):
            errors[f"rooms.{index}.features"] = _l("Choose what the room offers from the list.")
        kept.append(RoomRow(name=name, capacity=row.capacity, id=row.id, features=features))
    if not kept:
        errors["rooms"] = _l("Add at least one room.")
    return kept


def _checked_slots(rows, errors, day, event):
    _unknown_ids(rows, errors, event.slots if event else [], "slots")
    kept = []
    for index, row in enumerate(rows):
        if row.remove or row.is_blank():
            continue
        prefix = f"slots.{index}"
        label = _try(
            errors,
            clean_line,
            row.label,
            field=f"{prefix}.label",
            max_length=SLOT_LABEL_MAX,
            required=False,
        )
        if row.kind not in set(SlotKind):
            errors[f"{prefix}.kind"] = _l("Choose what happens in this slot.")
        if row.starts is None:
            errors[f"{prefix}.starts"] = _l("Give a start time.")
        if row.ends is None:
            errors[f"{prefix}.ends"] = _l("Give an end time.")
        elif row.starts is not None and row.ends <= row.starts:
            errors[f"{prefix}.ends"] = _l("The end must come after the start.")
        kept.append((index, SlotRow(row.starts, row.ends, row.kind, label or "", row.id)))
    if not kept:
        errors["slots"] = _l("Add at least one time slot.")

    timed = sorted(
        ((index, row) for index, row in kept if row.starts and row.ends and row.ends > row.starts),
        key=lambda item: item[1].starts,
    )
    for (_, before), (index, after) in pairwise(timed):
        if after.starts < before.ends:
            errors[f"slots.{index}.starts"] = _l(
                "This slot overlaps the one from %(start)s to %(end)s.",
                start=before.starts.strftime("%H:%M"),
                end=before.ends.strftime("%H:%M"),
            )
    if errors or day is None:
        return []
    return [
        SlotRow(
            datetime.combine(day, row.starts),
            datetime.combine(day, row.ends),
            row.kind,
            row.label,
            row.id,
        )
        for _, row in kept
    ]


def _apply_rooms(event, rows):
    existing = {room.id: room for room in event.rooms}
    kept = [existing.get(row.id) or Room() for row in rows]
    # Free every changed name first, so rooms may swap names without a uniqueness clash.
    renamed = [
        room for room, row in zip(kept, rows, strict=True) if room.id and room.name != row.name
    ]
    for room in renamed:
        room.name = f"\x00{room.id}"
    event.rooms[:] = [room for room in kept if room.id]
    if renamed or len(event.rooms) < len(existing):
        db.session.flush()
    for position, (room, row) in enumerate(zip(kept, rows, strict=True)):
        room.name, room.capacity, room.position = row.name, row.capacity, position
        room.features = list(row.features)
        _resize_sessions(room)
    event.rooms[:] = kept


def _resize_sessions(room):
    """Sessions in a room take its new number of seats (seats over it are given back)."""
    if room.id is None:
        return
    from barcamp.services.seating import sync_capacity

    for session in db.session.scalars(select(Session).where(Session.room_id == room.id)):
        if session.capacity != room.capacity:
            sync_capacity(session, room.capacity)


def _apply_slots(event, rows):
    existing = {slot.id: slot for slot in event.slots}
    kept = []
    for row in rows:
        slot = existing.get(row.id) or Slot()
        slot.starts_at, slot.ends_at = row.starts, row.ends
        slot.kind, slot.label = str(row.kind), row.label
        kept.append(slot)
    event.slots[:] = sorted(kept, key=lambda slot: slot.starts_at)
