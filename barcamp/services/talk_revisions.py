"""A talk's page as it was at each save, with who saved it; an old one can be brought
back (as a new save: what it replaces stays in the history)."""

from sqlalchemy import func, select

from barcamp.errors import NotFound
from barcamp.extensions import db
from barcamp.models import Talk, TalkRevision
from barcamp.models.talk import SPEAKER_MAX

# What the speaker writes: the page. Its place in the programme is the organizers'.
PAGE_FIELDS = (
    "speaker_name",
    "speaker_role",
    "organisation",
    "link",
    "title",
    "summary",
    "figures",
    "lessons",
    "body",
)


def page_fields(talk):
    return {name: getattr(talk, name) for name in PAGE_FIELDS}


def keep(talk, author, author_id=None):
    """Keep the page as it is now, saved by `author` (a display name; `author_id`, the
    participant's id if one saved it), unless it is the same as the last revision. Call
    inside the unit of work, after the change."""
    # Writers of one talk take turns (a row lock on PostgreSQL; SQLite's write
    # transaction already does), so that two saves never take the same number.
    db.session.execute(select(Talk.id).where(Talk.id == talk.id).with_for_update())
    last = db.session.scalar(
        select(TalkRevision)
        .where(TalkRevision.talk_id == talk.id)
        .order_by(TalkRevision.number.desc())
        .limit(1)
    )
    fields = page_fields(talk)
    if last is not None and last.fields == fields:
        return last
    revision = TalkRevision(
        talk_id=talk.id,
        number=(last.number if last else 0) + 1,
        fields=fields,
        author=author[:SPEAKER_MAX],
        author_id=author_id,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def revisions(talk):
    """The talk's revisions, newest first."""
    return db.session.scalars(
        select(TalkRevision)
        .where(TalkRevision.talk_id == talk.id)
        .order_by(TalkRevision.number.desc())
    ).all()


def count(talk):
    return db.session.scalar(
        select(func.count()).select_from(TalkRevision).where(TalkRevision.talk_id == talk.id)
    )


def restore(talk, number, author, author_id=None):
    """Bring the page of revision `number` back; return the new revision."""
    found = db.session.scalar(
        select(TalkRevision).where(TalkRevision.talk_id == talk.id, TalkRevision.number == number)
    )
    if found is None:
        raise NotFound()
    for name in PAGE_FIELDS:
        if name in found.fields:
            setattr(talk, name, found.fields[name])
    db.session.flush()
    return keep(talk, author, author_id)
