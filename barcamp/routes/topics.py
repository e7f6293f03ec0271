"""The marketplace without JavaScript: propose, edit, withdraw, co-host, vote.
The live page sends the same actions over Socket.IO; both call the same services."""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from barcamp import identity
from barcamp.errors import BarcampError, NotFound, RateLimited, ValidationFailed
from barcamp.forms.topics import TopicActionForm, TopicForm
from barcamp.routes.actions import run_button, run_operation
from barcamp.routes.participants import render_home
from barcamp.services import topics as topic_service
from barcamp.services import voting
from barcamp.services.lookup import event_topic
from barcamp.services.topics import SimilarTopics
from barcamp.unit_of_work import unit_of_work

bp = Blueprint("topics", __name__, url_prefix="/e/<code>/topics")


def _wall(anchor="wall"):
    return redirect(url_for("participants.home") + f"#{anchor}", code=303)


def _participant():
    visitor = identity.visitor(g.event)
    if visitor.participant is None:
        flash(_("Join the event first: type the name others will see."), "info")
    return visitor


@bp.post("")
def propose():
    """Propose a topic; near-duplicates are shown first, to join one instead."""
    visitor = _participant()
    if visitor.participant is None:
        return _wall("join-title")
    form = TopicForm()
    similar, limited = [], False
    if form.validate():
        try:
            # Sent twice (a double click, a resent page): one topic, the same answer.
            ack = run_operation(
                lambda: {
                    "topic_id": topic_service.propose(
                        visitor.participant,
                        **form.fields(),
                        allow_similar=bool(form.allow_similar.data),
                    ).id
                }
            )
        except SimilarTopics as found:
            similar = found.topics
        except BarcampError as refusal:
            form.apply_errors(refusal)
            limited = isinstance(refusal, RateLimited)
        else:
            flash(_("Your topic is on the wall."), "success")
            return _wall(f"topic-{ack['topic_id']}")
    status = 409 if similar else 429 if limited else form.failure_status
    return render_home(visitor, topic_form=form, similar=similar, status=status)


def _topic_action(action, done_message=None):
    """Run a one-button action on a topic; refusals come back as a message."""
    visitor = identity.visitor(g.event)
    form = TopicActionForm()
    run_button(form, lambda: action(visitor, form.topic_id.data), done=done_message)
    return _wall(f"topic-{form.topic_id.data}" if form.topic_id.data else "wall")


def _as_participant(visitor):
    if visitor.participant is None:
        raise ValidationFailed(_("Join the event first: type the name others will see."))
    return visitor.participant


@bp.post("/vote")
def vote():
    """One more dot on a topic."""
    return _topic_action(lambda v, topic_id: voting.cast_vote(_as_participant(v), topic_id))


@bp.post("/unvote")
def unvote():
    """One dot back from a topic."""
    return _topic_action(lambda v, topic_id: voting.withdraw_vote(_as_participant(v), topic_id))


@bp.post("/cohost")
def cohost():
    """Host a topic together with its proposer."""
    return _topic_action(
        lambda v, topic_id: topic_service.join_as_cohost(
            _as_participant(v), event_topic(v.event, topic_id)
        ),
        _("You are now one of its hosts."),
    )


@bp.post("/cohost/leave")
def leave_cohosts():
    """Stop co-hosting a topic."""
    return _topic_action(
        lambda v, topic_id: topic_service.leave_cohosts(
            _as_participant(v), event_topic(v.event, topic_id)
        )
    )


@bp.post("/withdraw")
def withdraw():
    """Take one's topic back (its votes go back to the voters)."""
    return _topic_action(
        lambda v, topic_id: topic_service.withdraw(v, event_topic(v.event, topic_id)),
        _("The topic was withdrawn."),
    )


@bp.route("/<int:topic_id>/edit", methods=["GET", "POST"])
def edit(topic_id):
    """Change a topic: its hosts while proposals are open, facilitators at any time."""
    visitor = identity.visitor(g.event)
    try:
        topic = event_topic(g.event, topic_id)
    except ValidationFailed:
        raise NotFound() from None
    try:
        topic_service.check_may_edit(visitor, topic)
    except BarcampError as refusal:
        flash(refusal.message, "error")
        return _wall(f"topic-{topic.id}")
    form = TopicForm(obj=topic)
    status = 200
    if form.is_submitted():
        valid = form.validate()
        status = form.failure_status
        if valid:
            try:
                with unit_of_work():
                    topic_service.edit(visitor, topic, **form.fields())
            except BarcampError as refusal:
                form.apply_errors(refusal)
            else:
                flash(_("Topic saved."), "success")
                return _wall(f"topic-{topic.id}")
    return render_template("topics/edit.html", form=form, topic=topic, visitor=visitor), status
