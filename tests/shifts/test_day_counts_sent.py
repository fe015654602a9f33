"""The coordinator's day and week send their counts with the organisation and the clock as
the only parameters: the statuses and the day's bounds are written into the statement,
whose text then stays the same for the day shown, and PostgreSQL keeps its plan instead
of planning it at every view (docs/benchmarks.md, "eleventh round")."""

from __future__ import annotations

from datetime import date

from tests.desk.helpers import login_as
from tests.factories import make_coordinator, make_org
from tests.querycount import generic_plans, sending
from webapp.extensions import db


def test_the_days_counts_are_sent_the_organisation_and_the_clock(client, db_session):
    org = make_org()
    login_as(client, make_coordinator(org))
    day = f"/shifts/day?date={date.today().isoformat()}"
    for url in (day, "/shifts/week"):
        assert client.get(url).status_code == 200
        with sending() as sent:
            assert client.get(url).status_code == 200
        (statement, values), *_ = [s for s in sent if "FROM check_in" in s[0]]
        assert "'claimed'" in statement and "'proposed'" in statement, statement
        # The organisation (in each count) and the clock, nothing else.
        assert len({str(v) for v in values} - {str(org.id)}) == 1, values
        if db.engine.dialect.name == "postgresql":
            for _ in range(12):
                client.get(url)
            assert all(n > 0 for n in generic_plans("FROM check_in")), url
