"""Shared session notes: one Yjs document per session, co-written live.

Every update a browser sends is applied to the note's document, stored exactly as
received (deletions too) and committed before its sender hears "saved"; then it goes
to the others. A note is never rebuilt from text: its history lives only in the log,
which is merged into one update now and then. Plain-text revisions are kept at
intervals, on demand and on restore.
"""

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pycrdt import merge_updates
from sqlalchemy import delete, func, select

from barcamp.errors import BarcampError, Forbidden, NotFound
from barcamp.extensions import db
from barcamp.models import (
    Note,
    NoteEditor,
    NoteRevision,
    NoteUpdate,
    Participant,
    RevisionReason,
    Session,
    SessionRole,
    SessionRoleKind,
    Talk,
    Topic,
    TopicStatus,
)
from barcamp.models._types import utcnow
from barcamp.models.note import EPOCH_LENGTH
from barcamp.services.lookup import is_id
from barcamp.services.note_documents import documents, new_document
from barcamp.services.participants import lock_participant

STATE_VECTOR_MAX = 64 * 1024


class InvalidUpdate(BarcampError):
    status = 422
    code = "invalid_update"
    default_message = _l("This change to the note could not be read; it was not saved.")


class NoteTooLarge(BarcampError):
    status = 413
    code = "note_too_large"
    default_message = _l(
        "The note would be too long: the last change was not saved. Copy what you need, "
        "then drop your unsaved changes."
    )


# ---------- finding the note of a session ----------


def session_topic(event, topic_id):
    """The topic of a session of this event: on the grid now, or with a note already."""
    topic = db.session.get(Topic, topic_id) if is_id(topic_id) else None
    if topic is None or topic.event_id != event.id:
        raise NotFound()
    placed = db.session.scalar(select(Session).where(Session.topic_id == topic.id))
    if placed is None and note_of(topic) is None:
        raise NotFound()
    return topic, placed


def note_of(subject):
    """The note of a session's topic or of a plenary talk, or None."""
    if isinstance(subject, Talk):
        return db.session.scalar(select(Note).where(Note.talk_id == subject.id))
    return db.session.scalar(select(Note).where(Note.topic_id == subject.id))


def note_by_id(event, note_id):
    """A note of this event (another event's notes do not exist for its people)."""
    note = db.session.get(Note, note_id) if is_id(note_id) else None
    if note is None or note.event_id != event.id:
        raise NotFound(_l("This note does not exist."))
    return note


# A writer's caret, as y-protocols' awareness carries it: {anchor, head}, each a Yjs
# relative position {type, tname, item, assoc} (JSON). Only passed on, never stored.
_YJS_ID = {"client", "clock"}
_POSITION_KEYS = {"type", "tname", "item", "assoc"}
_SAFE_INT = 2**53  # what a JavaScript number holds exactly


def _counter(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _SAFE_INT


def _position(value):
    if not isinstance(value, dict) or not set(value) <= _POSITION_KEYS:
        return False
    for key in ("type", "item"):
        ident = value.get(key)
        if ident is not None and not (
            isinstance(ident, dict)
            and set(ident) == _YJS_ID
            and all(_counter(part) for part in ident.values())
        ):
            return False
    tname = value.get("tname")
    if tname is not None and not (isinstance(tname, str) and len(tname) <= 64):
        return False
    assoc = value.get("assoc", 0)
    return isinstance(assoc, int) and not isinstance(assoc, bool) and -1 <= assoc <= 1


def caret(client, clock, cursor):
    """A writer's caret to pass on to the others: (client, clock, cursor), cursor None
    when they have left the text. Anything else is refused."""
    if not (_counter(client) and _counter(clock)):
        raise BarcampError(code="invalid")
    if cursor is not None and not (
        isinstance(cursor, dict)
        and set(cursor) == {"anchor", "head"}
        and _position(cursor["anchor"])
        and _position(cursor["head"])
    ):
        raise BarcampError(code="invalid")
    return client, clock, cursor


def template(subject):
    """The starting text, in the event's language: for a session, what was said, what
    was decided, what must be done (with who does it) apart from what must be read; for
    a talk, what was said and the room's questions with their answers."""
    if isinstance(subject, Talk):
        return _talk_template(subject)
    topic = subject
    with force_locale(topic.event.locale):
        headings = [
            _("Participants"),
            _("Key points"),
            _("Decisions"),
            _("To do (action, who does it, by when)"),
            _("To read (links, references)"),
        ]
    sections = [f"# {topic.title}"]
    sections += [f"## {heading}\n- " for heading in headings]
    sections[-2] += "[ ] "  # a task list: an action, its owner, its date
    return "\n\n".join(sections) + "\n"


def _talk_template(talk):
    with force_locale(talk.event.locale):
        headings = [
            _("Key points"),
            _("Questions from the room, and the answers"),
            _("To read (links, references)"),
        ]
    sections = [f"# {talk.title} — {talk.speaker_name}"]
    sections += [f"## {heading}\n- " for heading in headings]
    return "\n\n".join(sections) + "\n"


def create_note(subject):
    """Make the note of a session (its topic) or of a talk with its template, stored
    once as its first update. Call inside the unit of work; the caller handles a
    concurrent creation."""
    doc, body = new_document()
    body += template(subject)
    is_talk = isinstance(subject, Talk)
    note = Note(
        event_id=subject.event_id,
        topic_id=None if is_talk else subject.id,
        talk_id=subject.id if is_talk else None,
        epoch=secrets.token_urlsafe(EPOCH_LENGTH)[:EPOCH_LENGTH],
        text=str(body),
    )
    db.session.add(note)
    db.session.flush()
    db.session.add(NoteUpdate(note_id=note.id, data=doc.get_update()))
    return note


# ---------- live editing ----------


def _as_bytes(value, limit, error):
    if isinstance(value, bytearray | memoryview):
        value = bytes(value)
    if not isinstance(value, bytes) or not value:
        raise error()
    if len(value) > limit:
        raise NoteTooLarge()
    return value


def _unreadable(error):
    """pycrdt refuses a malformed update with ValueError, or with a Rust panic (a
    BaseException named PanicException); both mean: not a valid update."""
    return isinstance(error, ValueError) or type(error).__name__ == "PanicException"


def _lock_note(note_id):
    """Serialize writers of one note across processes (PostgreSQL row lock; SQLite's
    write transaction already does), so that update ids commit in order."""
    note = db.session.scalar(select(Note).where(Note.id == note_id).with_for_update())
    if note is None:
        raise NotFound(_l("This note does not exist."))
    return note


def join(note, state_vector):
    """What a (re)connecting client lacks, and the server's state vector so that the
    client can send back what the server lacks."""
    state_vector = _as_bytes(state_vector, STATE_VECTOR_MAX, InvalidUpdate)
    hub = documents()
    with hub.lock(note.id):
        live = hub.current(note)
        try:
            missing = live.doc.get_update(state_vector)
        except BaseException as error:
            if not _unreadable(error):
                raise
            raise InvalidUpdate() from None
        return {"epoch": note.epoch, "update": missing, "sv": live.doc.get_state()}


def receive(note, participant, data):
    """Apply one update from a browser and store it. Call inside the unit of work, which
    commits before the sender is acknowledged. A refused update leaves nothing stored
    and the cached document is rebuilt from the log."""
    config = current_app.config
    data = _as_bytes(data, config["NOTE_UPDATE_MAX"], InvalidUpdate)
    hub = documents()
    with hub.lock(note.id):
        try:
            note = _lock_note(note.id)
            live = hub.current(note)
            try:
                hub.apply(live, note.id, data, stored=False)
            except BaseException as error:
                if not _unreadable(error):
                    raise
                raise InvalidUpdate() from None
            text = str(live.body)
            if (
                len(text) > config["NOTE_TEXT_MAX"]
                or len(live.doc.get_update()) > config["NOTE_STATE_MAX"]
            ):
                raise NoteTooLarge()
            _store(note, live, data)
            _written(note, participant, text)
            if live.rows > config["NOTE_COMPACT_AFTER"]:
                _compact(note, live)
        except BaseException:
            hub.forget(note.id)
            raise


def _store(note, live, data):
    """Append an update, already applied to the live document, to the note's log."""
    row = NoteUpdate(note_id=note.id, data=data)
    db.session.add(row)
    db.session.flush()
    live.last_row_id = row.id
    live.rows += 1


def _written(note, participant, text):
    now = utcnow()
    changed = text != note.text
    note.text = text
    note.updated_at = now
    if participant is not None and changed:
        editor = db.session.scalar(
            select(NoteEditor).where(
                NoteEditor.note_id == note.id, NoteEditor.participant_id == participant.id
            )
        )
        if editor is None:
            db.session.add(NoteEditor(note_id=note.id, participant_id=participant.id))
        else:
            editor.last_edit_at = now
    last = last_revision(note)
    since = last.created_at if last else note.created_at
    interval = timedelta(seconds=current_app.config["NOTE_REVISION_INTERVAL"])
    if changed and now - since >= interval:
        _add_revision(note, RevisionReason.AUTO, None, last)


def _compact(note, live):
    """Merge every stored update of the note into one, in the same transaction. The
    rows are merged as bytes, so updates still waiting for a missing one are kept."""
    rows = db.session.execute(
        select(NoteUpdate.id, NoteUpdate.data)
        .where(NoteUpdate.note_id == note.id)
        .order_by(NoteUpdate.id)
    ).all()
    merged = NoteUpdate(note_id=note.id, data=merge_updates(*(data for _, data in rows)))
    db.session.execute(delete(NoteUpdate).where(NoteUpdate.id.in_([row_id for row_id, _ in rows])))
    db.session.add(merged)
    db.session.flush()
    live.last_row_id = merged.id
    live.rows = 1


def stored_text(note):
    """The note's text rebuilt from its stored updates alone (what an export reads),
    merged into one update first (see note_documents on why)."""
    log = list(
        db.session.scalars(
            select(NoteUpdate.data).where(NoteUpdate.note_id == note.id).order_by(NoteUpdate.id)
        )
    )
    doc, body = new_document()
    if log:
        doc.apply_update(merge_updates(*log) if len(log) > 1 else log[0])
    return str(body)


def stored_rows(note):
    return db.session.scalar(select(func.count()).where(NoteUpdate.note_id == note.id))


# ---------- revisions ----------


def last_revision(note):
    return db.session.scalar(
        select(NoteRevision)
        .where(NoteRevision.note_id == note.id)
        .order_by(NoteRevision.number.desc())
        .limit(1)
    )


def revisions(note):
    return db.session.scalars(
        select(NoteRevision)
        .where(NoteRevision.note_id == note.id)
        .order_by(NoteRevision.number.desc())
    ).all()


def _authors_since(note, since):
    """Who wrote in the note since `since`: [(participant id, name)], by last edit."""
    query = (
        select(Participant.id, Participant.display_name)
        .join(NoteEditor, NoteEditor.participant_id == Participant.id)
        .where(NoteEditor.note_id == note.id)
        .order_by(NoteEditor.last_edit_at)
    )
    if since is not None:
        query = query.where(NoteEditor.last_edit_at > since)
    return [tuple(row) for row in db.session.execute(query)]


def _add_revision(note, reason, participant, last=None, restored_from=None):
    last = last if last is not None else last_revision(note)
    authors = _authors_since(note, last.created_at if last else None)
    revision = NoteRevision(
        note_id=note.id,
        number=(last.number if last else 0) + 1,
        text=note.text,
        reason=reason,
        authors=[name for _id, name in authors],
        author_ids=[author_id for author_id, _name in authors],
        restored_from=restored_from,
        created_by_id=participant.id if participant else None,
    )
    db.session.add(revision)
    return revision


def save_revision(note, participant):
    """Keep the note's text now as a revision (unless it is the last one already)."""
    with documents().lock(note.id):
        note = _lock_note(note.id)
        last = last_revision(note)
        if last is not None and last.text == note.text:
            return last
        return _add_revision(note, RevisionReason.MANUAL, participant, last)


def settle(note):
    """Keep a revision when the last writer leaves, if the text changed since the last."""
    with documents().lock(note.id):
        note = _lock_note(note.id)
        last = last_revision(note)
        # A note never written in needs no revision.
        if (last.text if last else template(note.subject)) != note.text:
            _add_revision(note, RevisionReason.AUTO, None, last)


def revision(note, number):
    found = db.session.scalar(
        select(NoteRevision).where(NoteRevision.note_id == note.id, NoteRevision.number == number)
    )
    if found is None:
        raise NotFound(_l("This revision does not exist."))
    return found


def restore(note, participant, number):
    """Bring back a revision's text as a new edit of the live note (never by rebuilding
    the note: people writing now keep their copy and get the change like any other).
    Returns the update to broadcast."""
    hub = documents()
    with hub.lock(note.id):
        try:
            note = _lock_note(note.id)
            old = revision(note, number)
            last = last_revision(note)
            if last is None or last.text != note.text:  # keep what is replaced
                _add_revision(note, RevisionReason.AUTO, None, last)
                db.session.flush()
            live = hub.current(note)
            before = live.doc.get_state()
            replace_text(live.body, old.text)
            data = live.doc.get_update(before)
            _store(note, live, data)
            _written(note, participant, str(live.body))
            _add_revision(note, RevisionReason.RESTORE, participant, restored_from=number)
            return data
        except BaseException:
            hub.forget(note.id)
            raise


def replace_text(body, new):
    """Change a Y.Text into `new` by one deletion and one insertion around the common
    start and end, so that concurrent edits elsewhere survive. (pycrdt counts positions
    in UTF-8 bytes.)"""
    old = str(body)
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    at = len(old[:start].encode())
    removed = len(old[start : len(old) - end].encode())
    with body.doc.transaction():
        if removed:
            del body[at : at + removed]
        if len(new) - end > start:
            body.insert(at, new[start : len(new) - end])


# ---------- roles in a session ----------


ROLE_LABELS = {
    SessionRoleKind.FACILITATOR: lazy_pgettext("session role", "Facilitator"),
    SessionRoleKind.NOTE_TAKER: lazy_pgettext("session role", "Note-taker"),
}


def take_role(topic, participant, kind, taking=True):
    """Take (or give up) the facilitator or note-taker role of a session."""
    if participant is None:
        raise Forbidden(_l("Join the event first: type the name others will see."))
    if kind not in set(SessionRoleKind):
        raise NotFound()
    if topic.status != TopicStatus.OPEN:
        raise NotFound()
    lock_participant(participant)
    held = db.session.scalar(
        select(SessionRole).where(
            SessionRole.topic_id == topic.id,
            SessionRole.participant_id == participant.id,
            SessionRole.kind == kind,
        )
    )
    if taking and held is None:
        db.session.add(
            SessionRole(
                event_id=topic.event_id,
                topic_id=topic.id,
                participant_id=participant.id,
                kind=kind,
            )
        )
    elif not taking and held is not None:
        db.session.delete(held)


def roles_by_topic(event):
    """{topic id: {kind: [display names]}} for every session of the event."""
    found = {}
    rows = db.session.execute(
        select(SessionRole.topic_id, SessionRole.kind, Participant.display_name)
        .join(Participant, Participant.id == SessionRole.participant_id)
        .where(SessionRole.event_id == event.id)
        .order_by(SessionRole.id)
    )
    for topic_id, kind, name in rows:
        found.setdefault(topic_id, {}).setdefault(kind, []).append(name)
    return found


def my_roles(topic, participant):
    if participant is None:
        return set()
    return set(
        db.session.scalars(
            select(SessionRole.kind).where(
                SessionRole.topic_id == topic.id, SessionRole.participant_id == participant.id
            )
        )
    )
