"""A backlog of open alerts: the desk's home shows the first ones and the exact count and
reads no more than it shows; the alerts' own list goes a page at a time, a page number
out of range or malformed showing the nearest page."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.desk.helpers import login_as
from tests.factories import make_coordinator, make_org, make_resident
from tests.querycount import rows_read
from webapp.db import utcnow
from webapp.desk.models import Alert, AlertReason
from webapp.extensions import db

OPEN, HANDLED = 55, 2


def _backlog(client):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org, first_name="Nives")
    now = utcnow()
    for i in range(OPEN + HANDLED):
        db.session.add(Alert(organisation_id=org.id, person_id=resident.id,
                             reason=AlertReason.WORRIED, note=f"note {i:02d}",
                             due_at=now + timedelta(minutes=i),
                             handled_at=now if i >= OPEN else None))  # fmt: skip
    db.session.commit()
    login_as(client, coord)
    return org


def _notes(html: str) -> list[str]:
    return re.findall(r"note (\d\d)", html)


def test_the_home_shows_the_first_alerts_and_the_count_and_reads_only_those(client, db_session):
    _backlog(client)
    read, html = rows_read(client, "/desk/", Alert)
    assert read == 20
    assert _notes(html) == [f"{i:02d}" for i in range(20)]  # soonest due first
    assert f'<span class="count">{OPEN}</span>' in html
    assert f"See all {OPEN}" in html


def test_the_alerts_list_goes_a_page_at_a_time(client, db_session):
    _backlog(client)
    read, first = rows_read(client, "/desk/alerts", Alert)
    assert read == 50 and _notes(first) == [f"{i:02d}" for i in range(50)]
    assert "Page 1 of 2" in first and "/desk/alerts?page=2" in first
    second = client.get("/desk/alerts?page=2").get_data(as_text=True)
    assert _notes(second) == [f"{i:02d}" for i in range(50, OPEN)]
    for asked, shown in (("99", second), ("abc", first), ("0", first)):
        page = client.get(f"/desk/alerts?page={asked}")
        assert page.status_code == 200
        assert _notes(page.get_data(as_text=True)) == _notes(shown), asked
