"""Dot voting: each participant spends a budget of dots on open topics."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from barcamp.changes import record_private, record_votes_changed
from barcamp.errors import BarcampError, ValidationFailed
from barcamp.extensions import db
from barcamp.live import participant_room
from barcamp.models import Participant, TopicStatus, Vote
from barcamp.services.lookup import event_topic
from barcamp.services.participants import lock_participant


class VotingClosed(BarcampError):
    status = 409
    code = "voting_closed"
    default_message = _l("Voting is not open.")


class OverBudget(BarcampError):
    status = 409
    code = "over_budget"


def dots_used(participant):
    return db.session.scalar(
        select(func.coalesce(func.sum(Vote.dots), 0)).where(Vote.participant_id == participant.id)
    )


def my_votes(participant):
    """A participant's dots per topic and what is left of the budget."""
    rows = db.session.execute(
        select(Vote.topic_id, Vote.dots)
        .where(Vote.participant_id == participant.id)
        .order_by(Vote.topic_id)
    ).all()
    used = sum(dots for _, dots in rows)
    event = participant.event
    return {
        "votes": [[topic_id, dots] for topic_id, dots in rows],
        "left": max(event.vote_budget - used, 0),
        "budget": event.vote_budget,
        "votes_version": event.votes_version,
    }


def votable_topic(event, topic_id):
    """An open topic of this event, or a clear refusal."""
    topic = event_topic(event, topic_id)
    if topic.status != TopicStatus.OPEN:
        raise ValidationFailed.on("topic", _l("This topic can no longer receive votes."))
    return topic


def _vote_of(participant, topic):
    return db.session.scalar(
        select(Vote).where(Vote.participant_id == participant.id, Vote.topic_id == topic.id)
    )


def votes_changed(event, participants):
    """Note that votes changed: new tallies for all, and their own votes for each voter."""
    record_votes_changed(event)
    for participant in participants:
        record_private(event, participant_room(participant.id), "my_votes", my_votes(participant))


def _changed(participant):
    votes_changed(participant.event, [participant])


def _check_open(event):
    if not event.voting_open:
        raise VotingClosed()


def cast_vote(participant, topic_id):
    """Put one more dot on a topic, within the budget and the per-topic maximum."""
    event = participant.event
    _check_open(event)
    lock_participant(participant)
    topic = votable_topic(event, topic_id)
    vote = _vote_of(participant, topic)
    if vote is not None and vote.dots >= event.max_votes_per_topic:
        raise OverBudget(
            _l("You have already given this topic all the votes it can take.")
            if event.max_votes_per_topic > 1
            else _l("You have already voted for this topic."),
            code="topic_maximum",
        )
    if dots_used(participant) >= event.vote_budget:
        raise OverBudget(_l("You have no votes left: withdraw one to vote for this topic."))
    if vote is None:
        db.session.add(Vote(event_id=event.id, topic=topic, participant_id=participant.id))
    else:
        vote.dots += 1
    db.session.flush()
    _changed(participant)


def withdraw_vote(participant, topic_id):
    """Take one dot back from a topic (nothing to do if there is none)."""
    event = participant.event
    _check_open(event)
    lock_participant(participant)
    topic = event_topic(event, topic_id)
    vote = _vote_of(participant, topic)
    if vote is None:
        return
    if vote.dots > 1:
        vote.dots -= 1
    else:
        db.session.delete(vote)
    db.session.flush()
    _changed(participant)


def move_vote(participant, from_topic_id, to_topic_id):
    """Move one dot from a topic to another, in one step."""
    if from_topic_id == to_topic_id:
        return
    withdraw_vote(participant, from_topic_id)
    cast_vote(participant, to_topic_id)


def refund_votes(topic):
    """Give the dots on a topic back to their voters (the topic is leaving the wall)."""
    voters = [db.session.get(Participant, vote.participant_id) for vote in topic.votes]
    if voters:
        topic.votes.clear()
        db.session.flush()
        votes_changed(topic.event, voters)
