"""The benchmark scripts run, at a tiny size (their figures live in docs/benchmarks.md)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_schedule_benchmark_runs_at_a_tiny_size(tmp_path):
    out = tmp_path / "lines.json"
    subprocess.run(
        [sys.executable, "bench/schedule.py", "--smoke", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    [line] = json.loads(out.read_text())
    assert line["mip_proven"]
    assert line["score"] >= 0.99 * line["mip"]
    assert line["score"] <= line["upper_bound"]
