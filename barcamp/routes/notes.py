"""A session's page, its shared note (editor, reading view, history) and the roles
people take in it. Writing happens over Socket.IO (barcamp/sockets/notes.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from barcamp import identity
from barcamp.errors import BarcampError, NotFound
from barcamp.forms import ConfirmForm
from barcamp.forms.notes import SessionRoleForm
from barcamp.live import presence, send_note_update
from barcamp.markdown import render
from barcamp.models import Role, SessionRoleKind
from barcamp.services import notes, talks
from barcamp.unit_of_work import unit_of_work

bp = Blueprint("notes", __name__, url_prefix="/e/<code>/sessions/<int:topic_id>")


def _session(topic_id):
    """The topic and its session (None if off the grid now); the grid's sessions are
    seen once published, by facilitators before."""
    visitor = identity.visitor(g.event)
    topic, placed = notes.session_topic(g.event, topic_id)
    if placed is not None and not (g.event.schedule_published_at or visitor.can(Role.FACILITATOR)):
        raise NotFound()
    return visitor, topic, placed


def note_for(subject):
    """The note of a session's topic or of a talk, made from its template the first
    time it is asked for."""
    note = notes.note_of(subject)
    if note is not None:
        return note
    try:
        with unit_of_work():
            note = notes.create_note(subject)
    except IntegrityError:  # made at the same moment by someone else
        note = notes.note_of(subject)
    return note


@dataclass(frozen=True)
class NotePages:
    """Where a note's pages are, for the editor and history templates (a session's
    note and a talk's share them)."""

    title: str
    header: str  # the template of the title block
    reading: str
    history: str
    save: str
    restore: Callable[[int], str]
    is_talk: bool = False


def _pages(topic):
    return NotePages(
        title=topic.title,
        header="notes/_header.html",
        reading=url_for("notes.page", topic_id=topic.id) + "#note",
        history=url_for("notes.history", topic_id=topic.id),
        save=url_for("notes.save_revision", topic_id=topic.id),
        restore=lambda number: url_for("notes.restore", topic_id=topic.id, number=number),
    )


@bp.get("")
def page(topic_id):
    """The session: when and where, who hosts, facilitates and takes notes, and the
    note as it reads now."""
    visitor, topic, placed = _session(topic_id)
    note = note_for(topic)
    return render_template(
        "notes/session.html",
        visitor=visitor,
        topic=topic,
        session=placed,
        note=note,
        # Under the page's h1 (the topic) and the notes' h2: its "# …" is an h3.
        note_html=render(note.text, shift=2),
        editors=presence.names(note.id),
        roles=notes.roles_by_topic(g.event).get(topic_id, {}),
        my_roles=notes.my_roles(topic, visitor.participant),
        role_kinds=list(SessionRoleKind),
        form=SessionRoleForm(formdata=None),
        echoes=talks.echoing(topic),
    )


@bp.get("/note")
def editor(topic_id):
    """Write in the note with the others, live; works offline and catches up."""
    visitor, topic, placed = _session(topic_id)
    if not visitor.is_member:
        flash(_("Join the event first: type the name others will see."), "info")
        return redirect(url_for("participants.home"), code=303)
    note = note_for(topic)
    return render_template(
        "notes/editor.html",
        visitor=visitor,
        topic=topic,
        session=placed,
        note=note,
        note_pages=_pages(topic),
    )


@bp.get("/note.md")
def markdown(topic_id):
    """The note as Markdown, read from its stored updates."""
    _visitor, topic, _placed = _session(topic_id)
    note = note_for(topic)
    return Response(
        notes.stored_text(note),
        mimetype="text/markdown",
        headers={"Content-Disposition": f'inline; filename="note-{topic.id}.md"'},
    )


@bp.get("/note.html")
def html(topic_id):
    """The note as a web page of its own, to keep or send (nothing fetched)."""
    from barcamp.routes.exports import note_download

    _visitor, topic, placed = _session(topic_id)
    note = note_for(topic)
    about = (
        f"{placed.room.name} · {placed.slot.starts_at:%H:%M}–{placed.slot.ends_at:%H:%M}"
        if placed
        else ""
    )
    return note_download(topic.title, about, notes.stored_text(note), f"note-{topic.id}.html")


@bp.get("/note/history")
def history(topic_id):
    """Revisions: when, why, by whom; each can be brought back."""
    visitor, topic, placed = _session(topic_id)
    note = note_for(topic)
    return render_template(
        "notes/history.html",
        visitor=visitor,
        topic=topic,
        session=placed,
        note=note,
        note_pages=_pages(topic),
        revisions=notes.revisions(note),
        form=ConfirmForm(formdata=None),
    )


def _member_action(topic_id, action, done):
    visitor, topic, _placed = _session(topic_id)
    return member_note_action(
        visitor, note_for(topic), action, done, url_for("notes.history", topic_id=topic_id)
    )


def member_note_action(visitor, note, action, done, back):
    """Run `action(visitor, note)` for a member, flash `done`; an update it returns is
    passed on to the people writing the note. Then 303 to `back`."""
    form = ConfirmForm()
    if not visitor.is_member:
        flash(_("Join the event first: type the name others will see."), "error")
    elif not form.validate():
        flash(form.csrf_token.errors[0], "error")
    else:
        try:
            with unit_of_work():
                update = action(visitor, note)
        except BarcampError as refusal:
            flash(refusal.message, "error")
        else:
            if update is not None:  # a change to the text: to the people writing it
                send_note_update(note.id, update)
            flash(done, "success")
    return redirect(back, code=303)


@bp.post("/note/revisions")
def save_revision(topic_id):
    """Keep the note as it is now."""

    def keep(visitor, note):
        notes.save_revision(note, visitor.participant)

    return _member_action(topic_id, keep, _("Revision kept."))


@bp.post("/note/revisions/<int:number>/restore")
def restore(topic_id, number):
    """Bring a revision back, as a new change that everybody writing sees."""
    return _member_action(
        topic_id,
        lambda visitor, note: notes.restore(note, visitor.participant, number),
        _(
            "Revision %(number)d brought back; the text before is kept as a revision too.",
            number=number,
        ),
    )


@bp.post("/roles")
def role(topic_id):
    """Take or give up the facilitator or note-taker role of the session."""
    visitor, topic, _placed = _session(topic_id)
    form = SessionRoleForm()
    if not form.validate():
        flash(form.csrf_token.errors[0], "error")
    else:
        taking = form.taking.data != "false"
        try:
            with unit_of_work():
                notes.take_role(topic, visitor.participant, form.kind.data, taking)
        except BarcampError as refusal:
            flash(refusal.message, "error")
        else:
            label = notes.ROLE_LABELS.get(form.kind.data, "")
            flash(
                _("You took the role: %(role)s.", role=label)
                if taking
                else _("You gave up this role."),
                "success",
            )
    return redirect(url_for("notes.page", topic_id=topic_id) + "#roles", code=303)
