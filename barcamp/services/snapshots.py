"""What a live page shows, as plain data: sent on connect, served as state.json."""

import hashlib
import json
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from barcamp.extensions import db
from barcamp.models import Event, Participant, Seat, Session, Topic, TopicStatus, Vote
from barcamp.models.topic import topic_cohost


def event_summary(event):
    return {
        "code": event.code,
        "name": event.name,
        "starts_on": event.starts_on.isoformat(),
        "venue": event.venue,
        "timezone": event.timezone,
        "locale": event.locale,
        "phase": event.phase,
        "proposals_open": event.proposals_open,
        "voting_open": event.voting_open,
        "vote_budget": event.vote_budget,
        "max_votes_per_topic": event.max_votes_per_topic,
        "blind_voting": event.blind_voting,
    }


def _instant(wall_clock, timezone):
    return int(wall_clock.replace(tzinfo=ZoneInfo(timezone)).timestamp())


def rooms_and_slots(event):
    return {
        "rooms": [
            {"id": room.id, "name": room.name, "capacity": room.capacity} for room in event.rooms
        ],
        "slots": [
            {
                "id": slot.id,
                "starts_at": slot.starts_at.isoformat(timespec="minutes"),
                "ends_at": slot.ends_at.isoformat(timespec="minutes"),
                # The same instants as seconds since the epoch, for countdowns.
                "starts": _instant(slot.starts_at, event.timezone),
                "ends": _instant(slot.ends_at, event.timezone),
                "kind": slot.kind,
                "label": slot.label,
            }
            for slot in event.slots
        ],
    }


def participant_view(participant):
    return {"id": participant.id, "name": participant.display_name, "role": participant.role}


def topic_view(topic, cohost_ids=None):
    """A topic as pages show it; hosts by participant id (names come from the list).
    `cohost_ids`, when read for many topics at once, saves a query per topic."""
    if cohost_ids is None:
        host_ids = topic.host_ids()
    else:
        host_ids = [topic.proposer_id] if topic.proposer_id else []
        host_ids += [i for i in cohost_ids if i not in host_ids]
    return {
        "id": topic.id,
        "title": topic.title,
        "pitch": topic.pitch,
        "format": topic.format,
        "needs": list(topic.needs),
        "proposer_id": topic.proposer_id,
        "host_ids": host_ids,
        "created_at": topic.created_at.isoformat(timespec="seconds"),
    }


def open_topics(event):
    return db.session.scalars(
        select(Topic)
        .where(Topic.event_id == event.id, Topic.status == TopicStatus.OPEN)
        .order_by(Topic.id)
    ).all()


def tallies(event):
    """Dots per open topic, as [[topic_id, dots], …], and the total of dots cast."""
    rows = db.session.execute(
        select(Vote.topic_id, func.sum(Vote.dots))
        .join(Topic, Topic.id == Vote.topic_id)
        .where(Vote.event_id == event.id, Topic.status == TopicStatus.OPEN)
        .group_by(Vote.topic_id)
        .order_by(Vote.topic_id)
    ).all()
    counts = [[topic_id, int(dots)] for topic_id, dots in rows]
    return counts, sum(dots for _, dots in counts)


def tallies_view(event):
    """Tallies as everybody may see them: counts hidden while blind voting is open."""
    counts, total = tallies(event)
    return {
        "votes_version": event.votes_version,
        "total": total,
        "counts": counts if event.tallies_visible else None,
    }


def schedule_view(event):
    """The grid as everybody sees it: nothing until it is published."""
    published = event.schedule_published_at is not None
    sessions = (
        db.session.scalars(
            select(Session)
            .where(Session.event_id == event.id)
            .order_by(Session.slot_id, Session.room_id)
        ).all()
        if published
        else []
    )
    return {
        "published": published,
        "sessions": [
            {
                "id": s.id,
                "topic_id": s.topic_id,
                "room_id": s.room_id,
                "slot_id": s.slot_id,
                "capacity": s.capacity,
                "changed": s.changed_at is not None,
            }
            for s in sessions
        ],
    }


def occupancy_view(event):
    """Seats taken per session: [[session_id, taken], …] (published grids only)."""
    if event.schedule_published_at is None:
        counts = []
    else:
        counts = [
            [session_id, taken]
            for session_id, taken in db.session.execute(
                select(Session.id, Session.seats_taken)
                .where(Session.event_id == event.id)
                .order_by(Session.id)
            )
        ]
    return {"seats_version": event.seats_version, "counts": counts}


def my_seats(participant):
    """A participant's seats: [[slot_id, session_id], …]."""
    return [
        [slot_id, session_id]
        for slot_id, session_id in db.session.execute(
            select(Seat.slot_id, Seat.session_id)
            .where(Seat.participant_id == participant.id)
            .order_by(Seat.slot_id)
        )
    ]


def seats_view(participant):
    """A participant's seats with the event's `seats_version` they are as of (the
    `my_seats` message): seat changes leave the event's `version` alone, so clients
    order these by `seats_version`, the latest wins."""
    return {"seats": my_seats(participant), "seats_version": participant.event.seats_version}


def _questions_view(event):
    from barcamp.services.questions import questions_view

    return questions_view(event)


STATE_VIEWS = {"tallies": tallies_view, "occupancy": occupancy_view, "questions": _questions_view}


def state_message(event_id, name):
    """The latest state to broadcast now (tallies or occupancy), or None if the event
    is gone."""
    event = db.session.get(Event, event_id, populate_existing=True)
    if event is None:
        return None
    return STATE_VIEWS[name](event)


class SnapshotParts:
    """The parts of an event's snapshot that every client shares, each kept for the
    versions it was read at: a thousand pages reconnecting after a restart cost one
    read of the event, not a thousand. Each part changes only with its version (the
    structure with `version`, tallies with `votes_version` too, seats with
    `seats_version`), read from the same transaction as the rest."""

    EVENTS_KEPT = 64

    def __init__(self):
        self._parts = {}  # (event id, part) -> (key, value)

    def get(self, event, part, key, build):
        key = (event.created_at, *key)
        kept = self._parts.get((event.id, part))
        if kept is not None and kept[0] == key:
            return kept[1]
        value = build(event)
        if len(self._parts) >= self.EVENTS_KEPT * 4:
            self._parts.clear()
        self._parts[(event.id, part)] = (key, value)
        return value

    def follow(self, change):
        """Bring the kept parts of a committed change's event to its version without
        reading them again, when the change is an arrival or a rename and the parts are
        as of the version just before it (as clients apply it: a ramp of arrivals reads
        the event once, not once per arrival). Any other case leaves them to be read."""
        if change.name not in PEOPLE_CHANGES or change.version is None:
            return
        kept = self._parts.get((change.event_id, "structure"))
        if kept is None or kept[0][1] != change.version - 1:
            return
        created_at = kept[0][0]
        structure = dict(kept[1], version=change.version)
        person = change.payload["participant"]
        if change.name == "participant_joined":
            structure["participants"] = [*structure["participants"], person]
            structure["present"] = len(structure["participants"])
        else:
            structure["participants"] = [
                person if p["id"] == person["id"] else p for p in structure["participants"]
            ]
        self._parts[(change.event_id, "structure")] = ((created_at, change.version), structure)
        # Tallies and seats are keyed by the event's version too (their visibility is
        # a setting of the event); the cards' digest and the questions (their authors'
        # names) do not change on an arrival.
        parts = ("tallies", "occupancy", "wall", "questions")
        for part in parts if change.name == "participant_joined" else parts[:2]:
            kept = self._parts.get((change.event_id, part))
            if kept is not None and kept[0][:2] == (created_at, change.version - 1):
                key = (created_at, change.version, *kept[0][2:])
                self._parts[(change.event_id, part)] = (key, kept[1])


# What changes only the list of participants in a snapshot (see SnapshotParts.follow).
PEOPLE_CHANGES = {"participant_joined", "participant_updated"}

_shared = SnapshotParts()


def follow_committed(changes):
    """Let the shared parts follow this process's committed changes (live.publish)."""
    for change in changes:
        _shared.follow(change)


def _participants(event):
    """Everyone here, in order of arrival, as participant_view() shows them: read as
    rows, not objects (a ramp of arrivals reads this list once per arrival)."""
    return [
        {"id": id_, "name": name, "role": role}
        for id_, name, role in db.session.execute(
            select(Participant.id, Participant.display_name, Participant.role)
            .where(Participant.event_id == event.id)
            .order_by(Participant.joined_at, Participant.id)
        )
    ]


def _structure(event):
    from barcamp.services.screen import screen_view
    from barcamp.services.talks import talks_view

    participants = _participants(event)
    topics = open_topics(event)
    hosts = _cohosts(event)
    return {
        "version": event.version,
        "event": event_summary(event),
        **rooms_and_slots(event),
        "participants": participants,
        "present": len(participants),
        "topics": [topic_view(t, hosts.get(t.id, ())) for t in topics],
        "spotlight": next((t.id for t in topics if t.spotlight), None),
        "schedule": schedule_view(event),
        "talks": talks_view(event),
        "screen": screen_view(event),
    }


def _cohosts(event):
    """Every open topic's co-hosts, {topic_id: [participant_id, …]}, in one query."""
    hosts = {}
    for topic_id, participant_id in db.session.execute(
        select(topic_cohost.c.topic_id, topic_cohost.c.participant_id)
        .join(Topic, Topic.id == topic_cohost.c.topic_id)
        .where(Topic.event_id == event.id, Topic.status == TopicStatus.OPEN)
        .order_by(topic_cohost.c.topic_id, topic_cohost.c.participant_id)
    ):
        hosts.setdefault(topic_id, []).append(participant_id)
    return hosts


def wall_digest(event, snapshot):
    """A digest of what the wall's cards show of a snapshot: its topics and their hosts'
    names (what every viewer sees alike; see routes/views.py)."""

    def digest(_event):
        names = {p["id"]: p["name"] for p in snapshot["participants"]}
        hosts = {i for topic in snapshot["topics"] for i in topic["host_ids"]}
        shown = [snapshot["topics"], sorted((i, names.get(i)) for i in hosts)]
        return hashlib.blake2b(json.dumps(shown).encode(), digest_size=16).digest()

    return _shared.get(event, "wall", (snapshot["version"],), digest)


def event_snapshot(event, participant=None):
    """The full state of an event's live pages, with its versions; `me` for a participant."""
    snapshot = {
        **_shared.get(event, "structure", (event.version,), _structure),
        "tallies": _shared.get(
            event, "tallies", (event.version, event.votes_version), tallies_view
        ),
        "occupancy": _shared.get(
            event, "occupancy", (event.version, event.seats_version), occupancy_view
        ),
        "questions": _shared.get(
            event, "questions", (event.version, event.questions_version), _questions_view
        ),
    }
    if participant is not None:
        from barcamp.services.questions import upvoted_ids
        from barcamp.services.voting import my_votes

        snapshot["me"] = dict(
            my_votes(participant), **seats_view(participant), upvoted=upvoted_ids(participant)
        )
    return snapshot
