"""Live actions of a participant on themselves."""

from barcamp.services import participants as participant_service
from barcamp.sockets.context import mutation, participant_of


@mutation("20/minute")
def participant_rename(visitor, payload):
    """participant_rename {op_id, name}: ack {ok, version, name} or {ok: false, error}.
    Broadcasts `participant_updated` {participant, version} to the event."""
    participant = participant_of(visitor)
    participant_service.rename(participant, payload.get("name"))
    return {"name": participant.display_name}
