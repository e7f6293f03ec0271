"""Live questions to a plenary talk: ask, upvote, moderate (checked on every event)."""

from barcamp.services import questions
from barcamp.sockets.context import mutation

# A person may ask this often, and upvote this often (an upvote flood is refused).
ASK_RATE = "6/minute"
UPVOTE_RATE = "60/minute"


@mutation(ASK_RATE)
def question_ask(visitor, payload):
    """question_ask {op_id, talk_id, text, anonymous}: ack {ok, question_id}. Sends
    `questions` (coalesced) to the event."""
    question = questions.ask(
        visitor, payload.get("talk_id"), payload.get("text"), payload.get("anonymous", False)
    )
    return {"question_id": question.id}


@mutation(UPVOTE_RATE)
def question_upvote(visitor, payload):
    """question_upvote {op_id, question_id, up}: ack {ok, upvotes, upvoted}. One upvote
    each (`up`: false takes it back; twice is once). Sends `my_upvotes` to the voter's
    pages and `questions` (coalesced) to the event."""
    question = questions.upvote(visitor, payload.get("question_id"), payload.get("up", True))
    return {"upvotes": question.upvotes, "upvoted": questions.upvoted_ids(visitor.participant)}


@mutation()
def question_moderate(visitor, payload):
    """question_moderate {op_id, question_id, action}: ack {ok}; action is hide, unhide,
    answered or reopen (facilitators). Sends `questions` (coalesced) to the event."""
    questions.moderate(visitor, payload.get("question_id"), payload.get("action"))
    return {}
