"""The processes of tests/notifications/test_sqlite_processes.py, each started as
``python -m tests.notifications.sqlite_load ROLE ...`` with ``DATABASE_URL`` set to one
SQLite file, exactly as ``make run`` starts the scheduler and the match-run worker
beside the web server:

- ``sender NOW``: the notification sender (what the scheduler's job calls), in passes
  of a few messages, until nothing is due;
- ``web EMAIL PASSWORD STOP``: a logged-in coordinator switching language (a POST that
  writes) and opening pages (a GET that may write its session mark), until ``STOP``
  exists;
- ``worker RUN_ID STOP``: the match-run worker's progress writes, each while the
  session holds a read snapshot as it does while the solver converts.

Each prints one line per failure (an exception, an answer of 500) and exits 1 if any.
"""

from __future__ import annotations

import sys
import time
import traceback
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from tests.helpers import csrf_from
from webapp import create_app
from webapp.extensions import db
from webapp.matchrun.worker import _update
from webapp.notifications.models import Notification, Status
from webapp.notifications.sender import send_due
from webapp.people.models import Person


def _sender(now: datetime) -> int:
    app = create_app()
    failures = 0
    with app.app_context():
        while True:
            try:
                send_due(now, limit=3)
            except Exception:
                failures += 1
                print("FAILURE sender:", traceback.format_exc(), flush=True)
                db.session.rollback()
            left = db.session.scalar(
                sa.select(sa.func.count(Notification.id)).where(
                    Notification.status.in_([Status.PENDING, Status.SENDING])
                )
            )
            db.session.rollback()
            if not left:
                return failures


def _web(email: str, password: str, stop: Path) -> int:
    app = create_app()
    client = app.test_client()
    failures = 0
    page = client.get("/login").get_data(as_text=True)
    answer = client.post(
        "/login", data={"csrf_token": csrf_from(page), "email": email, "password": password}
    )
    if answer.status_code != 302:
        print("FAILURE web: login answered", answer.status_code, flush=True)
        return 1
    token = csrf_from(client.get("/coordinator").get_data(as_text=True))
    n = 0
    while not stop.exists():
        n += 1
        locale = "it" if n % 2 else "en"
        for answer in (
            client.post("/language", data={"csrf_token": token, "locale": locale}),
            client.get("/notifications/outbox"),
        ):
            if answer.status_code >= 500:
                print("FAILURE web:", answer.status_code, flush=True)
                failures += 1
        time.sleep(0.1)  # a busy desk, not a denial of service
    print(f"web made {2 * n} requests", flush=True)
    return failures


def _worker(run_id: int, stop: Path) -> int:
    app = create_app()
    failures = 0
    with app.app_context():
        n = 0
        while not stop.exists():
            n += 1
            try:
                db.session.scalars(sa.select(Person)).all()  # the conversion's snapshot
                time.sleep(0.02)
                _update(run_id, progress=(n % 100) / 100, progress_text=f"step {n}")
                db.session.rollback()
            except Exception:
                failures += 1
                print("FAILURE worker:", traceback.format_exc(), flush=True)
                db.session.rollback()
        print(f"worker wrote {n} times", flush=True)
    return failures


def main(argv: list[str]) -> int:
    role = argv[0]
    if role == "sender":
        failures = _sender(datetime.fromisoformat(argv[1]))
    elif role == "web":
        failures = _web(argv[1], argv[2], Path(argv[3]))
    elif role == "worker":
        failures = _worker(int(argv[1]), Path(argv[2]))
    else:
        raise SystemExit(f"unknown role {role}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
