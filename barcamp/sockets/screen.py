"""The facilitator's hand on the projector (checked against the database every time)."""

from barcamp.services import screen
from barcamp.sockets.context import mutation


def changes_of(payload):
    """What a `screen_set` (or its plain form) asks to change: only the keys given (a
    step sent by a form as text, "2", is the number 2)."""
    changes = {
        key: payload[key]
        for key in ("mode", "talk_id", "question_id", "step", "page")
        if key in payload
    }
    for key in ("step", "page"):
        value = changes.get(key)
        if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 10:
            changes[key] = int(value)
    if changes.get("page") == "":  # a plain form's empty value: pages turn on their own
        changes["page"] = None
    return changes


@mutation()
def screen_set(visitor, payload):
    """screen_set {op_id, mode?, talk_id?, question_id?, step?, page?}: ack {ok, version,
    screen}. mode is auto, plenary or report; talk_id the talk on stage, question_id a
    question shown large (null: none), step the report-back's workshop (from 0), page
    the wall's page (from 0; null: its pages turn on their own).
    Broadcasts `screen_updated {screen}`."""
    return {"screen": screen.set_screen(visitor, **changes_of(payload))}
