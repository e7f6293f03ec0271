"""Dot voting: each participant spends a budget of dots on open topics."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, insert, select, update

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
    """The participant's votes, {topic_id: dots}, in one query."""
    return dict(
        db.session.execute(
            select(Vote.topic_id, Vote.dots).where(Vote.participant_id == participant.id)
        ).all()
    )


def ballots(participant_ids):
    """Several participants' votes, {participant_id: {topic_id: dots}}, in one query."""
    found = {participant_id: {} for participant_id in participant_ids}
    for participant_id, topic_id, dots in db.session.execute(
        select(Vote.participant_id, Vote.topic_id, Vote.dots).where(
            Vote.participant_id.in_(participant_ids)
        )
    ):
        found[participant_id][topic_id] = dots
    return found


def mine(event, ballot):
    """A participant's votes as their pages show them (`my_votes`, the acks' `me`)."""
    votes = sorted([topic_id, dots] for topic_id, dots in ballot.items())
    return {
        "votes": votes,
        "left": max(event.vote_budget - sum(dots for _, dots in votes), 0),
        "budget": event.vote_budget,
        "votes_version": event.votes_version,
    }


def my_votes(participant):
    """A participant's dots per topic and what is left of the budget."""
    return mine(participant.event, _ballot(participant))


def votable_topic(event, topic_id):
    """An open topic of this event, or a clear refusal."""
    return _votable(event_topic(event, topic_id))


def _votable(topic):
    if topic.status != TopicStatus.OPEN:
        raise ValidationFailed.on("topic", _l("This topic can no longer receive votes."))
    return topic


def votes_changed(event, participants):
    """Note that votes changed: new tallies for all, and their own votes for each voter."""
    record_votes_changed(event)
    for participant in participants:
        record_private(event, participant_room(participant.id), "my_votes", my_votes(participant))


def _check_open(event):
    if not event.voting_open:
        raise VotingClosed()


# --- The rules, on a ballot in memory ({topic_id: dots}) -----------------------------
# One vote at a time (a form, the demo) and a batch of votes from the sockets
# (services/vote_batches.py) apply the same rules; `topic_of(topic_id)` finds the
# event's topic or refuses.


def cast_into(event, ballot, topic_of, topic_id):
    """One more dot on a topic, within the budget and the per-topic maximum."""
    _check_open(event)
    topic = _votable(topic_of(topic_id))
    dots = ballot.get(topic.id, 0)
    if dots >= event.max_votes_per_topic:
        raise OverBudget(
            _l("You have already given this topic all the votes it can take.")
            if event.max_votes_per_topic > 1
            else _l("You have already voted for this topic."),
            code="topic_maximum",
        )
    if sum(ballot.values()) >= event.vote_budget:
        raise OverBudget(_l("You have no votes left: withdraw one to vote for this topic."))
    ballot[topic.id] = dots + 1


def withdraw_from(event, ballot, topic_of, topic_id):
    """One dot back from a topic (nothing to do if there is none)."""
    _check_open(event)
    topic = topic_of(topic_id)
    dots = ballot.pop(topic.id, 0)
    if dots > 1:
        ballot[topic.id] = dots - 1


def move_within(event, ballot, topic_of, from_topic_id, to_topic_id):
    """One dot moved from a topic to another, all or nothing."""
    if from_topic_id == to_topic_id:
        return
    withdraw_from(event, ballot, topic_of, from_topic_id)
    cast_into(event, ballot, topic_of, to_topic_id)


def write_ballots(event_id, changes):
    """Store the change of each ballot, {participant_id: (before, after)}: at most one
    statement each to add, change and remove vote rows, however many ballots."""
    added, changed, removed = [], [], []
    for participant_id, (before, after) in changes.items():
        for topic_id in before.keys() | after.keys():
            old, new = before.get(topic_id, 0), after.get(topic_id, 0)
            row = {"p": participant_id, "t": topic_id, "dots": new}
            if old == new:
                continue
            if not new:
                removed.append(row)
            elif not old:
                added.append(
                    {"event_id": event_id, "participant_id": participant_id, "topic_id": topic_id}
                    | {"dots": new}
                )
            else:
                changed.append(row)
    votes = Vote.__table__  # in bulk: the table's statements, not the ORM's
    where = (votes.c.participant_id == bindparam("p")) & (votes.c.topic_id == bindparam("t"))
    if removed:
        db.session.execute(delete(votes).where(where), removed)
    if changed:
        db.session.execute(update(votes).where(where).values(dots=bindparam("dots")), changed)
    if added:
        db.session.execute(insert(votes), added)


def one_vote(participant, rule, *topic_ids):
    """Apply a rule to one participant's ballot and store it, alone in its unit of
    work; return their votes."""
    event = participant.event
    lock_participant(participant)
    before = _ballot(participant)
    after = dict(before)
    rule(event, after, lambda topic_id: event_topic(event, topic_id), *topic_ids)
    if after == before:
        return mine(event, after)
    write_ballots(event.id, {participant.id: (before, after)})
    record_votes_changed(event)
    mine_now = mine(event, after)
    record_private(event, participant_room(participant.id), "my_votes", mine_now)
    return mine_now


def cast_vote(participant, topic_id):
    """Put one more dot on a topic, within the budget and the per-topic maximum; return
    the participant's votes after it (as `my_votes`)."""
    return one_vote(participant, cast_into, topic_id)


def withdraw_vote(participant, topic_id):
    """Take one dot back from a topic (nothing to do if there is none); return the
    participant's votes after it."""
    return one_vote(participant, withdraw_from, topic_id)


def move_vote(participant, from_topic_id, to_topic_id):
    """Move one dot from a topic to another, in one step; return the participant's
    votes after it."""
    return one_vote(participant, move_within, from_topic_id, to_topic_id)


def refund_votes(topic):
    """Give the dots on a topic back to their voters (the topic is leaving the wall)."""
    voters = [db.session.get(Participant, vote.participant_id) for vote in topic.votes]
    if voters:
        topic.votes.clear()
        db.session.flush()
        votes_changed(topic.event, voters)
