"""What facilitators do: open and close proposals and voting, hide and merge topics,
put one in the spotlight; and the organizer's voting rules."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from barcamp.changes import record, record_votes_changed
from barcamp.errors import Forbidden, ValidationFailed
from barcamp.extensions import db
from barcamp.models import Participant, Phase, Role, Topic, TopicStatus, Vote
from barcamp.models.event import BUDGET_MAX
from barcamp.services.lookup import event_topic
from barcamp.services.snapshots import event_summary, topic_view
from barcamp.services.topics import take_off_wall
from barcamp.services.voting import votes_changed

# The marketplace moves the event forward, never back.
_PHASE_ORDER = list(Phase)


def require(visitor, role=Role.FACILITATOR):
    if not visitor.can(role):
        raise Forbidden()


def advance(event, phase):
    """Move the event to a later phase (never back)."""
    if _PHASE_ORDER.index(Phase(event.phase)) < _PHASE_ORDER.index(phase):
        event.phase = phase


def set_marketplace(visitor, *, proposals_open=None, voting_open=None):
    """Open or close proposals and voting (they may be open together)."""
    require(visitor)
    event = visitor.event
    was_blind_hidden = not event.tallies_visible
    if proposals_open is not None:
        event.proposals_open = bool(proposals_open)
        if event.proposals_open:
            advance(event, Phase.PROPOSALS)
    if voting_open is not None:
        event.voting_open = bool(voting_open)
        if event.voting_open:
            advance(event, Phase.VOTING)
    db.session.flush()
    record(event, "event_updated", {"event": event_summary(event)})
    if was_blind_hidden != (not event.tallies_visible):
        record_votes_changed(event)  # counts revealed (or hidden again)
    return event


def set_voting_rules(visitor, *, budget, max_per_topic, blind):
    """The organizer sets the budget of dots, the maximum per topic, and blind voting."""
    require(visitor, Role.ORGANIZER)
    event = visitor.event
    errors = {}
    if not isinstance(budget, int) or not 1 <= budget <= BUDGET_MAX:
        errors["vote_budget"] = _l("Give a number of votes between 1 and %(max)d.", max=BUDGET_MAX)
    elif not isinstance(max_per_topic, int) or not 1 <= max_per_topic <= budget:
        errors["max_votes_per_topic"] = _l(
            "Give a number between 1 and the number of votes (%(budget)d).", budget=budget
        )
    if errors:
        raise ValidationFailed(errors=errors)
    over = db.session.scalar(
        select(Vote.id).where(Vote.event_id == event.id, Vote.dots > max_per_topic).limit(1)
    )
    used = db.session.execute(
        select(Vote.participant_id)
        .where(Vote.event_id == event.id)
        .group_by(Vote.participant_id)
        .having(db.func.sum(Vote.dots) > budget)
        .limit(1)
    ).first()
    if over or used:
        raise ValidationFailed.on(
            "vote_budget",
            _l("Some people have already used more votes than that: keep the rules as they are."),
        )
    event.vote_budget, event.max_votes_per_topic = budget, max_per_topic
    event.blind_voting = bool(blind)
    db.session.flush()
    record(event, "event_updated", {"event": event_summary(event)})
    # Everyone's budget left changes, and counts may be revealed or hidden.
    votes_changed(event, event.participants)
    return event


def hide(visitor, topic_id):
    """Take a topic off the wall (off-topic, spam…); its votes go back to the voters."""
    require(visitor)
    topic = event_topic(visitor.event, topic_id)
    if topic.status != TopicStatus.OPEN:
        raise ValidationFailed.on("topic", _l("This topic is not on the wall."))
    take_off_wall(topic, TopicStatus.HIDDEN)
    return topic


def unhide(visitor, topic_id):
    """Put a hidden topic back on the wall (without the votes it had)."""
    require(visitor)
    topic = event_topic(visitor.event, topic_id)
    if topic.status != TopicStatus.HIDDEN:
        raise ValidationFailed.on("topic", _l("This topic is not hidden."))
    topic.status = TopicStatus.OPEN
    db.session.flush()
    record(topic.event, "topic_created", {"topic": topic_view(topic)})
    return topic


def merge(visitor, source_id, target_id):
    """Merge a duplicate into the topic kept: its hosts and votes move there. Someone who
    voted for both keeps the dots the kept topic can take and gets the rest back."""
    require(visitor)
    event = visitor.event
    if target_id is None:
        raise ValidationFailed.on("target", _l("Choose the topic to keep."))
    source = event_topic(event, source_id, field="source")
    target = event_topic(event, target_id, field="target")
    if source.id == target.id:
        raise ValidationFailed.on("target", _l("Choose another topic to merge into."))
    if not (source.is_open and target.is_open):
        raise ValidationFailed.on("target", _l("Both topics must be on the wall."))

    hosts = set(target.host_ids())
    for participant_id in source.host_ids():
        if participant_id not in hosts:
            target.cohosts.append(db.session.get(Participant, participant_id))
    kept = {vote.participant_id: vote for vote in target.votes}
    voters = []
    for vote in list(source.votes):
        voters.append(db.session.get(Participant, vote.participant_id))
        if vote.participant_id in kept:
            mine = kept[vote.participant_id]
            mine.dots = min(mine.dots + vote.dots, event.max_votes_per_topic)
            source.votes.remove(vote)
        else:
            vote.topic = target
    was_spotlit = source.spotlight
    db.session.flush()
    take_off_wall(source, TopicStatus.MERGED, merged_into=target)
    if voters:
        votes_changed(event, voters)
    if was_spotlit:
        target.spotlight = True
    db.session.flush()
    record(event, "topic_updated", {"topic": topic_view(target)})
    if was_spotlit:
        record(event, "spotlight", {"topic_id": target.id})
    return target


def spotlight(visitor, topic_id):
    """Show one topic large on the projector while it is pitched (None: nobody)."""
    require(visitor)
    event = visitor.event
    topic = None if topic_id is None else event_topic(event, topic_id)
    if topic is not None and not topic.is_open:
        raise ValidationFailed.on("topic", _l("This topic is not on the wall."))
    for lit in db.session.scalars(select(Topic).where(Topic.event_id == event.id, Topic.spotlight)):
        lit.spotlight = False
    db.session.flush()  # the database allows one spotlight per event
    if topic is not None:
        topic.spotlight = True
        db.session.flush()
    record(event, "spotlight", {"topic_id": topic.id if topic else None})
    return topic
