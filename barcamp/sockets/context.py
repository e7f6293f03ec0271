"""What every socket handler needs: the bound event and a fresh check of who calls."""

import functools

from flask import g, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l

from barcamp import identity
from barcamp.errors import BarcampError, Forbidden, NotFound, RateLimited, ValidationFailed
from barcamp.live import load
from barcamp.models.operation import OP_ID_MAX
from barcamp.ratelimit import ACTION_RULES, limiter
from barcamp.services import operations

BOUND_EVENT = "socket_event_id"


class SocketAwareSessions(SecureCookieSessionInterface):
    """The signed-cookie session, not decoded again for every socket event: after its
    connect, Flask-SocketIO gives each event the socket's own copy of the session
    (`saved_session`), so the cookie read at connect is all it needs."""

    def open_session(self, app, request):
        saved = request.environ.get("saved_session")
        if saved is not None:
            return saved
        return super().open_session(app, request)


def current_visitor(screens=False):
    """Re-read the caller's identity from the database (the session is a snapshot),
    with the event this socket joined at connect (sockets never switch events): one
    query. A projector opened by screen link passes only where `screens` allows it."""
    event_id = session.get(BOUND_EVENT)
    visitor = identity.visitor_of_event(event_id) if event_id else None
    if visitor is None:
        raise NotFound()
    g.event = visitor.event
    if not (visitor.is_member or (screens and visitor.screen)):
        raise Forbidden(_l("Join the event first."))
    return visitor


def participant_of(visitor):
    """The participant acting; holding a role link is not enough to vote or propose."""
    if visitor.participant is None:
        raise Forbidden(_l("Join the event first: type the name others will see."))
    return visitor.participant


def mutation(rule="120/minute", *, waits=False):
    """Wrap a handler that changes something: refused at once as `busy` while the
    process falls behind (barcamp/live/load.py), rate-limited per person, then run in
    the unit of work with who acts re-checked inside it, retried operation ids
    answered from storage (see services/operations.py).

    The handler receives (visitor, payload) and returns extra ack fields. A handler
    that `waits` (the optimizer) receives (visitor, payload, op_id), runs its own units
    of work around what it waits for, and returns the whole ack.
    """

    def decorate(handler):
        ACTION_RULES[handler.__name__] = rule

        @functools.wraps(handler)
        def wrapper(payload=None):
            try:
                payload = payload if isinstance(payload, dict) else {}
                refuse_unstorable_text(payload)
                op_id = operation_id(payload)
                load.refuse_when_overloaded()
                previous = rate_limit(rule, handler.__name__, op_id)
                if previous is not None:
                    return previous
                if waits:
                    visitor = current_visitor()
                    previous = operations.stored(visitor.event.id, visitor.actor, op_id)
                    if previous is not None:
                        return previous
                    return handler(visitor, payload, op_id)
                # Who acts is read inside the write transaction, with the rest.
                return operations.perform(current_visitor, op_id, handler, payload)
            except BarcampError as error:
                return error.as_ack()

        return wrapper

    return decorate


def query(handler=None, *, screens=False):
    """Wrap a handler that needs no operation id (it only reads, or what it does is
    idempotent by nature, like a note update): identity re-checked, errors as acks.
    The handler receives (visitor, payload) and returns extra ack fields. With
    `screens`, a projector opened by screen link may call it too."""
    if handler is None:
        return functools.partial(query, screens=screens)

    @functools.wraps(handler)
    def wrapper(payload=None):
        try:
            payload = payload if isinstance(payload, dict) else {}
            refuse_unstorable_text(payload)
            return {"ok": True, **handler(current_visitor(screens), payload)}
        except BarcampError as error:
            return error.as_ack()

    return wrapper


# Over its rate limit, how often one person's retries are looked up in storage.
STORED_ANSWER_LOOKUPS = "10/minute"


def rate_limit(rule, name, op_id):
    """Count the action against the caller's limit (keyed by the identity its signed
    cookie claims: no database read, no write turn taken). A retry of a committed try
    over the limit still gets that try's answer (returned)."""
    event_id = session.get(BOUND_EVENT)
    actor = identity.claimed_actor(event_id)
    if limiter.hit(rule, name, event_id, actor):
        return None
    # Looking the answer up reads the database: a page retrying a few operations
    # gets it, a client flooding new ones is refused for the cost of a counter.
    if op_id is None or not limiter.hit(STORED_ANSWER_LOOKUPS, "stored", event_id, actor):
        raise RateLimited()
    visitor = current_visitor()
    previous = operations.stored(visitor.event.id, visitor.actor, op_id)
    if previous is None:
        raise RateLimited()
    return previous


def refuse_unstorable_text(payload):
    """Refuse a payload carrying text no database stores: a NUL character (PostgreSQL
    refuses it) or half of a UTF-16 pair (not Unicode text at all; SQLite's driver
    cannot encode it). No page sends either; a client that does gets a clear error."""
    pending = [payload]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item or (not item.isascii() and _has_surrogate(item)):
                raise ValidationFailed(_l("This text contains characters that cannot be stored."))
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _has_surrogate(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def operation_id(payload):
    op_id = payload.get("op_id")
    if op_id is None:
        return None
    if not isinstance(op_id, str) or not 0 < len(op_id) <= OP_ID_MAX:
        raise ValidationFailed(_l("Malformed operation id."))
    return op_id
