"""A pin beyond the volunteer's weekly hours is kept, and the page says so next to it.

Teresa offers one hour a week and already holds a Wednesday visit. The Monday visit is
left unserved; the coordinator pins her to it anyway. The re-solve keeps the pin (the
coordinator decides) and the pinned proposal carries the same words approval would use
to refuse it, in the coordinator's language. A ride pinned past the driver's hours is
not kept: it is left unserved with the reason.
"""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import post_form
from tests.matchrun.scenario import CENTRE, next_monday, small_org, start_run
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.core.dates import reader_date
from webapp.extensions import db
from webapp.matchrun.models import MatchRun, RunStatus
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import ShiftStatus


class Busy:
    """Teresa, ``hours`` a week, holding a one-hour Wednesday visit; a Monday visit open."""

    def __init__(self, hours: float) -> None:
        self.org = make_org()
        self.coordinator = make_coordinator(self.org)
        self.monday = next_monday()
        self.teresa = make_volunteer(
            self.org, first_name="Teresa", lat=CENTRE[0], lon=CENTRE[1], max_km=20
        )
        self.teresa.volunteer.hours_per_week = hours
        shifts = []
        for day in (self.monday, self.monday + timedelta(days=2)):
            resident = make_resident(self.org, lat=CENTRE[0], lon=CENTRE[1])
            req = make_request(
                self.org, visit_draft(day), resident=resident, actor=self.coordinator
            )
            shifts += shifts_of(req)
        self.open, self.held = shifts
        shift_ops.assign(self.held, self.teresa, self.coordinator)
        db.session.commit()

    def pin(self, client, run: MatchRun) -> MatchRun:  # type: ignore[no-untyped-def]
        post_form(
            client,
            f"/match/runs/{run.id}/pin",
            {"shift_id": self.open.id, "person_id": self.teresa.id},
            page=f"/match/runs/{run.id}",
        )
        new = db.session.scalars(sa.select(MatchRun).order_by(MatchRun.id.desc())).first()
        assert new.parent_id == run.id and new.status == RunStatus.DONE, new.error
        return new


def _row(html: str, shift_id: int) -> str:
    """The proposals-table row of ``shift_id``."""
    match = re.search(rf'<tr class="[^"]*" data-shift="{shift_id}">(.*?)</tr>', html, re.S)
    assert match, f"no proposal row for shift {shift_id}"
    return match[1]


def test_a_pin_beyond_the_weekly_hours_is_kept_with_a_warning_next_to_it(client, inline):
    b = Busy(hours=1)
    run = start_run(client, b.coordinator, b.monday, "visits")
    assert [u["shift_id"] for u in run.results["visits"]["unserved"]] == [b.open.id]
    assert "Over their weekly hours" not in client.get(f"/match/runs/{run.id}").get_data(
        as_text=True
    )
    new = b.pin(client, run)
    props = {p["shift_id"]: p for p in new.results["visits"]["proposals"]}
    assert props[b.open.id]["pinned"] is True
    (v,) = props[b.open.id]["volunteers"]
    assert v["person_id"] == b.teresa.id
    assert v["load_week_min"] == 120 and v["week_limit_min"] == 60
    html = client.get(f"/match/runs/{new.id}").get_data(as_text=True)
    words = (
        f"Teresa Rossi would then give 2 h 0 min in the week of "
        f"{reader_date(b.monday)}, more than the 1 h 0 min a week they offer"
    )
    row = _row(html, b.open.id)
    assert "Over their weekly hours" in row and words in row and "over weekly hours" in row
    # The Wednesday visit was approved before the run: nothing to decide, no warning.
    assert props[b.held.id]["fixed"] is True
    assert "Over their weekly hours" not in _row(html, b.held.id)
    assert html.count(words) == 1
    # The warning tells the truth: approval refuses the pin with the same words.
    page = post_form(
        client,
        f"/match/runs/{new.id}/decide",
        {"action": "approve", "shift_id": b.open.id},
        page=f"/match/runs/{new.id}",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"Shift {b.open.id} could not be approved: {words}" in page
    db.session.expire_all()
    assert b.open.status == ShiftStatus.OPEN


def test_the_warning_speaks_italian(client, inline):
    b = Busy(hours=1)
    run = start_run(client, b.coordinator, b.monday, "visits")
    new = b.pin(client, run)
    post_form(client, "/language", {"locale": "it", "next": "/match/"}, page="/match/")
    row = _row(client.get(f"/match/runs/{new.id}").get_data(as_text=True), b.open.id)
    assert "Oltre le ore settimanali" in row
    assert "Teresa Rossi arriverebbe a 2 h 0 min nella settimana del " in row
    assert "Over their weekly hours" not in row and "would then give" not in row


def test_a_pin_within_the_weekly_hours_carries_no_warning(client, inline):
    b = Busy(hours=2)
    run = start_run(client, b.coordinator, b.monday, "visits")
    new = b.pin(client, run)
    (v,) = next(p for p in new.results["visits"]["proposals"] if p["shift_id"] == b.open.id)[
        "volunteers"
    ]
    assert v["load_week_min"] == v["week_limit_min"] == 120
    html = client.get(f"/match/runs/{new.id}").get_data(as_text=True)
    assert "Over their weekly hours" not in html and "would then give" not in html


def test_a_ride_pinned_past_the_drivers_hours_is_left_unserved_with_the_reason(client, inline):
    # Rides are different (and were already): the re-check keeps a pinned driver within
    # their hours, so the pin is reported under "Not served" rather than kept.
    o = small_org(with_rides=True)
    out, _ = shifts_of(o.requests["ride"])
    driver = o.vols["driver"]
    driver.volunteer.hours_per_week = 0.25  # 15 minutes: less than one leg
    db.session.commit()
    run = start_run(client, o.coordinator, o.monday, "rides")
    assert run.results["rides"]["proposals"] == []
    post_form(
        client,
        f"/match/runs/{run.id}/pin",
        {"shift_id": out.id, "person_id": driver.id},
        page=f"/match/runs/{run.id}",
    )
    new = db.session.scalars(sa.select(MatchRun).order_by(MatchRun.id.desc())).first()
    assert new.parent_id == run.id and new.status == RunStatus.DONE, new.error
    assert new.results["rides"]["proposals"] == []
    assert new.results["rides"]["unserved"] == [
        {"shift_id": out.id, "reason": "the driver has no hours left this week"}
    ]
    html = client.get(f"/match/runs/{new.id}").get_data(as_text=True)
    assert "the driver has no hours left this week" in html
    assert "Over their weekly hours" not in html
