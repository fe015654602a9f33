"""A visit with a different time on some weekdays: the coordinator's form for a new request,
and the mapping between the form and the stored windows.

The form has one time for every chosen day and optional own times per weekday; these tests
post it through the web (CSRF on) and read what was stored.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests.helpers import csrf_from, post_form
from tests.requests.day_windows_support import (
    error_at,
    hm,
    new_visit,
    value_in,
    windows_of,
)
from tests.shifts.builders import (
    FRI,
    MON,
    SUN,
    THU,
    TUE,
    WED,
    next_weekday,
    requests_of,
    shifts_of,
)
from webapp.orgs.settings import org_tz
from webapp.requests.forms import CoordinatorChangeForm, window_data

# --- a new request ---------------------------------------------------------------


def test_monday_mornings_or_thursday_afternoons(client, desk):
    org, _coord, resident = desk
    start = next_weekday(TUE)  # so the first week's visit is on Thursday, the next on Monday
    data = new_visit(
        resident,
        start,
        weekdays=[MON, THU],
        window_start="10:00",
        window_end="12:00",
        day_3_start="15:00",
        day_3_end="17:00",
        recurring="y",
        end_date=(start + timedelta(days=7)).isoformat(),
    )
    resp = post_form(client, "/requests/new", data)
    assert resp.status_code == 302
    (req,) = requests_of(resident)
    assert windows_of(req) == [(MON, "10:00", "12:00"), (THU, "15:00", "17:00")]
    tz = org_tz(org.id)
    local = [s.starts_at.astimezone(tz) for s in shifts_of(req)]
    assert [(t.date(), hm(t.time())) for t in local] == [
        (start + timedelta(days=2), "15:00"),  # Thursday: its own time
        (start + timedelta(days=6), "10:00"),  # Monday: the time for every day
    ]
    html = client.get(resp.location).get_data(as_text=True)
    assert "Monday 10:00–12:00" in html and "Thursday 15:00–17:00" in html


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        # The usual call: one time for every chosen day, nothing else filled in.
        (
            {"weekdays": [MON, THU], "window_start": "10:00", "window_end": "12:00"},
            [(MON, "10:00", "12:00"), (THU, "10:00", "12:00")],
        ),
        # Every chosen day has its own time: the time for every day is not needed.
        (
            {
                "weekdays": [TUE, FRI],
                "day_1_start": "09:00",
                "day_1_end": "11:00",
                "day_4_start": "16:00",
                "day_4_end": "18:00",
            },
            [(TUE, "09:00", "11:00"), (FRI, "16:00", "18:00")],
        ),
        # A day's own time equal to the common one changes nothing.
        (
            {
                "weekdays": [WED],
                "window_start": "10:00",
                "window_end": "12:00",
                "day_2_start": "10:00",
                "day_2_end": "12:00",
            },
            [(WED, "10:00", "12:00")],
        ),
    ],
)
def test_what_the_form_stores(client, desk, fields, stored):
    _org, _coord, resident = desk
    resp = post_form(client, "/requests/new", new_visit(resident, next_weekday(MON), **fields))
    assert resp.status_code == 302
    (req,) = requests_of(resident)
    assert windows_of(req) == stored


@pytest.mark.parametrize(
    ("fields", "field_id", "words"),
    [
        (  # a day's own time ends before it starts
            {"weekdays": [MON, THU], "day_3_start": "15:00", "day_3_end": "14:00"},
            "day_3_end",
            "Thursday: The window must end after it starts.",
        ),
        (  # a day's own time is too short for the visit
            {"weekdays": [MON, THU], "day_3_start": "15:00", "day_3_end": "15:30"},
            "day_3_end",
            "Thursday: The window is shorter than the visit.",
        ),
        (  # the time for every day is wrong (Monday uses it): no day named
            {
                "weekdays": [MON, THU],
                "window_end": "09:00",
                "day_3_start": "15:00",
                "day_3_end": "17:00",
            },
            "window_end",
            "The window must end after it starts.",
        ),
        (  # a time for a day that is not ticked
            {"weekdays": [MON], "day_4_start": "15:00", "day_4_end": "17:00"},
            "day_4_start",
            "Friday has its own time but is not ticked: tick Friday or clear its time.",
        ),
        (  # only "until" for a day not ticked: the message goes where something was typed
            {"weekdays": [MON], "day_4_end": "17:00"},
            "day_4_end",
            "Friday has its own time but is not ticked",
        ),
        (  # only "from"
            {"weekdays": [MON, THU], "day_3_start": "15:00"},
            "day_3_end",
            "Thursday: give both from and until, or neither",
        ),
        (  # only "until"
            {"weekdays": [MON, THU], "day_3_end": "17:00"},
            "day_3_start",
            "Thursday: give both from and until, or neither",
        ),
        (  # Monday has no own time and there is no time for every day
            {
                "weekdays": [MON, THU],
                "window_start": "",
                "window_end": "",
                "day_3_start": "15:00",
                "day_3_end": "17:00",
            },
            "window_start",
            "Give the window&#39;s start and end.",
        ),
        (  # half of the time for every day, even though every day has its own
            {
                "weekdays": [THU],
                "window_start": "10:00",
                "window_end": "",
                "day_3_start": "15:00",
                "day_3_end": "17:00",
            },
            "window_end",
            "Give the window&#39;s start and end.",
        ),
        (  # not a time at all: the form says so, no 500
            {"weekdays": [MON, THU], "day_3_start": "25:99", "day_3_end": "17:00"},
            "day_3_start",
            "Not a valid time value.",
        ),
    ],
)
def test_a_refused_new_visit_says_which_field_and_keeps_the_input(
    client, desk, fields, field_id, words
):
    _org, _coord, resident = desk
    data = new_visit(resident, next_weekday(MON), window_start="10:00", window_end="12:00")
    data.update(fields)
    resp = post_form(client, "/requests/new", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Please correct the fields marked below." in html
    assert words in (error_at(html, field_id) or "")
    # Nothing typed is lost, and the per-day times are open to fix them.
    assert "Bring the photo album" in html
    for name, value in fields.items():
        if name.startswith(("day_", "window_")):
            assert value_in(html, name) == value, name
    assert '<details class="day-times" open>' in html
    assert requests_of(resident) == []


def test_the_usual_form_keeps_the_per_day_times_closed(client, desk):
    _org, _coord, resident = desk
    html = client.get(f"/requests/new?resident={resident.id}").get_data(as_text=True)
    assert '<details class="day-times">' in html
    for wd in range(7):  # every per-day field has a label naming its day
        assert f'<label for="day_{wd}_start">' in html and f'<label for="day_{wd}_end">' in html
    assert '<label for="day_3_start">Thursday from</label>' in html


def test_in_italian_the_day_is_named_in_italian(client, desk):
    _org, _coord, resident = desk
    html = client.get("/requests/new").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(html), "locale": "it", "next": "/"})
    data = new_visit(resident, next_weekday(MON), weekdays=[MON, THU], window_start="10:00",
                      window_end="12:00", day_3_start="15:00", day_3_end="14:00")  # fmt: skip
    html = post_form(client, "/requests/new", data).get_data(as_text=True)
    assert '<label for="day_3_start">Giovedì dalle</label>' in html
    assert error_at(html, "day_3_end") == "Giovedì: La fascia oraria deve finire dopo l&#39;inizio."


# --- the two directions of the form's mapping ------------------------------------


@pytest.mark.parametrize(
    ("windows", "common", "own"),
    [
        ([(MON, time(10), time(12))], (time(10), time(12)), {}),
        (
            [(MON, time(10), time(12)), (THU, time(15), time(17))],
            (time(10), time(12)),
            {THU: (time(15), time(17))},
        ),
        # Most days share 10-12: that is the time for every day, Monday has its own.
        (
            [(MON, time(15), time(17)), (WED, time(10), time(12)), (FRI, time(10), time(12))],
            (time(10), time(12)),
            {MON: (time(15), time(17))},
        ),
        (
            [(TUE, time(9), time(11)), (SUN, time(16), time(18))],
            (time(9), time(11)),
            {SUN: (time(16), time(18))},
        ),
    ],
)
def test_prefill_and_parse_are_inverse(app, windows, common, own):
    data = window_data(windows)
    assert (data["window_start"], data["window_end"]) == common
    assert {
        wd: (data[f"day_{wd}_start"], data[f"day_{wd}_end"])
        for wd in range(7)
        if f"day_{wd}_start" in data
    } == own
    form = CoordinatorChangeForm(formdata=None, data=data, meta={"csrf": False})
    assert form.weekly_windows() == sorted(windows)
