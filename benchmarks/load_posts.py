"""The POSTs of the load benchmark (benchmarks/load_pages.py): a volunteer's claim and its
give-back, a resident's visit request.

wrk can send a POST, but not honestly these: a claim changes the shift, so a second claim
of it fails fast and cheaply, and wrk's script cannot tell its connections apart to give
each its own shift. Here every client is a thread with its own login, its own shift and
its own connection, and alternates claim and give-back on that shift, so each claim is a
real one (a write and a commit) and the data is as it was afterwards. A resident's request
asks for a visit on a new day each time (a real request, planned into a shift).

Python's threads share one interpreter, so these clients cost more than wrk's; the same
clients measure ``/healthz`` in the same run, and each POST's share of that is printed.
"""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_CLAIM = re.compile(r'action="/shifts/(\d+)/claim"')

# One step of a client: (method, path, form fields or None, the Location a success gives)
Step = tuple[str, str, dict[str, str] | None, str]

# Every request of the benchmark says it comes from the same browser. A session remembers
# the browser it logged in from (Flask-Login's session protection): asked from another, it
# marks itself no longer fresh and sends its cookie again, on every request of a client
# like wrk that keeps no cookie. A person's browser keeps it and is asked once.
USER_AGENT = "ponte-load-benchmark"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def figures(self, seconds: float) -> dict[str, float]:
        ms = sorted(x * 1000 for x in self.latencies) or [0.0]

        def pct(p: float) -> float:
            return ms[min(len(ms) - 1, int(p / 100 * len(ms)))]

        return {
            "rps": len(self.latencies) / seconds,
            "p50": statistics.median(ms),
            "p95": pct(95),
            "p99": pct(99),
            "max": ms[-1],
            "errors": self.errors,
            "n": len(self.latencies),
        }


def page(base: str, cookie: str, path: str) -> str:
    headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
    req = urllib.request.Request(f"{base}{path}", headers=headers)
    with urllib.request.urlopen(req, timeout=120) as resp:
        return str(resp.read().decode())


def csrf(base: str, cookie: str, path: str) -> str:
    match = _CSRF.search(page(base, cookie, path))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def claimable(base: str, cookies: list[str]) -> list[int]:
    """A different shift from each volunteer's board (the first not taken by another)."""
    taken: list[int] = []
    for cookie in cookies:
        ids = [int(x) for x in _CLAIM.findall(page(base, cookie, "/shifts/board"))]
        free = [i for i in ids if i not in taken]
        assert free, "a volunteer's board has no shift left to claim"
        taken.append(free[0])
    return taken


def claim_steps(shift_id: int, token: str) -> Iterator[Step]:
    """Claim, give back, claim, ... the same shift (the give-back confirmed at once)."""
    while True:
        yield "POST", f"/shifts/{shift_id}/claim", {"csrf_token": token}, "/shifts/mine"
        give_back = {"csrf_token": token, "confirmed": "1", "reason": "load benchmark"}
        yield "POST", f"/shifts/{shift_id}/withdraw", give_back, "/shifts/mine"


def request_steps(token: str, first_day: date) -> Iterator[Step]:
    """A one-off morning visit on a new day each time (a clash with another booking of the
    resident's is refused before any work: that would not measure a request)."""
    n = 0
    while True:
        day = first_day + timedelta(days=n)
        n += 1
        form = {"csrf_token": token, "start_date": day.isoformat(), "part_of_day": "morning"}
        yield "POST", "/requests/help/visit", form, "/done"


def healthz_steps() -> Iterator[Step]:
    while True:
        yield "GET", "/healthz", None, ""


def run(base: str, clients: list[tuple[str, Iterator[Step]]], seconds: float) -> dict[str, Tally]:
    """Each client (its cookie, its steps) on a thread of its own for ``seconds``: the
    latencies and errors by path pattern (ids replaced by ``<id>``)."""
    host = urllib.parse.urlsplit(base)
    tallies: dict[str, Tally] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(cookie: str, steps: Iterator[Step]) -> None:
        conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port, timeout=60)
        for method, path, form, success in steps:
            if time.perf_counter() >= deadline:
                break
            body = urllib.parse.urlencode(form) if form is not None else None
            headers = {"User-Agent": USER_AGENT}
            if cookie:
                headers["Cookie"] = cookie
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                location = resp.getheader("Location") or ""
                ok = resp.status == 200 if not success else (
                    resp.status == 302 and location.split("?")[0].endswith(success)
                )  # fmt: skip
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(
                    host.hostname or "127.0.0.1", host.port, timeout=60
                )
                ok = False
            elapsed = time.perf_counter() - t0
            key = re.sub(r"/\d+/", "/<id>/", path)
            with lock:
                tally = tallies.setdefault(key, Tally())
                tally.latencies.append(elapsed)
                tally.errors += not ok
        conn.close()

    threads = [threading.Thread(target=client, args=c) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tallies


def measure(
    base: str,
    volunteers: list[str],
    residents: list[tuple[str, date]],
    seconds: float,
    report: Callable[[str, dict[str, float]], None],
) -> None:
    """The Python clients' ceiling, then claims and give-backs, then visit requests (each
    resident's from a day they have nothing booked on, and on): one client per login
    given, each line reported with ``report(label, figures)``."""
    n = len(volunteers)
    ceiling = run(base, [("", healthz_steps()) for _ in range(n)], seconds)
    report("/healthz, Python clients (their ceiling)", ceiling["/healthz"].figures(seconds))
    shifts = claimable(base, volunteers)
    tokens = [csrf(base, c, "/shifts/mine") for c in volunteers]
    clients = [(c, claim_steps(s, t)) for c, s, t in zip(volunteers, shifts, tokens, strict=True)]
    tallies = run(base, clients, seconds)
    report("volunteer: claim (POST)", tallies["/shifts/<id>/claim"].figures(seconds))
    report("volunteer: give back (POST)", tallies["/shifts/<id>/withdraw"].figures(seconds))
    clients = [
        (c, request_steps(csrf(base, c, "/requests/help/visit"), first)) for c, first in residents
    ]
    tallies = run(base, clients, seconds)
    report("resident: visit request (POST)", tallies["/requests/help/visit"].figures(seconds))
