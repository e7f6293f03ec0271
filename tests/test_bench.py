"""The benchmark scripts run, at a tiny size (their figures live in docs/benchmarks.md)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


def run_live_load(tmp_path, *options):
    out = tmp_path / "live.json"
    subprocess.run(
        [sys.executable, "bench/live_load.py", "--smoke", "--out", str(out), *options],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=110,
    )
    [run] = json.loads(out.read_text())["runs"]
    return run


def check_live_figures(run):
    ramp, votes = run["ramp"], run["votes"]
    assert ramp["connected"] == ramp["clients"] == 10
    assert ramp["connect_ms"]["p50"] > 0
    assert votes["sent"] == votes["scheduled"] == 30
    assert votes["acks_ok"] == votes["sent"], votes["acks_refused"]
    assert votes["unanswered"] == 0
    assert votes["ack_ms"]["p50"] > 0
    assert votes["visible_ms"]["p50"] > 0
    assert votes["visible_pairs"] == 30 * 10
    assert votes["visible_never"] == 0
    assert votes["clients_saw_final_share"] == 1.0
    assert votes["final_votes_version"] == votes["state_votes_version"]
    assert votes["state_total"] == votes["expected_total"]
    assert run["drops"] == 0


def test_the_live_load_benchmark_runs_at_a_tiny_size(tmp_path):
    run = run_live_load(tmp_path, "--optimize", "--reconnect-rate", "20")
    check_live_figures(run)
    assert run["ramp"]["join_ms"]["p50"] > 0
    assert run["votes"]["database"]["acked_ok_stored"] == 30
    assert run["votes"]["database"]["acked_ok_missing"] == 0
    assert run["server_log"]["tracebacks"] == 0
    # The grid built while everybody is connected, the server's worst stall noted;
    # then every page reconnects.
    assert run["optimize"]["ok"] is True, run["optimize"]
    assert run["optimize"]["worst_lag_ms_during"] >= 0
    assert run["reconnect"]["connected"] == 10
    assert run["reconnect"]["connect_ms"]["p50"] > 0


@pytest.mark.skipif(
    not (shutil.which("node") and shutil.which("npm")),
    reason="the Node reference server needs node and npm on PATH",
)
def test_the_live_load_benchmark_runs_against_the_node_reference(tmp_path):
    run = run_live_load(tmp_path, "--target", "reference")
    check_live_figures(run)
    assert run["versions"]["socket.io"].startswith("4.")
    # The reference broadcasts once per vote: every client hears every version.
    assert run["votes"]["share_of_versions_received"]["min"] == 1.0


def test_the_broadcast_benchmark_runs_at_a_tiny_size(tmp_path):
    out = tmp_path / "broadcast.json"
    subprocess.run(
        [sys.executable, "bench/broadcast.py", "--smoke", "--no-deflate", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=110,
    )
    library, fanout = json.loads(out.read_text())
    for run in (library, fanout):
        assert run["us_per_socket"] > 0
        assert run["received_readable"] == run["clients"] * run["broadcasts"], run
    assert (library["path"], fanout["path"]) == ("library", "fanout")
