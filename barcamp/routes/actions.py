"""One-button actions posted by plain forms: run, then say how it went."""

from flask import flash, g, request
from flask_babel import gettext as _

from barcamp import identity
from barcamp.errors import BarcampError
from barcamp.models.operation import OP_ID_MAX
from barcamp.services import operations


def form_op_id():
    """The operation id a plain form carries (templating.operation_field), if any."""
    op_id = request.form.get("op_id", "")
    return op_id if 0 < len(op_id) <= OP_ID_MAX else None


def run_operation(action):
    """Run `action()` (extra ack fields, or None) in the unit of work under the form's
    operation id: a form sent twice acts once, and both get the first one's ack."""

    def fields():
        result = action()
        return result if isinstance(result, dict) else None

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
