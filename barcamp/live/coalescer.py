"""Send state at most once per interval per key, and always the latest state."""

import math
import time


class Coalescer:
    """The first change is sent at once; changes within the next `interval` seconds
    are folded into one send at the end of it, which reads the state then."""

    def __init__(self, interval, send, *, later, clock=time.monotonic):
        self.interval = interval
        self.send = send
        self.later = later  # later(delay, function, *args): run function after delay
        self.clock = clock
        self._last = {}
        self._pending = set()

    def changed(self, key):
        if key in self._pending:
            return
        wait = self._last.get(key, -math.inf) + self.interval - self.clock()
        if wait <= 0:
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
