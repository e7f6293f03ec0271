"""The grid optimizer: topics with their voters, rooms, slots and constraints in; a grid
out. Pure Python data, no Flask, no database.

- `model`: the problem, the grid, and the hard constraints (`check_grid`).
- `scoring`: the exact score of any grid (a max-flow per slot), an upper bound, and the
  "by hand" baseline (most votes into the biggest rooms).
- `search`: the fast search (conflict-aware greedy, then local search) used live.
- `exact`: the exact MIP with HiGHS, used as the test oracle on small instances.
- `solve`: one call that runs the search and explains what it left out.
"""

from barcamp.scheduling.model import Cell, Problem, ProblemError, Room, Topic, check_grid
from barcamp.scheduling.solve import Result, solve

__all__ = ["Cell", "Problem", "ProblemError", "Result", "Room", "Topic", "check_grid", "solve"]
