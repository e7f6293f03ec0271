"""Socket.IO handlers: thin, like routes. Each docstring names its event, payload,
acknowledgement and broadcast; docs/protocol.md lists them all."""

from flask import current_app

from barcamp.errors import HTTP_MESSAGES, database_down
from barcamp.sockets import (
    connection,
    facilitation,
    notes,
    participants,
    questions,
    schedule,
    screen,
    topics,
    voting,
)

HANDLERS = {
    "connect": connection.connect,
    "disconnect": notes.disconnect,
    "snapshot": connection.snapshot,
    "participant_rename": participants.participant_rename,
    "topic_propose": topics.topic_propose,
    "topic_similar": topics.topic_similar,
    "topic_edit": topics.topic_edit,
    "topic_withdraw": topics.topic_withdraw,
    "topic_cohost": topics.topic_cohost,
    "vote_cast": voting.vote_cast,
    "vote_withdraw": voting.vote_withdraw,
    "vote_move": voting.vote_move,
    "marketplace_set": facilitation.marketplace_set,
    "topic_hide": facilitation.topic_hide,
    "topic_unhide": facilitation.topic_unhide,
    "topic_merge": facilitation.topic_merge,
    "topic_spotlight": facilitation.topic_spotlight,
    "schedule_optimize": schedule.schedule_optimize,
    "schedule_cancel": schedule.schedule_cancel,
    "schedule_place": schedule.schedule_place,
    "schedule_unplace": schedule.schedule_unplace,
    "schedule_pin": schedule.schedule_pin,
    "schedule_block": schedule.schedule_block,
    "schedule_publish": schedule.schedule_publish,
    "seat_take": schedule.seat_take,
    "seat_leave": schedule.seat_leave,
    "seat_me": schedule.seat_me,
    "note_join": notes.note_join,
    "note_update": notes.note_update,
    "note_cursor": notes.note_cursor,
    "note_leave": notes.note_leave,
    "question_ask": questions.question_ask,
    "question_upvote": questions.question_upvote,
    "question_moderate": questions.question_moderate,
    "screen_set": screen.screen_set,
}


def register_socket_handlers(socketio):
    """Attach every handler to this app's Socket.IO server."""
    for name, handler in HANDLERS.items():
        socketio.on_event(name, handler)
    socketio.on_error_default(_log_error)


def _log_error(error):
    """An unexpected failure: logged, rolled back by the unit of work, answered plainly
    (`unavailable` when the database does not answer: the page may try again)."""
    if database_down(error):
        return {"ok": False, "error": {"code": "unavailable", "message": str(HTTP_MESSAGES[503])}}
    current_app.logger.error("Socket handler failed", exc_info=error)
    return {"ok": False, "error": {"code": "server_error", "message": str(HTTP_MESSAGES[500])}}
