"""Command line: ``python -m matching solve|darp ...`` (contract in docs/matching.md).

Exit codes: 0 success, 2 bad input (one line ``error: FIELD: message`` on stderr, never a
traceback), 1 when a required part of the engine is not installed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, NoReturn

from matching.common.errors import InputError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too; keep our message shape
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def _load(path: str) -> object:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError("SCENARIO", f"cannot read {path}: {exc.strerror}") from None
    try:
        return json.loads(text, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            "SCENARIO", f"bad JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def _constant(name: str) -> float:
    """NaN/Infinity are not JSON, but a field check names the place better than a parse
    error would, so let them through as floats and let validation reject them."""
    return float(name)


def solve(args: argparse.Namespace) -> int:
    # Imported here, as the rides and darp parts below: each subcommand loads only the
    # solver it runs (CP-SAT and the compiled search are not needed for ``darp``).
    from matching.visits.scenario_io import parse_scenario, solution_to_json  # noqa: PLC0415
    from matching.visits.solve import solve_visits  # noqa: PLC0415

    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        raise InputError("--time-limit", "must be a positive number of seconds")
    data = _load(args.scenario)
    problem, clock = parse_scenario(data)
    out: dict[str, Any] = {}
    if problem.visits:
        solution = solve_visits(
            problem, time_limit_s=args.time_limit, seed=args.seed, workers=args.workers
        )
        out = solution_to_json(solution, clock)
    if isinstance(data, dict) and "rides" in data:
        # Imported here so that the routing library loads only when rides are asked for.
        from matching.rides.scenario_io import solve_rides_scenario  # noqa: PLC0415

        out["rides"] = solve_rides_scenario(data, args.time_limit, args.seed)
    text = json.dumps(out, indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "darp":
        from matching.darp.cli import main as darp_main  # noqa: PLC0415

        return darp_main(argv[1:])
    parser = _Parser(prog="python -m matching", description="Ponte matching engine.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("darp", help="dial-a-ride instance (see matching.darp)")
    p = sub.add_parser("solve", help="solve a JSON scenario (docs/scenario.schema.json)")
    p.add_argument("scenario", metavar="SCENARIO.json")
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S")
    p.add_argument("--output", metavar="OUT.json", help="default: standard output")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default 1)")
    args = parser.parse_args(argv)
    try:
        return solve(args)
    except InputError as exc:
        print(f"error: {exc.field}: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
