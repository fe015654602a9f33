"""A visit with a different time on some weekdays: the coordinator's form (new and change).

The form has one time for every chosen day and optional own times per weekday; these tests
post it through the web (CSRF on) and read what was stored.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from html.parser import HTMLParser

import pytest

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident
from tests.helpers import csrf_from, login, post_form
from tests.shifts.builders import (
    FRI,
    MON,
    SUN,
    THU,
    TUE,
    WED,
    make_request,
    next_weekday,
    requests_of,
    shifts_of,
    visit_draft,
)
from webapp.extensions import db
from webapp.orgs.settings import org_tz
from webapp.requests.forms import CoordinatorChangeForm, window_data
from webapp.requests.models import Request, RequestStatus


def _hm(t: time) -> str:
    return t.strftime("%H:%M")


def _windows(req: Request) -> list[tuple[int, str, str]]:
    return [(w.weekday, _hm(w.start), _hm(w.end)) for w in req.windows]


def _error(html: str, field_id: str) -> str | None:
    """The message shown next to ``field_id`` (the form macro's ``<id>-error``)."""
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


def _value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


class _Sent(HTMLParser):
    """What a browser sends when the form on the page is submitted as it is."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def _as_sent(html: str) -> dict[str, list[str]]:
    form = html[html.index('<form method="post" novalidate>') :]
    parser = _Sent()
    parser.feed(form[: form.index("</form>")])
    return parser.data


@pytest.fixture
def desk(client, db_session):  # type: ignore[no-untyped-def]
    """A coordinator logged in, and a resident on the phone."""
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org)
    db.session.commit()  # a refused form rolls the view back: keep the set-up
    assert login(client, coord.email, PASSWORD).status_code == 302
    return org, coord, resident


def _new_visit(resident, start, **fields) -> dict:  # type: ignore[no-untyped-def]
    data = {
        "resident": resident.id,
        "kind": "visit",
        "start_date": start.isoformat(),
        "duration_minutes": "60",
        "purpose": "other",
        "passengers": "1",
        "gender_preference": "",
        "notes": "Bring the photo album",
    }
    data.update(fields)
    return data


# --- a new request ---------------------------------------------------------------


def test_monday_mornings_or_thursday_afternoons(client, desk):
    org, _coord, resident = desk
    start = next_weekday(TUE)  # so the first week's visit is on Thursday, the next on Monday
    data = _new_visit(
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
    assert _windows(req) == [(MON, "10:00", "12:00"), (THU, "15:00", "17:00")]
    tz = org_tz(org.id)
    local = [s.starts_at.astimezone(tz) for s in shifts_of(req)]
    assert [(t.date(), _hm(t.time())) for t in local] == [
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
    resp = post_form(client, "/requests/new", _new_visit(resident, next_weekday(MON), **fields))
    assert resp.status_code == 302
    (req,) = requests_of(resident)
    assert _windows(req) == stored


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
    data = _new_visit(resident, next_weekday(MON), window_start="10:00", window_end="12:00")
    data.update(fields)
    resp = post_form(client, "/requests/new", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Please correct the fields marked below." in html
    assert words in (_error(html, field_id) or "")
    # Nothing typed is lost, and the per-day times are open to fix them.
    assert "Bring the photo album" in html
    for name, value in fields.items():
        if name.startswith(("day_", "window_")):
            assert _value(html, name) == value, name
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
    data = _new_visit(resident, next_weekday(MON), weekdays=[MON, THU], window_start="10:00",
                      window_end="12:00", day_3_start="15:00", day_3_end="14:00")  # fmt: skip
    html = post_form(client, "/requests/new", data).get_data(as_text=True)
    assert '<label for="day_3_start">Giovedì dalle</label>' in html
    assert _error(html, "day_3_end") == "Giovedì: La fascia oraria deve finire dopo l&#39;inizio."


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
    assert (_value(html, "window_start"), _value(html, "window_end")) == ("10:00", "12:00")
    assert (_value(html, "day_3_start"), _value(html, "day_3_end")) == ("15:00", "17:00")
    assert (_value(html, "day_0_start"), _value(html, "day_0_end")) == ("", "")
    assert 'checked id="weekdays-0"' in html and 'checked id="weekdays-3"' in html
    assert '<details class="day-times" open>' in html
    assert "this form takes one time" not in html  # the old warning is gone


def test_saving_the_change_form_as_it_is_keeps_both_times(client, desk):
    org, coord, resident = desk
    req = _mixed_visit(org, coord, resident)
    shifts = [s.id for s in shifts_of(req)]
    url = f"/requests/{req.id}/change"
    sent = _as_sent(client.get(url).get_data(as_text=True))
    resp = client.post(url, data=sent, follow_redirects=True)
    assert "Nothing changed, so the shifts stay as they were." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert requests_of(resident) == [req] and req.status == RequestStatus.ACTIVE
    assert _windows(req) == [(MON, "10:00", "12:00"), (THU, "15:00", "17:00")]
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
    sent = _as_sent(client.get(url).get_data(as_text=True))
    sent.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    resp = client.post(url, data=sent)
    assert resp.status_code == 302
    old, new = requests_of(resident)
    assert old.status == RequestStatus.CANCELLED
    assert _windows(new) == stored and new.notes == "Ring twice"


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
    sent = _as_sent(client.get(url).get_data(as_text=True))
    sent.update({**changes, "notes": ["Bring the photo album"]})
    html = client.post(url, data=sent).get_data(as_text=True)
    assert _error(html, field_id) == words
    assert (_value(html, "day_3_start"), _value(html, "day_3_end")) == thursday
    assert "Bring the photo album" in html
    db.session.expire_all()
    assert requests_of(resident) == [req] and req.status == RequestStatus.ACTIVE
    assert all(s.status.value == "open" for s in shifts_of(req))


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
