"""``python -m matching`` through a subprocess: the documented contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = Path(__file__).with_name("data") / "small.json"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "matching", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_solve_writes_the_documented_output(tmp_path):
    out = tmp_path / "out.json"
    proc = run("solve", str(SMALL), "--time-limit", "2", "--output", str(out), "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert set(data) >= {
        "assignments",
        "unserved",
        "objective",
        "status",
        "seconds",
        "loads",
        "priority_upper_bound",
    }
    assert set(data["objective"]) == {"priority", "continuity", "travel_km", "fairness"}
    by_visit = {a["visit"]: a for a in data["assignments"]}
    assert by_visit["rosa"] == {
        **by_visit["rosa"],
        "volunteers": ["anna"],
        "start": "2026-11-24T17:30",
        "fixed": True,
    }
    assert by_visit["maria"]["details"][0]["continuity"] is True
    reasons = {u["visit"]: u["reason"] for u in data["unserved"]}
    assert reasons["ion"] == "no eligible volunteer speaks Romanian"
    assert data["loads"]["anna"] == 90


def test_solve_is_reproducible(tmp_path):
    outputs = []
    for k in range(2):
        out = tmp_path / f"out{k}.json"
        # The small instance is solved to optimality in well under a second; the generous
        # limit only keeps a loaded machine from stopping a run by the clock.
        assert run("solve", str(SMALL), "--output", str(out), "--time-limit", "20").returncode == 0
        data = json.loads(out.read_text())
        data.pop("seconds")
        outputs.append(data)
    assert outputs[0] == outputs[1]


def _bad(tmp_path: Path, mutate) -> subprocess.CompletedProcess:
    data = json.loads(SMALL.read_text())
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return run("solve", str(path), "--time-limit", "1")


def _set(path: str, value):
    def mutate(data):
        *keys, last = path
        target = data
        for key in keys:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value

    return mutate


BAD = [
    (("visits", 3, "duration_min"), KeyError, "visits[3].duration_min: missing"),
    (
        ("visits", 3, "windows", 0),
        ["2026-11-24T19:00", "2026-11-24T17:00"],
        "visits[3].windows[0]: end before start",
    ),
    (("visits", 1, "duration_min"), -5, "visits[1].duration_min"),
    (("visits", 0, "preferred_volunteer"), "ghost", "visits[0].preferred_volunteer"),
    (("fixed", 0, "volunteers"), ["ghost"], "fixed[0].volunteers[0]"),
    (("fixed", 0, "visit"), "ghost", "fixed[0].visit"),
    (("volunteers", 1, "lat"), float("nan"), "volunteers[1].lat"),
    (("volunteers", 0, "available", 1, 0), "Tuesday 5pm", "volunteers[0].available[1][0]"),
    (("visits", 2, "volunteers_needed"), 3, "visits[2].volunteers_needed"),
    (("visits", 4, "id"), "maria", "visits[4].id: duplicate"),
    (("speed_kmh",), KeyError, "speed_kmh: missing"),
    (("volunteers", 2, "approved"), "yes", "volunteers[2].approved"),
    (("visits", 0, "windows"), [], "visits[0].windows"),
]


@pytest.mark.parametrize("path, value, message", BAD, ids=[b[2] for b in BAD])
def test_bad_input_exits_2_naming_the_field(tmp_path, path, value, message):
    proc = _bad(tmp_path, _set(path, value))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_json_and_missing_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"speed_kmh": 30, "volunteers": [')
    proc = run("solve", str(path))
    assert proc.returncode == 2 and "bad JSON" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("solve", str(tmp_path / "absent.json"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr


def test_bad_arguments_exit_2():
    assert run("solve", str(SMALL), "--time-limit", "soon").returncode == 2
    proc = run("solve", str(SMALL), "--time-limit", "-1")
    assert proc.returncode == 2 and "--time-limit" in proc.stderr
    assert run("frobnicate").returncode == 2
