from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice, StringField

from barcamp.forms import BaseForm
from barcamp.models.participant import DISPLAY_NAME_MAX


class DisplayNameForm(BaseForm):
    display_name = StringField(
        _l("Your name"),
        description=_l("As others will see it: a first name is enough."),
        # Marked required (forms.html says so by the label too); the service checks it.
        render_kw={"maxlength": DISPLAY_NAME_MAX, "autocomplete": "nickname", "required": True},
    )


class RemoveForm(BaseForm):
    """A facilitator removes someone: what becomes of their topics, and whether they
    may come back."""

    topics = RadioField(
        _l("The topics they proposed"),
        choices=[
            SelectChoice("keep", _l("Keep them on the wall, without them as host")),
            SelectChoice("hide", _l("Hide them (their votes go back to the voters)")),
        ],
        default="keep",
    )
    ban = BooleanField(_l("Keep them out: this browser and their personal link may not join again"))
