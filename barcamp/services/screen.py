"""What the facilitator puts on the projector: the day as it goes (auto), a plenary
(the talk on stage, the room's questions, one of them large), or the report-back (one
workshop after another)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from barcamp.changes import record, record_private
from barcamp.errors import ValidationFailed
from barcamp.extensions import db
from barcamp.live import screen_room
from barcamp.models import Question, QuestionStatus, ScreenMode, ScreenState
from barcamp.security import digest, new_token
from barcamp.services import talks as talk_service
from barcamp.services.facilitation import require
from barcamp.services.lookup import is_id
from barcamp.services.report_back import workshop_reports

UNSET = object()


def screen_view(event, state=UNSET):
    """{mode, talk_id, question_id, step, page}: what the projector shows (page: the
    wall's, from 0, or None when its pages turn on their own)."""
    if state is UNSET:
        state = db.session.get(ScreenState, event.id)
    if state is None:
        return {
            "mode": ScreenMode.AUTO.value,
            "talk_id": None,
            "question_id": None,
            "step": 0,
            "page": None,
        }
    return {
        "mode": state.mode,
        "talk_id": state.talk_id,
        "question_id": state.question_id,
        "step": state.report_step,
        "page": state.wall_page,
    }


def _talk_on_now(event):
    """The published talk on now (by the programme's times), else the next one, else
    the first of the programme; None without talks."""
    talks = talk_service.event_talks(event)
    now = datetime.now(ZoneInfo(event.timezone)).replace(tzinfo=None)
    times = talk_service.programmes(talks)
    placed = [(times[talk.id], talk) for talk in talks if times.get(talk.id)]
    for (starts, ends), talk in placed:
        if starts <= now < ends:
            return talk
    upcoming = [talk for (starts, _ends), talk in placed if starts > now]
    return (upcoming or talks or [None])[0]


def set_screen(visitor, *, mode=UNSET, talk_id=UNSET, question_id=UNSET, step=UNSET, page=UNSET):
    """Change what the projector shows (facilitators); only what is given changes."""
    require(visitor)
    event = visitor.event
    state = db.session.get(ScreenState, event.id)
    if state is None:
        state = ScreenState(event_id=event.id, mode=ScreenMode.AUTO, report_step=0)
        db.session.add(state)
    if mode is not UNSET:
        if mode not in set(ScreenMode):
            raise ValidationFailed.on("mode", _l("Choose what the projector shows."))
        state.mode = ScreenMode(mode)
    if talk_id is not UNSET:
        talk = None
        if talk_id is not None:
            talk = talk_service.event_talk(event, talk_id) if is_id(talk_id) else None
            if talk is None:
                raise ValidationFailed.on("talk_id", _l("This talk does not exist."))
        state.talk_id = talk.id if talk else None
    if question_id is not UNSET:
        question = None
        if question_id is not None:
            question = db.session.get(Question, question_id) if is_id(question_id) else None
            if question is None or question.event_id != event.id:
                raise ValidationFailed.on("question_id", _l("This question does not exist."))
            if question.status == QuestionStatus.HIDDEN:
                raise ValidationFailed.on(
                    "question_id", _l("This question is hidden from the room.")
                )
            state.talk_id = question.talk_id  # its talk goes on stage with it
        state.question_id = question.id if question else None
    if step is not UNSET:
        if not isinstance(step, int) or isinstance(step, bool):
            raise ValidationFailed.on("step", _l("This must be a whole number."))
        count = len(workshop_reports(event))
        state.report_step = min(max(step, 0), max(count - 1, 0))
    if page is not UNSET:
        if page is not None and (not isinstance(page, int) or isinstance(page, bool)):
            raise ValidationFailed.on("page", _l("This must be a whole number."))
        # The projector knows how many pages its wall has (how many topics fit): it
        # turns past the last one back to the first.
        state.wall_page = None if page is None else min(max(page, 0), 10_000)
    if state.question_id is not None:
        shown = db.session.get(Question, state.question_id)
        if shown is None or shown.talk_id != state.talk_id:
            state.question_id = None  # a question goes with its talk
    if state.mode == ScreenMode.PLENARY and state.talk_id is None:
        on_now = _talk_on_now(event)
        state.talk_id = on_now.id if on_now else None
    db.session.flush()
    view = screen_view(event, state)
    record(event, "screen_updated", {"screen": view})
    return view


def new_screen_link(visitor):
    """Make the event's screen link (a live projector on any computer, read-only) and
    return its secret, shown once; a new one replaces the old, and the projectors that
    opened the old one stop, saying why."""
    require(visitor)
    event = visitor.event
    renewed = event.screen_key_digest is not None
    secret = new_token()
    event.screen_key_digest = digest(secret)
    if renewed:
        record_private(event, screen_room(event.id), "screen_link_renewed", {})
    db.session.flush()
    return secret
