"""Finding an event's objects from ids sent by clients, never another event's."""

from flask_babel import lazy_gettext as _l

from barcamp.errors import ValidationFailed
from barcamp.extensions import db
from barcamp.models import Topic

LARGEST_ID = 2**63 - 1  # the databases' largest integer (SQLite's, PostgreSQL's bigint)


def is_id(value):
    """A database id as JSON can send it (booleans are not ids, though Python says int),
    within what the database holds (beyond, its driver would overflow)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= LARGEST_ID


def event_topic(event, topic_id, *, field="topic"):
    """The topic of this event with this id, or a refusal naming the field."""
    topic = db.session.get(Topic, topic_id) if is_id(topic_id) else None
    if topic is None or topic.event_id != event.id:
        raise ValidationFailed.on(field, _l("This topic does not exist."))
    return topic
