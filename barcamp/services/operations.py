"""One operation, one answer: a retry of an operation id gets the first try's answer
once that try committed, even when both copies arrive at the same moment; a try that
failed stored nothing, so its retry runs again.

On SQLite the writers of a process take turns, so no two tries of one id ever run at
once: the answer is stored by one INSERT at the end of the transaction, and a try that
finds the id taken (or is refused, where the first try was not) gives the stored
answer instead. On PostgreSQL two copies may run side by side: the id is claimed first
(an INSERT of a placeholder); the second copy's INSERT waits for the first transaction,
then finds the id taken (the first committed: its answer is read back) or free (the
first rolled back: run again).
"""

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from barcamp.database import write_turns
from barcamp.errors import BarcampError
from barcamp.extensions import db
from barcamp.models import AppliedOperation
from barcamp.models._types import utcnow
from barcamp.unit_of_work import unit_of_work


class AlreadyApplied(Exception):
    """The operation id was taken by a try that committed: end this transaction and
    answer with `stored(...)`."""


def stored(event_id, actor, op_id):
    """The answer given to this operation id, or None if no try of it committed."""
    if op_id is None:
        return None
    return db.session.scalar(
        select(AppliedOperation.ack).where(
            AppliedOperation.event_id == event_id,
            AppliedOperation.actor == actor,
            AppliedOperation.op_id == op_id,
        )
    )


def _insert(event_id, actor, op_id, ack):
    """INSERT the id with this answer unless it is taken; raise AlreadyApplied if it is."""
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else None
    statement = (insert or sqlite_insert)(AppliedOperation).values(
        event_id=event_id, actor=actor, op_id=op_id, ack=ack, created_at=utcnow()
    )
    claimed = db.session.execute(
        statement.on_conflict_do_nothing().returning(AppliedOperation.id)
    ).scalar()
    if claimed is None:
        raise AlreadyApplied()


def claim(event_id, actor, op_id):
    """Inside the unit of work, before doing anything (PostgreSQL): claim the id with a
    placeholder answer (call `answer` before committing); AlreadyApplied if a try
    committed it, before or meanwhile."""
    if op_id is not None:
        _insert(event_id, actor, op_id, {})


def answer(event_id, actor, op_id, ack):
    """Store the answer of a claimed operation id, in the same transaction."""
    if op_id is None:
        return
    db.session.execute(
        update(AppliedOperation)
        .where(
            AppliedOperation.event_id == event_id,
            AppliedOperation.actor == actor,
            AppliedOperation.op_id == op_id,
        )
        .values(ack=ack)
    )


def run(visitor, op_id, action):
    """Run `action()` (which returns extra ack fields) in a unit of work under the
    operation id, and return its ack: the stored one if a try of the same id committed
    first. A refusal (BarcampError) stores nothing and goes up to the caller."""
    return perform(lambda: visitor, op_id, lambda _visitor, _payload: action(), None)


def perform(read_visitor, op_id, action, payload):
    """Like `run`, reading who acts inside the transaction: `read_visitor()`, then
    `action(visitor, payload)`."""
    one_writer = write_turns().serializes
    key = None
    try:
        with unit_of_work():
            visitor = read_visitor()
            key = (visitor.event.id, visitor.actor, op_id)
            if op_id is not None and not one_writer:
                claim(*key)
            try:
                ack = {"ok": True, **(action(visitor, payload) or {})}
            except BarcampError:
                # A retry whose first try committed may be refused now (no votes
                # left): it gets the first try's answer.
                if one_writer and stored(*key) is not None:
                    raise AlreadyApplied() from None
                raise
            ack["version"] = visitor.event.version
            if op_id is not None:
                (_insert if one_writer else answer)(*key, ack)
    except AlreadyApplied:
        return stored(*key)
    return ack
