"""Run the optimizer in its own process: `python -m barcamp.scheduling.worker`, a JSON
problem on standard input, its progress then its result on standard output, a JSON
object a line. The live server starts it so that a search never holds up its sockets,
and waits for it outside any transaction."""

import json
import sys
import tempfile
import threading

from barcamp.processes import Child, give_way
from barcamp.scheduling.model import Cell, Problem, ProblemError, Room, Topic
from barcamp.scheduling.solve import solve


def problem_to_json(problem):
    return {
        "topics": [
            {
                "id": t.id,
                "voters": sorted(t.voters),
                "hosts": sorted(t.hosts),
                "needs": sorted(t.needs),
            }
            for t in problem.topics
        ],
        "rooms": [
            {"id": r.id, "capacity": r.capacity, "features": sorted(r.features)}
            for r in problem.rooms
        ],
        "slots": list(problem.slots),
        "pins": [[t, c.room, c.slot] for t, c in problem.pins.items()],
        "blocked": [[c.room, c.slot] for c in problem.blocked],
    }


def problem_from_json(data):
    return Problem(
        topics=tuple(
            Topic(t["id"], frozenset(t["voters"]), frozenset(t["hosts"]), frozenset(t["needs"]))
            for t in data["topics"]
        ),
        rooms=tuple(Room(r["id"], r["capacity"], frozenset(r["features"])) for r in data["rooms"]),
        slots=tuple(data["slots"]),
        pins={t: Cell(room, slot) for t, room, slot in data["pins"]},
        blocked=frozenset(Cell(room, slot) for room, slot in data["blocked"]),
    )


class SearchCancelled(Exception):
    """The search was stopped before it ended (nothing to write)."""


class SearchFailed(RuntimeError):
    """The child process died or answered nothing readable."""


class SearchRun:
    """One search in a child process, reporting its progress as it goes; `cancel()`
    (from another greenlet or thread) stops it.

    The child writes one JSON object a line: {"progress": {...}} lines while it
    searches, then {"result": ...} or {"problems": ...}.
    """

    def __init__(self, problem, *, steps=None, time_limit=20.0, seed=0):
        self.request = json.dumps(
            {
                "problem": problem_to_json(problem),
                "steps": steps,
                "time_limit": time_limit,
                "seed": seed,
            }
        )
        self.time_limit = time_limit
        self.process = None
        self.cancelled = False

    def run(self, on_progress=None):
        """Search; return the child's answer ({"result": …} or {"problems": …})."""
        if self.cancelled:
            raise SearchCancelled()
        with tempfile.TemporaryFile("w+") as errors:
            with Child("barcamp.scheduling.worker", errors=errors) as self.process:
                # A guard only: the search stops itself well before.
                guard = threading.Timer(self.time_limit + 30, self._kill)
                guard.start()
                try:
                    answer = self._read(on_progress)
                    code = self.process.wait()
                finally:
                    guard.cancel()
                    self._kill()
            if self.cancelled:
                raise SearchCancelled()
            if code != 0 or answer is None:
                errors.seek(0)
                raise SearchFailed(f"the search ended with code {code}: {errors.read()[-2000:]}")
        return answer

    def _read(self, on_progress):
        self.process.stdin.write(self.request.encode())
        self.process.stdin.close()
        answer = None
        for line in self.process.stdout:
            message = json.loads(line)
            if "progress" in message:
                if on_progress is not None:
                    on_progress(message["progress"])
            else:
                answer = message
        return answer

    def cancel(self):
        self.cancelled = True
        self._kill()

    def _kill(self):
        if self.process is not None:
            self.process.kill()


def main():
    give_way()  # the search counts steps, not seconds: the same grid, niced or not
    request = json.load(sys.stdin)
    problem = problem_from_json(request["problem"])

    def progress(report):
        print(json.dumps({"progress": report}), flush=True)

    try:
        result = solve(
            problem,
            seed=request.get("seed", 0),
            steps=request.get("steps"),
            time_limit=request["time_limit"],
            progress=progress,
        )
    except ProblemError as error:
        answer = {"problems": [[code, details] for code, details in error.problems]}
    else:
        answer = {
            "result": {
                "grid": [[c.room, c.slot, t] for c, t in result.grid.items()],
                "score": result.score,
                "upper_bound": result.upper_bound,
                "by_hand": result.by_hand,
                "seconds": round(result.seconds, 3),
                "unplaced": [[t, reason] for t, reason in result.unplaced.items()],
            }
        }
    print(json.dumps(answer, default=str), flush=True)


if __name__ == "__main__":
    main()
