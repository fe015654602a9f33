"""A case file shows the open alerts about its person only: read by the person, not by
scanning every open alert of the organisation (a city's backlog)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.desk.helpers import done_visit, login_as
from tests.factories import make_coordinator, make_org, make_resident
from webapp.db import utcnow
from webapp.desk.models import Alert
from webapp.desk.queries import open_alerts
from webapp.extensions import db
from webapp.shifts import operations as shift_ops


def _worry(org, coord, resident, note):  # type: ignore[no-untyped-def]
    shift, vol = done_visit(org, coord, resident=resident)
    shift_ops.check_in(
        shift, vol, vol.user, mood="low", resident_happy=False, worried=True, note=note
    )
    newest = sa.select(Alert).where(Alert.person_id == resident.id).order_by(Alert.id.desc())
    return db.session.scalars(newest.limit(1)).one()


def test_a_case_file_shows_its_persons_open_alerts_and_no_one_elses(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo")
    pietro = make_resident(org, first_name="Pietro", last_name="Greco")
    mine = _worry(org, coord, maria, "No heating")
    _worry(org, coord, pietro, "Fell on the stairs")
    handled = _worry(org, coord, maria, "Fridge empty")
    handled.handled_at, handled.outcome = utcnow(), "Shopping brought"
    db.session.commit()

    assert [a.id for a in open_alerts(org.id, maria.id)] == [mine.id]
    assert len(open_alerts(org.id)) == 2  # (and the desk's list still has both)
    login_as(client, coord)
    page = client.get(f"/desk/people/{maria.id}").get_data(as_text=True)
    assert f'id="alert-{mine.id}"' in page and "No heating" in page
    assert "Fell on the stairs" not in page
    assert 'class="card alert' in page and page.count('class="card alert') == 1
