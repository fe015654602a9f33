"""From "phone rings" to "ride booked": clicks, keystrokes and seconds at the coordinator's desk.

A registered resident of the demo town (144 residents) calls; the caller display shows
their number in another format than the one on file. The coordinator books a ride with a
return to the hospital a week ahead. The script drives Debian's Chromium through the
pages as a coordinator would and counts what the coordinator does:

- ``before``: the branch point's flow. Home page, "New request", the resident picked from
  the one long list (a select: one click to open it, the surname typed to jump, Enter),
  then the ride fields, "Save request". The number on the display does not help.
- ``after``: the desk. The number typed into "Who is calling?" on the home page, Enter:
  the case file opens (one match), "New ride" there, the ride fields (kind and resident
  already set), "Save request".
- ``again`` (after only): the caller has been to the hospital before; "Ride again to
  Ospedale Veneziale" on the case file prefills where and how, leaving date and time.

It prints the counts, the seconds the browser and server took (the machine's part), and
the keystroke-level model's estimate of the person's part (Card, Moran and Newell: 1.1 s
to point and click, 0.28 s a keystroke, 1.35 s to decide at each new page; a select of N
entries read at 0.3 s an entry until the right one is found). Usage:

    .venv/bin/python benchmarks/phone_to_ride.py [--flow before|after|auto] [--runs N]

``auto`` (the default) takes ``after`` when the home page has the caller search. To
measure the branch point, run this same file from a checkout of it (PYTHONPATH there).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time as clock
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

import sqlalchemy as sa
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from webapp import create_app
from webapp.auth.models import User
from webapp.config import TestConfig
from webapp.demo.loader import COORDINATORS, DEMO_PASSWORD, load_demo
from webapp.extensions import db
from webapp.people.models import Person
from webapp.requests.models import Request, RequestKind, RidePurpose
from webapp.requests.operations import Draft, create_request

POINT, KEY, THINK, READ_ENTRY = 1.1, 0.28, 1.35, 0.3
DESTINATION = ("Ospedale Veneziale", "Corso Marcelli 1, Isernia")


@dataclass
class Tally:
    clicks: int = 0
    keys: int = 0
    pages: int = 0
    list_reading: float = 0.0
    log: list[str] = field(default_factory=list)

    def human_seconds(self) -> float:
        return self.clicks * POINT + self.keys * KEY + self.pages * THINK + self.list_reading


class Desk:
    """The coordinator's hands: every action goes through here and is counted."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.tally = Tally()

    def click(self, locator: Any, *, navigates: bool = False) -> None:
        self.tally.clicks += 1
        if navigates:
            with self.page.expect_navigation():
                locator.click()
            self.tally.pages += 1
        else:
            locator.click()

    def type(self, locator: Any, text: str) -> None:
        self.tally.clicks += 1  # into the field
        self.tally.keys += len(text)
        locator.fill(text)

    def enter(self, locator: Any) -> None:
        self.tally.keys += 1
        with self.page.expect_navigation():
            locator.press("Enter")
        self.tally.pages += 1


def _caller(app: Any) -> tuple[str, str, str, str]:
    """A resident with a unique surname and a landline: (first, last, phone, as displayed)."""
    with app.app_context():
        people = db.session.scalars(
            sa.select(Person).where(Person.is_resident.is_(True)).order_by(Person.id)
        ).all()
        surnames = [p.last_name for p in people]
        for p in people:
            if surnames.count(p.last_name) == 1 and p.phone and p.phone.startswith("0865"):
                digits = re.sub(r"\D", "", p.phone)
                return p.first_name, p.last_name, p.phone, f"+39{digits}"
    raise SystemExit("no resident with a unique surname in the demo")


def _ride_fields(desk: Desk, day: date) -> None:
    page = desk.page
    desk.type(page.get_by_label("Date (first date)", exact=True), day.isoformat())
    desk.type(page.get_by_label("Appointment time", exact=True), "10:30")
    desk.type(page.get_by_label("Destination name", exact=True), DESTINATION[0])
    desk.type(page.get_by_label("Destination address", exact=True), DESTINATION[1])
    desk.click(page.get_by_label("Purpose", exact=True))
    page.get_by_label("Purpose", exact=True).select_option("medical")
    back = page.get_by_label("Return ride", exact=True)
    if not back.is_checked():  # ticked already where the form knows most rides return
        desk.click(back)
    desk.type(page.get_by_label("Stay (minutes)", exact=True), "90")
    desk.click(page.get_by_role("button", name="Save request"), navigates=True)


def flow_before(desk: Desk, caller: tuple[str, str, str, str], day: date) -> None:
    first, last, _phone, _display = caller
    page = desk.page
    desk.click(page.get_by_role("link", name="New request", exact=True), navigates=True)
    picker = page.get_by_label("Resident", exact=True)
    options = picker.locator("option").all_inner_texts()
    position = next(i for i, text in enumerate(options) if text.startswith(f"{last} {first}"))
    desk.click(picker)  # open the list
    desk.tally.keys += len(last) + 1  # type-to-jump to the surname, Enter
    # Reading down the list from where the jump lands to the right entry, or from the
    # top when a mis-typed letter sends it elsewhere: count the entries up to the person
    # among those of the same initial.
    same_initial = [t for t in options[: position + 1] if t[:1] == last[:1]]
    desk.tally.list_reading += len(same_initial) * READ_ENTRY
    picker.select_option(index=position)
    kind = page.get_by_label("Kind", exact=True)
    desk.click(kind)
    kind.select_option("ride")
    _ride_fields(desk, day)


def flow_after(desk: Desk, caller: tuple[str, str, str, str], day: date) -> None:
    _first, _last, _phone, display = caller
    page = desk.page
    search = page.get_by_label("Who is calling?", exact=True)
    desk.type(search, display)
    desk.enter(search)
    desk.click(page.get_by_role("link", name="New ride", exact=True), navigates=True)
    _ride_fields(desk, day)


def flow_again(desk: Desk, caller: tuple[str, str, str, str], day: date) -> None:
    """The caller has been to the hospital before: "Ride again" prefills where and how."""
    _first, _last, _phone, display = caller
    page = desk.page
    search = page.get_by_label("Who is calling?", exact=True)
    desk.type(search, display)
    desk.enter(search)
    desk.click(
        page.get_by_role("link", name=f"Ride again to {DESTINATION[0]}", exact=True),
        navigates=True,
    )
    desk.type(page.get_by_label("Date (first date)", exact=True), day.isoformat())
    desk.type(page.get_by_label("Appointment time", exact=True), "10:30")
    desk.click(page.get_by_role("button", name="Save request"), navigates=True)


def _earlier_ride(app: Any, last_name: str) -> None:
    """For the repeat scenario: the caller went to the hospital a month ago."""
    with app.app_context():
        resident = db.session.scalars(
            sa.select(Person).where(Person.last_name == last_name, Person.is_resident.is_(True))
        ).one()
        draft = Draft(
            kind=RequestKind.RIDE,
            start_date=date.today() + timedelta(days=3),
            appointment_time=time(9, 0),
            destination_name=DESTINATION[0],
            destination_address=DESTINATION[1],
            purpose=RidePurpose.MEDICAL,
            return_wanted=True,
            stay_minutes=90,
        )
        create_request(resident, draft, None)
        db.session.commit()


def run_once(flow: str, browser: Any) -> tuple[Tally, float, str]:
    tmp = tempfile.mkdtemp(prefix="ponte-bench-")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.db"

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        load_demo()
        # English pages, whatever the demo coordinator's language.
        db.session.execute(sa.update(User).values(locale="en"))
        db.session.commit()
    caller = _caller(app)
    if flow == "again":
        _earlier_ride(app, caller[1])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        base_url=f"http://127.0.0.1:{server.server_port}",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("E-mail", exact=True).fill(COORDINATORS[0][0])
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        page.goto("/")
        if flow == "auto":
            flow = "after" if page.get_by_label("Who is calling?").count() else "before"
        desk = Desk(page)
        day = date.today() + timedelta(days=7)
        started = clock.perf_counter()  # the phone rings
        flows = {"after": flow_after, "before": flow_before, "again": flow_again}
        flows[flow](desk, caller, day)
        seconds = clock.perf_counter() - started
        with app.app_context():
            booked = db.session.scalar(
                sa.select(sa.func.count(Request.id))
                .join(Person, Person.id == Request.resident_id)
                .where(
                    Person.last_name == caller[1],
                    Request.start_date == day,
                    Request.appointment_time == time(10, 30),
                )
            )
        if booked != 1:
            raise SystemExit(f"the ride was not booked ({flow}): {page.url}")
        return desk.tally, seconds, flow
    finally:
        context.close()
        server.shutdown()
        thread.join(timeout=5)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flow", choices=("before", "after", "again", "auto"), default="auto")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log in the figures
    chromium = os.environ.get("PONTE_CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox"], headless=True
        )
        results = [run_once(args.flow, browser) for _ in range(args.runs)]
        browser.close()
    tally, _s, flow = results[0]
    machine = statistics.median(s for _t, s, _f in results)
    print(f"flow: {flow} (median of {len(results)} runs)")
    print(f"clicks: {tally.clicks}")
    print(f"keystrokes: {tally.keys}")
    print(f"pages loaded: {tally.pages}")
    print(f"machine seconds (browser + server): {machine:.2f}")
    print(f"person seconds (keystroke-level model): {tally.human_seconds():.1f}")
    print(f"phone rings -> ride booked, estimated: {machine + tally.human_seconds():.1f} s")


if __name__ == "__main__":
    sys.exit(main())
