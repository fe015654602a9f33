"""How long a coordinator waits for "Propose matches" on a town-sized week.

Builds one organisation with VOLUNTEERS visit volunteers and VISITS weekly visit requests
(homes clustered around Isernia, windows morning or afternoon, some in English, some for
two volunteers), then times the worker end to end for one week (conversion, CP-SAT, the
first-come baseline, the checker, storing the JSON) and the results page. Usage:

    .venv/bin/python benchmarks/matchrun_worker.py [VISITS VOLUNTEERS [DATABASE_URL]]

Defaults: 200 visits, 50 volunteers, a temporary SQLite file (emptied first).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time as clock
from datetime import date, time, timedelta

sys.path.insert(0, ".")

from tests.factories import (  # noqa: E402
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_volunteer,  # noqa: E402
)
from tests.helpers import login  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.matchrun import operations as ops  # noqa: E402
from webapp.matchrun.models import MatchRun, RunScope  # noqa: E402
from webapp.matchrun.worker import run as run_worker  # noqa: E402
from webapp.requests.models import RequestKind  # noqa: E402
from webapp.requests.operations import Draft, create_request  # noqa: E402


def main(visits: int, volunteers: int, url: str) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        WTF_CSRF_ENABLED = False

    app = create_app(Config)
    rng = random.Random(11)
    today = date.today()
    monday = today + timedelta(days=14 - today.weekday())
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        org = make_org()
        coord = make_coordinator(org)
        centres = [(41.5936 + rng.gauss(0, 0.03), 14.2325 + rng.gauss(0, 0.03)) for _ in range(6)]

        def near():  # type: ignore[no-untyped-def]
            c = rng.choice(centres)
            return c[0] + rng.gauss(0, 0.006), c[1] + rng.gauss(0, 0.006)

        for _ in range(volunteers):
            lat, lon = near()
            make_volunteer(
                org,
                lat=lat,
                lon=lon,
                max_km=rng.choice([3, 5, 8]),
                languages=rng.choice([["it"], ["it"], ["it", "en"]]),
                with_user=False,
            )
        for i in range(visits):
            lat, lon = near()
            day = monday + timedelta(days=rng.randrange(6))
            h = rng.choice([9, 10, 15, 16])
            resident = make_resident(org, lat=lat, lon=lon)
            create_request(
                resident,
                Draft(
                    kind=RequestKind.VISIT,
                    start_date=day,
                    duration_minutes=rng.choice([45, 60, 90]),
                    windows=[(day.weekday(), time(h), time(h + 2))],
                    languages=["en"] if i % 15 == 0 else [],
                    two_volunteers=i % 25 == 0,
                ),
                coord,
            )
        run = ops.start_run(
            coord, monday, monday + timedelta(days=6), RunScope.VISITS, time_limit_s=10
        )
        db.session.commit()
        t0 = clock.perf_counter()
        run_worker(run.id)
        total = clock.perf_counter() - t0
        db.session.rollback()
        row = db.session.get(MatchRun, run.id)
        v = row.results["visits"]
        client = app.test_client()
        login(client, coord.email, PASSWORD)
        t1 = clock.perf_counter()
        if "--profile" in sys.argv:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
        assert client.get(f"/match/runs/{run.id}").status_code == 200
        page = clock.perf_counter() - t1
        if "--profile" in sys.argv:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    print(f"{visits} visits x {volunteers} volunteers, one week, time limit 10 s")
    print(f"worker end to end: {total:.1f} s (solver {v['solver']['seconds']:.1f} s)")
    print(
        f"served: matcher {v['solver']['served']}, first come {v['baseline']['served']}; "
        f"km: {v['solver']['km']} vs {v['baseline']['km']}; check errors: "
        f"{len(v['check_errors'])}"
    )
    print(f"results page: {page:.2f} s")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n, m = (int(args[0]), int(args[1])) if len(args) >= 2 else (200, 50)
    target = args[2] if len(args) >= 3 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    main(n, m, target)
