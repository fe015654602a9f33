"""The coordinator's week: each day's counts are exact, each day lists its first rows in
time order, and "show all" leads to the day, which lists every shift (filters kept), a
page at a time when the day is long."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login
from tests.shifts.builders import WED, make_request, next_weekday, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts import calendar_views
from webapp.shifts import operations as ops

DAY = next_weekday(WED, at_least=4)


@pytest.fixture
def week(client, db_session, monkeypatch):  # type: ignore[no-untyped-def]
    """Five visits on DAY (one claimed, one approved), one the next day, one in another
    neighbourhood on DAY; the week shows two rows a day."""
    monkeypatch.setattr(calendar_views, "WEEK_ROWS_PER_DAY", 2)
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org)
    shifts = []
    for hour in (9, 10, 11, 14, 16):
        draft = visit_draft(DAY, windows=[(DAY.weekday(), time(hour), time(hour + 1))],
                            duration_minutes=45)  # fmt: skip
        shifts += shifts_of(make_request(org, draft, resident=make_resident(org,
                                         neighbourhood="Centro"), actor=coord))  # fmt: skip
    ops.claim(shifts[3], vol, vol.user)
    ops.assign(shifts[4], make_volunteer(org), coord)
    (next_day,) = shifts_of(make_request(org, visit_draft(DAY + timedelta(days=1)), actor=coord))
    (elsewhere,) = shifts_of(
        make_request(
            org, visit_draft(DAY), resident=make_resident(org, neighbourhood="Borgo"), actor=coord
        )  # fmt: skip
    )
    db.session.commit()
    login(client, coord.email, PASSWORD)
    return {"shifts": shifts, "next_day": next_day, "elsewhere": elsewhere}


def _rows(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-shift="(\d+)"', html)]


def test_each_day_counts_every_shift_and_lists_its_first_rows(client, week):  # type: ignore[no-untyped-def]
    html = client.get(f"/shifts/week?start={DAY.isoformat()}").get_data(as_text=True)
    shifts = sorted([*week["shifts"], week["elsewhere"]], key=lambda s: (s.starts_at, s.id))
    shown = _rows(html)
    # Two rows of DAY (the earliest two) and the one of the next day, nothing else.
    assert shown == [shifts[0].id, shifts[1].id, week["next_day"].id]
    assert "7 shifts this week" in html
    assert "The first 2 of 6, in time order." in html
    assert "Show all 6 shifts of" in html
    # The day's line of counts: 6 shifts, 4 without a volunteer, 1 to approve, 1 booked.
    row = re.search(rf'date={DAY.isoformat()}">[^<]+</a></th>(.*?)</tr>', html, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">(\d+)</td>', row.group(1)) == ["6", "4", "1", "1"]
    assert "<strong>1</strong> to approve" in html


def test_show_all_leads_to_the_day_with_every_shift_and_the_filters(client, week):  # type: ignore[no-untyped-def]
    html = client.get(f"/shifts/week?start={DAY.isoformat()}&hood=Centro").get_data(as_text=True)
    assert "The first 2 of 5, in time order." in html  # the other neighbourhood left out
    link = re.search(r'<a class="button" href="([^"]+)">Show all 5 shifts', html)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert url == f"/shifts/day?date={DAY.isoformat()}&hood=Centro"
    day = client.get(url).get_data(as_text=True)
    assert sorted(_rows(day)) == sorted(s.id for s in week["shifts"])  # the rows beyond, too
    # Moving on from the day keeps the filter.
    assert f"/shifts/day?date={(DAY + timedelta(days=1)).isoformat()}&amp;hood=Centro" in day
    assert f"/shifts/week?start={DAY.isoformat()}&amp;hood=Centro" in day


def test_a_quiet_day_has_no_link_to_show_more(client, week):  # type: ignore[no-untyped-def]
    html = client.get(f"/shifts/week?start={DAY.isoformat()}&kind=ride").get_data(as_text=True)
    assert _rows(html) == [] and "Show all" not in html
    assert "0 shifts this week" in html and html.count("No shifts.") == 7


def test_a_long_day_is_paged_with_exact_counts_and_the_filters_kept(client, week, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(calendar_views, "DAY_ROWS", 2)
    in_order = sorted([*week["shifts"], week["elsewhere"]], key=lambda s: (s.starts_at, s.id))
    url = f"/shifts/day?date={DAY.isoformat()}"
    pages = [client.get(f"{url}&page={n}").get_data(as_text=True) for n in (1, 2, 3, 4)]
    assert [_rows(p) for p in pages[:3]] == [
        [s.id for s in in_order[i : i + 2]] for i in (0, 2, 4)
    ]
    assert "Page 1 of 3" in pages[0] and "Page 3 of 3" in pages[2]
    assert _rows(pages[3]) == _rows(pages[2])  # past the last page: the last one
    # The counts are the whole day's on every page: 6 shifts, 1 to approve.
    for page in pages[:3]:
        assert "<strong>1</strong> to approve" in page
    # The pager keeps the day and the filters; a filter narrows what is paged.
    assert f"/shifts/day?page=2&amp;date={DAY.isoformat()}" in pages[0]
    centro = client.get(f"{url}&hood=Centro&page=3").get_data(as_text=True)
    assert _rows(centro) == [week["shifts"][4].id]  # five in Centro: the fifth on page 3
    assert "hood=Centro" in centro.split('class="pager"')[1]
    assert client.get(f"{url}&page=x").status_code == 200  # the nearest page, no error


def test_the_days_of_a_week_with_a_clock_change_count_by_local_time(client, db_session):  # type: ignore[no-untyped-def]
    """Rome turns its clocks back on Sunday 31 October 2027: shifts just after local
    midnight and just before it, on each side of the change, count on their own local day
    (a day's bounds in a fixed offset would put Tuesday's 00:30 on Monday)."""
    org = make_org()  # Europe/Rome
    coord = make_coordinator(org)
    rome = ZoneInfo("Europe/Rome")
    at = [
        datetime(2027, 10, 25, 0, 30, tzinfo=rome),  # Monday, first minutes of the week
        datetime(2027, 10, 26, 0, 30, tzinfo=rome),  # Tuesday, summer time
        datetime(2027, 10, 30, 23, 30, tzinfo=rome),  # Saturday, late
        datetime(2027, 10, 31, 0, 30, tzinfo=rome),  # Sunday, still summer time
        datetime(2027, 10, 31, 23, 30, tzinfo=rome),  # Sunday, winter time
        datetime(2027, 11, 1, 0, 30, tzinfo=rome),  # the next Monday: not this week
    ]
    for when in at:
        (shift,) = shifts_of(make_request(org, visit_draft(DAY), actor=coord))
        shift.starts_at, shift.ends_at = when, when + timedelta(minutes=20)
    db.session.commit()
    login(client, coord.email, PASSWORD)
    html = client.get("/shifts/week?start=2027-10-27").get_data(as_text=True)
    assert "5 shifts this week" in html

    def count(day: str) -> str:
        row = re.search(rf'date={day}">[^<]+</a></th>(.*?)</tr>', html, re.S)
        assert row is not None, day
        return re.findall(r'<td class="num">(\d+)</td>', row.group(1))[0]

    days = ["2027-10-25", "2027-10-26", "2027-10-29", "2027-10-30", "2027-10-31"]
    assert [count(d) for d in days] == ["1", "1", "0", "1", "2"]
