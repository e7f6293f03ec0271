"""One-button actions posted by plain forms: run, then say how it went."""

from flask import flash
from flask_babel import gettext as _

from barcamp.errors import BarcampError
from barcamp.unit_of_work import unit_of_work


def run_button(form, action, *, done=None):
    """Validate the button's form, run `action()` in the unit of work, and flash the
    outcome in the visitor's language. Returns True if it was done."""
    if not form.validate():
        flash(form.csrf_token.errors[0] if form.csrf_failed else _("Choose a topic."), "error")
        return False
    try:
        with unit_of_work():
            action()
    except BarcampError as refusal:
        flash(refusal.message, "error")
        return False
    if done:
        flash(done, "success")
    return True
