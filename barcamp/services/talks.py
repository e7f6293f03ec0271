"""Talks in the plenaries: a speaker's page (who, the project, key figures, lessons, a
Markdown text), its place in a plenary slot's programme, the workshops it echoes."""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from barcamp.changes import record
from barcamp.errors import ValidationFailed
from barcamp.extensions import db
from barcamp.models import Event, Slot, SlotKind, Talk, TalkKind, Topic
from barcamp.models import talk as limits
from barcamp.models._types import utcnow
from barcamp.services.lookup import is_id
from barcamp.services.text import clean_line, clean_markdown, clean_text

_LINK = re.compile(r"^https?://[^\s<>\"']+$")
MINUTES_MIN, MINUTES_MAX = 5, 180


@dataclass
class TalkFields:
    """What an organizer types for a talk (as plain values, checked by `checked`)."""

    speaker_name: str = ""
    title: str = ""
    kind: str = TalkKind.TESTIMONY
    speaker_role: str = ""
    organisation: str = ""
    link: str = ""
    summary: str = ""
    figures: list = field(default_factory=list)  # [(label, value), …]
    lessons: list = field(default_factory=list)
    body: str = ""
    minutes: int = 20
    slot_id: int | None = None
    topic_ids: list = field(default_factory=list)


def event_talks(event, *, drafts=False):
    """The event's talks in programme order (slot, then position); drafts if asked."""
    query = select(Talk).where(Talk.event_id == event.id).options(joinedload(Talk.slot))
    if not drafts:
        query = query.where(Talk.published_at.is_not(None))
    talks = db.session.scalars(query).all()
    return sorted(
        talks,
        key=lambda t: (t.slot is None, t.slot.starts_at if t.slot else None, t.position, t.id),
    )


def event_talk(event, talk_id, *, drafts=False):
    """The talk of this event with this id (a draft only if asked), or None."""
    talk = db.session.get(Talk, talk_id) if is_id(talk_id) else None
    if talk is None or talk.event_id != event.id or (talk.published_at is None and not drafts):
        return None
    return talk


def echoing(topic):
    """The published talks that echo a workshop (its page links back to them)."""
    return [
        talk
        for talk in event_talks(topic.event)
        if any(echoed.id == topic.id for echoed in talk.topics)
    ]


def create_talk(event, fields):
    """Add a talk (a draft) at the end of its slot's programme; return it."""
    values, slot, topics = _checked(event.id, fields)
    talk = Talk(event_id=event.id, **values)
    _check_programme_fits(slot, talk)
    talk.slot, talk.topics = slot, topics
    talk.position = _next_position(event.id, slot)
    db.session.add(talk)
    db.session.flush()
    talks_changed(event)
    return talk


def update_talk(talk, fields):
    """Change a talk's page and its place (at the end of a new slot's programme)."""
    values, slot, topics = _checked(talk.event_id, fields)
    moved = slot is not talk.slot
    talk.minutes = values["minutes"]
    _check_programme_fits(slot, talk)
    for name, value in values.items():
        setattr(talk, name, value)
    talk.topics = topics
    if moved:
        talk.slot = slot
        talk.position = _next_position(talk.event_id, slot)
    db.session.flush()
    talks_changed(talk.event)
    return talk


def set_published(talk, published):
    """Publish a talk's page (everyone sees it) or take it back to a draft."""
    if published and talk.published_at is None:
        talk.published_at = utcnow()
    elif not published:
        talk.published_at = None
    db.session.flush()
    talks_changed(talk.event)
    return talk


def set_speaker_key(talk, key_digest):
    """Store the digest of the speaker's new link (the old link stops working)."""
    talk.speaker_key_digest = key_digest
    db.session.flush()
    return talk


# --- checks -------------------------------------------------------------------------


def _checked(event_id, fields):
    """The cleaned values, slot and topics; every field's refusal at once (a form
    with three mistakes shows all three)."""
    checks = {
        "speaker_name": lambda: clean_line(
            fields.speaker_name, field="speaker_name", max_length=limits.SPEAKER_MAX
        ),
        "title": lambda: clean_line(fields.title, field="title", max_length=limits.TALK_TITLE_MAX),
        "speaker_role": lambda: clean_line(
            fields.speaker_role, field="speaker_role", max_length=limits.ROLE_MAX, required=False
        ),
        "organisation": lambda: clean_line(
            fields.organisation,
            field="organisation",
            max_length=limits.ORGANISATION_MAX,
            required=False,
        ),
        "link": lambda: _link(fields.link),
        "summary": lambda: clean_text(
            fields.summary, field="summary", max_length=limits.SUMMARY_MAX
        ),
        "figures": lambda: _figures(fields.figures),
        "lessons": lambda: _lessons(fields.lessons),
        "body": lambda: clean_markdown(fields.body, field="body", max_length=limits.BODY_MAX),
        "minutes": lambda: _minutes(fields.minutes),
        "kind": lambda: _kind(fields.kind),
        "slot": lambda: _slot(event_id, fields.slot_id),
        "topics": lambda: _topics(event_id, fields.topic_ids),
    }
    values, errors = {}, {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except ValidationFailed as failure:
            errors.update(failure.errors)
    if errors:
        raise ValidationFailed(errors=errors)
    return values, values.pop("slot"), values.pop("topics")


def _link(value):
    link = clean_line(value, field="link", max_length=limits.LINK_MAX, required=False)
    if link and not _LINK.match(link):
        raise ValidationFailed.on("link", _l("A web address starts with https:// or http://."))
    return link


def _figures(rows):
    figures = []
    for label, value in rows:
        label = clean_line(
            label, field="figures", max_length=limits.FIGURE_LABEL_MAX, required=False
        )
        value = clean_line(
            value, field="figures", max_length=limits.FIGURE_VALUE_MAX, required=False
        )
        if not label and not value:
            continue
        if not label or not value:
            raise ValidationFailed.on(
                "figures", _l("Each key figure needs a label and a value, like “users: 6,000”.")
            )
        figures.append([label, value])
    if len(figures) > limits.FIGURES_MAX:
        raise ValidationFailed.on(
            "figures", _l("At most %(max)d key figures, please.", max=limits.FIGURES_MAX)
        )
    return figures


def _lessons(items):
    lessons = [
        clean_line(item, field="lessons", max_length=limits.LESSON_MAX, required=False)
        for item in items
    ]
    lessons = [lesson for lesson in lessons if lesson]
    if len(lessons) > limits.LESSONS_MAX:
        raise ValidationFailed.on(
            "lessons", _l("At most %(max)d lessons, please.", max=limits.LESSONS_MAX)
        )
    return lessons


def _minutes(value):
    if not is_id(value) or not MINUTES_MIN <= value <= MINUTES_MAX:
        raise ValidationFailed.on(
            "minutes",
            _l(
                "A talk lasts between %(min)d and %(max)d minutes.",
                min=MINUTES_MIN,
                max=MINUTES_MAX,
            ),
        )
    return value


def _kind(value):
    if value not in set(TalkKind):
        raise ValidationFailed.on("kind", _l("Choose a keynote or a testimony."))
    return TalkKind(value)


def _slot(event_id, slot_id):
    if slot_id in (None, ""):
        return None
    slot = db.session.get(Slot, slot_id) if is_id(slot_id) else None
    if slot is None or slot.event_id != event_id:
        raise ValidationFailed.on("slot_id", _l("This slot does not exist."))
    if slot.kind != SlotKind.PLENARY:
        raise ValidationFailed.on("slot_id", _l("Talks go in a plenary slot."))
    return slot


def _topics(event_id, topic_ids):
    ids = {topic_id for topic_id in topic_ids or ()}
    if not all(is_id(topic_id) for topic_id in ids):
        raise ValidationFailed.on("topic_ids", _l("This topic does not exist."))
    topics = (
        db.session.scalars(select(Topic).where(Topic.id.in_(ids)).order_by(Topic.id)).all()
        if ids
        else []
    )
    if len(topics) != len(ids) or any(topic.event_id != event_id for topic in topics):
        raise ValidationFailed.on("topic_ids", _l("This topic does not exist."))
    return topics


def _next_position(event_id, slot):
    if slot is None:
        return 0
    positions = db.session.scalars(
        select(Talk.position).where(Talk.event_id == event_id, Talk.slot_id == slot.id)
    ).all()
    return max(positions, default=-1) + 1


def _check_programme_fits(slot, talk):
    """The talks of a slot must end with it."""
    if slot is None:
        return
    others = db.session.scalars(
        select(Talk.minutes).where(Talk.slot_id == slot.id, Talk.id != (talk.id or 0))
    ).all()
    available = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
    if sum(others) + talk.minutes > available:
        raise ValidationFailed.on(
            "minutes",
            _l(
                "The programme of this slot would run past its end: %(used)d of its "
                "%(available)d minutes are already taken.",
                used=sum(others),
                available=available,
            ),
        )


def programme(talk):
    """When a talk starts and ends within its slot (wall-clock datetimes), or None."""
    return programmes([talk]).get(talk.id)


def programmes(talks):
    """{talk id: (starts, ends)} for the placed ones among `talks`: each slot's
    programme (drafts included, they take their minutes) read once."""
    slots = {talk.slot_id: talk.slot for talk in talks if talk.slot_id is not None}
    if not slots:
        return {}
    rows = db.session.execute(
        select(Talk.id, Talk.slot_id, Talk.minutes)
        .where(Talk.slot_id.in_(slots))
        .order_by(Talk.slot_id, Talk.position, Talk.id)
    ).all()
    times, clock = {}, {}
    for talk_id, slot_id, minutes in rows:
        starts = clock.get(slot_id, slots[slot_id].starts_at)
        clock[slot_id] = starts + timedelta(minutes=minutes)
        times[talk_id] = (starts, clock[slot_id])
    wanted = {talk.id for talk in talks}
    return {talk_id: when for talk_id, when in times.items() if talk_id in wanted}


def talks_view(event):
    """The published talks as every live page knows them (the projector's plenary and
    now/next): who, what, key figures, and when, as slots are given."""
    from barcamp.services.snapshots import _instant

    talks = event_talks(event)
    times = programmes(talks)
    view = []
    for talk in talks:
        when = times.get(talk.id)
        view.append(
            {
                "id": talk.id,
                "slot_id": talk.slot_id,
                "kind": talk.kind,
                "title": talk.title,
                "speaker": talk.speaker_name,
                "role": talk.speaker_role,
                "organisation": talk.organisation,
                "figures": talk.figures,
                "starts_at": when[0].isoformat(timespec="minutes") if when else None,
                "ends_at": when[1].isoformat(timespec="minutes") if when else None,
                "starts": _instant(when[0], event.timezone) if when else None,
                "ends": _instant(when[1], event.timezone) if when else None,
            }
        )
    return view


def talks_changed(event):
    """Tell every live page the programme of talks changed (after commit)."""
    record(event, "talks_updated", {"talks": talks_view(event)})


def move(talk, offset):
    """Move a talk one place earlier (-1) or later (+1) in its slot's programme."""
    if talk.slot_id is None or offset not in (-1, 1):
        return talk
    order = db.session.scalars(
        select(Talk).where(Talk.slot_id == talk.slot_id).order_by(Talk.position, Talk.id)
    ).all()
    index = order.index(talk)
    other = index + offset
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        for position, each in enumerate(order):
            each.position = position
        db.session.flush()
        talks_changed(db.session.get(Event, talk.event_id))
    return talk
