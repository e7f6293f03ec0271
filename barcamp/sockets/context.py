"""What every socket handler needs: the bound event and a fresh check of who calls."""

import functools

from flask import g, session
from flask_babel import lazy_gettext as _l

from barcamp import identity
from barcamp.errors import BarcampError, Forbidden, NotFound, ValidationFailed
from barcamp.extensions import db
from barcamp.models import Event
from barcamp.models.operation import OP_ID_MAX
from barcamp.ratelimit import limiter
from barcamp.services import operations

BOUND_EVENT = "socket_event_id"


def bound_event():
    """The event this socket joined at connect; sockets never switch events."""
    event_id = session.get(BOUND_EVENT)
    event = db.session.get(Event, event_id) if event_id else None
    if event is None:
        raise NotFound()
    g.event = event
    return event


def current_visitor():
    """Re-read the caller's identity from the database (the session is a snapshot)."""
    visitor = identity.visitor(bound_event())
    if not visitor.is_member:
        raise Forbidden(_l("Join the event first."))
    return visitor


def participant_of(visitor):
    """The participant acting; holding a role link is not enough to vote or propose."""
    if visitor.participant is None:
        raise Forbidden(_l("Join the event first: type the name others will see."))
    return visitor.participant


def mutation(rule="120/minute", *, waits=False):
    """Wrap a handler that changes something: identity re-checked, rate-limited per
    person, run in the unit of work, retried operation ids answered from storage
    (looked up again inside the write transaction: see services/operations.py).

    The handler receives (visitor, payload) and returns extra ack fields. A handler
    that `waits` (the optimizer) receives (visitor, payload, op_id), runs its own units
    of work around what it waits for, and returns the whole ack.
    """

    def decorate(handler):
        @functools.wraps(handler)
        def wrapper(payload=None):
            try:
                payload = payload if isinstance(payload, dict) else {}
                visitor = current_visitor()
                op_id = _op_id(payload)
                # A retry of a committed try is answered at once, without counting
                # against the rate limit; one still being handled is caught below.
                previous = operations.stored(visitor.event.id, visitor.actor, op_id)
                if previous is not None:
                    return previous
                limiter.enforce(rule, handler.__name__, visitor.event.id, visitor.actor)
                if waits:
                    return handler(visitor, payload, op_id)
                return operations.run(visitor, op_id, lambda: handler(visitor, payload))
            except BarcampError as error:
                return error.as_ack()

        return wrapper

    return decorate


def query(handler):
    """Wrap a handler that needs no operation id (it only reads, or what it does is
    idempotent by nature, like a note update): identity re-checked, errors as acks.
    The handler receives (visitor, payload) and returns extra ack fields."""

    @functools.wraps(handler)
    def wrapper(payload=None):
        try:
            payload = payload if isinstance(payload, dict) else {}
            return {"ok": True, **handler(current_visitor(), payload)}
        except BarcampError as error:
            return error.as_ack()

    return wrapper


def _op_id(payload):
    op_id = payload.get("op_id")
    if op_id is None:
        return None
    if not isinstance(op_id, str) or not 0 < len(op_id) <= OP_ID_MAX:
        raise ValidationFailed(_l("Malformed operation id."))
    return op_id
