"""Load benchmark of the daily pages: gunicorn + the city data, wrk as the load.

Starts gunicorn (``--workers`` sync workers) on a free loopback port against
``DATABASE_URL`` (load it first with benchmarks/city_data.py), logs in as a volunteer, a
coordinator and a resident of the city data, then runs wrk against each page in turn
(``--connections`` concurrent clients for ``--seconds``) and prints requests/s, p50, p95,
p99, the slowest request and the errors (failed connections and non-2xx/3xx answers).
``/healthz`` (one ``SELECT 1`` behind the whole stack) is the ceiling, and every page's
share of it is printed, because on a shared machine the absolute figures move with the
neighbours' load (printed too, before and after). The ceiling is measured in the same
seconds as the page: each page's ``--seconds`` are cut in ``--alternate`` slices, each
after a ``/healthz`` slice as long, and its share is of those slices' requests/s. This
machine's ``/healthz`` moved from 700 to 1,450 requests/s within minutes: a ceiling
measured once, minutes before a page, made the same page look a third better or worse
(``--alternate 0`` measures it once, first and last, as before). The API is called with a
bearer token of the volunteer's. Then (unless ``--no-posts``) the POSTs that change data,
from Python threads (benchmarks/load_posts.py says why not wrk): a claim and its
give-back, a resident's visit request, with those clients' own ``/healthz`` ceiling. They
write to the database: run them on a copy of the city data (``createdb -T ponte_scale
ponte_pages_city``). Usage:

    .venv/bin/python benchmarks/load_pages.py DATABASE_URL [--workers 5]
        [--connections 16] [--seconds 10] [--alternate 5] [--only board,mine]
        [--no-posts] [--app /path/to/another/checkout]

``--app`` serves another checkout's app (a branch before a change) with this script, so
the same pages and clients measure both.

wrk (Debian package ``wrk``) is a small C program: on a 2-core machine that also runs the
server, a Python load generator (locust) would take a core of its own from the server
and measure itself. Coordinators log in with their password only here
(``PONTE_SECOND_FACTOR_ROLES`` emptied for this server), as the benchmark has no phone.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import load_posts  # noqa: E402
from benchmarks.city_data import PASSWORD  # noqa: E402

LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %.0f %.0f %.0f %.0f %d %d\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
  -- every latency seen (in microseconds) with its count: slices are merged exactly
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("LATENCY %d %d\\n", value, count))
  end
end
"""
# (who, path, label); who is a login of the city data or None for anonymous
# ("token" sends the API's bearer token instead of a session cookie; {checkin} and {day}
# are filled in from the data: a shift of the volunteer's, a busy day ten days ahead)
PAGES = [
    (None, "/login", "login page (anonymous, a template)"),
    ("volunteer", "/shifts/board", "volunteer: open-shift board"),
    ("volunteer", "/shifts/mine", "volunteer: schedule"),
    ("volunteer", "/shifts/{checkin}/checkin", "volunteer: check-in form"),
    ("volunteer", "/timebank/", "volunteer: time bank"),
    ("resident", "/requests/mine", "resident: home"),
    ("resident", "/requests/help/visit", "resident: request form (visit)"),
    ("resident", "/timebank/", "resident: time bank"),
    ("coordinator", "/desk/", "coordinator: desk home"),
    ("coordinator", "/shifts/day?date={day}", "coordinator: day (ten days ahead)"),
    ("coordinator", "/shifts/week", "coordinator: week"),
    ("coordinator", "/desk/find?q=Rossi", "coordinator: person search"),
    ("coordinator", "/timebank/coordinator", "coordinator: time bank"),
    ("token", "/api/v1/me/balance", "API: balance (bearer token)"),
    ("token", "/api/v1/me/statement", "API: statement (bearer token)"),
]
USER_AGENT = load_posts.USER_AGENT
USERS = {"volunteer": "vol1@city.example.org", "coordinator": "coord0@city.example.org"}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def login(base: str, email: str) -> str:
    """The Cookie header of a fresh session of ``email``."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    html = opener.open(f"{base}/login").read().decode()
    match = _CSRF.search(html)
    assert match, "no CSRF token on /login"
    data = urllib.parse.urlencode(
        {"csrf_token": match.group(1), "email": email, "password": PASSWORD}
    ).encode()
    opener.open(f"{base}/login", data)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "ponte-session" in cookie, f"login of {email} failed"
    return cookie


def wrk(url: str, header: str | None, args: argparse.Namespace, lua: str) -> dict[str, Any]:
    cmd = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "10s"]
    cmd += ["-s", lua, url, "-H", f"User-Agent: {USER_AGENT}"] + (["-H", header] if header else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    n, secs, p50, p95, p99, worst, sock, status = (float(v) for v in line.split()[1:])
    latencies = Counter[int]()
    for x in out.splitlines():
        if x.startswith("LATENCY"):
            value, count = x.split()[1:]
            latencies[int(value)] += int(count)
    return {
        "latencies": latencies,
        "rps": n / secs,
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "max": worst / 1000,
        "errors": sock + status,
        "n": n,
    }


@dataclass(frozen=True)
class Data:
    resident: str
    residents: list[tuple[str, date]]  # with the first day they have nothing booked from
    volunteers: list[str]
    checkin: int
    token: str


def from_data(url: str, clients: int) -> Data:
    """What the pages and the POSTs need from the data: the resident, a shift of the
    volunteer's to check in to, ``clients`` volunteers (short radius: their boards load
    fastest) and residents with a login, and a bearer token of the volunteer's (made
    with the app's own ``create_token``; earlier runs' tokens revoked first)."""
    import sqlalchemy as sa

    from webapp import create_app
    from webapp.auth.models import User
    from webapp.config import Config
    from webapp.extensions import db
    from webapp.timebank.tokens import create_token

    class Settings(Config):
        SQLALCHEMY_DATABASE_URI = url

    with create_app(Settings).app_context():
        q = db.session.execute
        # After the last day each resident has a shift on (an earlier run's requests
        # included), and past the month of planned shifts.
        soonest = date.today() + timedelta(days=60)
        residents = [(email, max(soonest, last + timedelta(days=1)) if last else soonest)
                     for email, last in q(sa.text(
            "SELECT u.email, max(s.occurrence_date) FROM user_account u "
            "LEFT JOIN help_request r ON r.resident_id = u.person_id "
            "LEFT JOIN shift s ON s.request_id = r.id "
            "WHERE u.email LIKE 'res%' GROUP BY u.id, u.email ORDER BY u.id LIMIT :n"
        ), {"n": clients})]  # fmt: skip
        volunteers = list(q(sa.text(
            "SELECT u.email FROM user_account u JOIN volunteer_profile v ON v.person_id = "
            "u.person_id WHERE v.status = 'approved' AND v.offers_visits AND v.max_km <= 3 "
            "AND u.email LIKE 'vol%' ORDER BY u.id LIMIT :n"
        ), {"n": clients}).scalars())  # fmt: skip
        checkin = q(sa.text(
            "SELECT s.id FROM shift s JOIN assignment a ON a.shift_id = s.id "
            "JOIN user_account u ON u.person_id = a.volunteer_id WHERE u.email = :e "
            "AND s.status = 'completed' ORDER BY s.starts_at DESC LIMIT 1"
        ), {"e": USERS["volunteer"]}).scalar()  # fmt: skip
        user = db.session.scalar(sa.select(User).where(User.email == USERS["volunteer"]))
        q(sa.text(
            "UPDATE timebank_api_token SET revoked_at = now() "
            "WHERE name = 'load benchmark' AND revoked_at IS NULL"
        ))  # fmt: skip
        assert user is not None and checkin is not None, "not the city data?"
        _row, token = create_token(user, "load benchmark")
        db.session.commit()
    return Data(residents[0][0], residents, volunteers, int(checkin), token)


def drain(base: str) -> None:
    """Wait until the server answers /healthz at once: requests wrk left in the queue of a
    slow page must not be charged to the next page."""
    for _ in range(120):
        t0 = time.perf_counter()
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=60).read()
        except TimeoutError:
            continue
        if time.perf_counter() - t0 < 0.5:
            return
        time.sleep(0.5)


def show(label: str, r: dict[str, Any], ceiling: float) -> None:
    print(
        f"{label:40} {r['rps']:7.1f} {r['rps'] / ceiling:7.0%} {ceiling:7.0f} "
        f"{r['p50']:6.0f}ms {r['p95']:6.0f}ms {r['p99']:6.0f}ms {r['max']:6.0f}ms "
        f"{r['errors']:6.0f}",
        flush=True,
    )


def combined(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Several wrk runs of one URL as one: requests/s over their seconds, and the
    percentiles of all their requests' latencies together."""
    seconds = sum(r["n"] / r["rps"] for r in runs if r["rps"])
    latencies: Counter[int] = sum((r["latencies"] for r in runs), Counter())
    return {
        "rps": sum(r["n"] for r in runs) / seconds,
        **{f"p{p}": percentile(latencies, p) / 1000 for p in (50, 95, 99)},
        "max": max(latencies, default=0) / 1000,
        "errors": sum(r["errors"] for r in runs),
        "n": sum(r["n"] for r in runs),
    }


def percentile(latencies: Counter[int], p: float) -> float:
    """The latency below which ``p``% of the requests fall (microseconds)."""
    wanted, seen = sum(latencies.values()) * p / 100, 0
    for value in sorted(latencies):
        seen += latencies[value]
        if seen >= wanted:
            return value
    return 0.0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@contextmanager
def served(url: str, app: str, workers: int) -> Iterator[str]:
    """gunicorn (``workers`` sync workers) serving the checkout ``app`` on the data at
    ``url``, on a free loopback port, once its ``/healthz`` answers; its base URL.
    Coordinators log in with their password only (no second factor: no phone here)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY="load-benchmark",
        PONTE_SECOND_FACTOR_ROLES="",
        PONTE_BASE_URL=base,
        PYTHONPATH=app,
    )
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(command, cwd=app, env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def signed_in(base: str, url: str, clients: int) -> tuple[Data, dict[str, str]]:
    """What the pages need from the data (:func:`from_data`) and each login's header: a
    session cookie of the volunteer, the coordinator and the resident, the API's token."""
    data = from_data(url, clients)
    users = dict(USERS, resident=data.resident)
    headers = {who: f"Cookie: {login(base, email)}" for who, email in users.items()}
    headers["token"] = f"Authorization: Bearer {data.token}"
    return data, headers


def daily_pages(data: Data, only: str) -> list[tuple[str | None, str, str]]:
    """:data:`PAGES` (those whose path or label has one of the comma-separated ``only``,
    if given), their paths filled in."""
    ahead = (date.today() + timedelta(days=10)).isoformat()
    return [
        (who, path.format(checkin=data.checkin, day=ahead), label)
        for who, path, label in PAGES
        if not only or any(o in path or o in label for o in only.split(","))
    ]


def main(args: argparse.Namespace) -> None:
    assert shutil.which("wrk"), "wrk is not installed (apt-get install wrk)"
    with served(args.url, args.app, args.workers) as base:
        data, headers = signed_in(base, args.url, args.connections)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(LUA)
        pages = daily_pages(data, args.only)
        print(
            f"gunicorn -w {args.workers}, wrk {args.connections} connections x "
            f"{args.seconds} s per page, {os.cpu_count()} CPUs; load average {load()}"
        )
        head = f"{'page':40} {'req/s':>7} {'share':>7} {'ceiling':>7} {'p50':>7} {'p95':>7} "
        print(head + f"{'p99':>7} {'max':>7} {'errors':>6}")

        def measure(who: str | None, path: str, seconds: int) -> dict[str, Any]:
            url, header = f"{base}{path}", headers.get(who or "")
            r = wrk(url, header, argparse.Namespace(**{**vars(args), "seconds": seconds}), f.name)
            drain(base)
            return r

        def warm(who: str | None, path: str) -> None:
            measure(who, path, 1)  # every worker's first requests: imports, templates

        if not args.alternate:  # the ceiling once, first and last
            warm(None, "/healthz")
            first = measure(None, "/healthz", args.seconds)
            show("/healthz (the ceiling)", first, first["rps"])
            for who, path, label in pages:
                warm(who, path)
                show(label, measure(who, path, args.seconds), first["rps"])
            again = measure(None, "/healthz", args.seconds)
            show("/healthz again", again, again["rps"])
        else:
            # Each page in slices, each slice after one of /healthz as long: the page's
            # share is of the ceiling measured in the same seconds, whatever the machine's
            # neighbours did meanwhile.
            n, secs = args.alternate, max(1, round(args.seconds / args.alternate))
            warm(None, "/healthz")
            for who, path, label in pages:
                warm(who, path)
                ceilings, runs = [], []
                for _ in range(n):
                    ceilings.append(measure(None, "/healthz", secs))
                    runs.append(measure(who, path, secs))
                ceiling = combined(ceilings)
                show(label, combined(runs), ceiling["rps"])
                show("  /healthz, between its slices", ceiling, ceiling["rps"])
        if args.posts:
            volunteers = [login(base, e) for e in data.volunteers]
            residents = [(login(base, e), first) for e, first in data.residents]
            python_ceiling: list[float] = []

            def report(label: str, r: dict[str, float]) -> None:
                python_ceiling.append(python_ceiling[0] if python_ceiling else r["rps"])
                show(label, r, python_ceiling[0])

            load_posts.measure(base, volunteers, residents, args.seconds, report)
        print(f"load average after: {load()}")
        os.unlink(f.name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--alternate",
        type=int,
        default=5,
        help="slices each page's seconds are cut in, each after a /healthz slice as long "
        "(0: the ceiling measured once, first and last)",
    )
    parser.add_argument("--only", default="", help="comma-separated parts of paths or labels")
    parser.add_argument(
        "--posts",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also the claim, give-back and request POSTs (they write: use a copy of the data)",
    )
    parser.add_argument(
        "--app",
        default=str(ROOT),
        help="the checkout whose app gunicorn serves (another branch's, to compare)",
    )
    main(parser.parse_args())
