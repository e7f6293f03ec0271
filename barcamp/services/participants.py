"""Joining an event with a display name, renaming, leaving, and the resume link."""

from sqlalchemy import select

from barcamp.changes import (
    record,
    record_questions_changed,
    record_seats_changed,
    record_votes_changed,
)
from barcamp.extensions import db
from barcamp.models import Participant, Question, Role, Seat, Topic, TopicStatus, Vote
from barcamp.models.participant import DISPLAY_NAME_MAX
from barcamp.security import digest, new_token
from barcamp.services.snapshots import participant_view, topic_view
from barcamp.services.text import clean_line


def lock_participant(participant):
    """Serialize one participant's changes (two tabs at once): on PostgreSQL a row lock;
    SQLite already lets one writer at a time."""
    if db.session.get_bind().dialect.name == "sqlite":
        return
    db.session.execute(
        select(Participant.id).where(Participant.id == participant.id).with_for_update()
    )


def clean_display_name(value):
    """Return a display name ready to store, or raise ValidationFailed."""
    return clean_line(value, field="display_name", max_length=DISPLAY_NAME_MAX)


def join(event, display_name, *, role=Role.ATTENDEE):
    """Add a participant to the event; return it with the secret of its resume link."""
    name = clean_display_name(display_name)
    token = new_token()
    # By id, not `event=event`: that would load the event's whole list of participants
    # to append this one.
    participant = Participant(
        event_id=event.id, display_name=name, role=role, resume_key_digest=digest(token)
    )
    db.session.add(participant)
    db.session.flush()
    record(event, "participant_joined", {"participant": participant_view(participant)})
    return participant, token


def rename(participant, display_name):
    """Change a participant's display name (a no-op if it is the same)."""
    name = clean_display_name(display_name)
    if name != participant.display_name:
        participant.display_name = name
        db.session.flush()
        record(
            participant.event, "participant_updated", {"participant": participant_view(participant)}
        )
    return participant


def grant_role(participant, role):
    """Raise a participant to a role held by this browser (never lowers it)."""
    if not Role(participant.role).includes(role):
        participant.role = Role(role)
        db.session.flush()
        record(
            participant.event, "participant_updated", {"participant": participant_view(participant)}
        )
    return participant


def leave(participant):
    """Remove a participant from the event (at their own request, or a facilitator's).
    Their votes, seats and questions go, and every page hears of it; the topics they
    proposed stay, without them as host."""
    event = participant.event
    hosted = [
        topic
        for topic in db.session.scalars(
            select(Topic).where(Topic.event_id == event.id, Topic.status == TopicStatus.OPEN)
        )
        if participant.id in topic.host_ids()
    ]
    had_votes = db.session.scalar(select(Vote.id).where(Vote.participant_id == participant.id))
    had_seats = db.session.scalar(select(Seat.id).where(Seat.participant_id == participant.id))
    had_questions = db.session.scalar(
        select(Question.id).where(Question.participant_id == participant.id)
    )
    for topic in hosted:
        if participant in topic.cohosts:
            topic.cohosts.remove(participant)
        if topic.proposer_id == participant.id:
            topic.proposer = None
    event.participants.remove(participant)
    db.session.flush()
    record(event, "participant_left", {"participant_id": participant.id})
    for topic in hosted:
        record(event, "topic_updated", {"topic": topic_view(topic)})
    if had_votes:
        record_votes_changed(event)
    if had_seats:
        record_seats_changed(event)
    if had_questions:
        record_questions_changed(event)


def renew_resume_link(participant):
    """Give the participant a new resume link; the old one stops working."""
    token = new_token()
    participant.resume_key_digest = digest(token)
    db.session.flush()
    return token
