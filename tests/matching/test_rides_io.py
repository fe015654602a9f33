"""The JSON rides scenario: parsing, errors naming fields, solving end to end."""

import copy

import pytest

from matching.common.errors import InputError
from matching.rides.scenario_io import parse_rides, solve_rides_scenario

SCENARIO = {
    "speed_kmh": 30,
    "drivers": [
        {
            "id": "ana",
            "lat": 46.05,
            "lon": 14.50,
            "available": [["2026-11-23T08:00", "2026-11-23T13:00"]],
            "seats": 3,
            "wheelchair": False,
            "max_km": 80,
        },
    ],
    "volunteers": [
        {
            "id": "bo",
            "lat": 46.06,
            "lon": 14.51,
            "drives": True,
            "wheelchair": True,
            "seats": 1,
            "available": [["2026-11-23T07:30", "2026-11-23T12:00"]],
        },
        {
            "id": "cy",
            "lat": 46.06,
            "lon": 14.51,
            "drives": False,
            "available": [["2026-11-23T07:30", "2026-11-23T12:00"]],
        },
    ],
    "rides": [
        {
            "id": "out",
            "pickup": {"lat": 46.04, "lon": 14.49},
            "dropoff": {"lat": 46.07, "lon": 14.52},
            "appointment": "2026-11-23T09:30",
            "service_min": 5,
        },
        {
            "id": "back",
            "pickup": {"lat": 46.07, "lon": 14.52},
            "dropoff": {"lat": 46.04, "lon": 14.49},
            "earliest_pickup": "2026-11-23T10:30",
            "return_of": "out",
        },
        {
            "id": "wc",
            "pickup": {"lat": 46.05, "lon": 14.48},
            "dropoff": {"lat": 46.06, "lon": 14.53},
            "appointment": "2026-11-23T11:00",
            "wheelchair": True,
            "max_ride_min": 40,
        },
    ],
}


def test_parse_uses_drivers_and_driving_volunteers():
    problem, clock = parse_rides(SCENARIO)
    assert [d.id for d in problem.drivers] == ["ana", "bo"]
    assert problem.drivers[1].wheelchair and problem.drivers[1].seats == 1
    assert problem.drivers[0].shifts == ((8 * 60, 13 * 60),)
    assert problem.rides[0].appointment == 9 * 60 + 30
    assert problem.rides[1].return_of == "out"
    assert clock.iso(9 * 60 + 30) == "2026-11-23T09:30"


def test_drivers_max_minutes_and_legs_busy_minutes_are_read():
    data = copy.deepcopy(SCENARIO)
    data["drivers"][0]["max_minutes"] = 90
    data["volunteers"][0]["max_minutes"] = 30  # a volunteer's is for visits: not read here
    data["rides"][0]["busy_min"] = 45
    problem, _ = parse_rides(data)
    assert [d.max_minutes for d in problem.drivers] == [90, None]
    assert problem.rides[0].busy_min == 45 and problem.rides[1].busy_min is None


def test_solve_end_to_end():
    plan = solve_rides_scenario(SCENARIO, time_limit=1.0, seed=0)
    assert set(plan) == {"routes", "unserved", "cost_km"}
    served = {s["ride"]: r["driver"] for r in plan["routes"] for s in r["stops"]}
    assert served["wc"] == "bo"
    assert {"out", "back"} <= set(served)
    assert plan["unserved"] == []
    for r in plan["routes"]:
        assert r["leave_home"] <= r["stops"][0]["time"] <= r["back_home"]


def _bad(path, value):
    data = copy.deepcopy(SCENARIO)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("speed_kmh",), 0, "speed_kmh"),
        (("speed_kmh",), "fast", "speed_kmh"),
        (("rides",), KeyError, "rides"),
        (("drivers", 0, "lat"), KeyError, "drivers[0].lat"),
        (("drivers", 0, "available", 0, 1), "2026-11-23T07:00", "drivers[0].available[0]"),
        (("drivers", 0, "available", 0, 0), "monday", "drivers[0].available[0][0]"),
        (("drivers", 0, "seats"), 0, "drivers[0].seats"),
        (("drivers", 0, "wheelchair"), "yes", "drivers[0].wheelchair"),
        (("volunteers", 0, "seats"), -1, "volunteers[0].seats"),
        (("rides", 0, "appointment"), "2026-11-23T09:30:15", "rides[0].appointment"),
        (("rides", 0, "appointment"), "2026-11-23T09:30+01:00", "rides[0].appointment"),
        (("rides", 0, "appointment"), KeyError, "rides[0].appointment"),
        (("rides", 0, "pickup"), KeyError, "rides[0].pickup"),
        (("rides", 0, "dropoff", "lon"), 200, "rides[0].dropoff.lon"),
        (("rides", 0, "passengers"), 1.5, "rides[0].passengers"),
        (("rides", 0, "service_min"), -5, "rides[0].service_min"),
        (("rides", 1, "return_of"), "nowhere", "rides[1].return_of"),
        (("rides", 1, "id"), "out", "rides[1].id"),
        (("drivers", 0, "max_minutes"), -10, "drivers[0].max_minutes"),
        (("drivers", 0, "max_minutes"), 1.5, "drivers[0].max_minutes"),
        (("rides", 0, "busy_min"), -1, "rides[0].busy_min"),
        (("volunteers", 0, "id"), "ana", "volunteers[0].id"),
    ],
)
def test_bad_scenarios_name_the_field(path, value, field):
    with pytest.raises(InputError) as err:
        solve_rides_scenario(_bad(path, value), time_limit=1.0, seed=0)
    assert err.value.field == field


def test_not_an_object():
    with pytest.raises(InputError) as err:
        parse_rides([])
    assert err.value.field == "scenario"


def test_example_matches_the_published_schema():
    import json
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).parents[2] / "docs" / "rides.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(SCENARIO, schema)


def test_rides_and_darp_stay_pure():
    import subprocess
    import sys

    code = (
        "import sys, matching.darp, matching.darp.cli, matching.rides, matching.rides.model, "
        "matching.rides.scenario_io, matching.rides.check, matching.rides.solver; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    )
    from pathlib import Path

    root = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]"
