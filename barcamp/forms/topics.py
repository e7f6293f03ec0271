from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Optional

from barcamp.forms import BaseForm
from barcamp.models import Need, TopicFormat
from barcamp.models.event import BUDGET_MAX
from barcamp.models.topic import PITCH_MAX, TITLE_MAX

FORMATS = [
    SelectChoice(TopicFormat.DISCUSSION.value, _l("Discussion")),
    SelectChoice(TopicFormat.WORKSHOP.value, _l("Workshop")),
    SelectChoice(TopicFormat.TALK.value, _l("Talk")),
    SelectChoice(TopicFormat.DEMO.value, _l("Demo")),
    SelectChoice(TopicFormat.OTHER.value, _l("Other")),
]
NEEDS = [
    SelectChoice(Need.PROJECTOR.value, _l("Projector")),
    SelectChoice(Need.WHITEBOARD.value, _l("Whiteboard")),
    SelectChoice(Need.FLIPCHART.value, _l("Flipchart")),
    SelectChoice(Need.SOUND.value, _l("Microphone and speakers")),
]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TopicForm(BaseForm):
    title = StringField(
        _l("Title"),
        description=_l("A short question or statement, as you would pitch it."),
        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off", "required": True},
    )
    pitch = TextAreaField(
        _l("Pitch (optional)"),
        description=_l("What you would like to talk about, in a few lines."),
        render_kw={"maxlength": PITCH_MAX, "rows": 3},
    )
    format = SelectField(_l("Format"), choices=FORMATS, default=TopicFormat.DISCUSSION)
    needs = CheckboxesField(_l("Needs (optional)"), choices=NEEDS, validate_choice=False)
    allow_similar = HiddenField()

    def fields(self):
        return {
            "title": self.title.data or "",
            "pitch": self.pitch.data or "",
            "format": self.format.data,
            "needs": list(self.needs.data or []),
        }


class TopicActionForm(BaseForm):
    """A button acting on one topic (vote, withdraw, co-host, hide…)."""

    topic_id = IntegerField(validators=[Optional()])


class MergeForm(BaseForm):
    source_id = IntegerField(validators=[Optional()])
    target_id = SelectField(_l("Merge into"), coerce=int, validate_choice=False)


class MarketplaceForm(BaseForm):
    proposals_open = HiddenField()
    voting_open = HiddenField()


class VotingRulesForm(BaseForm):
    vote_budget = IntegerField(
        _l("Votes per person"),
        validators=[Optional()],
        render_kw={"min": 1, "max": BUDGET_MAX, "inputmode": "numeric", "required": True},
    )
    max_votes_per_topic = IntegerField(
        _l("Votes one person may give a single topic"),
        validators=[Optional()],
        render_kw={"min": 1, "inputmode": "numeric", "required": True},
    )
    blind_voting = BooleanField(
        _l("Blind voting: hide the counts until voting closes"),
        description=_l("People vote for what interests them, not for what is already ahead."),
    )


class GridActionForm(BaseForm):
    """A button acting on the grid or a seat; each carries the ids it needs."""

    topic_id = IntegerField(validators=[Optional()])
    room_id = IntegerField(validators=[Optional()])
    slot_id = IntegerField(validators=[Optional()])
    session_id = IntegerField(validators=[Optional()])
    pinned = HiddenField()
    blocked = HiddenField()
