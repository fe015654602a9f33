"""Real concurrent claims on PostgreSQL: threads, each with its own test client and its own
database connection, released together by a barrier."""

from __future__ import annotations

import threading
from datetime import time

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import FreshRequestClient, csrf_from, is_postgres, login
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts.models import Assignment

pytestmark = pytest.mark.postgres


def _race(app, users, urls):  # type: ignore[no-untyped-def]
    """Log each user in on its own client, then POST every claim at the same moment."""
    app.test_client_class = FreshRequestClient
    clients = []
    for user_email, url in zip(users, urls, strict=True):
        c = app.test_client()
        assert login(c, user_email, PASSWORD).status_code == 302
        token = csrf_from(c.get("/shifts/board").get_data(as_text=True))
        clients.append((c, url, token))
    barrier = threading.Barrier(len(clients))
    results: list[str] = [""] * len(clients)

    def run(i: int) -> None:
        c, url, token = clients[i]
        with app.app_context():
            barrier.wait()
            resp = c.post(url, data={"csrf_token": token}, follow_redirects=True)
            results[i] = f"{resp.status_code} {resp.get_data(as_text=True)}"
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.remove()  # a fresh snapshot for the assertions (SQLite keeps the old one)
    return results


def _setup(builder):  # type: ignore[no-untyped-def]
    out = builder()
    db.session.commit()
    return out


def test_n_volunteers_one_seat_exactly_one_wins(app, committed_db, postgres_only):
    def build():  # type: ignore[no-untyped-def]
        org = make_org()
        (shift,) = shifts_of(make_request(org, visit_draft()))
        emails = [make_volunteer(org).user.email for _ in range(6)]
        return shift.id, emails

    shift_id, emails = _setup(build)
    results = _race(app, emails, [f"/shifts/{shift_id}/claim"] * len(emails))
    assert all(r.startswith("200") for r in results), [r[:300] for r in results]
    winners = [r for r in results if "coordinator will confirm" in r]
    losers = [r for r in results if "someone else took this shift" in r]
    assert (len(winners), len(losers)) == (1, len(emails) - 1)
    count = db.session.scalar(sa.select(sa.func.count()).where(Assignment.shift_id == shift_id))
    assert count == 1


def test_one_volunteer_two_overlapping_shifts_at_most_one(app, committed_db, postgres_only):
    def build():  # type: ignore[no-untyped-def]
        org = make_org()
        make_coordinator(org)
        day = in_days(6)
        a = make_request(org, visit_draft(day, windows=[(day.weekday(), time(10), time(11))]))
        b = make_request(
            org, visit_draft(day, windows=[(day.weekday(), time(10, 30), time(11, 30))])
        )
        vol = make_volunteer(org)
        return shifts_of(a)[0].id, shifts_of(b)[0].id, vol.user.email, vol.id

    for _attempt in range(3):  # several rounds: the race must never be won twice
        a_id, b_id, email, vol_id = _setup(build)
        results = _race(app, [email, email], [f"/shifts/{a_id}/claim", f"/shifts/{b_id}/claim"])
        held = db.session.scalar(
            sa.select(sa.func.count()).where(Assignment.volunteer_id == vol_id)
        )
        assert held == 1, [r[:300] for r in results]
        assert any("too close" in r for r in results)


def test_sqlite_begin_immediate_path_also_holds(app, committed_db):
    """The same two races on SQLite (the default for small deployments and `make run`):
    BEGIN IMMEDIATE serialises claims; nobody gets a 500."""
    if is_postgres():
        pytest.skip("covered by the PostgreSQL tests above")
    test_n_volunteers_one_seat_exactly_one_wins(app, committed_db, None)
    test_one_volunteer_two_overlapping_shifts_at_most_one(app, committed_db, None)
