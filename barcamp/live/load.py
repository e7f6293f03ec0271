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
from collections import deque

from flask import current_app

from barcamp.database import ServerBusy, write_turns
from barcamp.extensions import socketio

TICK = 0.05
WINDOW = 1.0  # seconds over which the share of the core used is measured
_EXTENSION = "barcamp_load"


class LoadWatch:
    """The lag of this process's event loop, measured every `tick` seconds."""

    def __init__(self, limit, *, tick=TICK, clock=time.monotonic, cpu=time.process_time):
        self.limit = limit
        self.tick = tick
        self.clock = clock
        self.cpu = cpu
        self.lag = 0.0
        self.busy = 1.0  # share of a core this process used over the last `WINDOW`
        self.started = False
        self._seconds = deque(maxlen=60)  # [second, worst lag in it], the last minute
        self._samples = deque()  # (clock, cpu), the last `WINDOW`

    def measure(self, sleep):
        """Run forever (a background task): sleep a tick, note how late it woke."""
        while True:
            before = self.clock()
            sleep(self.tick)
            self.note(max(self.clock() - before - self.tick, 0.0))
            self.note_cpu(self.clock(), self.cpu())

    def note_cpu(self, now, cpu):
        samples = self._samples
        samples.append((now, cpu))
        while len(samples) > 2 and now - samples[1][0] >= WINDOW:
            samples.popleft()
        then, cpu_then = samples[0]
        if now - then >= WINDOW / 2:
            self.busy = (cpu - cpu_then) / (now - then)

    def note(self, lag):
        self.lag = lag
        second = int(self.clock())
        if self._seconds and self._seconds[-1][0] == second:
            self._seconds[-1][1] = max(self._seconds[-1][1], lag)
        else:
            self._seconds.append([second, lag])

    def worst(self, seconds):
        """The longest the loop ran late over the last `seconds` (at most 60): how long
        every page and socket of the process stood still at worst."""
        since = int(self.clock()) - seconds
        return max((lag for second, lag in self._seconds if second > since), default=0.0)

    @property
    def overloaded(self):
        return bool(self.limit) and self.lag > self.limit


def has_time_to_spare(app):
    """A function telling whether this process used less than `SPARE_CPU` of its core
    over the last second (as measured by the watch, once started): the coalescer then
    sends every change at once. None when `SPARE_CPU` is 0 (changes are always folded
    per interval)."""
    limit = app.config["SPARE_CPU"]
    if not limit:
        return None

    def spare():
        load = app.extensions[_EXTENSION]
        return load.started and load.busy < limit

    return spare


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
    if load.overloaded or (load.limit and _expected_wait() > load.limit):
        raise ServerBusy()


def _expected_wait():
    """How long an action queued now would wait for the writers before it (seconds)."""
    from barcamp.live import vote_queue

    return write_turns().expected_wait() + vote_queue.queue().expected_wait()


def health():
    """What /healthz reports of this process's load (milliseconds)."""
    load = current_app.extensions[_EXTENSION]
    return {
        "watching": load.started,
        "loop_lag_ms": round(load.lag * 1000, 1),
        "worst_lag_ms_10s": round(load.worst(10) * 1000, 1),
        "worst_lag_ms_60s": round(load.worst(60) * 1000, 1),
        "cpu_share": round(load.busy, 3),
        "write_wait_ms": round(_expected_wait() * 1000, 1),
    }
