"""Command line: ``python -m matching darp INSTANCE.txt --time-limit S --output SOL.json``.

Exit codes: 0 a plan was written (it may list unserved requests), 2 bad input
(``error: <field>: <message>`` on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import NoReturn

from matching.common.errors import InputError
from matching.darp.check import check_solution
from matching.darp.instance import load_cordeau
from matching.darp.solver import solve_darp


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with our single-line format
        raise InputError("arguments", message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m matching darp", description="Solve a Cordeau dial-a-ride instance.")
    p.add_argument("instance", help="instance file in Cordeau format")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    p.add_argument("--output", "-o", help="solution JSON path (default: stdout)")
    p.add_argument("--seed", type=int, default=0, help="portfolio seed (default 0)")
    return p


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
        if not math.isfinite(args.time_limit) or args.time_limit <= 0:
            raise InputError(
                "time-limit", f"must be a positive number of seconds, got {args.time_limit}"
            )
        inst = load_cordeau(args.instance)
        sol = solve_darp(inst, time_limit_s=args.time_limit, seed=args.seed)
        violations, _ = check_solution(inst, sol)
        text = json.dumps(sol.to_json(), indent=1)
        if args.output:
            try:
                with open(args.output, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
            except OSError as exc:
                raise InputError("output", f"cannot write {args.output}: {exc.strerror}") from None
        else:
            print(text)
    except InputError as exc:
        print(f"error: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    served = inst.requests - len(sol.unserved)
    print(
        f"{inst.name}: served {served}/{inst.requests}, cost {sol.cost:.2f}, "
        f"{'feasible' if not violations else f'{len(violations)} violations'}",
        file=sys.stderr,
    )
    return 0 if not violations else 1
