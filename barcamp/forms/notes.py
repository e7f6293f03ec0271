"""Buttons of the session page: taking a role in a session."""

from wtforms import HiddenField

from barcamp.forms import BaseForm


class SessionRoleForm(BaseForm):
    """Take or give up a role: `kind` is facilitator or note_taker; `taking` true/false."""

    kind = HiddenField()
    taking = HiddenField()
