"""Cordeau parser: both header variants and every malformed-input case via the CLI."""

from pathlib import Path

import pytest

from matching.common.errors import InputError
from matching.darp.cli import main
from matching.darp.instance import load_cordeau, parse_cordeau

DATA = Path(__file__).parent / "data" / "darp"


def test_parses_n_variant():
    inst = load_cordeau(DATA / "a2-16.txt")
    assert (inst.name, inst.vehicles, inst.requests) == ("a2-16", 2, 16)
    assert (inst.max_route_duration, inst.capacity, inst.max_ride_time) == (480, 3, 30)
    assert len(inst.vertices) == 34 and inst.end_depot == 33
    assert inst.vertices[1].load == 1 and inst.vertices[17].load == -1
    assert inst.vertices[1].service == 3


def test_parses_2n_variant_identically(tmp_path):
    lines = (DATA / "a2-16.txt").read_text().splitlines()
    head = lines[0].split()
    head[1] = "32"  # some copies count the 2n vertices to serve instead of n requests
    variant = tmp_path / "a2-16.txt"
    variant.write_text("\n".join([" ".join(head), *lines[1:]]) + "\n")
    assert load_cordeau(variant) == load_cordeau(DATA / "a2-16.txt")


GOOD = (DATA / "a2-16.txt").read_text().splitlines()


def _with(line_no: int, new: str) -> str:
    lines = list(GOOD)
    lines[line_no] = new
    return "\n".join(lines) + "\n"


BAD = {
    "empty": ("", "header"),
    "short header": (_with(0, "2 16 480 3"), "header"),
    "header not a number": (_with(0, "2 sixteen 480 3 30"), "header.requests"),
    "NaN capacity": (_with(0, "2 16 480 nan 30"), "header.capacity"),
    "NaN in header": (_with(0, "2 16 nan 3 30"), "header.max_route_duration"),
    "negative ride time": (_with(0, "2 16 480 3 -30"), "header.max_ride_time"),
    "zero vehicles": (_with(0, "0 16 480 3 30"), "header.vehicles"),
    "wrong count": ("\n".join(GOOD[:-1]) + "\n", "vertices"),
    "missing field": (_with(2, "  1  -1.198  -5.164   3   1    0"), "vertices[1]"),
    "NaN coordinate": (_with(2, "  1  nan  -5.164   3   1    0 1440"), "vertices[1].x"),
    "infinite coordinate": (_with(2, "  1  inf  -5.164   3   1    0 1440"), "vertices[1].x"),
    "negative time": (_with(2, "  1  -1.198  -5.164   3   1  -5 1440"), "vertices[1].early"),
    "window end before start": (_with(2, "  1  -1.198  -5.164   3   1  60 50"), "vertices[1].late"),
    "negative service": (_with(2, "  1  -1.198  -5.164  -3   1    0 1440"), "vertices[1].service"),
    "wrong id": (_with(2, "  7  -1.198  -5.164   3   1    0 1440"), "vertices[1].id"),
    "unbalanced load": (_with(2, "  1  -1.198  -5.164   3   2    0 1440"), "vertices[17].load"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_raises_named_field(case):
    text, field = BAD[case]
    with pytest.raises(InputError) as err:
        parse_cordeau(text)
    assert err.value.field == field


@pytest.mark.parametrize("case", sorted(BAD))
def test_cli_exits_2_naming_the_field(case, tmp_path, capsys):
    text, field = BAD[case]
    path = tmp_path / "bad.txt"
    path.write_text(text)
    assert main([str(path), "--time-limit", "1", "--output", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {field}: ") and "Traceback" not in err
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
