"""The desk home's rarely changing counts (held times, volunteers awaiting approval) kept
under the calendar's stamp (desk/figures.py ``rare_counts``): every write that changes
them moves the stamp (shifts/candidate_marks.py) and shows at the next view, whoever made
it (here: the test's own session, as another worker would); a view with nothing changed
does not count them."""

from __future__ import annotations

import pytest

from tests.desk.helpers import done_visit, login_as
from tests.factories import make_coordinator, make_org, make_volunteer
from webapp.extensions import db
from webapp.people.models import VolunteerStatus
from webapp.shifts import outcomes
from webapp.shifts.calendar_cache import kept, stamp

HELD = 'Logged times to check before the hours are paid <span class="count">{}</span>'
AWAITING = "{} volunteer awaiting approval"


@pytest.fixture
def desk(client):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    shift, _vol = done_visit(org, coord)
    pia = make_volunteer(org, first_name="Pia", status=VolunteerStatus.PENDING)
    db.session.commit()
    login_as(client, coord)
    return {"org": org, "coord": coord, "shift": shift, "pia": pia}


def _home(client) -> str:  # type: ignore[no-untyped-def]
    return client.get("/desk/").get_data(as_text=True)


def _held(t) -> None:  # type: ignore[no-untyped-def]
    t["shift"].assignments[0].times_held = True


def _applied(t) -> None:  # type: ignore[no-untyped-def]
    make_volunteer(t["org"], first_name="Nina", status=VolunteerStatus.PENDING)


def _approved(t) -> None:  # type: ignore[no-untyped-def]
    t["pia"].volunteer.status = VolunteerStatus.APPROVED


def _deleted(t) -> None:  # type: ignore[no-untyped-def]
    db.session.delete(t["pia"])


# name: (the change, what the next view shows)
CHANGES = {
    "times held": (_held, HELD.format(1)),
    "a volunteer applied": (_applied, "2 volunteers awaiting approval"),
    "a volunteer approved": (_approved, None),
    "a volunteer deleted": (_deleted, None),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_the_kept_counts_shows_at_the_next_view(client, desk, change):
    make, shows = CHANGES[change]
    _home(client)
    before = _home(client)  # kept
    assert AWAITING.format(1) in before and "Logged times to check" not in before
    was = stamp(desk["org"].id)
    make(desk)
    db.session.commit()
    assert stamp(desk["org"].id) != was  # the write moved the stamp
    after = _home(client)
    if shows:
        assert shows in after, after
    else:
        assert "awaiting approval" not in after, after
    kept().clear()
    assert shows is None or shows in _home(client)  # as counted anew


def test_held_times_settled_leave_the_count(client, desk):
    _held(desk)
    db.session.commit()
    assert HELD.format(1) in _home(client)
    was = stamp(desk["org"].id)
    outcomes.confirm_times(desk["shift"], desk["coord"], keep_logged=True)
    db.session.commit()
    assert stamp(desk["org"].id) != was
    assert "Logged times to check" not in _home(client)


def test_a_view_with_nothing_changed_does_not_count_them(client, desk, count_queries):
    _home(client)
    with count_queries() as q:
        _home(client)
    assert not [s for s in q if "group_key" in s or "FROM volunteer_profile" in s], q
