"""Proposing topics, editing and withdrawing them, co-hosting, and finding near-duplicates."""

from flask_babel import lazy_gettext as _l

from barcamp.changes import record
from barcamp.errors import BarcampError, Forbidden, ValidationFailed
from barcamp.extensions import db
from barcamp.models import Need, Role, Topic, TopicFormat, TopicStatus
from barcamp.models.topic import PITCH_MAX, TITLE_MAX
from barcamp.services.similarity import most_similar
from barcamp.services.snapshots import open_topics, topic_view
from barcamp.services.text import clean_line, clean_text
from barcamp.services.voting import refund_votes


class ProposalsClosed(BarcampError):
    status = 409
    code = "proposals_closed"
    default_message = _l("Proposals are closed.")


class SimilarTopics(BarcampError):
    """The title is close to existing topics: join one, or confirm to propose anyway."""

    status = 409
    code = "similar_topics"
    default_message = _l("Similar topics already exist: you can join one as a co-host.")

    def __init__(self, topics):
        super().__init__()
        self.topics = topics

    def as_ack(self):
        ack = super().as_ack()
        ack["error"]["topics"] = [topic.id for topic in self.topics]
        return ack


def _checked(title, pitch, format, needs):
    errors = {}
    fields = {}
    for name, clean in (
        ("title", lambda: clean_line(title, field="title", max_length=TITLE_MAX)),
        ("pitch", lambda: clean_text(pitch, field="pitch", max_length=PITCH_MAX)),
    ):
        try:
            fields[name] = clean()
        except ValidationFailed as failure:
            errors.update(failure.errors)
    if format not in set(TopicFormat):
        errors["format"] = _l("Choose a format from the list.")
    needs = needs or []
    if not isinstance(needs, list) or not set(needs) <= set(Need):
        errors["needs"] = _l("Choose needs from the list.")
    if errors:
        raise ValidationFailed(errors=errors)
    fields["format"] = str(format)
    fields["needs"] = [str(need) for need in Need if need in needs]
    return fields


def similar_topics(event, title, *, exclude=None):
    """Open topics of the event whose title is close to `title`."""
    candidates = [t for t in open_topics(event) if t.id != exclude]
    return most_similar(title or "", candidates)


def propose(
    participant, title, pitch="", format=TopicFormat.DISCUSSION, needs=None, *, allow_similar=False
):
    """Propose a topic; unless `allow_similar`, refuse with the near-duplicates found."""
    event = participant.event
    if not event.proposals_open:
        raise ProposalsClosed()
    fields = _checked(title, pitch, format, needs)
    if not allow_similar:
        similar = similar_topics(event, fields["title"])
        if similar:
            raise SimilarTopics(similar)
    topic = Topic(event=event, proposer=participant, **fields)
    db.session.add(topic)
    db.session.flush()
    record(event, "topic_created", {"topic": topic_view(topic)})
    return topic


def check_may_edit(visitor, topic):
    """Refuse unless this visitor may change the topic now."""
    _open_topic(topic)
    if visitor.can(Role.FACILITATOR):
        return
    if visitor.participant is None or visitor.participant.id not in topic.host_ids():
        raise Forbidden(_l("Only the topic's hosts and the facilitators can change it."))
    if not topic.event.proposals_open:
        raise ProposalsClosed(_l("Proposals are closed: ask a facilitator to change it."))


def _open_topic(topic):
    if topic.status != TopicStatus.OPEN:
        raise ValidationFailed.on("topic", _l("This topic is no longer on the wall."))


def edit(visitor, topic, title, pitch="", format=TopicFormat.DISCUSSION, needs=None):
    """Change a topic: its hosts while proposals are open, facilitators at any time."""
    check_may_edit(visitor, topic)
    for field, value in _checked(title, pitch, format, needs).items():
        setattr(topic, field, value)
    db.session.flush()
    record(topic.event, "topic_updated", {"topic": topic_view(topic)})
    return topic


def take_off_wall(topic, status, *, merged_into=None):
    """Remove a topic from the wall (withdrawn, hidden or merged); votes go back."""
    topic.status = status
    topic.merged_into_id = merged_into.id if merged_into else None
    topic.spotlight = False
    db.session.flush()
    refund_votes(topic)
    record(
        topic.event,
        "topic_removed",
        {
            "topic_id": topic.id,
            "reason": str(status),
            "merged_into": merged_into.id if merged_into else None,
        },
    )


def withdraw(visitor, topic):
    """The proposer (or a facilitator) takes the topic back; its votes are given back."""
    _open_topic(topic)
    if not visitor.can(Role.FACILITATOR):
        if visitor.participant is None or visitor.participant.id != topic.proposer_id:
            raise Forbidden(_l("Only the person who proposed it can withdraw this topic."))
        if not topic.event.proposals_open:
            raise ProposalsClosed(_l("Proposals are closed: ask a facilitator to withdraw it."))
    take_off_wall(topic, TopicStatus.WITHDRAWN)


def join_as_cohost(participant, topic):
    """Host an existing topic together with its proposer (no-op if already a host)."""
    _open_topic(topic)
    if participant.id in topic.host_ids():
        return topic
    topic.cohosts.append(participant)
    db.session.flush()
    record(topic.event, "topic_updated", {"topic": topic_view(topic)})
    return topic


def leave_cohosts(participant, topic):
    """Stop co-hosting a topic (the proposer stays its proposer)."""
    if participant in topic.cohosts:
        topic.cohosts.remove(participant)
        db.session.flush()
        record(topic.event, "topic_updated", {"topic": topic_view(topic)})
    return topic
