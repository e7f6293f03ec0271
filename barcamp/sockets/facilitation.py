"""Live actions of facilitators (checked against the database on every event)."""

from barcamp.services import facilitation
from barcamp.sockets.context import mutation


@mutation()
def marketplace_set(visitor, payload):
    """marketplace_set {op_id, proposals_open?, voting_open?}: ack {ok, version}.
    Broadcasts `event_updated` (and `tallies` when blind counts are revealed)."""
    flags = {
        key: payload[key]
        for key in ("proposals_open", "voting_open")
        if isinstance(payload.get(key), bool)
    }
    facilitation.set_marketplace(visitor, **flags)


@mutation()
def topic_hide(visitor, payload):
    """topic_hide {op_id, topic_id}: ack {ok, version}. Broadcasts `topic_removed`."""
    facilitation.hide(visitor, payload.get("topic_id"))


@mutation()
def topic_unhide(visitor, payload):
    """topic_unhide {op_id, topic_id}: ack {ok, version}. Broadcasts `topic_created`."""
    facilitation.unhide(visitor, payload.get("topic_id"))


@mutation()
def topic_merge(visitor, payload):
    """topic_merge {op_id, source_id, target_id}: ack {ok, version}. Broadcasts
    `topic_removed` (source), `topic_updated` (target) and `tallies`."""
    facilitation.merge(visitor, payload.get("source_id"), payload.get("target_id"))


@mutation()
def topic_spotlight(visitor, payload):
    """topic_spotlight {op_id, topic_id | null}: ack {ok, version}. Broadcasts `spotlight`."""
    facilitation.spotlight(visitor, payload.get("topic_id"))
