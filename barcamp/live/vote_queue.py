"""Votes waiting for the write turn, taken together: group commit.

On SQLite the writers of a process take turns. When a crowd votes at once, each vote
used to wait for a turn of its own: read who votes, their ballot, write, commit, a few
milliseconds each, a few hundred votes a second at most. Here the socket handlers
queue their vote and wait (cooperatively, outside any unit of work); one greenlet per
event takes every vote queued so far and applies them in one unit of work
(services/vote_batches.py). A vote alone is applied at once, as before; under a crowd
the batches grow, the cost of a turn is shared, and the acks still mean "stored".

On PostgreSQL writers do not take turns (each vote locks its own rows): votes are
applied one by one, as they come (sockets/voting.py). Tests run no background tasks:
there each vote is a batch of its own, applied at once.
"""

import logging
import time

from flask import current_app

from barcamp.database import ServerBusy
from barcamp.extensions import socketio
from barcamp.services import vote_batches
from barcamp.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

_EXTENSION = "barcamp_vote_queue"

# At most this many votes in one unit of work (a batch stays a few milliseconds long).
BATCH_MAX = 200


class VoteQueue:
    def __init__(self, app, *, batching, timeout):
        self.app = app
        self.batching = batching
        self.timeout = timeout
        self._waiting = {}  # event id -> [VoteJob, …], in arrival order
        self._draining = set()  # the events whose greenlet is applying batches
        self._seconds_per_vote = 0.0  # a moving average, for expected_wait()

    def submit(self, event_id, job):
        """Apply the job (a VoteJob) in a batch and return its result: the ack, or
        the exception refusing it. ServerBusy (nothing done) if its batch did not
        start within the write turn's timeout."""
        if not self.batching:
            self._apply(event_id, [job])
            return job.result
        job.done = socketio.server.eio.create_event()
        self._waiting.setdefault(event_id, []).append(job)
        if event_id not in self._draining:
            self._draining.add(event_id)
            socketio.start_background_task(self._drain, event_id)
        if not job.done.wait(self.timeout):
            waiting = self._waiting.get(event_id, [])
            if job in waiting:  # not started: take it back, nothing done
                waiting.remove(job)
                return ServerBusy()
            job.done.wait()  # in the batch being applied: a few milliseconds
        return job.result

    def expected_wait(self):
        """Roughly how long a vote queued now would wait (seconds)."""
        queued = sum(len(jobs) for jobs in self._waiting.values())
        return queued * self._seconds_per_vote

    def _drain(self, event_id):
        try:
            with self.app.app_context():
                while self._waiting.get(event_id):
                    batch = self._waiting[event_id][:BATCH_MAX]
                    del self._waiting[event_id][:BATCH_MAX]
                    began = time.perf_counter()
                    try:
                        self._apply(event_id, batch)
                    finally:
                        for job in batch:
                            job.done.set()
                    spent = (time.perf_counter() - began) / len(batch)
                    self._seconds_per_vote += 0.1 * (spent - self._seconds_per_vote)
        finally:
            self._draining.discard(event_id)
            if not self._waiting.get(event_id):
                self._waiting.pop(event_id, None)
            elif event_id not in self._draining:  # queued while this one was ending
                self._draining.add(event_id)
                socketio.start_background_task(self._drain, event_id)

    def _apply(self, event_id, jobs):
        try:
            with unit_of_work():
                vote_batches.apply(event_id, jobs)
        except ServerBusy as busy:
            for job in jobs:
                job.result = busy
        except Exception as error:  # each vote's handler reports it
            log.exception("A batch of %d votes failed", len(jobs))
            for job in jobs:
                job.result = error


def init_app(app):
    app.extensions[_EXTENSION] = VoteQueue(
        app,
        batching=not app.config["TESTING"],
        timeout=app.config["WRITE_TURN_TIMEOUT"],
    )


def queue():
    return current_app.extensions[_EXTENSION]
