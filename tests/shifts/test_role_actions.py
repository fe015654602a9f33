"""Role x state x action through the web: who may do what to a shift, and when.

403: the role may never do it; "refused": the role may, but not in this state (a clear
message, nothing changes); otherwise the shift moves to the expected status.
"""

from __future__ import annotations

import pytest

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import login, post_form
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts.models import Assignment, ShiftStatus

S = ShiftStatus
STATES = [S.OPEN, S.CLAIMED, S.APPROVED, S.CONFIRMED, S.CANCELLED]
ROLES = ["coordinator", "assigned", "other", "resident"]
# Any page of the role with a form gives the CSRF token.
CSRF_PAGE = {
    "coordinator": "/shifts/day",
    "assigned": "/shifts/mine",
    "other": "/shifts/mine",
    "resident": "/requests/mine",
}
# action: (url pattern, roles allowed, states allowed, resulting status)
ACTIONS = {
    "claim": ("/shifts/{id}/claim", {"assigned", "other"}, {S.OPEN}, S.CLAIMED),
    "approve": ("/shifts/{id}/approve", {"coordinator"}, {S.CLAIMED}, S.APPROVED),
    "reject": ("/shifts/{id}/reject", {"coordinator"}, {S.CLAIMED}, S.OPEN),
    "cancel": ("/shifts/{id}/cancel", {"coordinator"},
               {S.OPEN, S.CLAIMED, S.APPROVED, S.CONFIRMED}, S.CANCELLED),
    "confirm": ("/shifts/{id}/confirm", {"assigned"}, {S.APPROVED}, S.CONFIRMED),
    "withdraw": ("/shifts/{id}/withdraw", {"assigned"},
                 {S.CLAIMED, S.APPROVED, S.CONFIRMED}, S.OPEN),
    "resident cancel": ("/requests/shift/{id}/cancel", {"resident"},
                        {S.OPEN, S.CLAIMED, S.APPROVED, S.CONFIRMED}, S.CANCELLED),
}  # fmt: skip


def expected(action: str, role: str, state: ShiftStatus) -> str | ShiftStatus:
    _url, roles, states, result = ACTIONS[action]
    if role not in roles:
        return "forbidden"
    if role == "assigned" and state == S.OPEN and action in ("confirm", "withdraw"):
        return "forbidden"  # not (yet) their shift
    return result if state in states else "refused"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_state_action(client, db_session, action, role, state):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org)
    users = {"coordinator": coord, "resident": make_user(org, person=resident)}
    (shift,) = shifts_of(make_request(org, visit_draft(), resident=resident, actor=coord))
    assigned, other = make_volunteer(org), make_volunteer(org)
    users.update(assigned=assigned.user, other=other.user)
    if state != S.OPEN:
        db.session.add(Assignment(shift=shift, volunteer_id=assigned.id, seat=1))
    shift.status = state
    db.session.commit()
    assert login(client, users[role].email, PASSWORD).status_code == 302
    url = ACTIONS[action][0]
    page = CSRF_PAGE[role]
    # Confirmed: the question asked first is tested in test_outcome_guards / test_cancel_*.
    data = {"reason": "test", "confirmed": "1"}
    resp = post_form(client, url.format(id=shift.id), data, page=page)
    db.session.refresh(shift)
    outcome = expected(action, role, state)
    if outcome == "forbidden":
        assert resp.status_code == 403
        assert shift.status == state
    elif outcome == "refused":
        assert resp.status_code == 302
        assert shift.status == state
        flashes = client.get(resp.location).get_data(as_text=True)
        assert "flash-error" in flashes
    else:
        assert resp.status_code == 302
        assert shift.status == outcome
