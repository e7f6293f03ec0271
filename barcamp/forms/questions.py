"""Questions to a talk, without JavaScript (the live page sends the same over Socket.IO)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, TextAreaField

from barcamp.forms import BaseForm
from barcamp.models.question import QUESTION_MAX


class QuestionForm(BaseForm):
    text = TextAreaField(
        _l("Your question"),
        description=_l("At most %(max)d characters.", max=QUESTION_MAX),
        render_kw={"maxlength": QUESTION_MAX, "rows": 3, "required": True},
    )
    anonymous = BooleanField(_l("Ask anonymously (the room will not see my name)"))


class QuestionActionForm(BaseForm):
    """A button on one question: upvote (`up` 1 or 0), or a facilitator's action."""

    up = HiddenField()
    action = HiddenField()
