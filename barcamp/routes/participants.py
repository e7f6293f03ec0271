"""An event's home: join with a name, see who is here, rename, resume, leave."""

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from barcamp import identity
from barcamp.errors import NotFound, ValidationFailed
from barcamp.extensions import db
from barcamp.forms import ConfirmForm
from barcamp.forms.participants import DisplayNameForm
from barcamp.forms.topics import TopicActionForm, TopicForm
from barcamp.models import Participant
from barcamp.ratelimit import limiter
from barcamp.routes.links import external_url, leave_secret_link, without_trace
from barcamp.security import digest
from barcamp.services import moderation
from barcamp.services import participants as participant_service
from barcamp.services.snapshots import event_snapshot, topic_view
from barcamp.unit_of_work import unit_of_work

bp = Blueprint("participants", __name__, url_prefix="/e/<code>")


def render_home(
    visitor, *, join_form=None, rename_form=None, topic_form=None, similar=(), status=200
):
    """The event's page: the join form, or the live marketplace once joined. Only the
    forms the page shows are built (a page of arrivals is the busiest of the day)."""
    event = g.event
    participant = visitor.participant
    resume_secret = identity.resume_secret(event) if participant else None
    joined = participant is not None
    kept_out = not joined and moderation.is_kept_out(event, identity.resume_secrets(event))
    return render_template(
        "participants/home.html",
        visitor=visitor,
        kept_out=kept_out,
        snapshot=event_snapshot(event, participant),
        join_form=None if joined else join_form or DisplayNameForm(formdata=None),
        rename_form=(
            rename_form or DisplayNameForm(formdata=None, display_name=participant.display_name)
            if joined
            else None
        ),
        topic_form=topic_form or TopicForm(formdata=None) if joined else None,
        blank_topic_form=topic_form is None,
        similar=[topic_view(topic) for topic in similar],
        action_form=TopicActionForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None) if joined else None,
        resume_url=(
            external_url("participants.resume", secret=resume_secret) if resume_secret else None
        ),
    ), status


@bp.get("")
def home():
    """Join the event with a name, or, once joined, see who is here."""
    return render_home(identity.visitor(g.event))


@bp.post("/join")
def join():
    """Join the event under a display name; no account, no e-mail."""
    visitor = identity.visitor(g.event)
    if visitor.participant is not None:
        return redirect(url_for("participants.home"), code=303)
    if moderation.is_kept_out(g.event, identity.resume_secrets(g.event)):
        return render_home(visitor, status=403)
    form = DisplayNameForm()
    if form.validate():
        limiter.enforce("600/minute", "join", g.event.id, request.remote_addr)
        try:
            with unit_of_work():
                participant, secret = participant_service.join(
                    g.event, form.display_name.data, role=visitor.role or "attendee"
                )
        except ValidationFailed as failure:
            form.apply_errors(failure)
        else:
            identity.remember_participant(g.event, participant, secret)
            return redirect(url_for("participants.home"), code=303)
    return render_home(visitor, join_form=form, status=form.failure_status)


def _require_participant():
    visitor = identity.visitor(g.event)
    if visitor.participant is None:
        flash(_("Join the event first: type the name others will see."), "info")
        return None
    return visitor


def _confirmed_participant():
    """The participant pressing a button, if its form carries a valid token; else None,
    with a message saying why."""
    visitor = _require_participant()
    if visitor is None:
        return None
    form = ConfirmForm()
    if not form.validate():
        flash(form.csrf_token.errors[0], "error")
        return None
    return visitor


@bp.post("/me/name")
def rename():
    """Change the name others see."""
    visitor = _require_participant()
    if visitor is None:
        return redirect(url_for("participants.home"), code=303)
    form = DisplayNameForm()
    if form.validate():
        try:
            with unit_of_work():
                participant_service.rename(visitor.participant, form.display_name.data)
        except ValidationFailed as failure:
            form.apply_errors(failure)
        else:
            flash(_("Your name is now %(name)s.", name=visitor.participant.display_name), "success")
            return redirect(url_for("participants.home"), code=303)
    return render_home(visitor, rename_form=form, status=form.failure_status)


@bp.post("/me/resume-link")
def renew_resume_link():
    """Make a new personal link; the old one stops working."""
    visitor = _confirmed_participant()
    if visitor is not None:
        with unit_of_work():
            secret = participant_service.renew_resume_link(visitor.participant)
        identity.remember_participant(g.event, visitor.participant, secret)
        flash(_("Here is your new personal link. The old one no longer works."), "success")
    return redirect(url_for("participants.home", show="link") + "#resume", code=303)


@bp.post("/me/leave")
def leave():
    """Leave the event: your name disappears from it."""
    visitor = _confirmed_participant()
    if visitor is not None:
        with unit_of_work():
            participant_service.leave(visitor.participant)
        identity.forget_participant(g.event)
        flash(_("You have left the event. You can join again at any time."), "success")
    return redirect(url_for("participants.home"), code=303)


@bp.route("/resume/<secret>", methods=["GET", "POST"])
def resume(secret):
    """Continue as the same participant on this device, then hide the secret.

    A browser that already takes part as someone else is asked first (a button, with its
    security token): otherwise one click on another person's link, sent by anyone,
    would swap who this browser is without a word."""
    participant = _participant_by_secret(secret)
    if participant is None:
        if moderation.is_kept_out(g.event, [secret]):
            identity.remember_kept_out(g.event, secret)
            return leave_secret_link("participants.home")
        raise NotFound(_l("This personal link is not valid, or it has been replaced."))
    current = identity.visitor(g.event).participant
    asking = current is not None and current.id != participant.id
    form = ConfirmForm()
    if (request.method == "POST" and not form.validate()) or (request.method == "GET" and asking):
        page = render_template(
            "participants/resume_confirm.html",
            event=g.event,
            current=current,
            other=participant,
            form=form,
            secret=secret,
        )
        status = form.failure_status if request.method == "POST" else 200
        return without_trace(make_response(page, status))
    identity.remember_participant(g.event, participant, secret)
    flash(_("Welcome back, %(name)s.", name=participant.display_name), "success")
    return leave_secret_link("participants.home")


def _participant_by_secret(secret):
    return db.session.scalar(
        select(Participant).where(
            Participant.event_id == g.event.id,
            Participant.resume_key_digest == digest(secret),
        )
    )
