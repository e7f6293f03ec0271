"""Send state at most once per interval per key, and always the latest state."""

import math
import time


class Coalescer:
    """The first change is sent at once; changes within the next `interval` seconds
    are folded into one send at the end of it, which reads the state then. `intervals`
    gives some keys' names (a key's last part) an interval of their own.

    `spare()`, when given, says whether the process has time to spare: while it does,
    every change of a key without an interval of its own is sent at once (a vote shows
    on every screen as soon as it is stored); once it falls behind, changes are folded
    per interval again, so the work of sending them stays bounded under load."""

    def __init__(self, interval, send, *, later, clock=time.monotonic, intervals=None, spare=None):
        self.interval = interval
        self.intervals = intervals or {}
        self.send = send
        self.later = later  # later(delay, function, *args): run function after delay
        self.clock = clock
        self.spare = spare
        self._last = {}
        self._pending = set()

    def changed(self, key):
        if key in self._pending:
            return
        own = self.intervals.get(key[-1])
        interval = self.interval if own is None else own
        wait = self._last.get(key, -math.inf) + interval - self.clock()
        if wait <= 0 or (own is None and self.spare is not None and self.spare()):
            self._send(key)
        else:
            self._pending.add(key)
            self.later(wait, self._flush, key)

    def _flush(self, key):
        self._pending.discard(key)
        self._send(key)

    def _send(self, key):
        self._last[key] = self.clock()
        self.send(key)


class Batcher:
    """Messages of a stream sent at once when alone; in a burst, those that follow
    within `interval` go out together at its end, in their order (a ramp of arrivals
    sends each page a few batches a second, not one message per arrival)."""

    def __init__(self, interval, send, *, later, clock=time.monotonic):
        self.interval = interval
        self.send = send  # send(key, [message, …])
        self.later = later
        self.clock = clock
        self._last = {}
        self._pending = {}

    def add(self, key, message):
        pending = self._pending.get(key)
        if pending is not None:
            pending.append(message)
            return
        wait = self._last.get(key, -math.inf) + self.interval - self.clock()
        if wait <= 0:
            self._last[key] = self.clock()
            self.send(key, [message])
        else:
            self._pending[key] = [message]
            self.later(wait, self.flush, key)

    def flush(self, key):
        """Send what waits now (before a message that must come after it)."""
        messages = self._pending.pop(key, None)
        if messages:
            self._last[key] = self.clock()
            self.send(key, messages)
