"""Run the optimizer in its own process: `python -m barcamp.scheduling.worker`, a JSON
problem on standard input, a JSON result on standard output. The live server starts it
so that a search never holds up its sockets."""

import json
import subprocess
import sys

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


def run_in_subprocess(problem, *, time_limit, seed=0):
    """Solve in a child process; return its answer: {"result": …} or {"problems": …}."""
    request = json.dumps(
        {"problem": problem_to_json(problem), "time_limit": time_limit, "seed": seed}
    )
    completed = subprocess.run(
        [sys.executable, "-m", "barcamp.scheduling.worker"],
        input=request,
        capture_output=True,
        text=True,
        timeout=time_limit + 30,
        check=True,
    )
    return json.loads(completed.stdout)


def main():
    request = json.load(sys.stdin)
    problem = problem_from_json(request["problem"])
    try:
        result = solve(problem, time_limit=request["time_limit"], seed=request.get("seed", 0))
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
    json.dump(answer, sys.stdout, default=str)


if __name__ == "__main__":
    main()
