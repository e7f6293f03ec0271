"""Keeping an event civil, and people's data theirs: a facilitator removes a disruptive
participant (and may keep them out), an organizer erases someone's personal data on
request (GDPR), and lets a removed person back in.

A removed or erased person's open pages are closed at once (barcamp/live/closing.py):
the `removed` message sent to their tabs closes every socket that hears it.
"""

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from barcamp.changes import record, record_private
from barcamp.errors import Forbidden, NotFound, ValidationFailed
from barcamp.extensions import db
from barcamp.live import participant_room
from barcamp.models import (
    AppliedOperation,
    Ban,
    NoteEditor,
    NoteRevision,
    Participant,
    Role,
    Talk,
    TalkRevision,
    Topic,
    TopicStatus,
)
from barcamp.models._types import utcnow
from barcamp.security import digest, new_token
from barcamp.services import participants as participant_service
from barcamp.services.facilitation import require
from barcamp.services.lookup import is_id
from barcamp.services.snapshots import participant_view
from barcamp.services.topics import take_off_wall

# What the pages of a removed person are told, as their sockets close.
REMOVED = "removed"


def event_participant(event, participant_id):
    """The participant of this event with this id (404 otherwise, another event's too)."""
    participant = db.session.get(Participant, participant_id) if is_id(participant_id) else None
    if participant is None or participant.event_id != event.id:
        raise NotFound(_l("This person is not, or no longer, in the event."))
    return participant


def may_remove(visitor, participant):
    """Whether this visitor may remove this participant: a facilitator removes
    attendees, an organizer attendees and facilitators; nobody removes themselves (they
    leave) or someone of their own rank."""
    if not visitor.can(Role.FACILITATOR):
        return False
    if visitor.participant is not None and visitor.participant.id == participant.id:
        return False
    return visitor.role.rank > Role(participant.role).rank


def remove(visitor, participant_id, *, hide_topics=False, ban=False):
    """Remove a participant from the event: their votes, seats and questions go, their
    open pages close. The topics they proposed stay on the wall without them as host,
    or are hidden (`hide_topics`: their votes go back to the voters). With `ban`, the
    browser they used and their personal link may not join again."""
    require(visitor)
    event = visitor.event
    participant = event_participant(event, participant_id)
    if visitor.participant is not None and visitor.participant.id == participant.id:
        raise ValidationFailed(_l("You cannot remove yourself: leave the event from its page."))
    if not may_remove(visitor, participant):
        raise Forbidden(_l("Only an organizer can remove a facilitator or an organizer."))
    name = participant.display_name
    if hide_topics:
        for topic in db.session.scalars(
            select(Topic)
            .where(
                Topic.event_id == event.id,
                Topic.proposer_id == participant.id,
                Topic.status == TopicStatus.OPEN,
            )
            .order_by(Topic.id)
        ):
            take_off_wall(topic, TopicStatus.HIDDEN)
    if ban:
        db.session.add(
            Ban(event_id=event.id, key_digest=participant.resume_key_digest, display_name=name)
        )
    room = participant_room(participant.id)
    participant_service.leave(participant)
    record_private(event, room, REMOVED, {"banned": bool(ban)})
    return name


def is_kept_out(event, resume_secrets):
    """Whether a browser holding these personal-link secrets (see
    identity.resume_secrets) is kept out of the event: one of them was the link of
    someone removed and kept out."""
    digests = [digest(secret) for secret in resume_secrets if isinstance(secret, str)]
    if not digests:
        return False
    return (
        db.session.scalar(
            select(Ban.id).where(Ban.event_id == event.id, Ban.key_digest.in_(digests)).limit(1)
        )
        is not None
    )


def bans(event):
    return db.session.scalars(
        select(Ban).where(Ban.event_id == event.id).order_by(Ban.created_at, Ban.id)
    ).all()


def lift_ban(visitor, ban_id):
    """Let a removed person join again (the organizer's call); their old name is
    forgotten with the ban."""
    require(visitor, Role.ORGANIZER)
    ban = db.session.get(Ban, ban_id) if is_id(ban_id) else None
    if ban is None or ban.event_id != visitor.event.id:
        raise NotFound(_l("This person is no longer kept out of the event."))
    name = ban.display_name
    db.session.delete(ban)
    db.session.flush()
    return name


def anonymous_name(participant):
    """The name that replaces an erased person's, in the event's language."""
    with force_locale(participant.event.locale):
        return _("Anonymous %(number)d", number=participant.id)


def erase(visitor, participant_id):
    """Erase a participant's personal data at their request (GDPR, the organizer's
    call): their name is replaced everywhere it was kept (notes' history, the
    testimony pages' history, stored answers to their pages), their personal and
    calendar links stop working, their open pages close. What they contributed
    (topics, votes, seats, questions, notes) stays, under the anonymous name."""
    require(visitor, Role.ORGANIZER)
    event = visitor.event
    participant = event_participant(event, participant_id)
    if participant.erased_at is not None:
        raise ValidationFailed(_l("This person's data has already been erased."))
    old = participant.display_name
    new = anonymous_name(participant)
    participant.display_name = new
    participant.role = Role.ATTENDEE
    participant.resume_key_digest = digest(new_token())  # nobody holds this secret
    participant.calendar_key_digest = None
    participant.erased_at = utcnow()
    _replace_in_histories(event, participant, old, new)
    db.session.execute(
        delete(AppliedOperation).where(
            AppliedOperation.event_id == event.id,
            AppliedOperation.actor == f"participant:{participant.id}",
        )
    )
    # A ban kept under the same name (removed once, back under the same name) is theirs.
    db.session.execute(
        update(Ban)
        .where(Ban.event_id == event.id, Ban.display_name == old)
        .values(display_name=new)
    )
    db.session.flush()
    record(event, "participant_updated", {"participant": participant_view(participant)})
    record_private(event, participant_room(participant.id), REMOVED, {"banned": False})
    return old


def _replace_in_histories(event, participant, old, new):
    """Replace their name in the histories that keep names as they were then: the
    notes' revisions and the testimony pages' revisions. Found by their participant id
    (whatever name they had then); in revisions made before ids were kept, by their
    last name, a namesake's included: better one name too many than one left."""
    notes = select(NoteEditor.note_id).where(NoteEditor.participant_id == participant.id)
    revisions = db.session.scalars(
        select(NoteRevision).where(
            or_(NoteRevision.note_id.in_(notes), NoteRevision.created_by_id == participant.id)
        )
    )
    for revision in revisions:
        names, ids = list(revision.authors or []), revision.author_ids
        if ids is not None and len(ids) == len(names):
            pairs = zip(ids, names, strict=True)
            replaced = [new if i == participant.id else name for i, name in pairs]
        else:
            replaced = [new if name == old else name for name in names]
        if replaced != names:
            revision.authors = replaced
    talks = select(Talk.id).where(Talk.event_id == event.id)
    db.session.execute(
        update(TalkRevision)
        .where(
            TalkRevision.talk_id.in_(talks),
            or_(
                TalkRevision.author_id == participant.id,
                (TalkRevision.author_id.is_(None)) & (TalkRevision.author == old),
            ),
        )
        .values(author=new)
    )
