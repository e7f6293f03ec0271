"""Benchmark of the grid optimizer on generated instances.

    python bench/schedule.py                 # the full benchmark (about two hours:
                                             #  the exact MIP gets 10 minutes per instance)
    python bench/schedule.py --smoke         # a tiny run, as CI does
    python bench/schedule.py --mip-seconds 60 --seeds 0 1

Full size: 60 topics, 6 rooms (150 to 40 seats), 8 slots, 500 participants with 6 votes.
Small: 20 topics, 3 rooms (60/50/40), 5 slots, 100 participants with 4 votes, where the
exact MIP (HiGHS) can prove the optimum. Each line: time of the search, its score, its
share of the upper bound, its gain over the grid made by hand, and the MIP's result.
Figures go to docs/benchmarks.md by hand, with the machine they were measured on.
"""

import argparse
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

SIZES = {
    "full": dict(topics=60, rooms=[150, 120, 100, 80, 60, 40], slots=8, people=500, votes=6),
    "small": dict(topics=20, rooms=[60, 50, 40], slots=5, people=100, votes=4),
    "smoke": dict(topics=8, rooms=[12, 8], slots=3, people=30, votes=3),
}


def run(size, seed, *, time_limit, mip_seconds):
    problem = generate(**SIZES[size], seed=seed)
    result = solve(problem, time_limit=time_limit, seed=seed)
    assert check_grid(problem, result.grid) == [], "hard constraint broken"
    line = {
        "size": size,
        "seed": seed,
        "seconds": round(result.seconds, 3),
        "score": result.score,
        "upper_bound": result.upper_bound,
        "share_of_bound": round(100 * result.share_of_bound, 1),
        "by_hand": result.by_hand,
        "gain_over_by_hand": round(100 * result.gain_over_by_hand, 1),
    }
    if mip_seconds:
        began = time.monotonic()
        grid, value, proven = solve_exact(problem, time_limit=mip_seconds)
        assert scoring.score(problem, grid) >= value - 1e-6 or not grid
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
    parser.add_argument("--sizes", nargs="*", default=["small", "full"])
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--time-limit", type=float, default=1.5)
    parser.add_argument("--mip-seconds", type=float, default=600)
    parser.add_argument("--out", type=Path, help="also write the lines as JSON here")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.seeds, args.mip_seconds, args.time_limit = ["smoke"], [0], 30, 0.3
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpu, "
        f"Python {platform.python_version()}",
        flush=True,
    )
    lines = []
    for size in args.sizes:
        for seed in args.seeds:
            line = run(size, seed, time_limit=args.time_limit, mip_seconds=args.mip_seconds)
            lines.append(line)
            print(json.dumps(line), flush=True)
    if args.out:
        args.out.write_text(json.dumps(lines, indent=1))
    return lines


if __name__ == "__main__":
    main()
