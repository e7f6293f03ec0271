"""Questions to a plenary talk without JavaScript: ask, upvote, moderate. The live
page sends the same actions over Socket.IO; both call the same services."""

from flask import Blueprint, flash, g, redirect, url_for
from flask_babel import gettext as _

from barcamp import identity
from barcamp.errors import BarcampError, ValidationFailed
from barcamp.forms.questions import QuestionActionForm, QuestionForm
from barcamp.ratelimit import limiter
from barcamp.routes.actions import run_operation
from barcamp.services import questions
from barcamp.sockets.questions import ASK_RATE, UPVOTE_RATE

bp = Blueprint("questions", __name__, url_prefix="/e/<code>/testimonies/<int:talk_id>/questions")


def _back(talk_id, anchor="questions"):
    return redirect(url_for("talks.page", talk_id=talk_id) + f"#{anchor}", code=303)


@bp.post("")
def ask(talk_id):
    """Ask the speaker a question; refused, what was typed is shown again."""
    from barcamp.routes.talks import talk_page

    visitor = identity.visitor(g.event)
    form = QuestionForm()
    status = None
    if form.validate():
        try:
            limiter.enforce(ASK_RATE, "question_ask", g.event.id, visitor.actor)
            ack = run_operation(
                lambda: {
                    "question_id": questions.ask(
                        visitor, talk_id, form.text.data, bool(form.anonymous.data)
                    ).id
                }
            )
        except ValidationFailed as failure:
            form.apply_errors(failure)
        except BarcampError as refusal:
            form.extra_errors[""] = refusal.message
            status = refusal.status  # not joined: 403, too many: 429
        else:
            flash(_("Your question is sent."), "success")
            return _back(talk_id, f"question-{ack['question_id']}")
    return talk_page(talk_id, question_form=form, status=status or form.failure_status)


def _button(talk_id, action, done):
    visitor = identity.visitor(g.event)
    form = QuestionActionForm()
    if not form.validate():
        flash(form.csrf_token.errors[0], "error")
        return _back(talk_id)
    try:
        run_operation(lambda: action(visitor, form))
    except BarcampError as refusal:
        flash(refusal.message, "error")
    else:
        flash(done, "success")
    return _back(talk_id)


@bp.post("/<int:question_id>/upvote")
def upvote(talk_id, question_id):
    """Upvote a question (`up`=1) or take the upvote back (`up`=0)."""
    visitor = identity.visitor(g.event)
    up = QuestionActionForm().up.data != "0"
    try:
        limiter.enforce(UPVOTE_RATE, "question_upvote", g.event.id, visitor.actor)
    except BarcampError as refusal:
        flash(refusal.message, "error")
        return _back(talk_id)
    return _button(
        talk_id,
        lambda visitor, form: questions.upvote(visitor, question_id, up),
        _("Upvoted.") if up else _("Upvote taken back."),
    )


@bp.post("/<int:question_id>/moderate")
def moderate(talk_id, question_id):
    """A facilitator hides, shows again, marks answered or reopens a question."""
    return _button(
        talk_id,
        lambda visitor, form: questions.moderate(visitor, question_id, form.action.data),
        _("Done."),
    )
