"""Child processes (the optimizer, the PDF) started without copying the server.

gevent's subprocess forks the whole server before it runs the child's program: with a
thousand pages open (250 MB) the fork alone held every page and socket of the process
for 30-40 ms (docs/benchmarks.md). `os.posix_spawn` (the C library's vfork and exec)
takes under a millisecond whatever the server's size. The child's pipes are then
written and read cooperatively (gevent's file objects), and its end is awaited without
blocking the loop.
"""

import contextlib
import os
import signal
import sys

import gevent
from gevent.fileobject import FileObjectPosix

WAIT_TICK = 0.01  # seconds between two looks at a child that has not ended yet
# A child gives way to the live server when they share a core (a small machine): niced,
# it runs only when the server has nothing to do, so the server's loop is not held for
# the scheduler's time slices.
NICENESS = 10


def give_way():
    """Called first by a child (the optimizer, the PDF): lower its own priority."""
    os.nice(NICENESS)


class Child:
    """`python -m module`, its standard input and output as pipes (binary), its errors
    to `errors` (a file, or the server's own)."""

    def __init__(self, module, *, errors=None):
        child_in, self._in = os.pipe()
        self._out, child_out = os.pipe()
        error_fd = errors.fileno() if errors is not None else sys.stderr.fileno()
        # The pipes' other ends close at exec (Python makes them non-inheritable); the
        # three copied onto 0, 1 and 2 stay open in the child.
        actions = [
            (os.POSIX_SPAWN_DUP2, child_in, 0),
            (os.POSIX_SPAWN_DUP2, child_out, 1),
            (os.POSIX_SPAWN_DUP2, error_fd, 2),
        ]
        try:
            self.pid = os.posix_spawn(
                sys.executable, [sys.executable, "-m", module], os.environ, file_actions=actions
            )
        finally:
            os.close(child_in)
            os.close(child_out)
        self.stdin = FileObjectPosix(self._in, "wb")
        self.stdout = FileObjectPosix(self._out, "rb")
        self.returncode = None

    def communicate(self, data):
        """Write `data` to the child (from another greenlet), read all it writes; its
        output, as bytes."""
        writer = gevent.spawn(self._write_all, data)
        try:
            output = self.stdout.read()
        finally:
            writer.kill()
        return output

    def _write_all(self, data):
        try:
            self.stdin.write(data)
        except BrokenPipeError:  # the child ended without reading it all
            pass
        finally:
            self.stdin.close()

    def poll(self):
        """The child's exit code if it has ended (negative: killed by that signal)."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # already reaped elsewhere: its code is lost
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self):
        while self.poll() is None:
            gevent.sleep(WAIT_TICK)
        return self.returncode

    def kill(self):
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self.wait()

    def close(self):
        for pipe in (self.stdin, self.stdout):
            if not pipe.closed:
                pipe.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.kill()
        self.close()
