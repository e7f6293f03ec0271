"""Talks in the plenaries: the list, a speaker's page, and the organizers' form."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from barcamp import identity
from barcamp.errors import NotFound, ValidationFailed
from barcamp.forms import ConfirmForm
from barcamp.forms.questions import QuestionActionForm, QuestionForm
from barcamp.forms.talks import TalkForm
from barcamp.live import presence
from barcamp.markdown import render as render_markdown
from barcamp.models import Role, SlotKind, TopicStatus
from barcamp.routes.links import external_url, leave_secret_link
from barcamp.security import digest, matches, new_token
from barcamp.services import notes, questions, talk_revisions
from barcamp.services import talks as talk_service
from barcamp.unit_of_work import unit_of_work

bp = Blueprint("talks", __name__, url_prefix="/e/<code>/testimonies")


def _may_edit(visitor):
    return visitor.can(Role.FACILITATOR)


def _is_speaker(talk):
    """This browser opened the talk's current speaker link."""
    return matches(identity.speaker_secret(g.event, talk.id), talk.speaker_key_digest)


def _editor():
    visitor = identity.visitor(g.event)
    if not _may_edit(visitor):
        raise NotFound()  # like a wrong secret: reveals nothing
    return visitor


def _confirmed_talk(talk_id):
    """For an organizer's button on a talk: (visitor, talk), the button's token checked."""
    visitor = _editor()
    if not ConfirmForm().validate():
        abort(400)
    talk = talk_service.event_talk(g.event, talk_id, drafts=True)
    if talk is None:
        raise NotFound()
    return visitor, talk


def _talk_editor(talk_id):
    """A facilitator, or the talk's speaker through their link: (visitor, talk, places
    it), where only facilitators place a talk in the programme."""
    visitor = identity.visitor(g.event)
    talk = talk_service.event_talk(g.event, talk_id, drafts=True)
    if talk is None or not (_may_edit(visitor) or _is_speaker(talk)):
        raise NotFound()
    return visitor, talk, _may_edit(visitor)


@bp.get("")
def index():
    """The plenaries' talks, in programme order (drafts too, for organizers)."""
    visitor = identity.visitor(g.event)
    talks = talk_service.event_talks(g.event, drafts=_may_edit(visitor))
    return render_template(
        "talks/index.html",
        visitor=visitor,
        talks=talks,
        times=talk_service.programmes(talks),
        move_form=ConfirmForm(formdata=None),
        may_edit=_may_edit(visitor),
    )


@bp.post("/<int:talk_id>/move")
def move(talk_id):
    """Move a talk one place earlier (`offset`=-1) or later (1) in its plenary."""
    _, talk = _confirmed_talk(talk_id)
    offset = -1 if request.form.get("offset") == "-1" else 1
    with unit_of_work():
        talk_service.move(talk, offset)
    return redirect(url_for("talks.index") + f"#talk-{talk.id}", code=303)


@bp.get("/<int:talk_id>")
def page(talk_id):
    """A speaker's page: who, the project, key figures, lessons, the talk in full; its
    live notes and the room's questions."""
    return talk_page(talk_id)


def talk_page(talk_id, *, question_form=None, status=200):
    visitor = identity.visitor(g.event)
    talk = talk_service.event_talk(g.event, talk_id, drafts=True)
    if talk is None or not (talk.published or _may_edit(visitor) or _is_speaker(talk)):
        raise NotFound()
    return _page(visitor, talk, question_form=question_form), status


def _page(visitor, talk, speaker_link=None, question_form=None):
    note = notes.note_of(talk)
    moderates = _may_edit(visitor)
    written = note is not None and note.text != notes.template(talk)
    return render_template(
        "talks/page.html",
        # Under the page's h1 (the talk) and the notes' h2; the talk's own text under h1.
        note_html=render_markdown(note.text, shift=2) if written else None,
        note_editors=presence.names(note.id) if note is not None else [],
        visitor=visitor,
        talk=talk,
        when=talk_service.programme(talk),
        body=render_markdown(talk.body, shift=1),
        may_edit=_may_edit(visitor),
        is_speaker=_is_speaker(talk),
        publish_form=ConfirmForm(formdata=None),
        speaker_link=speaker_link,
        questions=(
            questions.moderation_list(talk) if moderates else questions.room_questions(talk)
        ),
        upvoted=set(questions.upvoted_ids(visitor.participant)) if visitor.participant else set(),
        question_form=question_form or QuestionForm(formdata=None),
        action_form=QuestionActionForm(formdata=None),
    )


@bp.get("/<int:talk_id>/speaker/<secret>")
def open_speaker_link(talk_id, secret):
    """The speaker's link: this browser may now write the talk's page (no account)."""
    talk = talk_service.event_talk(g.event, talk_id, drafts=True)
    if talk is None or not matches(secret, talk.speaker_key_digest):
        raise NotFound(_l("This link is not valid, or it has been replaced by a new one."))
    identity.remember_speaker_link(g.event, talk.id, secret)
    return leave_secret_link("talks.edit", talk_id=talk.id)


@bp.post("/<int:talk_id>/speaker-link")
def new_speaker_link(talk_id):
    """Make the speaker's link (a new one replaces the old, which stops working); shown
    this once, to copy and send."""
    visitor, talk = _confirmed_talk(talk_id)
    secret = new_token()
    with unit_of_work():
        talk_service.set_speaker_key(talk, digest(secret))
    link = external_url("talks.open_speaker_link", talk_id=talk.id, secret=secret)
    response = _page(visitor, talk, speaker_link=link)
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a talk: its page starts as a draft."""
    visitor = _editor()
    form = _form()
    if not form.is_submitted():
        return _edit_page(visitor, form, None)
    if form.validate():
        try:
            with unit_of_work():
                talk = talk_service.create_talk(g.event, _fields(form))
                talk_revisions.keep(talk, *_author(visitor, talk))
        except ValidationFailed as failure:
            form.apply_errors(failure)
        else:
            return redirect(url_for("talks.page", talk_id=talk.id), code=303)
    return _edit_page(visitor, form, None, form.failure_status)


@bp.route("/<int:talk_id>/edit", methods=["GET", "POST"])
def edit(talk_id):
    """Change a talk's page or its place in the programme."""
    visitor, talk, places = _talk_editor(talk_id)
    form = _form(talk)
    if not form.is_submitted():
        return _edit_page(visitor, form, talk, places=places)
    if form.validate():
        fields = _fields(form)
        if not places:  # a speaker writes their page; the programme is the organizers'
            fields.kind, fields.minutes, fields.slot_id = talk.kind, talk.minutes, talk.slot_id
        try:
            with unit_of_work():
                talk_service.update_talk(talk, fields)
                talk_revisions.keep(talk, *_author(visitor, talk))
        except ValidationFailed as failure:
            form.apply_errors(failure)
        else:
            return redirect(url_for("talks.page", talk_id=talk.id), code=303)
    return _edit_page(visitor, form, talk, form.failure_status, places=places)


@bp.post("/<int:talk_id>/publish")
def publish(talk_id):
    """Publish the page, or take it back to a draft (`published`: 1 or 0)."""
    _, talk = _confirmed_talk(talk_id)
    with unit_of_work():
        talk_service.set_published(talk, request.form.get("published") == "1")
    return redirect(url_for("talks.page", talk_id=talk.id), code=303)


def _author(visitor, talk):
    """Who saves a talk's page, as its history names them: their name in the event,
    else their role; the speaker through their link is marked so. With the
    participant's id when one saves it: (name, id or None)."""
    author_id = visitor.participant.id if visitor.participant is not None else None
    if visitor.participant is not None:
        name = visitor.participant.display_name
    elif visitor.can(Role.ORGANIZER):
        name = _("Organizer")
    elif visitor.can(Role.FACILITATOR):
        name = _("Facilitator")
    else:
        name = talk.speaker_name
    if not _may_edit(visitor):
        return _("%(name)s (speaker)", name=name), author_id
    return name, author_id


@bp.get("/<int:talk_id>/history")
def history(talk_id):
    """The page's revisions: when, by whom, what it said; each can be brought back."""
    visitor, talk, _places = _talk_editor(talk_id)
    return render_template(
        "talks/history.html",
        visitor=visitor,
        talk=talk,
        revisions=talk_revisions.revisions(talk),
        form=ConfirmForm(formdata=None),
    )


@bp.post("/<int:talk_id>/history/<int:number>/restore")
def restore(talk_id, number):
    """Bring a revision of the page back, as a new revision."""
    visitor, talk, _places = _talk_editor(talk_id)
    if not ConfirmForm().validate():
        abort(400)
    with unit_of_work():
        talk_revisions.restore(talk, number, *_author(visitor, talk))
    flash(
        _(
            "Revision %(number)d brought back; the page before is kept as a revision too.",
            number=number,
        ),
        "success",
    )
    return redirect(url_for("talks.history", talk_id=talk.id), code=303)


def _form(talk=None):
    event = g.event
    form = TalkForm(obj=talk) if talk is not None else TalkForm()
    form.slot_id.choices = [("", _("Not placed yet"))] + [
        (
            str(slot.id),
            f"{slot.label or _('Plenary')} · {slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}",
        )
        for slot in sorted(event.slots, key=lambda s: s.starts_at)
        if slot.kind == SlotKind.PLENARY
    ]
    form.topic_ids.choices = [
        (topic.id, topic.title) for topic in event.topics if topic.status == TopicStatus.OPEN
    ]
    if talk is not None and not form.is_submitted():
        form.slot_id.data = str(talk.slot_id) if talk.slot_id else ""
        form.topic_ids.data = [topic.id for topic in talk.topics]
        form.figures.data = "\n".join(f"{label}: {value}" for label, value in talk.figures)
        form.lessons.data = "\n".join(talk.lessons)
    return form


def _fields(form):
    slot = form.slot_id.data
    return talk_service.TalkFields(
        speaker_name=form.speaker_name.data,
        title=form.title.data,
        kind=form.kind.data,
        speaker_role=form.speaker_role.data,
        organisation=form.organisation.data,
        link=form.link.data,
        summary=form.summary.data,
        figures=form.figure_rows(),
        lessons=form.lesson_items(),
        body=form.body.data,
        minutes=form.minutes.data,
        slot_id=int(slot) if slot and slot.isdigit() else None,
        topic_ids=form.topic_ids.data or [],
    )


def _edit_page(visitor, form, talk, status=200, *, places=True):
    page = render_template("talks/edit.html", visitor=visitor, form=form, talk=talk, places=places)
    return page, status
