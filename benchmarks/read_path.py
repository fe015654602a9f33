"""A read of columns sent through the session's ``execute`` or on its connection
(``webapp.db.read_columns``), on the city data.

Each statement of the coordinator's time bank, desk home, person search, day and week,
resident's home and check-in form that reads columns is sent alternately both ways in
one process, and the CPU time of each is added to its side (the two share the
machine's drift). Read-only. Usage:

    .venv/bin/python benchmarks/read_path.py DATABASE_URL [--runs 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from benchmarks.city_pages import pick_checkin, pick_users  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.models import User  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.desk import figures as desk_figures  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.people import search  # noqa: E402
from webapp.requests import upcoming  # noqa: E402
from webapp.requests.models import Request  # noqa: E402
from webapp.shifts import access, calendar_views  # noqa: E402
from webapp.shifts.models import Shift, ShiftStatus  # noqa: E402
from webapp.timebank import figures, overview, tokens  # noqa: E402
from webapp.timebank.models import ApiToken  # noqa: E402


def main(url: str, runs: int) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    with create_app(Config).app_context():
        org = db.session.scalar(sa.text("SELECT min(organisation_id) FROM timebank_account"))
        # The resident with the most coming shifts (the resident's home lists them).
        coming = sa.and_(Shift.ends_at > sa.func.now(), Shift.status != ShiftStatus.UNFILLED)
        resident = db.session.scalar(
            sa.select(Request.resident_id)
            .join(Shift, Shift.request_id == Request.id)
            .where(coming)
            .group_by(Request.resident_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        shifts = db.session.scalars(
            sa.select(Shift.id)
            .join(Request, Shift.request_id == Request.id)
            .where(coming, Request.resident_id == resident)
        ).all()
        month = date.today().replace(day=1)
        volunteer = pick_users()["volunteer"]
        checkin = {
            "shift_id": pick_checkin(volunteer),
            "person_id": db.session.scalar(sa.select(User.person_id).filter_by(email=volunteer)),
        }
        # The login with the most tokens (load_pages.py makes one for its volunteer).
        holder = db.session.scalar(
            sa.select(ApiToken.user_id)
            .group_by(ApiToken.user_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        statements: dict[str, tuple[Any, dict[str, Any]]] = {
            "time bank: near their limit": (
                overview._NEAR,
                {"organisation_id": org, "within": 60},
            ),
            "time bank: latest transfers": (overview._RECENT, {"organisation_id": org}),
            "time bank: givers, receivers": (
                overview._TOPS,
                {"organisation_id": org, "month_start": month},
            ),
            "time bank: a member's tokens": (
                tokens._LISTED,
                {"user_id": holder, "now": datetime.now(UTC)},
            ),
            "time bank: figures": (figures._KEPT, {"organisation_id": org, "month_start": month}),
            "desk: rare counts": (desk_figures._RARE, {"org_id": org}),
            "resident: coming shifts": (
                upcoming._OF_RESIDENT,
                {"resident_id": resident, "now": datetime.now(UTC)},
            ),
            "resident: their volunteers": (upcoming._VOLUNTEERS, {"shift_ids": shifts}),
            "volunteer: check-in's legs": (access._MY_LEGS, checkin),
            "week: counts and stamp": (
                calendar_views._COUNTS,
                {"org_id": org, "now": datetime.now(UTC)},
            ),
            "desk: person search, brief": (
                search._page_statement(None, 1, True),
                {
                    "org_id": org,
                    "w0": search._like(search._plain("Rossi")),
                    "size": search.PAGE_SIZE,
                    "skip": 0,
                },
            ),
        }
        print(f"{'statement':30} {'rows':>5} {'session':>10} {'connection':>11}   CPU, {runs} each")
        for name, (statement, params) in statements.items():
            for _ in range(10):  # compiled, prepared, planned
                db.session.execute(statement, params).all()
                db.session.connection().execute(statement, params).all()
            spent = [0.0, 0.0]
            for i in range(2 * runs):
                started = time.process_time()
                if i % 2:
                    rows = db.session.connection().execute(statement, params).all()
                else:
                    rows = db.session.execute(statement, params).all()
                spent[i % 2] += time.process_time() - started
            session, connection = (s / runs * 1000 for s in spent)
            print(f"{name:30} {len(rows):5} {session:8.3f}ms {connection:9.3f}ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    main(args.url, args.runs)
