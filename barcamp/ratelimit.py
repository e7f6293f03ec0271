"""Rate limits keyed by participant (a whole ministry may share one IP address).

With several processes the counters live in Redis (`RATELIMIT_STORAGE_URI=redis://…`,
through the `limits` library). With one process (`memory://`) they live in a moving
window of our own, pruned as each key is used: the `limits` in-memory storage scans
every key on a timer every 10 ms, which costs a large share of a busy process.

When Redis cannot be reached, each process counts on its own (the local window) until
Redis answers again: a restart of Redis must not refuse every join and vote meanwhile.
"""

import functools
import logging
import time
from collections import deque

from limits import parse, storage, strategies
from limits.errors import StorageError

from barcamp.errors import RateLimited


class LocalMovingWindow:
    """One process's counters: per key, the times of its hits within the window."""

    SWEEP_EVERY = 10_000  # hits between two sweeps of the keys that fell silent

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._hits = {}  # key -> (window in seconds, deque of hit times)
        self._until_sweep = self.SWEEP_EVERY

    def hit(self, item, key):
        now = self.clock()
        window = item.get_expiry()
        kept = self._hits.get(key)
        if kept is None:
            kept = self._hits[key] = (window, deque())
        hits = kept[1]
        while hits and hits[0] <= now - window:
            hits.popleft()
        self._until_sweep -= 1
        if self._until_sweep <= 0:
            self._sweep(now)
        if len(hits) >= item.amount:
            return False
        hits.append(now)
        return True

    def _sweep(self, now):
        self._until_sweep = self.SWEEP_EVERY
        silent = [
            key
            for key, (window, hits) in self._hits.items()
            if not hits or hits[-1] <= now - window
        ]
        for key in silent:
            del self._hits[key]

    def reset(self):
        self._hits.clear()


log = logging.getLogger(__name__)
rule_of = functools.lru_cache(maxsize=64)(parse)  # "60/minute", parsed once


class RateLimiter:
    """A thin binding of the `limits` library (or the local window) to the app."""

    RETRY_SHARED_AFTER = 1.0  # seconds on the local window after Redis failed

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._strategy = None
        self._local = None
        self._shared_down_until = None  # while Redis is out of reach

    def init_app(self, app):
        uri = app.config["RATELIMIT_STORAGE_URI"]
        self._local, self._strategy, self._shared_down_until = LocalMovingWindow(), None, None
        if uri != "memory://":
            backend = storage.storage_from_string(
                uri, wrap_exceptions=True, socket_timeout=0.5, socket_connect_timeout=0.5
            )
            self._strategy = strategies.MovingWindowRateLimiter(backend)
        app.extensions["barcamp_ratelimit"] = self

    def hit(self, rule, *key):
        """Count one hit against `rule` ("10/minute") for `key`; False once over."""
        if self._strategy is not None and not self._shared_is_down():
            try:
                allowed = self._strategy.hit(rule_of(rule), *map(str, key))
            except StorageError as error:
                self._shared_down_until = self.clock() + self.RETRY_SHARED_AFTER
                log.warning("rate limits: Redis out of reach (%s); counting locally", error)
            else:
                if self._shared_down_until is not None:
                    self._shared_down_until = None
                    log.warning("rate limits: Redis answers again; counting there")
                return allowed
        return self._local.hit(rule_of(rule), (rule, *map(str, key)))

    def _shared_is_down(self):
        return self._shared_down_until is not None and self.clock() < self._shared_down_until

    def enforce(self, rule, *key):
        """Count one hit, or raise RateLimited."""
        if not self.hit(rule, *key):
            raise RateLimited()

    def reset(self):
        self._local.reset()
        if self._strategy is not None:
            self._strategy.storage.reset()


limiter = RateLimiter()

# Each kind of action has one budget per person, whatever path it comes by (a socket
# event or a plain form): the socket handlers register theirs here (sockets/context.py
# `mutation`, sockets/voting.py), the form views count against the same key.
DEFAULT_ACTION_RULE = "120/minute"
ACTION_RULES = {}


def count_action(kind, event_id, actor):
    """Count one action of this kind by this person; raise RateLimited past its budget."""
    limiter.enforce(ACTION_RULES.get(kind, DEFAULT_ACTION_RULE), kind, event_id, actor)
