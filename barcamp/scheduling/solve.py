"""One call for the app: validate, search within a time limit, explain the result."""

import time
from dataclasses import dataclass, field

from barcamp.scheduling import scoring
from barcamp.scheduling.model import check_grid
from barcamp.scheduling.search import search


@dataclass
class Result:
    grid: dict  # Cell -> topic id
    score: int  # (participant, voted topic) pairs that can happen
    upper_bound: int  # no grid can do better
    by_hand: int  # the score of the "by hand" grid
    seconds: float
    unplaced: dict = field(default_factory=dict)  # topic id -> reason code

    @property
    def share_of_bound(self):
        return self.score / self.upper_bound if self.upper_bound else 1.0

    @property
    def gain_over_by_hand(self):
        return (self.score - self.by_hand) / self.by_hand if self.by_hand else 0.0


def solve(problem, *, time_limit=1.5, seed=0):
    """The best grid found in `time_limit` seconds, its score, bounds and left-outs.

    Raises ProblemError when the problem cannot hold (a pin on a blocked cell…).
    """
    began = time.monotonic()
    problem.validate()
    grid = fill_free_places(problem, search(problem, time_limit=time_limit, seed=seed))
    broken = check_grid(problem, grid)
    if broken:  # the search only makes valid moves; this would be a bug
        raise AssertionError(f"the search broke hard constraints: {broken}")
    return Result(
        grid=grid,
        score=scoring.score(problem, grid),
        upper_bound=scoring.upper_bound(problem),
        by_hand=scoring.score(problem, scoring.by_hand(problem)),
        seconds=time.monotonic() - began,
        unplaced=why_unplaced(problem, grid),
    )


def fill_free_places(problem, grid):
    """Give places nobody uses to topics left out (a session more never seats fewer
    people): every topic runs when there is room, even without votes."""
    grid = dict(grid)
    placed = set(grid.values())
    busy = {
        (host, cell.slot)
        for cell, topic_id in grid.items()
        for host in problem.topic(topic_id).hosts
    }
    free = sorted(
        (c for c in problem.cells() if c not in grid),
        key=lambda c: -problem.room(c.room).capacity,
    )
    for topic in sorted(problem.topics, key=lambda t: (-len(t.voters), t.id)):
        if topic.id in placed:
            continue
        for cell in free:
            room = problem.room(cell.room)
            if problem.fits(topic, room) and not any((h, cell.slot) in busy for h in topic.hosts):
                grid[cell] = topic.id
                free.remove(cell)
                busy.update((h, cell.slot) for h in topic.hosts)
                break
    return grid


def why_unplaced(problem, grid):
    """For each topic left out, the first reason that applies:

    - `no_room_fits`: no room has what it needs;
    - `hosts_busy`: its hosts are busy in every slot with a fitting room free;
    - `no_votes`: nobody voted for it, and places went to topics with votes;
    - `grid_full`: every place that fits went to topics that seat more people.
    """
    placed = set(grid.values())
    used = set(grid)
    busy = {
        (host, cell.slot)
        for cell, topic_id in grid.items()
        for host in problem.topic(topic_id).hosts
    }
    reasons = {}
    for topic in problem.topics:
        if topic.id in placed:
            continue
        fitting = [c for c in problem.cells() if problem.fits(topic, problem.room(c.room))]
        free = [c for c in fitting if c not in used]
        if not fitting:
            reasons[topic.id] = "no_room_fits"
        elif free and all(any((h, c.slot) in busy for h in topic.hosts) for c in free):
            reasons[topic.id] = "hosts_busy"
        elif not topic.voters:
            reasons[topic.id] = "no_votes"
        else:
            reasons[topic.id] = "grid_full"
    return reasons
