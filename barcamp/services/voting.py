"""Dot voting: each participant spends a budget of dots on open topics."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update

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


def _ballot(participant):
    """The participant's votes, {topic_id: [vote_id, dots]}, in one query."""
    return {
        topic_id: [vote_id, dots]
        for vote_id, topic_id, dots in db.session.execute(
            select(Vote.id, Vote.topic_id, Vote.dots).where(Vote.participant_id == participant.id)
        )
    }


def _mine(event, ballot):
    votes = sorted([topic_id, dots] for topic_id, (_, dots) in ballot.items())
    return {
        "votes": votes,
        "left": max(event.vote_budget - sum(dots for _, dots in votes), 0),
        "budget": event.vote_budget,
        "votes_version": event.votes_version,
    }


def my_votes(participant):
    """A participant's dots per topic and what is left of the budget."""
    return _mine(participant.event, _ballot(participant))


def votable_topic(event, topic_id):
    """An open topic of this event, or a clear refusal."""
    topic = event_topic(event, topic_id)
    if topic.status != TopicStatus.OPEN:
        raise ValidationFailed.on("topic", _l("This topic can no longer receive votes."))
    return topic


def votes_changed(event, participants):
    """Note that votes changed: new tallies for all, and their own votes for each voter."""
    record_votes_changed(event)
    for participant in participants:
        record_private(event, participant_room(participant.id), "my_votes", my_votes(participant))


def _changed(participant, ballot):
    """After one participant's vote: new tallies for all, their own votes for their
    pages; returns those (the acks' `me`)."""
    event = participant.event
    record_votes_changed(event)
    mine = _mine(event, ballot)
    record_private(event, participant_room(participant.id), "my_votes", mine)
    return mine


def _check_open(event):
    if not event.voting_open:
        raise VotingClosed()


def cast_vote(participant, topic_id):
    """Put one more dot on a topic, within the budget and the per-topic maximum; return
    the participant's votes after it (as `my_votes`)."""
    event = participant.event
    _check_open(event)
    lock_participant(participant)
    topic = votable_topic(event, topic_id)
    ballot = _ballot(participant)
    vote_id, dots = ballot.get(topic.id, (None, 0))
    if dots >= event.max_votes_per_topic:
        raise OverBudget(
            _l("You have already given this topic all the votes it can take.")
            if event.max_votes_per_topic > 1
            else _l("You have already voted for this topic."),
            code="topic_maximum",
        )
    if sum(used for _, used in ballot.values()) >= event.vote_budget:
        raise OverBudget(_l("You have no votes left: withdraw one to vote for this topic."))
    if vote_id is None:
        vote_id = db.session.execute(
            insert(Vote)
            .values(event_id=event.id, topic_id=topic.id, participant_id=participant.id, dots=1)
            .returning(Vote.id)
        ).scalar_one()
    else:
        db.session.execute(update(Vote).where(Vote.id == vote_id).values(dots=Vote.dots + 1))
    ballot[topic.id] = [vote_id, dots + 1]
    return _changed(participant, ballot)


def withdraw_vote(participant, topic_id):
    """Take one dot back from a topic (nothing to do if there is none); return the
    participant's votes after it."""
    event = participant.event
    _check_open(event)
    lock_participant(participant)
    topic = event_topic(event, topic_id)
    ballot = _ballot(participant)
    if topic.id not in ballot:
        return _mine(event, ballot)
    vote_id, dots = ballot[topic.id]
    if dots > 1:
        db.session.execute(update(Vote).where(Vote.id == vote_id).values(dots=Vote.dots - 1))
        ballot[topic.id] = [vote_id, dots - 1]
    else:
        db.session.execute(delete(Vote).where(Vote.id == vote_id))
        del ballot[topic.id]
    return _changed(participant, ballot)


def move_vote(participant, from_topic_id, to_topic_id):
    """Move one dot from a topic to another, in one step; return the participant's
    votes after it."""
    if from_topic_id == to_topic_id:
        return my_votes(participant)
    withdraw_vote(participant, from_topic_id)
    return cast_vote(participant, to_topic_id)


def refund_votes(topic):
    """Give the dots on a topic back to their voters (the topic is leaving the wall)."""
    voters = [db.session.get(Participant, vote.participant_id) for vote in topic.votes]
    if voters:
        topic.votes.clear()
        db.session.flush()
        votes_changed(topic.event, voters)
