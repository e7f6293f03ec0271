"""The form of a talk's page (the organizer's or facilitator's)."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from barcamp.forms import BaseForm
from barcamp.forms.topics import CheckboxesField
from barcamp.models import TalkKind

KINDS = [
    SelectChoice(TalkKind.TESTIMONY.value, _l("Testimony")),
    SelectChoice(TalkKind.KEYNOTE.value, _l("Keynote")),
]


class TalkForm(BaseForm):
    """Figures are typed one per line as "label: value", lessons one per line."""

    kind = SelectField(_l("Kind of talk"), choices=KINDS, default=TalkKind.TESTIMONY.value)
    title = StringField(_l("Title of the talk or project"), render_kw={"required": True})
    speaker_name = StringField(_l("Speaker"), render_kw={"required": True})
    speaker_role = StringField(_l("Their role"), validators=[Optional()])
    organisation = StringField(_l("Their organisation"), validators=[Optional()])
    link = StringField(_l("A link (optional)"), validators=[Optional()])
    summary = TextAreaField(_l("Summary in a few lines"), validators=[Optional()])
    figures = TextAreaField(_l("Key figures, one per line: label: value"), validators=[Optional()])
    lessons = TextAreaField(_l("Lessons or advice, one per line"), validators=[Optional()])
    body = TextAreaField(_l("The talk in full (Markdown)"), validators=[Optional()])
    minutes = IntegerField(_l("Length (minutes)"), default=20, validators=[Optional()])
    slot_id = SelectField(_l("Plenary"), coerce=str, validators=[Optional()])
    topic_ids = CheckboxesField(_l("Workshops it echoes"), coerce=int, validators=[Optional()])

    def figure_rows(self):
        """[(label, value), …] as typed; a line without a colon has no value."""
        rows = []
        for line in (self.figures.data or "").splitlines():
            if not line.strip():
                continue
            label, _, value = line.partition(":")
            rows.append((label, value))
        return rows

    def lesson_items(self):
        return (self.lessons.data or "").splitlines()
