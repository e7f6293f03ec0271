"""Live actions of a participant on themselves."""

from flask_babel import lazy_gettext as _l

from barcamp.errors import Forbidden
from barcamp.services import participants as participant_service
from barcamp.sockets.context import mutation


@mutation("20/minute")
def participant_rename(visitor, payload):
    """participant_rename {op_id, name}: ack {ok, version, name} or {ok: false, error}.
    Broadcasts `participant_updated` {participant, version} to the event."""
    if visitor.participant is None:
        raise Forbidden(_l("Join the event first."))
    participant_service.rename(visitor.participant, payload.get("name"))
    return {"name": visitor.participant.display_name}
