"""Benchmark of the grid optimizer on generated instances.

    python bench/schedule.py                 # the full benchmark (about two hours:
                                             #  the exact MIP gets 10 minutes per instance)
    python bench/schedule.py --smoke         # a tiny run, as CI does
    python bench/schedule.py --sizes small --seeds 0 1 --mip-seconds 120
    python bench/schedule.py --sizes full large --mip-seconds 0   # the search alone
    python bench/schedule.py --sizes full --scale 4 --step-cost --mip-seconds 0

Full size: 60 topics, 6 rooms (150 to 40 seats), 8 slots, 500 participants with 6 votes.
Small: 20 topics, 3 rooms (60/50/40), 5 slots, 100 participants with 4 votes, where the
exact MIP (HiGHS) can prove the optimum. Large: 2,000 participants, 120 topics, 12 rooms
(300 to 80 seats), 8 slots, 6 votes. Hosts are participants (generate.py). Each line:
the search's annealing steps and wall time, its score, its share of the upper bound,
its gain over the grid made by hand, a digest of its grid (the same event and seed give
the same grid, on any machine), and the MIP's result. `--scale K` multiplies the
participants and the seats by K (the same grid, K times the people); `--step-cost` adds
the CPU time of one annealing step. Figures go to docs/benchmarks.md by hand, with the
machine they were measured on.
"""

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from barcamp.scheduling import check_grid, scoring, solve
from barcamp.scheduling.exact import solve_exact
from barcamp.scheduling.generate import generate
from barcamp.scheduling.search import Search

SIZES = {
    "full": dict(topics=60, rooms=[150, 120, 100, 80, 60, 40], slots=8, people=500, votes=6),
    "small": dict(topics=20, rooms=[60, 50, 40], slots=5, people=100, votes=4),
    "large": dict(
        topics=120,
        rooms=[300, 300, 240, 240, 200, 200, 160, 160, 120, 120, 80, 80],
        slots=8,
        people=2000,
        votes=6,
    ),
    "smoke": dict(topics=8, rooms=[12, 8], slots=3, people=30, votes=3),
}


def digest(grid):
    """A short fingerprint of a grid, to see two runs gave the same one."""
    cells = sorted((cell.room, cell.slot, topic_id) for cell, topic_id in grid.items())
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()[:12]


def step_cost(problem, *, steps=4000, repeats=3):
    """Microseconds of CPU one annealing step takes, the best of a few runs."""
    best = float("inf")
    for _ in range(repeats):
        state = Search(problem)
        state.greedy()
        began = time.process_time()
        state.anneal(steps)
        best = min(best, (time.process_time() - began) / steps)
    return round(best * 1e6, 1)


def instance(size, seed, scale=1):
    spec = dict(SIZES[size])
    spec["people"] *= scale
    spec["rooms"] = [seats * scale for seats in spec["rooms"]]
    return generate(**spec, seed=seed)


def run(size, seed, *, steps, time_limit, mip_seconds, scale=1, with_step_cost=False):
    problem = instance(size, seed, scale)
    result = solve(problem, seed=seed, steps=steps, time_limit=time_limit)
    assert check_grid(problem, result.grid) == [], "hard constraint broken"
    line = {
        "size": size if scale == 1 else f"{size}x{scale}",
        "seed": seed,
        "people": SIZES[size]["people"] * scale,
        "steps": result.steps,
        "step_budget": result.step_budget,
        "seconds": round(result.seconds, 3),
        "score": result.score,
        "upper_bound": result.upper_bound,
        "share_of_bound": round(100 * result.share_of_bound, 1),
        "by_hand": result.by_hand,
        "gain_over_by_hand": round(100 * result.gain_over_by_hand, 1),
        "grid": digest(result.grid),
    }
    if with_step_cost:
        line["us_per_step"] = step_cost(problem)
    if mip_seconds:
        began = time.monotonic()
        grid, value, proven = solve_exact(problem, time_limit=mip_seconds)
        # The MIP counts what the score counts (hosts at their own session included).
        assert not grid or scoring.score(problem, grid) == value, "the MIP and score() differ"
        line.update(
            mip=value,
            mip_proven=proven,
            mip_seconds=round(time.monotonic() - began, 1),
            share_of_mip=round(100 * result.score / value, 2) if value else None,
        )
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny run, for CI")
    parser.add_argument("--sizes", nargs="*", default=["small", "full"], choices=sorted(SIZES))
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--steps", type=int, default=None, help="annealing steps (default: sized by the instance)"
    )
    parser.add_argument(
        "--time-limit", type=float, default=20.0, help="the search's guard, in seconds"
    )
    parser.add_argument("--mip-seconds", type=float, default=600, help="0: no MIP")
    parser.add_argument("--scale", type=int, default=1, help="K times the people and seats")
    parser.add_argument("--step-cost", action="store_true", help="time one annealing step")
    parser.add_argument("--out", type=Path, help="also write the lines as JSON here")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.seeds, args.mip_seconds = ["smoke"], [0], 30
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpu, "
        f"Python {platform.python_version()}",
        flush=True,
    )
    lines = []
    for size in args.sizes:
        for seed in args.seeds:
            line = run(
                size,
                seed,
                steps=args.steps,
                time_limit=args.time_limit,
                mip_seconds=args.mip_seconds,
                scale=args.scale,
                with_step_cost=args.step_cost,
            )
            lines.append(line)
            print(json.dumps(line), flush=True)
    if args.out:
        args.out.write_text(json.dumps(lines, indent=1))
    return lines


if __name__ == "__main__":
    main()
