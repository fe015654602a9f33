"""A visit with a different time on some weekdays: changing a request through the
coordinator's form (each day's own time shown, kept, changed, refused with the input kept).
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests.requests.day_windows_support import (
    as_sent,
    error_at,
    value_in,
    windows_of,
)
from tests.shifts.builders import (
    FRI,
    MON,
    THU,
    TUE,
    make_request,
    next_weekday,
    requests_of,
    shifts_of,
    visit_draft,
)
from webapp.extensions import db
from webapp.requests.models import RequestStatus

# --- changing a request ----------------------------------------------------------


def _mixed_visit(org, coord, resident):  # type: ignore[no-untyped-def]
    """Weekly from a Tuesday: Monday 10:00-12:00 or Thursday 15:00-17:00."""
    start = next_weekday(TUE)
    draft = visit_draft(
        start,
        windows=[(MON, time(10), time(12)), (THU, time(15), time(17))],
        recurring=True,
        end_date=start + timedelta(days=13),
        notes="Ring twice",
    )
    req = make_request(org, draft, resident=resident, actor=coord)
    db.session.commit()
    return req


def test_the_change_form_shows_each_days_own_time(client, desk):
    org, coord, resident = desk
    req = _mixed_visit(org, coord, resident)
    html = client.get(f"/requests/{req.id}/change").get_data(as_text=True)
    assert (value_in(html, "window_start"), value_in(html, "window_end")) == ("10:00", "12:00")
    assert (value_in(html, "day_3_start"), value_in(html, "day_3_end")) == ("15:00", "17:00")
    assert (value_in(html, "day_0_start"), value_in(html, "day_0_end")) == ("", "")
    assert 'checked id="weekdays-0"' in html and 'checked id="weekdays-3"' in html
    assert '<details class="day-times" open>' in html
    assert "this form takes one time" not in html  # the old warning is gone


def test_saving_the_change_form_as_it_is_keeps_both_times(client, desk):
    org, coord, resident = desk
    req = _mixed_visit(org, coord, resident)
    shifts = [s.id for s in shifts_of(req)]
    url = f"/requests/{req.id}/change"
    sent = as_sent(client.get(url).get_data(as_text=True))
    resp = client.post(url, data=sent, follow_redirects=True)
    assert "Nothing changed, so the shifts stay as they were." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert requests_of(resident) == [req] and req.status == RequestStatus.ACTIVE
    assert windows_of(req) == [(MON, "10:00", "12:00"), (THU, "15:00", "17:00")]
    assert [s.id for s in shifts_of(req)] == shifts


@pytest.mark.parametrize(
    ("changes", "stored"),
    [
        # Thursday later: Monday keeps its time.
        (
            {"day_3_start": "16:00", "day_3_end": "18:00"},
            [(MON, "10:00", "12:00"), (THU, "16:00", "18:00")],
        ),
        # Thursday's own time cleared: it takes the time for every day.
        (
            {"day_3_start": "", "day_3_end": ""},
            [(MON, "10:00", "12:00"), (THU, "10:00", "12:00")],
        ),
        # A new time for every day moves Monday only.
        (
            {"window_start": "09:00", "window_end": "11:00"},
            [(MON, "09:00", "11:00"), (THU, "15:00", "17:00")],
        ),
        # Friday added with its own time.
        (
            {"weekdays": ["0", "3", "4"], "day_4_start": "14:00", "day_4_end": "16:00"},
            [(MON, "10:00", "12:00"), (THU, "15:00", "17:00"), (FRI, "14:00", "16:00")],
        ),
    ],
)
def test_changing_one_days_time(client, desk, changes, stored):
    org, coord, resident = desk
    req = _mixed_visit(org, coord, resident)
    url = f"/requests/{req.id}/change"
    sent = as_sent(client.get(url).get_data(as_text=True))
    sent.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    resp = client.post(url, data=sent)
    assert resp.status_code == 302
    old, new = requests_of(resident)
    assert old.status == RequestStatus.CANCELLED
    assert windows_of(new) == stored and new.notes == "Ring twice"


@pytest.mark.parametrize(
    ("changes", "field_id", "words", "thursday"),
    [
        (
            {"day_3_end": ["15:30"]},
            "day_3_end",
            "Thursday: The window is shorter than the visit.",
            ("15:00", "15:30"),
        ),
        # Thursday unticked while its own time is still there: clear it or tick it again.
        (
            {"weekdays": ["0"]},
            "day_3_start",
            "Thursday has its own time but is not ticked: tick Thursday or clear its time.",
            ("15:00", "17:00"),
        ),
    ],
)
def test_a_refused_change_keeps_the_days_times_and_the_shifts(  # type: ignore[no-untyped-def]
    client, desk, changes, field_id, words, thursday
):
    org, coord, resident = desk
    req = _mixed_visit(org, coord, resident)
    url = f"/requests/{req.id}/change"
    sent = as_sent(client.get(url).get_data(as_text=True))
    sent.update({**changes, "notes": ["Bring the photo album"]})
    html = client.post(url, data=sent).get_data(as_text=True)
    assert error_at(html, field_id) == words
    assert (value_in(html, "day_3_start"), value_in(html, "day_3_end")) == thursday
    assert "Bring the photo album" in html
    db.session.expire_all()
    assert requests_of(resident) == [req] and req.status == RequestStatus.ACTIVE
    assert all(s.status.value == "open" for s in shifts_of(req))
