"""The activities on the volunteer's board: the items the board shows (which, in what
order, with what labels), and their cost, which is the live activities' and not the
organisation's history (past and cancelled activities, applications are not read)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from tests.activities.builders import applicant, make_activity
from tests.factories import PASSWORD, make_org, make_volunteer
from tests.helpers import login
from webapp.activities import operations as ops
from webapp.activities.models import Activity, Application
from webapp.activities.queries import helper_items
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person

H = timedelta(hours=1)


def _over(activity: Activity, days: int = 30) -> None:
    """Move every meeting of ``activity`` ``days`` back (activities are created ahead)."""
    for s in activity.sessions:
        s.starts_at -= timedelta(days=days)
        s.ends_at -= timedelta(days=days)


def _fields(items) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(i.key, i.title, i.starts_at, i.ends_at, i.where, i.detail, i.badge,
             i.action_url, i.action_label) for i in items]  # fmt: skip


def test_the_board_shows_the_activities_that_still_need_a_helper(db_session, app):
    org = make_org()
    ana, bo = make_volunteer(org), make_volunteer(org)
    open_ = make_activity(org, helpers_needed=2, days=5, title="Open")
    mine = make_activity(org, helpers_needed=1, days=6, title="Mine", place_name="Parco")
    ops.add_helper(mine, ana)
    full = make_activity(org, helpers_needed=1, days=7, title="Full")
    ops.add_helper(full, bo)
    make_activity(org, helpers_needed=0, title="No helpers")
    cancelled = make_activity(org, helpers_needed=2, title="Cancelled")
    cancelled.cancelled_at = utcnow()
    _over(make_activity(org, helpers_needed=2, sessions=3, every_days=7, title="Past"), 60)
    # A series under way: on the board while a meeting is to come, dated from its first.
    series = make_activity(org, helpers_needed=3, sessions=3, every_days=7, title="Series")
    series.sessions[0].starts_at -= timedelta(days=20)
    series.sessions[0].ends_at -= timedelta(days=20)
    # The rule is the end of the last meeting (by start), as for add_helper: a first
    # meeting that ends after the last one does not keep an activity on the board.
    odd = make_activity(org, helpers_needed=2, sessions=2, every_days=1, title="Odd")
    now = utcnow()
    odd.sessions[0].starts_at, odd.sessions[0].ends_at = now - timedelta(days=5), now + H
    odd.sessions[1].starts_at, odd.sessions[1].ends_at = now - 2 * H, now - H
    make_activity(make_org(), helpers_needed=2, title="Elsewhere")
    db.session.commit()  # the board reads them afresh, as in its own request

    first = series.sessions[0]
    with app.test_request_context():
        assert _fields(helper_items(ana)) == [
            (f"activity-{series.id}", "Helper at Series", first.starts_at, first.ends_at,
             "Centro anziani", "3 meetings", "3 of 3 helpers still needed",
             f"/activities/{series.id}/help", "I'll help"),
            (f"activity-{mine.id}", "Helper at Mine", mine.sessions[0].starts_at,
             mine.sessions[0].ends_at, "Parco", None, "0 of 1 helpers still needed",
             f"/activities/{mine.id}/stop-helping", "I can't help after all"),
            (f"activity-{open_.id}", "Helper at Open", open_.sessions[0].starts_at,
             open_.sessions[0].ends_at, "Centro anziani", None, "2 of 2 helpers still needed",
             f"/activities/{open_.id}/help", "I'll help"),
        ]  # fmt: skip
        # The one who fills it sees it (to let go), the others do not.
        assert [i.key for i in helper_items(bo)] == [f"activity-{series.id}",
                                                     f"activity-{full.id}",
                                                     f"activity-{open_.id}"]  # fmt: skip


@contextmanager
def _loaded(model: type) -> Iterator[list[int]]:
    """Ids of the ``model`` rows loaded inside the block."""
    ids: list[int] = []

    def on_load(target: Any, _context: Any) -> None:
        ids.append(target.id)

    sa.event.listen(model, "load", on_load)
    try:
        yield ids
    finally:
        sa.event.remove(model, "load", on_load)


def test_the_board_reads_only_the_activities_that_can_appear(db_session, app):
    org = make_org()
    vol = make_volunteer(org)
    live = make_activity(org, helpers_needed=2, title="Live")
    applicant(org, live)
    for n in range(3):  # the organisation's history, with its applicants
        past = make_activity(org, helpers_needed=2, sessions=2, every_days=7, title=f"P{n}")
        applicant(org, past)
        _over(past, 60)
    make_activity(org, helpers_needed=0, title="No helpers")
    db.session.commit()
    vol_id, live_id = vol.id, live.id
    db.session.expunge_all()  # nothing held: every row read is counted
    vol = db.session.get(Person, vol_id)
    with (
        _loaded(Activity) as activities,
        _loaded(Application) as applications,
        app.test_request_context(),
    ):
        assert [i.key for i in helper_items(vol)] == [f"activity-{live_id}"]
    assert activities == [live_id]
    assert applications == []


def _activities(org, live: int, past: int, helper=None) -> None:  # type: ignore[no-untyped-def]
    """``live`` activities needing helpers (``helper`` at the first), ``past`` over ones
    with an applicant each."""
    for n in range(live):
        act = make_activity(org, helpers_needed=2, days=5 + n, title=f"Live {n}")
        if helper is not None and n == 0:
            ops.add_helper(act, helper)
    for n in range(past):
        act = make_activity(org, helpers_needed=2, sessions=2, every_days=7, title=f"Past {n}")
        applicant(org, act)
        _over(act, 60)
    db.session.commit()  # as the coordinator's own requests would


def test_board_statements_do_not_grow_with_the_activities(
    client, db_session, count_queries, app, monkeypatch
):
    """The helper items cost three statements (the activities, their meetings, their
    helpers), whatever the number of activities; they were one more per activity, and
    read every activity the organisation ever had, with its applications."""
    monkeypatch.setitem(app.config, "BOARD_CACHE_ENTRIES", 0)  # the whole page each time
    org = make_org()
    vol = make_volunteer(org)
    _activities(org, live=2, past=1, helper=vol)
    login(client, vol.user.email, PASSWORD)

    def board() -> tuple[list[str], str]:
        client.get("/shifts/board")  # warm, as in tests/shifts/test_query_counts.py
        with count_queries() as q:
            resp = client.get("/shifts/board")
        assert resp.status_code == 200
        return q, resp.get_data(as_text=True)

    small, html = board()
    assert html.count("Helper at Live") == 2
    _activities(org, live=10, past=5)
    big, html = board()
    assert html.count("Helper at Live") == 12 and "Past" not in html
    detail = f"small: {small}\n\nbig: {big}"
    # (``<=``: the test's session, which the requests share, may spare the second view a
    # statement, as in tests/shifts/test_query_counts.py; the activities' are exact.)
    assert len(big) <= len(small) <= 10, detail
    assert _activity_reads(small) == _activity_reads(big) == 3, detail
    assert not [s for s in big if "FROM activity_application" in s], detail


def _activity_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if "FROM activity" in s)
