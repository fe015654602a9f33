"""The check-in form's page (GET): the unit's planned times prefilled, for the volunteer
who holds the shift only, read as rows in one statement (shifts/access.my_legs_or_404)."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import login, post_form
from tests.shifts.builders import make_request, ride_draft, shifts_of
from webapp.extensions import db
from webapp.orgs.settings import org_tz
from webapp.shifts import operations as ops


@pytest.fixture
def ride(client):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    driver = make_volunteer(org, driving=True)
    out, back = shifts_of(make_request(org, ride_draft(), actor=coord))
    ops.assign(out, driver, coord)
    db.session.commit()
    return org, driver, out, back


def _local(at, org) -> str:  # type: ignore[no-untyped-def]
    return at.astimezone(org_tz(org.id)).strftime("%H:%M")


@pytest.mark.parametrize("leg", ["out", "back"])
def test_the_holder_gets_the_units_planned_times(client, ride, leg):
    org, driver, out, back = ride
    login(client, driver.user.email, PASSWORD)
    resp = client.get(f"/shifts/{(out if leg == 'out' else back).id}/checkin")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    # The form asks about the whole ride: from the way there's start to the way back's end.
    assert f'name="actual_start" type="time" value="{_local(out.starts_at, org)}"' in html
    assert f'name="actual_end" type="time" value="{_local(back.ends_at, org)}"' in html
    assert "Ride there" in html


@pytest.mark.parametrize(
    ("who", "status"), [("a colleague", 403), ("another organisation's volunteer", 404)]
)
def test_someone_elses_shift_is_not_shown(app, ride, who, status):
    org, _driver, out, _back = ride
    other = make_volunteer(org if who == "a colleague" else make_org(), driving=True)
    db.session.commit()
    client = app.test_client()
    login(client, other.user.email, PASSWORD)
    assert client.get(f"/shifts/{out.id}/checkin").status_code == status
    assert client.get("/shifts/999999/checkin").status_code == 404


def test_the_blank_questions_are_kept_per_language_and_a_refused_form_keeps_its_answers(
    client, ride
):
    """The questions of a blank form are drawn once per language (core/forms.drawn_once);
    a form sent back with an error shows what was typed and the error, and the next blank
    one shows neither."""
    org, driver, out, _back = ride
    login(client, driver.user.email, PASSWORD)
    url = f"/shifts/{out.id}/checkin"
    assert "How did they seem?" in client.get(url).get_data(as_text=True)
    resp = post_form(client, url, {"worried": "y", "note": "Cold flat"})
    refused = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Please choose one." in refused
    assert "Cold flat</textarea>" in refused and 'checked id="worried"' in refused
    blank = client.get(url).get_data(as_text=True)
    assert "Please choose one." not in blank and "Cold flat" not in blank
    assert "checked" not in blank
    with client.session_transaction() as session:
        session["locale"] = "it"
    italian = client.get(url).get_data(as_text=True)
    assert "How did they seem?" not in italian and "Come ti è sembrat" in italian
