"""The whole story in real Chromium: ask, enter, claim, approve, confirm, log, alert."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.browser import context_page, log_in
from tests.factories import (
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.shifts.builders import HOSPITAL, add_place, in_days
from webapp.db import utcnow
from webapp.extensions import db
from webapp.shifts.models import Shift, ShiftKind, ShiftStatus

pytestmark = pytest.mark.browser


def test_ride_and_visit_journey(browser, live_server):
    org = make_org()
    add_place(org, *HOSPITAL)
    make_coordinator(org, email="coord@example.org")
    maria = make_resident(org, first_name="Maria", address="Via Roma 3, Isernia")
    make_user(org, person=maria, email="maria@example.org")
    make_resident(org, first_name="Pietro", last_name="Verdi")
    make_volunteer(org, driving=True, visits=True, first_name="Guido", email="x@example.org",
                   with_user=False)  # fmt: skip
    db.session.commit()
    from webapp.people.models import Person

    guido = db.session.scalars(sa.select(Person).where(Person.first_name == "Guido")).one()
    make_user(org, person=guido, email="guido@example.org")
    db.session.commit()
    ride_day = in_days(5)
    contexts = []
    try:
        # 1. The resident asks for a ride with a return, on her phone.
        ctx, res = context_page(browser, live_server, phone=True)
        contexts.append(ctx)
        log_in(res, "maria@example.org")
        res.goto("/requests/help")
        res.get_by_role("link", name="A ride").click()
        res.fill("#start_date", ride_day.isoformat())
        res.fill("#appointment_time", "10:30")
        res.fill("#destination_name", "Ospedale Veneziale")
        res.fill("#destination_address", HOSPITAL[0])
        res.select_option("#purpose", "medical")
        res.check("#return_wanted")
        res.fill("#return_time", "12:00")
        res.get_by_role("button", name="Send my request").click()
        res.get_by_text("Step 3 of 3").wait_for()

        # 2. The coordinator enters a weekly visit while on the phone (keyboard only).
        ctx, desk = context_page(browser, live_server, phone=False)
        contexts.append(ctx)
        log_in(desk, "coord@example.org")
        desk.goto("/requests/new")
        pietro = db.session.scalars(sa.select(Person).where(Person.first_name == "Pietro")).one()
        desk.fill("#resident_q", "Pietro Verdi")  # the picker searches; Enter = "Find"
        with desk.expect_navigation():
            desk.press("#resident_q", "Enter")
        desk.check(f"#resident-{pietro.id}")
        desk.select_option("#kind", "visit")
        start = in_days(3)
        desk.fill("#start_date", start.isoformat())
        desk.check("#recurring")
        desk.fill("#end_date", (start + timedelta(weeks=12)).isoformat())
        desk.check(f"#weekdays-{start.weekday()}")
        desk.fill("#window_start", "15:00")
        desk.fill("#window_end", "18:00")
        desk.fill("#duration_minutes", "60")
        desk.focus("#notes")
        desk.keyboard.type("Loves talking about football")
        desk.keyboard.press("Tab")
        desk.keyboard.press("Tab")
        desk.keyboard.press("Enter")  # submit without the mouse
        desk.get_by_text("Request saved for Pietro Verdi").wait_for()

        # 3. The volunteer sees the ride on the board and claims it.
        ctx, vol = context_page(browser, live_server, phone=True)
        contexts.append(ctx)
        log_in(vol, "guido@example.org")
        vol.goto("/shifts/board")
        card = vol.locator("article.card", has_text="Ospedale Veneziale")
        assert "Via Roma 3" not in card.inner_text()
        card.get_by_role("button", name="I'll do it").click()
        vol.get_by_text("A coordinator will confirm it soon").wait_for()

        # 4. The coordinator approves it.
        out = db.session.scalars(sa.select(Shift).where(Shift.kind == ShiftKind.RIDE_OUT)).one()
        db.session.commit()
        desk.goto(f"/shifts/day?date={ride_day.isoformat()}")
        desk.locator(f'tr[data-shift="{out.id}"] a').click()
        desk.get_by_role("button", name="Approve").click()
        desk.get_by_text("Approved.").wait_for()

        # 5. The volunteer confirms, now sees the address and directions.
        vol.goto("/shifts/mine")
        assert "Via Roma 3" in vol.content()
        assert vol.locator('a[href*="openstreetmap.org/directions"]').count() >= 1
        vol.get_by_role("button", name="Confirm").click()
        vol.get_by_text("Confirmed. Thank you!").wait_for()

        # The day of the ride comes (both legs move to this morning).
        db.session.commit()  # start a fresh transaction after the server's writes
        now = utcnow()
        legs = db.session.scalars(sa.select(Shift).where(Shift.group_key == out.group_key)).all()
        for i, leg in enumerate(sorted(legs, key=lambda s: s.starts_at)):
            leg.starts_at = now - timedelta(hours=3 - i * 2)
            leg.ends_at = leg.starts_at + timedelta(minutes=30)
        db.session.commit()

        # 6. The volunteer logs the ride and files a worried check-in.
        vol.goto("/shifts/mine")
        vol.get_by_role("link", name="Log how it went").click()
        vol.get_by_label("Low or lonely").check()
        vol.get_by_label("Something worries me").check()
        vol.fill("#note", "She has not eaten for two days")
        vol.get_by_role("button", name="Send").click()
        vol.get_by_text("Thank you for your note").wait_for()
        db.session.expire_all()
        statuses = db.session.scalars(
            sa.select(Shift.status).where(Shift.group_key == out.group_key)
        )
        assert set(statuses) == {ShiftStatus.COMPLETED}

        # 7. The coordinator sees the alert.
        desk.goto("/shifts/day")
        desk.get_by_role("link", name=re.compile("1 alerts")).click()
        desk.get_by_text("She has not eaten for two days").wait_for()  # the desk's alerts
    finally:
        for ctx in contexts:
            ctx.close()
