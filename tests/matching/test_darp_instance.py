"""The instance reader: every published layout, and every malformed kind via the API and the CLI.

The layouts and where each is documented: tests/matching/data/darp/variants/README.md.
"""

import re
from dataclasses import replace
from pathlib import Path

import pytest

from matching.common.errors import InputError
from matching.darp.check import check_solution
from matching.darp.cli import main
from matching.darp.instance import format_cordeau, load_cordeau, parse_cordeau
from matching.darp.solver import solve_darp

DATA = Path(__file__).parent / "data" / "darp"
VARIANTS = DATA / "variants"
BASE = load_cordeau(VARIANTS / "cordeau-n.txt")


def test_parses_n_variant():
    inst = load_cordeau(DATA / "a2-16.txt")
    assert (inst.name, inst.vehicles, inst.requests) == ("a2-16", 2, 16)
    assert (inst.max_route_duration, inst.capacity, inst.max_ride_time) == (480, 3, 30)
    assert len(inst.vertices) == 34 and inst.end_depot == 33
    assert inst.vertices[1].load == 1 and inst.vertices[17].load == -1
    assert inst.vertices[1].service == 3


@pytest.mark.parametrize(
    "variant",
    ["cordeau-n-open", "cordeau-2n", "cordeau-2n-open", "heterogeneous"],
)
def test_every_layout_reads_as_the_same_instance(variant):
    inst = load_cordeau(VARIANTS / f"{variant}.txt")
    assert inst.name == variant
    assert replace(inst, name=BASE.name) == BASE
    assert (BASE.vehicles, BASE.requests, BASE.capacity, BASE.max_ride_time) == (2, 3, 3, 30)


def test_missing_closing_depot_is_the_start_depot_again():
    inst = load_cordeau(VARIANTS / "cordeau-2n-open.txt")
    end, start = inst.vertices[inst.end_depot], inst.vertices[0]
    assert (end.id, end.x, end.y, end.load, end.early, end.late) == (7, 0, 0, 0, 0, 480)
    assert (end.x, end.y, end.late) == (start.x, start.y, start.late)


@pytest.mark.parametrize("variant", ["cordeau-2n-open", "heterogeneous", "b-loads"])
def test_each_layout_solves_to_a_checked_plan(variant):
    inst = load_cordeau(VARIANTS / f"{variant}.txt")
    sol = solve_darp(inst, time_limit_s=1)
    assert sol.unserved == ()
    assert check_solution(inst, sol)[0] == []
    assert sol.routes[0].stops[-1].vertex == inst.end_depot


def test_b_set_loads_and_service_times():
    inst = load_cordeau(VARIANTS / "b-loads.txt")
    assert (inst.requests, inst.capacity, inst.max_ride_time) == (3, 6, 45)
    assert [v.load for v in inst.vertices] == [0, 6, 1, 5, -6, -1, -5, 0]
    assert [v.service for v in inst.vertices[1:4]] == [6, 1, 5]


def test_2n_copy_of_a_published_instance_reads_identically(tmp_path):
    lines = (DATA / "a2-16.txt").read_text().splitlines()
    head = lines[0].split()
    head[1] = "32"  # copies counting the 2n vertices, without the closing depot line
    variant = tmp_path / "a2-16.txt"
    variant.write_text("\n".join([" ".join(head), *lines[1:-1]]) + "\n")
    assert load_cordeau(variant) == load_cordeau(DATA / "a2-16.txt")


def test_written_instances_read_back_equal():
    for inst in (load_cordeau(DATA / "a3-18.txt"), load_cordeau(VARIANTS / "b-loads.txt")):
        assert parse_cordeau(format_cordeau(inst), inst.name) == inst


GOOD = (VARIANTS / "cordeau-n.txt").read_text().splitlines()
HET = (VARIANTS / "heterogeneous.txt").read_text().splitlines()


def _with(line_no: int, new: str, lines: list[str] = GOOD) -> str:
    """The file with line ``line_no`` (0-based) replaced, or dropped when ``new`` is None."""
    edited = list(lines)
    if new is None:
        del edited[line_no]
    else:
        edited[line_no] = new
    return "\n".join(edited) + "\n"


# case: (text, field, line the message names)
BAD = {
    "empty": ("", "header", 1),
    "short header": (_with(0, "2 3 480 3"), "header", 1),
    "long header": (_with(0, "2 3 480 3 30 7"), "header", 1),
    "header not a number": (_with(0, "2 three 480 3 30"), "header.requests", 1),
    "NaN capacity": (_with(0, "2 3 480 nan 30"), "header.capacity", 1),
    "NaN in header": (_with(0, "2 3 nan 3 30"), "header.max_route_duration", 1),
    "negative ride time": (_with(0, "2 3 480 3 -30"), "header.max_ride_time", 1),
    "zero vehicles": (_with(0, "0 3 480 3 30"), "header.vehicles", 1),
    "fractional requests": (_with(0, "2 3.5 480 3 30"), "header.requests", 1),
    "too few lines": ("\n".join(GOOD[:-2]) + "\n", "vertices", 1),
    "too many lines": ("\n".join(GOOD + GOOD[-1:]) + "\n", "vertices", 1),
    "odd vertex count": (_with(0, "2 5 480 3 30"), "vertices", 1),
    "missing line mid-file": (_with(3, None), "vertices[2].id", 4),
    "missing field": (_with(2, "1 -1.198 -5.164 3 1 0"), "vertices[1]", 3),
    "extra field": (_with(2, "1 -1.198 -5.164 3 1 0 1440 9"), "vertices[1]", 3),
    "NaN coordinate": (_with(2, "1 nan -5.164 3 1 0 1440"), "vertices[1].x", 3),
    "infinite coordinate": (_with(2, "1 inf -5.164 3 1 0 1440"), "vertices[1].x", 3),
    "negative time": (_with(2, "1 -1.198 -5.164 3 1 -5 1440"), "vertices[1].early", 3),
    "window end before start": (_with(2, "1 -1.198 -5.164 3 1 60 50"), "vertices[1].late", 3),
    "negative service": (_with(2, "1 -1.198 -5.164 -3 1 0 1440"), "vertices[1].service", 3),
    "wrong id": (_with(2, "7 -1.198 -5.164 3 1 0 1440"), "vertices[1].id", 3),
    "fractional load": (_with(2, "1 -1.198 -5.164 3 0.5 0 1440"), "vertices[1].load", 3),
    "depot with a load": (_with(1, "0 0 0 0 1 0 480"), "vertices[0].load", 2),
    "closing depot with a load": (_with(8, "7 0 0 0 -1 0 480"), "vertices[7].load", 9),
    "delivery numbered as pickup": (_with(2, "1 -1.198 -5.164 3 -1 0 1440"), "vertices[1].load", 3),
    "load over capacity": (_with(2, "1 -1.198 -5.164 3 4 0 1440"), "vertices[1].load", 3),
    "unbalanced load": (_with(2, "1 -1.198 -5.164 3 2 0 1440"), "vertices[4].load", 6),
    "het: missing vehicle lines": ("2 3\n480 0 3 0 0\n", "vehicles", 1),
    "het: mixed fleet": (_with(2, "480 0 2 1 0", HET), "vehicles[1]", 3),
    "het: vehicle line short": (_with(2, "480 0 3 0", HET), "vehicles[1]", 3),
    "het: vertex line short": (
        _with(4, "1 -1.198 -5.164 3 30 0 1 0 0 0", HET),
        "vertices[1]",
        5,
    ),
    "het: two resources": (
        _with(5, "2 5.573 7.114 3 30 0 1 0 1 0 1440", HET),
        "vertices[2].load",
        6,
    ),
    "het: two ride limits": (
        _with(6, "3 -6.614 0.072 3 20 0 1 0 0 60 75", HET),
        "vertices[3].max_ride_time",
        7,
    ),
    "het: no capacity for the resource": (
        _with(1, "480 3 0 0 0", _with(2, "480 3 0 0 0", HET).splitlines()),
        "vehicles[0].capacity",
        2,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_names_the_field_and_the_line(case):
    text, field, line = BAD[case]
    with pytest.raises(InputError) as err:
        parse_cordeau(text)
    assert err.value.field == field
    assert re.match(rf"line {line}: ", err.value.message), err.value.message


def test_messages_say_what_was_expected():
    def message(text: str) -> str:
        with pytest.raises(InputError) as err:
            parse_cordeau(text)
        return err.value.message

    too_few = message(BAD["too few lines"][0])
    assert "expected 8 vertex lines, or 7 without the closing depot" in too_few
    assert "(if n counts the vertices to serve: 6 or 5), found 1" in message(
        "2 4 480 3 30\n0 0 0 0 0 0 1\n"
    )
    assert "expected 7 fields 'id x y d q e l', got 6" in message(BAD["missing field"][0])
    assert "vertex 1 is a pickup" in message(BAD["delivery numbered as pickup"][0])
    assert "delivery of request 1 (line 3, load 2), its load must be -2, got -1" in message(
        BAD["unbalanced load"][0]
    )
    assert "a mixed fleet is not supported" in message(BAD["het: mixed fleet"][0])
    assert "wheelchair places while vertex 1 (line 5) uses patient seats" in message(
        BAD["het: two resources"][0]
    )


@pytest.mark.parametrize("case", sorted(BAD))
def test_cli_exits_2_naming_the_field(case, tmp_path, capsys):
    text, field, line = BAD[case]
    path = tmp_path / "bad.txt"
    path.write_text(text)
    assert main([str(path), "--time-limit", "1", "--output", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {field}: line {line}: ") and "Traceback" not in err
    assert not (tmp_path / "o.json").exists()


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["/nonexistent/x.txt", "--time-limit", "1"], "instance"),
        ([str(DATA / "a2-16.txt"), "--time-limit", "-1"], "time-limit"),
        ([str(DATA / "a2-16.txt"), "--time-limit", "nan"], "time-limit"),
        ([str(DATA / "a2-16.txt"), "--time-limit", "soon"], "arguments"),
        ([str(DATA / "a2-16.txt"), "--seed", "x"], "arguments"),
        ([], "arguments"),
    ],
)
def test_cli_bad_arguments_exit_2(argv, field, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(f"error: {field}: ")


def test_binary_file_is_an_input_error(tmp_path, capsys):
    path = tmp_path / "bin.txt"
    path.write_bytes(b"\xff\xfe\x00\x01")
    assert main([str(path), "--time-limit", "1"]) == 2
    assert capsys.readouterr().err.startswith("error: instance: ")


@pytest.mark.parametrize("variant", ["cordeau-2n-open", "heterogeneous"])
def test_cli_solves_every_layout(variant, tmp_path, capsys):
    out = tmp_path / "sol.json"
    assert main([str(VARIANTS / f"{variant}.txt"), "--time-limit", "1", "-o", str(out)]) == 0
    assert f"{variant}: served 3/3" in capsys.readouterr().err
    assert '"unserved": []' in out.read_text()
