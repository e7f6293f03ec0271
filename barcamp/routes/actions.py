"""One-button actions posted by plain forms: run, then say how it went."""

from flask import flash, g, request
from flask_babel import gettext as _

from barcamp import identity
from barcamp.errors import BarcampError
from barcamp.models.operation import OP_ID_MAX
from barcamp.ratelimit import count_action
from barcamp.services import operations


def form_op_id():
    """The operation id a plain form carries (templating.operation_field), if any."""
    op_id = request.form.get("op_id", "")
    return op_id if 0 < len(op_id) <= OP_ID_MAX else None


# The kind of action each form does, as its socket event names it: both paths share one
# budget per person (ratelimit.ACTION_RULES). None: the view counts it itself.
FORM_ACTIONS = {
    "topics.propose": "topic_propose",
    "topics.edit": "topic_edit",
    "topics.withdraw": "topic_withdraw",
    "topics.cohost": "topic_cohost",
    "topics.leave_cohosts": "topic_cohost",
    "topics.vote": "vote",
    "topics.unvote": "vote",
    "facilitation.marketplace": "marketplace_set",
    "facilitation.hide": "topic_hide",
    "facilitation.unhide": "topic_unhide",
    "facilitation.spotlight": "topic_spotlight",
    "facilitation.merge": "topic_merge",
    "schedule.block": "schedule_block",
    "schedule.pin": "schedule_pin",
    "schedule.place": "schedule_place",
    "schedule.unplace": "schedule_unplace",
    "schedule.publish": "schedule_publish",
    "schedule.cancel_optimize": "schedule_cancel",
    "schedule.take_seat": "seat_take",
    "schedule.leave_seat": "seat_leave",
    "schedule.seat_me": "seat_me",
    "questions.ask": None,  # ASK_RATE, counted by the view
    "questions.upvote": None,  # UPVOTE_RATE, counted by the view
    "questions.moderate": "question_moderate",
}


def run_operation(action):
    """Run `action()` (extra ack fields, or None) in the unit of work under the form's
    operation id: a form sent twice acts once, and both get the first one's ack. Counted
    against the person's budget for this kind of action first (RateLimited past it)."""

    def fields():
        result = action()
        return result if isinstance(result, dict) else None

    kind = FORM_ACTIONS.get(request.endpoint, request.endpoint)
    if kind is not None:
        count_action(kind, g.event.id, identity.claimed_actor(g.event.id))
    visitor = identity.visitor(g.event)
    return operations.run(visitor, form_op_id() if visitor.is_member else None, fields)


def run_button(form, action, *, done=None):
    """Validate the button's form, run `action()` in the unit of work, and flash the
    outcome in the visitor's language. Returns True if it was done (or had been, when
    the same form was sent twice)."""
    if not form.validate():
        flash(form.csrf_token.errors[0] if form.csrf_failed else _("Choose a topic."), "error")
        return False
    try:
        run_operation(action)
    except BarcampError as refusal:
        flash(refusal.message, "error")
        return False
    if done:
        flash(done, "success")
    return True
