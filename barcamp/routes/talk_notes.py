"""A plenary talk's live notes: the same editor, history and guarantees as a
session's note (writing happens over Socket.IO, barcamp/sockets/notes.py)."""

from flask import Blueprint, Response, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from barcamp import identity
from barcamp.errors import NotFound
from barcamp.forms import ConfirmForm
from barcamp.models import Role
from barcamp.routes.notes import NotePages, member_note_action, note_for
from barcamp.services import notes
from barcamp.services import talks as talk_service

bp = Blueprint("talk_notes", __name__, url_prefix="/e/<code>/testimonies/<int:talk_id>")


def _talk(talk_id):
    """The talk (published, or a draft for facilitators) and who asks."""
    visitor = identity.visitor(g.event)
    talk = talk_service.event_talk(g.event, talk_id, drafts=visitor.can(Role.FACILITATOR))
    if talk is None:
        raise NotFound()
    return visitor, talk


def _pages(talk):
    return NotePages(
        title=talk.title,
        header="talks/_header.html",
        reading=url_for("talks.page", talk_id=talk.id) + "#notes",
        history=url_for("talk_notes.history", talk_id=talk.id),
        save=url_for("talk_notes.save_revision", talk_id=talk.id),
        restore=lambda number: url_for("talk_notes.restore", talk_id=talk.id, number=number),
        is_talk=True,
    )


@bp.get("/notes")
def editor(talk_id):
    """Write the talk's notes with the others, live; works offline and catches up."""
    visitor, talk = _talk(talk_id)
    if not visitor.is_member:
        flash(_("Join the event first: type the name others will see."), "info")
        return redirect(url_for("participants.home"), code=303)
    note = note_for(talk)
    return render_template(
        "notes/editor.html", visitor=visitor, talk=talk, note=note, note_pages=_pages(talk)
    )


@bp.get("/notes.md")
def markdown(talk_id):
    """The talk's notes as Markdown, read from their stored updates."""
    _visitor, talk = _talk(talk_id)
    note = note_for(talk)
    return Response(
        notes.stored_text(note),
        mimetype="text/markdown",
        headers={"Content-Disposition": f'inline; filename="talk-{talk.id}.md"'},
    )


@bp.get("/notes.html")
def html(talk_id):
    """The talk's notes as a web page of its own (nothing fetched)."""
    from barcamp.routes.exports import note_download

    _visitor, talk = _talk(talk_id)
    note = note_for(talk)
    about = ", ".join(part for part in (talk.speaker_name, talk.organisation) if part)
    return note_download(talk.title, about, notes.stored_text(note), f"talk-{talk.id}.html")


@bp.get("/notes/history")
def history(talk_id):
    """Revisions of the notes: when, why, by whom; each can be brought back."""
    visitor, talk = _talk(talk_id)
    note = note_for(talk)
    return render_template(
        "notes/history.html",
        visitor=visitor,
        talk=talk,
        note=note,
        note_pages=_pages(talk),
        revisions=notes.revisions(note),
        form=ConfirmForm(formdata=None),
    )


def _action(talk_id, action, done):
    visitor, talk = _talk(talk_id)
    back = url_for("talk_notes.history", talk_id=talk.id)
    return member_note_action(visitor, note_for(talk), action, done, back)


@bp.post("/notes/revisions")
def save_revision(talk_id):
    """Keep the notes as they are now."""

    def keep(visitor, note):
        notes.save_revision(note, visitor.participant)

    return _action(talk_id, keep, _("Revision kept."))


@bp.post("/notes/revisions/<int:number>/restore")
def restore(talk_id, number):
    """Bring a revision back, as a new change that everybody writing sees."""
    return _action(
        talk_id,
        lambda visitor, note: notes.restore(note, visitor.participant, number),
        _(
            "Revision %(number)d brought back; the text before is kept as a revision too.",
            number=number,
        ),
    )
