"""The room's questions to a plenary talk: asked (by name, or anonymously to the room),
upvoted (one each, whatever the retries and tabs), moderated by the facilitators
(hidden, answered, shown on the projector)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from barcamp.changes import record_private, record_questions_changed
from barcamp.errors import BarcampError, Forbidden, NotFound, ValidationFailed
from barcamp.extensions import db
from barcamp.live import participant_room
from barcamp.models import Participant, Question, QuestionStatus, QuestionUpvote, Role, Talk
from barcamp.models._types import utcnow
from barcamp.models.question import QUESTION_MAX
from barcamp.services.lookup import is_id
from barcamp.services.participants import lock_participant
from barcamp.services.text import clean_text

# How many of a talk's questions the room's pages carry (the most upvoted).
SHOWN_PER_TALK = 50
ACTIONS = {
    "hide": QuestionStatus.HIDDEN,
    "unhide": QuestionStatus.OPEN,
    "answered": QuestionStatus.ANSWERED,
    "reopen": QuestionStatus.OPEN,
}


class QuestionsClosed(BarcampError):
    status = 409
    code = "questions_closed"
    default_message = _l("This talk does not take questions.")


def _participant(visitor):
    if visitor.participant is None:
        raise Forbidden(_l("Join the event first: type the name others will see."))
    return visitor.participant


def _talk(event, talk_id):
    talk = db.session.get(Talk, talk_id) if is_id(talk_id) else None
    if talk is None or talk.event_id != event.id:
        raise NotFound(_l("This talk does not exist."))
    if talk.published_at is None:
        raise QuestionsClosed()
    return talk


def _question(event, question_id):
    question = db.session.get(Question, question_id) if is_id(question_id) else None
    if question is None or question.event_id != event.id:
        raise NotFound(_l("This question does not exist."))
    return question


def ask(visitor, talk_id, text, anonymous=False):
    """A participant asks a talk's speaker a question; return it."""
    participant = _participant(visitor)
    talk = _talk(visitor.event, talk_id)
    text = clean_text(text, field="text", max_length=QUESTION_MAX, required=True)
    if not isinstance(anonymous, bool):
        raise ValidationFailed.on("anonymous", _l("This field must be yes or no."))
    question = Question(
        event_id=talk.event_id,
        talk_id=talk.id,
        participant_id=participant.id,
        text=text,
        anonymous=anonymous,
    )
    db.session.add(question)
    db.session.flush()
    record_questions_changed(visitor.event)
    return question


def upvote(visitor, question_id, up=True):
    """Upvote a question (up) or take one's upvote back; doing it twice changes nothing."""
    participant = _participant(visitor)
    if not isinstance(up, bool):
        raise ValidationFailed.on("up", _l("This field must be yes or no."))
    lock_participant(participant)  # two tabs at once: one after the other
    question = _question(visitor.event, question_id)
    if question.status == QuestionStatus.HIDDEN:
        raise NotFound(_l("This question does not exist."))
    mine = db.session.scalar(
        select(QuestionUpvote).where(
            QuestionUpvote.question_id == question.id,
            QuestionUpvote.participant_id == participant.id,
        )
    )
    if up == (mine is not None):
        return question  # already so: nothing to do
    if up:
        db.session.add(
            QuestionUpvote(
                event_id=question.event_id, question_id=question.id, participant_id=participant.id
            )
        )
        change = Question.upvotes + 1
    else:
        db.session.delete(mine)
        change = Question.upvotes - 1
    db.session.flush()
    db.session.execute(update(Question).where(Question.id == question.id).values(upvotes=change))
    db.session.refresh(question)
    record_questions_changed(visitor.event)
    record_private(
        visitor.event, participant_room(participant.id), "my_upvotes", my_upvotes(participant)
    )
    return question


def moderate(visitor, question_id, action):
    """A facilitator hides a question (or shows it again), marks it answered (or not)."""
    if not visitor.can(Role.FACILITATOR):
        raise Forbidden(_l("Only the facilitators can do this."))
    question = _question(visitor.event, question_id)
    if action not in ACTIONS:
        raise ValidationFailed.on("action", _l("Choose what to do with the question."))
    question.status = ACTIONS[action]
    question.answered_at = utcnow() if action == "answered" else None
    db.session.flush()
    record_questions_changed(visitor.event)
    return question


# --- views -----------------------------------------------------------------------


def question_view(question, author_name):
    """A question as the room sees it: its author's name unless asked anonymously."""
    return {
        "id": question.id,
        "talk_id": question.talk_id,
        "text": question.text,
        "author": None if question.anonymous else author_name,
        "upvotes": question.upvotes,
        "status": question.status,
        "created": question.created_at.isoformat() + "Z",
    }


def _rows(event, *, hidden=False, talk=None):
    query = (
        select(Question, Participant.display_name)
        .join(Participant, Participant.id == Question.participant_id)
        .join(Talk, Talk.id == Question.talk_id)
        .where(Question.event_id == event.id, Talk.published_at.is_not(None))
        .order_by(Question.upvotes.desc(), Question.created_at, Question.id)
    )
    if not hidden:
        query = query.where(Question.status != QuestionStatus.HIDDEN)
    if talk is not None:
        query = query.where(Question.talk_id == talk.id)
    return db.session.execute(query).all()


def questions_view(event):
    """Every published talk's questions the room sees (the most upvoted first, at most
    SHOWN_PER_TALK a talk), with the version they were read at."""
    shown, per_talk = [], {}
    for question, name in _rows(event):
        per_talk[question.talk_id] = per_talk.get(question.talk_id, 0) + 1
        if per_talk[question.talk_id] <= SHOWN_PER_TALK:
            shown.append(question_view(question, name))
    return {"questions_version": event.questions_version, "questions": shown}


def room_questions(talk):
    """A talk's questions as the room sees them, for its page."""
    return [
        question_view(question, name)
        for question, name in _rows(talk.event, talk=talk)[:SHOWN_PER_TALK]
    ]


def moderation_list(talk):
    """A talk's questions for its facilitators: hidden ones too, authors always."""
    return [
        dict(question_view(question, name), author=name, anonymous=question.anonymous)
        for question, name in _rows(talk.event, hidden=True, talk=talk)
    ]


def upvoted_ids(participant):
    return sorted(
        db.session.scalars(
            select(QuestionUpvote.question_id).where(
                QuestionUpvote.participant_id == participant.id
            )
        )
    )


def my_upvotes(participant):
    """What a participant upvoted (their other tabs follow), ordered by the version."""
    return {
        "upvoted": upvoted_ids(participant),
        "questions_version": participant.event.questions_version,
    }


def count(talk):
    return db.session.scalar(
        select(func.count()).select_from(Question).where(Question.talk_id == talk.id)
    )
