"""One operation, one answer: a client's operation id is claimed inside the write
transaction, so that a retry gets the first try's answer once that try committed, even
when both copies arrive at the same moment; a try that failed stored nothing, so its
retry runs again.

On SQLite the writers of a process take turns, so the look-up inside the transaction
sees every committed try. On PostgreSQL two copies may run side by side: the second's
INSERT of the same id waits for the first transaction, then finds it taken (the first
committed: its answer is read back) or free (the first rolled back: run again).
"""

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from barcamp.extensions import db
from barcamp.models import AppliedOperation
from barcamp.models._types import utcnow
from barcamp.unit_of_work import unit_of_work


class AlreadyApplied(Exception):
    """The operation id was claimed by a concurrent try that committed: end this
    transaction and answer with `stored(...)`."""


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


def claim(event_id, actor, op_id):
    """Inside the unit of work, before doing anything: the stored answer if this id was
    applied already (do nothing more), else None, the id being now claimed by this
    transaction (call `answer` before it commits). Raises AlreadyApplied when a
    concurrent try committed it meanwhile."""
    if op_id is None:
        return None
    previous = stored(event_id, actor, op_id)
    if previous is not None:
        return previous
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else None
    statement = (insert or sqlite_insert)(AppliedOperation).values(
        event_id=event_id, actor=actor, op_id=op_id, ack={}, created_at=utcnow()
    )
    claimed = db.session.execute(
        statement.on_conflict_do_nothing().returning(AppliedOperation.id)
    ).scalar()
    if claimed is None:
        raise AlreadyApplied()
    return None


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
    event_id, actor = visitor.event.id, visitor.actor
    try:
        with unit_of_work():
            previous = claim(event_id, actor, op_id)
            if previous is not None:
                return previous
            ack = {"ok": True, **(action() or {})}
            ack["version"] = visitor.event.version
            answer(event_id, actor, op_id, ack)
    except AlreadyApplied:
        return stored(event_id, actor, op_id)
    return ack
