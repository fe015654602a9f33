"""The transition table, every pair: allowed moves record an event; others raise."""

from __future__ import annotations

import itertools

import pytest

from tests.factories import make_org
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts.models import ShiftEvent, ShiftStatus
from webapp.shifts.transitions import FINAL, TRANSITIONS, IllegalTransition, move

S = ShiftStatus
ALLOWED = {
    (S.OPEN, S.PROPOSED), (S.OPEN, S.CLAIMED), (S.OPEN, S.APPROVED), (S.OPEN, S.CANCELLED),
    (S.OPEN, S.UNFILLED),
    (S.PROPOSED, S.APPROVED), (S.PROPOSED, S.OPEN), (S.PROPOSED, S.CANCELLED),
    (S.PROPOSED, S.UNFILLED),
    (S.CLAIMED, S.APPROVED), (S.CLAIMED, S.OPEN), (S.CLAIMED, S.CANCELLED),
    (S.CLAIMED, S.UNFILLED),
    (S.APPROVED, S.CONFIRMED), (S.APPROVED, S.COMPLETED), (S.APPROVED, S.OPEN),
    (S.APPROVED, S.CANCELLED), (S.APPROVED, S.NO_SHOW),
    (S.CONFIRMED, S.COMPLETED), (S.CONFIRMED, S.OPEN), (S.CONFIRMED, S.CANCELLED),
    (S.CONFIRMED, S.NO_SHOW),
}  # fmt: skip


def test_table_is_what_the_docs_say():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert {S.COMPLETED, S.CANCELLED, S.NO_SHOW, S.UNFILLED} == FINAL


@pytest.mark.parametrize(("old", "new"), list(itertools.product(S, S)))
def test_every_pair(db_session, old, new):
    org = make_org()
    (shift,) = shifts_of(make_request(org, visit_draft()))
    shift.status = old
    db.session.flush()
    if (old, new) in ALLOWED:
        move(shift, new, None, "test")
        assert shift.status == new
        event = db.session.query(ShiftEvent).filter_by(shift_id=shift.id).one()
        assert (event.from_status, event.to_status) == (old.value, new.value)
    else:
        with pytest.raises(IllegalTransition) as err:
            move(shift, new, None)
        assert shift.status == old
        assert str(err.value.message)
        assert not db.session.query(ShiftEvent).filter_by(shift_id=shift.id).count()
