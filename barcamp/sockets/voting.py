"""Live dot voting. On SQLite votes are applied in batches when a crowd votes at once
(barcamp/live/vote_queue.py); on PostgreSQL one by one, each locking its voter's row.
Each is answered as if alone."""

from flask import g, session

from barcamp import identity
from barcamp.database import write_turns
from barcamp.errors import BarcampError, NotFound
from barcamp.live import load, vote_queue
from barcamp.ratelimit import ACTION_RULES
from barcamp.services import operations, voting
from barcamp.services.vote_batches import RULES, VoteJob
from barcamp.sockets.context import (
    BOUND_EVENT,
    current_visitor,
    operation_id,
    participant_of,
    rate_limit,
    refuse_unstorable_text,
)


def vote_cast(payload=None):
    """vote_cast {op_id, topic_id}: ack {ok, version, me}. One more dot on the topic.
    Sends `my_votes` to the voter's pages and `tallies` (coalesced) to the event."""
    return _vote("vote_cast", payload)


def vote_withdraw(payload=None):
    """vote_withdraw {op_id, topic_id}: ack {ok, version, me}. One dot back."""
    return _vote("vote_withdraw", payload)


def vote_move(payload=None):
    """vote_move {op_id, from_topic_id, to_topic_id}: ack {ok, version, me}. One dot
    moved, all or nothing."""
    return _vote("vote_move", payload)


# Each person may vote this often: one budget for the three actions, on every path.
VOTE_RATE = "60/minute"
ACTION_RULES["vote"] = VOTE_RATE


def _vote(kind, payload):
    """As `mutation` does for other actions (sockets/context.py): refused at once as
    `busy` while the process falls behind, rate-limited, retried operation ids answered
    from storage; then queued, and who votes checked in the batch."""
    try:
        payload = payload if isinstance(payload, dict) else {}
        refuse_unstorable_text(payload)
        op_id = operation_id(payload)
        load.refuse_when_overloaded()
        previous = rate_limit(VOTE_RATE, "vote", op_id)  # one budget for the three
        if previous is not None:
            return previous
        if not write_turns().serializes:
            # PostgreSQL: one vote in a unit of work of its own (its writers run side by
            # side; a retry racing its first try is told apart by operations.py).
            return operations.perform(current_visitor, op_id, _alone(kind), payload)
        event_id = session.get(BOUND_EVENT)
        if event_id is None:
            raise NotFound()
        job = VoteJob(kind, identity.entry_of(event_id), op_id, payload)
        result = vote_queue.queue().submit(event_id, job)
        g.event_locale = job.locale
        if isinstance(result, BaseException):
            raise result
        return result
    except BarcampError as error:
        return error.as_ack()


def _alone(kind):
    """The action `operations.perform` runs for one vote, by the batches' own rules."""
    rule, fields = RULES[kind]

    def action(visitor, payload):
        topics = (payload.get(name) for name in fields)
        return {"me": voting.one_vote(participant_of(visitor), rule, *topics)}

    return action
