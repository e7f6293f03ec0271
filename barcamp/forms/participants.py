from flask_babel import lazy_gettext as _l
from wtforms import StringField

from barcamp.forms import BaseForm
from barcamp.models.participant import DISPLAY_NAME_MAX


class DisplayNameForm(BaseForm):
    display_name = StringField(
        _l("Your name"),
        description=_l("As others will see it: a first name is enough."),
        render_kw={"maxlength": DISPLAY_NAME_MAX, "autocomplete": "nickname"},
    )
