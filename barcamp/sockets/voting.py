"""Live dot voting."""

from barcamp.services import voting
from barcamp.sockets.context import mutation, participant_of


@mutation("60/minute")
def vote_cast(visitor, payload):
    """vote_cast {op_id, topic_id}: ack {ok, version, me}. One more dot on the topic.
    Sends `my_votes` to the voter's pages and `tallies` (coalesced) to the event."""
    participant = participant_of(visitor)
    return {"me": voting.cast_vote(participant, payload.get("topic_id"))}


@mutation("60/minute")
def vote_withdraw(visitor, payload):
    """vote_withdraw {op_id, topic_id}: ack {ok, version, me}. One dot back."""
    participant = participant_of(visitor)
    return {"me": voting.withdraw_vote(participant, payload.get("topic_id"))}


@mutation("60/minute")
def vote_move(visitor, payload):
    """vote_move {op_id, from_topic_id, to_topic_id}: ack {ok, version, me}. One dot
    moved, all or nothing."""
    participant = participant_of(visitor)
    moved = voting.move_vote(participant, payload.get("from_topic_id"), payload.get("to_topic_id"))
    return {"me": moved}
