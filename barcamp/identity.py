"""Who this browser is in an event: its participant and the role links it opened.

The session cookie holds, per event, the participant's id and resume secret and the
role secrets opened in this browser. Every request and every socket event checks
them against the database, so a renewed link or a removed participant takes effect
at once, even on a socket opened before.
"""

from dataclasses import dataclass

from flask import session
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Event, Participant, Role
from barcamp.security import matches

_EVENTS = "events"


@dataclass(frozen=True)
class Visitor:
    """A browser's standing in one event."""

    event: Event
    participant: Participant | None
    role: Role | None
    screen: bool = False  # holds the event's screen link: a projector, read-only

    @property
    def is_live(self):
        """May follow the event live: a member, or a projector opened by screen link."""
        return self.is_member or self.screen

    @property
    def is_member(self):
        """Joined with a name, or holding a role link."""
        return self.role is not None

    def can(self, role):
        return self.role is not None and self.role.includes(role)

    @property
    def actor(self):
        """A stable name for who acts, used to scope operation ids."""
        if self.participant is not None:
            return f"participant:{self.participant.id}"
        return str(self.role)


def _entry(event):
    """A copy of this browser's record for the event (empty if none)."""
    return entry_of(event.id)


def entry_of(event_id):
    """A copy of this browser's record for the event with this id (empty if none)."""
    return dict((session.get(_EVENTS) or {}).get(str(event_id)) or {})


def claimed_actor(event_id):
    """Who this browser says it is in the event, from its signed session cookie alone
    (no database read): the key of its rate limits, checked against the database
    later like everything else."""
    entry = entry_of(event_id)
    if "participant" in entry:
        return f"participant:{entry['participant'][0]}"
    return "links:" + ",".join(sorted(key for key in entry if key not in ("calendar", "kept_out")))


def _store(event, entry):
    events = dict(session.get(_EVENTS) or {})
    if entry:
        events[str(event.id)] = entry
    else:
        events.pop(str(event.id), None)
    session[_EVENTS] = events
    session.permanent = True


def held_roles(event, entry=None):
    """The role links opened in this browser that are still valid."""
    entry = _entry(event) if entry is None else entry
    return [
        role
        for role in (Role.ORGANIZER, Role.FACILITATOR)
        if matches(entry.get(role.value), getattr(event, f"{role.value}_key_digest"))
    ]


def visitor(event):
    """Read who this browser is in `event`, checked against the database."""
    entry = _entry(event)
    candidate = None
    if "participant" in entry:
        candidate = db.session.get(Participant, entry["participant"][0])
    return checked(event, entry, candidate)


def visitor_of_event(event_id):
    """Who this browser is in the event with this id (None if the event is gone),
    reading the event and this browser's participant in one query: what every socket
    event does first."""
    entry = entry_of(event_id)
    candidate = None
    if "participant" in entry:
        row = db.session.execute(
            select(Event, Participant)
            .outerjoin(
                Participant,
                (Participant.event_id == Event.id) & (Participant.id == entry["participant"][0]),
            )
            .where(Event.id == event_id)
        ).first()
        if row is None:
            return None
        event, candidate = row
    else:
        event = db.session.get(Event, event_id)
        if event is None:
            return None
    return checked(event, entry, candidate)


def checked(event, entry, candidate):
    """Who a browser's record says it is, checked against the event and the
    participant it names (`candidate`, read by the caller)."""
    participant = None
    if (
        candidate is not None
        and candidate.event_id == event.id
        and matches(entry["participant"][1], candidate.resume_key_digest)
    ):
        participant = candidate
    roles = held_roles(event, entry)
    if participant is not None:
        roles.append(Role(participant.role))
    role = max(roles, key=lambda role: role.rank) if roles else None
    return Visitor(event, participant, role, matches(entry.get("screen"), event.screen_key_digest))


def remember_participant(event, participant, secret):
    entry = _entry(event)
    entry["participant"] = [participant.id, secret]
    _store(event, entry)


def forget_participant(event):
    entry = _entry(event)
    entry.pop("participant", None)
    _store(event, entry)


def remember_kept_out(event, secret):
    """Keep, in this browser, the personal link of someone removed and kept out of the
    event, opened here: this browser may not join the event either."""
    entry = _entry(event)
    entry["kept_out"] = secret
    _store(event, entry)


def resume_secrets(event):
    """Every personal-link secret this browser holds for the event: its participant's
    (perhaps since removed) and a kept-out person's link opened here."""
    entry = _entry(event)
    secrets = [entry["participant"][1]] if "participant" in entry else []
    if "kept_out" in entry:
        secrets.append(entry["kept_out"])
    return secrets


def remember_role_link(event, role, secret):
    entry = _entry(event)
    entry[Role(role).value] = secret
    _store(event, entry)


def remember_screen_link(event, secret):
    entry = _entry(event)
    entry["screen"] = secret
    _store(event, entry)


def resume_secret(event):
    """The secret of this browser's resume link in `event`, if it joined."""
    entry = _entry(event)
    return entry["participant"][1] if "participant" in entry else None


def role_link_secret(event, role):
    """The secret of a role link opened in this browser, if still valid."""
    entry = _entry(event)
    secret = entry.get(Role(role).value)
    return secret if Role(role) in held_roles(event, entry) else None


def calendar_secret(event):
    """The secret of this browser's participant's calendar link, if they made one."""
    return _entry(event).get("calendar")


def remember_calendar_secret(event, secret):
    entry = _entry(event)
    entry["calendar"] = secret
    _store(event, entry)


def remember_speaker_link(event, talk_id, secret):
    """Keep a speaker's edit link of one talk in this browser."""
    entry = _entry(event)
    entry[f"talk:{talk_id}"] = secret
    _store(event, entry)


def speaker_secret(event, talk_id):
    """The secret of the speaker's link of this talk opened in this browser, if any
    (checked by the caller against the talk)."""
    return _entry(event).get(f"talk:{talk_id}")
