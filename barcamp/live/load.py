"""Shedding load: when this process falls behind, new actions are refused at once.

Under gevent every socket event of a process waits for one CPU. When events arrive
faster than they are handled, each waits longer than the last and, unbounded, a vote
ends up answered after half a minute, long after its client gave up and retried. So
a timer measures how late the event loop runs (it should wake every `TICK` seconds);
while it runs more than `LOAD_SHED_LAG` seconds late, actions are refused with `busy`
before any database work (a refusal costs a small fraction of a vote), the backlog
drains, and clients retry after a jittered back-off with the same operation id.

The loop can also keep time while the backlog grows elsewhere: on SQLite writers take
turns, and a queue of votes waiting for theirs makes no greenlet late. So an action is
refused as well when the writers already queued would keep it waiting longer than
`LOAD_SHED_LAG` (their number times how long a turn lasts).
"""

import time

from flask import current_app

from barcamp.database import ServerBusy, write_turns
from barcamp.extensions import socketio

TICK = 0.05
_EXTENSION = "barcamp_load"


class LoadWatch:
    """The lag of this process's event loop, measured every `tick` seconds."""

    def __init__(self, limit, *, tick=TICK, clock=time.monotonic):
        self.limit = limit
        self.tick = tick
        self.clock = clock
        self.lag = 0.0
        self.started = False

    def measure(self, sleep):
        """Run forever (a background task): sleep a tick, note how late it woke."""
        while True:
            before = self.clock()
            sleep(self.tick)
            self.lag = max(self.clock() - before - self.tick, 0.0)

    @property
    def overloaded(self):
        return bool(self.limit) and self.lag > self.limit


def init_app(app):
    app.extensions[_EXTENSION] = LoadWatch(app.config["LOAD_SHED_LAG"])


def watch():
    """Start measuring (once per process, from the first live connection)."""
    load = current_app.extensions[_EXTENSION]
    if not load.started and load.limit:
        load.started = True
        socketio.start_background_task(load.measure, socketio.sleep)


def refuse_when_overloaded():
    """Raise ServerBusy (nothing done) while this process runs too late, or while its
    queue of writers is too long."""
    load = current_app.extensions[_EXTENSION]
    if load.overloaded or (load.limit and write_turns().expected_wait() > load.limit):
        raise ServerBusy()
