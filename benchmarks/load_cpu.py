"""Where each request's CPU goes under load: the web workers, PostgreSQL and the load tool.

The same server, logins and wrk as ``benchmarks/load_pages.py`` (gunicorn on the city
data, 16 connections), one page after the other. Around each page's run it reads the CPU
time of the gunicorn processes and of PostgreSQL's from ``/proc`` (PostgreSQL on this
machine), and wrk's from this process's children, and prints each per request. On a
2-core machine that serves, stores and loads at once, a page's share of ``/healthz``'s
requests/s is about ``/healthz``'s CPU per request over the page's: this says which of
the three a page's extra cost is in. Read-only. Linux only. Usage:

    .venv/bin/python benchmarks/load_cpu.py DATABASE_URL [--only board,timebank]
        [--seconds 8] [--app /path/to/another/checkout]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import load_pages  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of(matches: Callable[[str], bool]) -> float:
    """CPU seconds (user and system) so far of the processes whose command line
    ``matches``."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
            if not matches(command):
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def postgres(command: str) -> bool:
    return command.startswith("postgres")


def gunicorn(command: str) -> bool:
    return "gunicorn" in command


def children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main(args: argparse.Namespace) -> None:
    with load_pages.served(args.url, args.app, 5) as base:
        data, headers = load_pages.signed_in(base, args.url, args.connections)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(load_pages.LUA)
        pages = [
            (None, "/healthz", "/healthz (the ceiling)"),
            *load_pages.daily_pages(data, args.only),
        ]
        print(f"gunicorn -w 5, wrk {args.connections} connections x {args.seconds} s a page")
        print(
            f"{'page':40} {'req/s':>7} {'web':>7} {'pg':>7} {'wrk':>7} {'all':>7}  CPU ms a request"
        )
        for who, path, label in pages:
            url, header = f"{base}{path}", headers.get(who or "")
            warm = argparse.Namespace(**{**vars(args), "seconds": 1})
            load_pages.wrk(url, header, warm, f.name)  # imports, templates, plans
            before = cpu_of(gunicorn), cpu_of(postgres), children()
            result = load_pages.wrk(url, header, args, f.name)
            after = cpu_of(gunicorn), cpu_of(postgres), children()
            web, pg, tool = (
                (b - a) / result["n"] * 1000 for a, b in zip(before, after, strict=True)
            )
            print(
                f"{label:40} {result['rps']:7.1f} {web:7.3f} {pg:7.3f} {tool:7.3f} "
                f"{web + pg + tool:7.3f}"
            )
        os.unlink(f.name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--only", default="", help="comma-separated parts of paths or labels")
    parser.add_argument("--app", default=str(ROOT), help="the checkout whose app is served")
    main(parser.parse_args())
