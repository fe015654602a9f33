"""How long the open-shift board and a claim take in a busy town.

300 residents with a weekly visit and 100 with a weekly ride (return included) for the
4-week horizon (about 2,000 shifts), one volunteer who offers both. Prints the median of
several runs. Usage:

    .venv/bin/python benchmarks/shifts_board.py [DATABASE_URL]

Without an argument a temporary SQLite file is used. The database is emptied first.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time as clock
from datetime import date, time, timedelta

sys.path.insert(0, ".")

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer  # noqa: E402
from tests.shifts.builders import HOSPITAL, add_place  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.requests.models import RequestKind, RidePurpose  # noqa: E402
from webapp.requests.operations import Draft, create_request  # noqa: E402


def main(url: str) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    rng = random.Random(7)
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        org = make_org()
        add_place(org, *HOSPITAL)
        coord = make_coordinator(org)
        start = date.today() + timedelta(days=3)
        for i in range(400):
            home = (41.5936 + rng.gauss(0, 0.02), 14.2325 + rng.gauss(0, 0.02))
            resident = make_resident(org, lat=home[0], lon=home[1])
            day = start + timedelta(days=rng.randrange(7))
            hour = rng.choice([9, 10, 15, 16])
            if i < 300:
                draft = Draft(kind=RequestKind.VISIT, start_date=day, recurring=True,
                              end_date=day + timedelta(weeks=12),
                              windows=[(day.weekday(), time(hour), time(hour + 2))])  # fmt: skip
            else:
                draft = Draft(kind=RequestKind.RIDE, start_date=day, recurring=True,
                              end_date=day + timedelta(weeks=12), appointment_time=time(hour),
                              destination_address=HOSPITAL[0], purpose=RidePurpose.MEDICAL,
                              return_wanted=True, stay_minutes=60)  # fmt: skip
            create_request(resident, draft, coord)
        vol = make_volunteer(org, driving=True, visits=True, max_km=10)
        db.session.commit()
        from webapp.shifts.board import open_board
        from webapp.shifts.models import Shift

        total = db.session.query(Shift).count()
        timings = []
        for _ in range(5):
            db.session.expire_all()
            t0 = clock.perf_counter()
            items = open_board(vol)
            timings.append(clock.perf_counter() - t0)
        print(f"{db.engine.dialect.name}: {total} shifts, board lists {len(items)} groups, "
              f"median {statistics.median(timings) * 1000:.0f} ms")  # fmt: skip
        from webapp.shifts import operations as ops

        t0 = clock.perf_counter()
        ops.claim(items[0].first, vol, vol.user)
        db.session.commit()
        print(f"claim + commit: {(clock.perf_counter() - t0) * 1000:.0f} ms")
        db.drop_all()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db")
