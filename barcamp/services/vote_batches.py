"""Votes from the sockets, a batch in one unit of work (group commit).

When a crowd votes at once, the votes waiting for the write turn are taken together:
who acts, their ballots, the topics and the answers already given are read once for
the batch, each vote is checked in its turn by the same rules as a single vote
(services/voting.py), then the net change of each ballot is written, the votes'
version bumped once and the answers stored: one commit for the batch. A refused vote
changes nothing and stores nothing, as alone; a retried operation id gets the answer
its first try was given, in an earlier batch or earlier in this one.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from barcamp import identity
from barcamp.changes import record_private, record_votes_changed
from barcamp.errors import BarcampError, Forbidden, NotFound, ValidationFailed
from barcamp.extensions import db
from barcamp.live import participant_room
from barcamp.models import AppliedOperation, Event, Participant, Topic
from barcamp.models._types import utcnow
from barcamp.services import voting
from barcamp.services.lookup import is_id

RULES = {
    "vote_cast": (voting.cast_into, ("topic_id",)),
    "vote_withdraw": (voting.withdraw_from, ("topic_id",)),
    "vote_move": (voting.move_within, ("from_topic_id", "to_topic_id")),
}


@dataclass
class VoteJob:
    """One vote operation from a socket: what its session cookie says of who sends it
    (checked in the batch), its operation id and payload."""

    kind: str
    entry: dict
    op_id: str | None
    payload: dict
    result: object = field(default=None)  # the ack, or the BarcampError refusing it
    locale: str | None = None  # the event's language, for the refusal's words


def apply(event_id, jobs):
    """Run the jobs, in order, in the current unit of work; set each one's result."""
    event = db.session.get(Event, event_id)
    if event is None:
        for job in jobs:
            job.result = NotFound()
        return
    for job in jobs:
        job.locale = event.locale
    claimed = {job.entry["participant"][0] for job in jobs if "participant" in job.entry}
    people = {
        person.id: person
        for person in db.session.scalars(
            select(Participant).where(Participant.event_id == event_id, Participant.id.in_(claimed))
        )
    }
    visitors = [
        identity.checked(event, job.entry, people.get(job.entry.get("participant", [None])[0]))
        for job in jobs
    ]
    answered = _answers(
        event_id,
        {visitor.actor for visitor in visitors},
        {job.op_id for job in jobs if job.op_id is not None},
    )
    before = voting.ballots(list(people))
    after = {person_id: dict(ballot) for person_id, ballot in before.items()}
    topics = _topics(event_id)

    def topic_of(topic_id):
        topic = topics.get(topic_id) if is_id(topic_id) else None
        if topic is None:
            raise ValidationFailed.on("topic", _l("This topic does not exist."))
        return topic

    done = []  # (job, participant id, operation key)
    for job, visitor in zip(jobs, visitors, strict=True):
        key = (visitor.actor, job.op_id) if job.op_id is not None else None
        if key in answered:  # a retry: the first try's answer
            job.result = answered[key]
            continue
        try:
            participant = _acting(visitor)
            rule, fields = RULES[job.kind]
            ballot = dict(after[participant.id])
            rule(event, ballot, topic_of, *(job.payload.get(name) for name in fields))
        except BarcampError as error:  # this vote alone is refused
            job.result = error
            continue
        after[participant.id] = ballot
        done.append((job, participant.id, key))
        if key is not None:
            answered[key] = job  # a copy later in this batch waits for this answer

    changed = [person_id for person_id in after if after[person_id] != before[person_id]]
    voting.write_ballots(
        event_id, {person_id: (before[person_id], after[person_id]) for person_id in changed}
    )
    if changed:
        record_votes_changed(event)
    mine = {person_id: voting.mine(event, after[person_id]) for _, person_id, _ in done}
    for person_id in changed:
        record_private(event, participant_room(person_id), "my_votes", mine[person_id])
    stored = []
    for job, person_id, key in done:
        job.result = {"ok": True, "me": mine[person_id], "version": event.version}
        if key is not None:
            stored.append(
                {
                    "event_id": event_id,
                    "actor": key[0],
                    "op_id": key[1],
                    "ack": job.result,
                    "created_at": utcnow(),
                }
            )
    if stored:
        db.session.execute(insert(AppliedOperation), stored)
    for job in jobs:  # copies of an operation earlier in this batch
        if isinstance(job.result, VoteJob):
            job.result = job.result.result


def _acting(visitor):
    """The participant voting, refused as a single vote would be."""
    if not visitor.is_member:
        raise Forbidden(_l("Join the event first."))
    if visitor.participant is None:
        raise Forbidden(_l("Join the event first: type the name others will see."))
    return visitor.participant


def _answers(event_id, actors, op_ids):
    """{(actor, op_id): ack} of the operation ids already answered (read through the
    index of (event, actor, operation id))."""
    if not op_ids:
        return {}
    return {
        (actor, op_id): ack
        for actor, op_id, ack in db.session.execute(
            select(AppliedOperation.actor, AppliedOperation.op_id, AppliedOperation.ack).where(
                AppliedOperation.event_id == event_id,
                AppliedOperation.actor.in_(actors),
                AppliedOperation.op_id.in_(op_ids),
            )
        )
    }


def _topics(event_id):
    """The event's topics by id, with what the rules read of them."""
    return {
        row.id: row
        for row in db.session.execute(
            select(Topic.id, Topic.status).where(Topic.event_id == event_id)
        )
    }
