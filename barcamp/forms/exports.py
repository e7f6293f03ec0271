from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from barcamp.forms import BaseForm
from barcamp.models import ProceedingsAccess


class ProceedingsAccessForm(BaseForm):
    access = RadioField(
        _l("Who may read the proceedings (the page and its PDF)"),
        choices=[
            SelectChoice(ProceedingsAccess.ORGANIZERS.value, _l("The organizers only")),
            SelectChoice(ProceedingsAccess.PARTICIPANTS.value, _l("Everyone who joined the event")),
            SelectChoice(ProceedingsAccess.EVERYONE.value, _l("Anyone with the address (public)")),
        ],
        default=ProceedingsAccess.ORGANIZERS.value,
    )
