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
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import date, timedelta
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
    port = load_pages.free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        DATABASE_URL=args.url,
        SECRET_KEY="load-benchmark",
        PONTE_SECOND_FACTOR_ROLES="",
        PONTE_BASE_URL=base,
        PYTHONPATH=args.app,
    )
    command = [sys.executable, "-m", "gunicorn", "-w", "5", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--log-level", "warning", "wsgi:app"], cwd=args.app, env=env
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        data = load_pages.from_data(args.url, args.connections)
        users = dict(load_pages.USERS, resident=data.resident)
        headers = {who: f"Cookie: {load_pages.login(base, e)}" for who, e in users.items()}
        headers["token"] = f"Authorization: Bearer {data.token}"
        ahead = (date.today() + timedelta(days=10)).isoformat()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(load_pages.LUA)
        pages = [(None, "/healthz", "/healthz (the ceiling)")] + [
            (who, path.format(checkin=data.checkin, day=ahead), label)
            for who, path, label in load_pages.PAGES
            if not args.only or any(o in path or o in label for o in args.only.split(","))
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
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--only", default="", help="comma-separated parts of paths or labels")
    parser.add_argument("--app", default=str(ROOT), help="the checkout whose app is served")
    main(parser.parse_args())
