"""Runs of the grid optimizer, outside any transaction.

A run reads the problem, ends its read, searches in a child process (reporting its best
score so far to the event's facilitators, and stoppable), then writes the grid in a
short unit of work, unless votes or the grid changed meanwhile. One run per event at a
time in a process; a retry of the run under way (same operation id) waits for its
answer instead of starting another.
"""

import logging
import threading
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l

from barcamp import live
from barcamp.database import assert_may_wait
from barcamp.errors import BarcampError
from barcamp.scheduling.worker import SearchCancelled, SearchFailed, SearchRun
from barcamp.services import operations
from barcamp.services import schedule as schedule_service
from barcamp.services.facilitation import require
from barcamp.unit_of_work import end_read

log = logging.getLogger(__name__)


class ScheduleBusy(BarcampError):
    status = 409
    code = "schedule_busy"
    default_message = _l(
        "The optimizer is already building this event's grid: wait for it, or stop it."
    )


class ScheduleCancelled(BarcampError):
    status = 409
    code = "schedule_cancelled"
    default_message = _l("Stopped: the grid was not changed.")


class ScheduleFailed(BarcampError):
    status = 500
    code = "schedule_failed"
    default_message = _l("The optimizer failed: the grid was not changed. Please try again.")


@dataclass
class Run:
    event_id: int
    actor: str
    op_id: str | None
    search: SearchRun | None = None
    cancelled: bool = False
    finished: threading.Event = field(default_factory=threading.Event)
    ack: dict | None = None
    error: BarcampError | None = None

    def same_operation(self, visitor, op_id):
        return op_id is not None and (self.actor, self.op_id) == (visitor.actor, op_id)

    def outcome(self):
        """The run's answer to its operation: its ack, or its refusal raised again."""
        if self.error is not None:
            raise self.error
        return self.ack


_runs = {}  # event id -> the Run under way in this process


def optimize(visitor, op_id=None):
    """Build the grid around pinned sessions; return the ack {ok, version, report}.

    Raises ScheduleStale (votes or the grid changed meanwhile: nothing written),
    ScheduleBusy, ScheduleCancelled, ScheduleFailed or ScheduleProblem.
    """
    require(visitor)
    assert_may_wait("the optimizer's search")
    event_id = visitor.event.id
    run = _runs.get(event_id)
    if run is not None:
        if not run.same_operation(visitor, op_id):
            raise ScheduleBusy()
        end_read()
        run.finished.wait()  # the first try's answer, whatever it is
        return run.outcome()
    run = _runs[event_id] = Run(event_id, visitor.actor, op_id)
    try:
        run.ack = _optimize(visitor, op_id, run)
        return run.ack
    except BarcampError as refusal:
        run.error = refusal
        raise
    except Exception:
        run.error = ScheduleFailed()
        raise
    finally:
        del _runs[event_id]
        run.finished.set()


def cancel(visitor):
    """Stop this event's run under way in this process; False if there is none."""
    require(visitor)
    run = _runs.get(visitor.event.id)
    if run is None:
        return False
    run.cancelled = True
    if run.search is not None:
        run.search.cancel()
    return True


def _optimize(visitor, op_id, run):
    config = current_app.config
    inputs = schedule_service.optimizer_inputs(visitor)
    event_id = visitor.event.id
    end_read()  # nothing of the database is held while the search runs
    run.search = SearchRun(
        inputs.problem, steps=config["SCHEDULE_STEPS"], time_limit=config["SCHEDULE_TIME_LIMIT"]
    )
    if run.cancelled:
        run.search.cancel()

    def tell(state, **progress):
        live.send_schedule_progress(event_id, {"run": op_id, "state": state, **progress})

    tell("running", best=None, upper_bound=None, done=0.0)
    try:
        answer = run.search.run(on_progress=lambda progress: tell("running", **progress))
    except SearchCancelled:
        answer = None
    except SearchFailed:
        log.exception("The optimizer failed")
        tell("failed")
        raise ScheduleFailed() from None
    if run.cancelled:  # stopped during the search, or just after it: nothing written
        tell("cancelled")
        raise ScheduleCancelled()
    try:
        ack = operations.run(
            visitor,
            op_id,
            lambda: {"report": schedule_service.apply_search(visitor, inputs, answer)},
        )
    except schedule_service.ScheduleStale:
        tell("stale")
        raise
    except BarcampError:
        tell("failed")
        raise
    report = ack["report"]
    tell("done", best=report["score"], upper_bound=report["upper_bound"], done=1.0)
    return ack
