"""One call for the app: validate, search within a step budget, explain the result."""

import time
from dataclasses import dataclass, field

from barcamp.scheduling import scoring
from barcamp.scheduling.model import check_grid
from barcamp.scheduling.search import run

__all__ = ["Result", "solve", "why_unplaced"]


@dataclass
class Result:
    grid: dict  # Cell -> topic id
    score: int  # (participant, voted topic) pairs that can happen
    upper_bound: int  # no grid can do better
    by_hand: int  # the score of the "by hand" grid
    seconds: float
    unplaced: dict = field(default_factory=dict)  # topic id -> reason code
    steps: int = 0  # annealing steps run
    step_budget: int = 0  # annealing steps planned: more than `steps` if out of time

    @property
    def share_of_bound(self):
        return self.score / self.upper_bound if self.upper_bound else 1.0

    @property
    def gain_over_by_hand(self):
        return (self.score - self.by_hand) / self.by_hand if self.by_hand else 0.0


def solve(problem, *, seed=0, steps=None, time_limit=20.0, progress=None):
    """The best grid found, its score, bounds and left-outs.

    The search runs `steps` annealing steps (None: as many as the instance calls for,
    search.step_budget), so the same problem and seed always give the same grid;
    `time_limit` (seconds) is a guard only, stopping it early if it runs that long.
    `progress`, if given, is called about 16 times during the search with
    {"best": exact score of the best grid so far, "upper_bound": …, "done": 0..1}.

    Raises ProblemError when the problem cannot hold (a pin on a blocked cell…).
    """
    began = time.monotonic()
    problem.validate()
    outcome = run(problem, seed=seed, steps=steps, time_limit=time_limit, progress=progress)
    grid = outcome.grid
    broken = check_grid(problem, grid)
    if broken:  # the search only makes valid moves; this would be a bug
        raise AssertionError(f"the search broke hard constraints: {broken}")
    return Result(
        grid=grid,
        score=outcome.score,
        upper_bound=scoring.upper_bound(problem),
        by_hand=scoring.score(problem, scoring.by_hand(problem)),
        seconds=time.monotonic() - began,
        unplaced=why_unplaced(problem, grid),
        steps=outcome.steps,
        step_budget=outcome.budget,
    )


def why_unplaced(problem, grid):
    """For each topic left out of a grid whose free places were filled, the first
    reason that applies:

    - `no_room_fits`: no room has what it needs;
    - `hosts_busy`: its hosts present another session in every slot with a room that
      fits it, whether the grid is full or not;
    - `no_votes`: nobody voted for it, and the places went to topics with votes;
    - `grid_full`: every place that fits it, in a slot where its hosts are free, went
      to a topic with at least as many votes;
    - `voters_elsewhere`: some of those places went to topics with fewer votes: its
      voters are better served by the sessions already at those times.
    """
    placed = set(grid.values())
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
        open_places = [c for c in fitting if not any((h, c.slot) in busy for h in topic.hosts)]
        if not fitting:
            reasons[topic.id] = "no_room_fits"
        elif not open_places:
            reasons[topic.id] = "hosts_busy"
        elif not topic.voters:
            reasons[topic.id] = "no_votes"
        elif all(
            c in grid and len(problem.topic(grid[c]).voters) >= len(topic.voters)
            for c in open_places
        ):
            reasons[topic.id] = "grid_full"
        else:
            reasons[topic.id] = "voters_elsewhere"
    return reasons
