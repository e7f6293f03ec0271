"""Live actions on topics: propose, edit, withdraw, co-host, find near-duplicates."""

from barcamp.services import topics as topic_service
from barcamp.services.lookup import event_topic
from barcamp.sockets.context import mutation, participant_of, query


def _fields(payload):
    return {
        "title": payload.get("title"),
        "pitch": payload.get("pitch", ""),
        "format": payload.get("format", "discussion"),
        "needs": payload.get("needs", []),
    }


@mutation("10/minute")
def topic_propose(visitor, payload):
    """topic_propose {op_id, title, pitch, format, needs, allow_similar}: ack {ok, version,
    topic_id}, or error `similar_topics` with the ids of near-duplicates (send again with
    allow_similar to propose anyway). Broadcasts `topic_created`."""
    topic = topic_service.propose(
        participant_of(visitor),
        **_fields(payload),
        allow_similar=payload.get("allow_similar") is True,
    )
    return {"topic_id": topic.id}


@query
def topic_similar(visitor, payload):
    """topic_similar {title}: ack {ok, topics: [ids]} of open topics close to the title."""
    title = payload.get("title")
    found = topic_service.similar_topics(visitor.event, title if isinstance(title, str) else "")
    return {"topics": [topic.id for topic in found]}


@mutation("30/minute")
def topic_edit(visitor, payload):
    """topic_edit {op_id, topic_id, title, pitch, format, needs}: ack {ok, version}.
    Hosts while proposals are open, facilitators always. Broadcasts `topic_updated`."""
    topic = event_topic(visitor.event, payload.get("topic_id"))
    topic_service.edit(visitor, topic, **_fields(payload))


@mutation("30/minute")
def topic_withdraw(visitor, payload):
    """topic_withdraw {op_id, topic_id}: ack {ok, version}. Its proposer (or a
    facilitator). Broadcasts `topic_removed`, then `tallies` if it had votes."""
    topic_service.withdraw(visitor, event_topic(visitor.event, payload.get("topic_id")))


@mutation("30/minute")
def topic_cohost(visitor, payload):
    """topic_cohost {op_id, topic_id, join: true|false}: ack {ok, version}. Join or leave
    the hosts of a topic. Broadcasts `topic_updated`."""
    topic = event_topic(visitor.event, payload.get("topic_id"))
    if payload.get("join", True) is False:
        topic_service.leave_cohosts(participant_of(visitor), topic)
    else:
        topic_service.join_as_cohost(participant_of(visitor), topic)
