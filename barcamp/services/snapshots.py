"""What a live page shows, as plain data: sent on connect, served as state.json."""


def event_summary(event):
    return {
        "code": event.code,
        "name": event.name,
        "starts_on": event.starts_on.isoformat(),
        "venue": event.venue,
        "timezone": event.timezone,
        "locale": event.locale,
        "phase": event.phase,
    }


def rooms_and_slots(event):
    return {
        "rooms": [
            {"id": room.id, "name": room.name, "capacity": room.capacity} for room in event.rooms
        ],
        "slots": [
            {
                "id": slot.id,
                "starts_at": slot.starts_at.isoformat(timespec="minutes"),
                "ends_at": slot.ends_at.isoformat(timespec="minutes"),
                "kind": slot.kind,
                "label": slot.label,
            }
            for slot in event.slots
        ],
    }


def participant_view(participant):
    return {
        "id": participant.id,
        "name": participant.display_name,
        "role": participant.role,
    }


def event_snapshot(event):
    """The full public state of an event's live pages, with its version."""
    participants = [participant_view(p) for p in event.participants]
    return {
        "version": event.version,
        "event": event_summary(event),
        **rooms_and_slots(event),
        "participants": participants,
        "present": len(participants),
    }
