"""The desk home's list of volunteers' checks, kept rendered under the calendar's stamp
(desk/views.py, shifts/calendar_cache.py): a second view with nothing changed reads no
check; every write that changes the list moves the stamp (shifts/candidate_marks.py) and
shows at the next view, whoever made it (here: the test's own session, as another worker
or a job would); another day draws it anew."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.desk.helpers import login_as
from tests.factories import make_coordinator, make_org, make_volunteer
from webapp.extensions import db
from webapp.people.models import Credential, CredentialKind, VolunteerStatus
from webapp.shifts.calendar_cache import kept, stamp

TODAY = date.today()


@pytest.fixture
def desk(client):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    lia = make_volunteer(org, first_name="Lia", last_name="Lapsed", credentials=False)
    ada = make_volunteer(org, first_name="Ada", last_name="Soon", driving=True)
    ok = make_volunteer(org, first_name="Olga", last_name="Fine", driving=True)
    for check in ada.credentials:
        if check.kind == CredentialKind.INSURANCE:
            check.expires_on = TODAY + timedelta(days=10)
    db.session.commit()
    login_as(client, coord)
    return {"org": org, "lia": lia, "ada": ada, "ok": ok}


def _checks(client) -> str:  # type: ignore[no-untyped-def]
    """The home's section of checks ("" when there is none)."""
    html = client.get("/desk/").get_data(as_text=True)
    found = re.search(r'<section aria-labelledby="checks-h".*?</section>', html, re.S)
    return found.group(0) if found else ""


def _credential(person, kind: CredentialKind) -> Credential:  # type: ignore[no-untyped-def]
    return next(c for c in person.credentials if c.kind == kind)


def _renewed(t) -> None:  # type: ignore[no-untyped-def]
    _credential(t["ada"], CredentialKind.INSURANCE).expires_on = TODAY + timedelta(days=400)


def _expiry_brought_forward(t) -> None:  # type: ignore[no-untyped-def]
    _credential(t["ok"], CredentialKind.DRIVING_LICENCE).expires_on = TODAY + timedelta(days=5)


def _check_recorded(t) -> None:  # type: ignore[no-untyped-def]
    check = Credential(person_id=t["lia"].id, kind=CredentialKind.BACKGROUND_CHECK,
                       checked_on=TODAY, expires_on=TODAY + timedelta(days=365))  # fmt: skip
    db.session.add(check)


def _check_removed(t) -> None:  # type: ignore[no-untyped-def]
    db.session.delete(_credential(t["ok"], CredentialKind.BACKGROUND_CHECK))


def _suspended(t) -> None:  # type: ignore[no-untyped-def]
    t["lia"].volunteer.status = VolunteerStatus.SUSPENDED


def _drives_no_more(t) -> None:  # type: ignore[no-untyped-def]
    t["ada"].volunteer.offers_driving = False


def _drives_now(t) -> None:  # type: ignore[no-untyped-def]
    t["lia"].volunteer.offers_visits = False
    _check_recorded(t)
    db.session.flush()
    t["ok"].volunteer.offers_visits = True  # (held already: no change)
    t["ok"].volunteer.offers_driving = True
    t["ok"].volunteer.car_seats = 3
    for kind in (CredentialKind.DRIVING_LICENCE, CredentialKind.INSURANCE):
        db.session.delete(_credential(t["ok"], kind))


def _renamed(t) -> None:  # type: ignore[no-untyped-def]
    t["lia"].last_name = "Zappacosta"


def _new_volunteer(t) -> None:  # type: ignore[no-untyped-def]
    make_volunteer(t["org"], first_name="Nina", last_name="New", credentials=False)


# name: (the change, how the next view shows it)
CHANGES = {
    "a check renewed": (_renewed, lambda b, a: "Ada Soon" in b and "Ada Soon" not in a),
    "an expiry brought forward": (_expiry_brought_forward, lambda b, a: "Olga Fine" in a),
    "a check recorded": (_check_recorded, lambda b, a: "Lia Lapsed" not in a),
    "a check removed": (_check_removed, lambda b, a: "Olga Fine" in a and "lapsed" in a),
    "a volunteer suspended": (_suspended, lambda b, a: "Lia Lapsed" not in a),
    "a volunteer who drives no more": (_drives_no_more, lambda b, a: "Ada Soon" not in a),
    "a volunteer who drives now": (_drives_now, lambda b, a: "Olga Fine" in a),
    "a volunteer renamed": (_renamed, lambda b, a: "Lia Zappacosta" in a),
    "a new volunteer": (_new_volunteer, lambda b, a: "Nina New" in a),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_the_checks_shows_at_the_next_view(client, desk, change):
    make, shows = CHANGES[change]
    _checks(client)
    before = _checks(client)  # kept
    assert "Lia Lapsed" in before and "Ada Soon" in before and "Olga Fine" not in before
    was = stamp(desk["org"].id)
    make(desk)
    db.session.commit()
    assert stamp(desk["org"].id) != was  # the write moved the stamp
    after = _checks(client)
    assert shows(before, after), after
    kept().clear()
    assert after == _checks(client)  # as drawn anew


def test_a_second_view_reads_no_check(client, desk, count_queries):
    _checks(client)  # (the first view of an organisation writes its settings)
    kept().clear()
    with count_queries() as q:
        first = _checks(client)
    assert "Lia Lapsed" in first and [s for s in q if "FROM person JOIN volunteer_profile" in s]
    with count_queries() as q:
        again = _checks(client)
    assert again == first
    assert not [s for s in q if "credential" in s], q


def test_another_day_draws_the_checks_anew(client, desk, monkeypatch):
    """The list is the day's: a check lapses at midnight with no write at all."""
    from webapp.desk import views

    assert "Ada Soon" in _checks(client)
    monkeypatch.setattr(views, "_today", lambda: TODAY + timedelta(days=11))
    later = _checks(client)
    assert "Ada Soon" in later and "lapsed: Car insurance" in later
