"""Moderation without JavaScript: a facilitator removes someone (and may keep them
out); an organizer erases someone's personal data, or lets a removed person back in."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from barcamp import identity
from barcamp.errors import BarcampError, NotFound
from barcamp.extensions import db
from barcamp.forms import ConfirmForm
from barcamp.forms.participants import RemoveForm
from barcamp.models import Participant, Role, Topic, TopicStatus
from barcamp.routes.actions import run_operation
from barcamp.services import moderation
from barcamp.services.lookup import is_id

bp = Blueprint("moderation", __name__, url_prefix="/e/<code>/people")


def _visitor(role):
    visitor = identity.visitor(g.event)
    if not visitor.can(role):
        raise NotFound()  # like a wrong secret: reveals nothing
    return visitor


def _back():
    return redirect(url_for("facilitation.page") + "#people", code=303)


def _participant(participant_id):
    """The participant the address names, and None; or, for a form sent about someone
    gone from every event (removed from another page meanwhile), None and the way back
    to the list, saying so. Otherwise someone not in this event is a page not found."""
    try:
        return moderation.event_participant(g.event, participant_id), None
    except NotFound as gone:
        if request.method != "POST" or not is_id(participant_id):
            raise
        if db.session.get(Participant, participant_id) is not None:  # another event's
            raise
        flash(gone.message, "error")
        return None, _back()


def _render(template, visitor, participant, form, status=200):
    topics = db.session.scalar(
        db.select(db.func.count(Topic.id)).where(
            Topic.proposer_id == participant.id, Topic.status == TopicStatus.OPEN
        )
    )
    page = render_template(
        template,
        visitor=visitor,
        participant=participant,
        form=form,
        topics=topics,
        allowed=moderation.may_remove(visitor, participant),
    )
    return page, status


@bp.route("/<int:participant_id>/remove", methods=["GET", "POST"])
def remove(participant_id):
    """Ask, then remove a participant from the event."""
    visitor = _visitor(Role.FACILITATOR)
    participant, back = _participant(participant_id)
    if back:
        return back
    form = RemoveForm()
    if form.is_submitted():
        if form.validate():
            try:
                run_operation(
                    lambda: moderation.remove(
                        visitor,
                        participant_id,
                        hide_topics=form.topics.data == "hide",
                        ban=bool(form.ban.data),
                    )
                )
            except BarcampError as refusal:
                flash(refusal.message, "error")
            else:
                flash(
                    _("%(name)s is no longer in the event.", name=participant.display_name),
                    "success",
                )
            return _back()
        return _render(
            "moderation/remove.html", visitor, participant, form, status=form.failure_status
        )
    return _render("moderation/remove.html", visitor, participant, form)


@bp.route("/<int:participant_id>/erase", methods=["GET", "POST"])
def erase(participant_id):
    """Ask, then erase a participant's personal data (the organizer, on their request)."""
    visitor = _visitor(Role.ORGANIZER)
    participant, back = _participant(participant_id)
    if back:
        return back
    form = ConfirmForm()
    if form.is_submitted():
        if form.validate():
            name = participant.display_name
            try:
                run_operation(lambda: moderation.erase(visitor, participant_id))
            except BarcampError as refusal:
                flash(refusal.message, "error")
            else:
                flash(
                    _(
                        "The personal data of %(name)s has been erased: "
                        "what they wrote stays, under the name %(anonymous)s.",
                        name=name,
                        anonymous=participant.display_name,
                    ),
                    "success",
                )
            return _back()
        return _render(
            "moderation/erase.html", visitor, participant, form, status=form.failure_status
        )
    return _render("moderation/erase.html", visitor, participant, form)


@bp.post("/bans/<int:ban_id>/lift")
def lift_ban(ban_id):
    """Let a removed person join the event again."""
    visitor = _visitor(Role.ORGANIZER)
    form = ConfirmForm()
    if not form.validate():
        flash(form.csrf_token.errors[0], "error")
        return _back()
    try:
        name = run_operation(lambda: {"name": moderation.lift_ban(visitor, ban_id)})["name"]
    except BarcampError as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("%(name)s may join the event again.", name=name), "success")
    return _back()
