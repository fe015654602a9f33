"""The load benchmark's arithmetic: slices of one page measured apart are reported as one
run (benchmarks/load_pages.py), so their requests/s and percentiles must be those of all
their requests together, not an average of the slices' own figures."""

from __future__ import annotations

import os
from collections import Counter

import pytest

from benchmarks.load_pages import combined, percentile


def _run(rps: float, seconds: float, latencies: dict[int, int]) -> dict[str, object]:
    return {
        "rps": rps,
        "n": rps * seconds,
        "errors": 0,
        "latencies": Counter(latencies),
    }


def test_percentile_is_of_every_request() -> None:
    latencies = Counter({1_000: 90, 5_000: 9, 80_000: 1})  # microseconds
    assert percentile(latencies, 50) == 1_000
    assert percentile(latencies, 90) == 1_000
    assert percentile(latencies, 95) == 5_000
    assert percentile(latencies, 99) == 5_000
    assert percentile(latencies, 100) == 80_000
    assert percentile(Counter(), 99) == 0


def test_slices_make_one_run() -> None:
    # A quiet slice (200 requests/s, all fast) and a busy one (100 requests/s, a tenth
    # slow), two seconds each: 300 requests in 4 s. The busy slice's slow tenth is 20 of
    # the 600 requests: above the 95th percentile, below the 99th.
    quiet = _run(200, 2, {10_000: 400})
    busy = _run(100, 2, {10_000: 180, 150_000: 20})
    both = combined([quiet, busy])
    assert both["rps"] == pytest.approx(150)
    assert both["n"] == 600
    assert both["p50"] == 10
    assert both["p95"] == 10
    assert both["p99"] == 150
    assert both["max"] == 150
    # Averaging each slice's own 99th percentile would have said 80 ms.
    assert combined([busy])["p99"] == 150


def test_the_cpu_split_reads_a_process_s_cpu_time() -> None:
    """``benchmarks/load_cpu.py`` reads CPU time per process from /proc: this process's
    grows by what it burns, and a command line nobody has counts nothing."""
    import time

    from benchmarks.load_cpu import cpu_of

    with open(f"/proc/{os.getpid()}/cmdline", "rb") as f:
        mine = f.read().replace(b"\0", b" ").decode(errors="replace")
    before, started = cpu_of(lambda command: command == mine), time.process_time()
    while time.process_time() - started < 0.3:
        pass
    spent = cpu_of(lambda command: command == mine) - before
    assert 0.2 <= spent <= 2.0, spent  # (other processes may share this command line)
    assert cpu_of(lambda command: command == "no such command") == 0
