"""Real shifts for ledger tests (transfers reference shifts by foreign key), and the small
town the page tests use."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.factories import make_coordinator, make_org, make_resident, make_user, make_volunteer
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.auth.models import Role
from webapp.timebank.payments import pay_for_shift


def real_shift_ids(org, n: int = 1, resident=None) -> list[int]:  # type: ignore[no-untyped-def]
    """``n`` visit shifts of ``org`` (one request each), built with the shifts feature's
    own operations."""
    ids = []
    for i in range(n):
        request = make_request(org, visit_draft(in_days(3 + i)), resident=resident)
        ids.append(shifts_of(request)[0].id)
    return ids


def tb_town() -> dict[str, Any]:
    """An organisation with a coordinator, Teresa (a resident with a login), Marco (a
    volunteer with a login) and one real shift."""
    org = make_org()
    coord = make_coordinator(org, email="coord@tb.example")
    res = make_resident(org, first_name="Teresa", last_name="Bianchi")
    res_user = make_user(org, Role.MEMBER, person=res, email="teresa@tb.example")
    vol = make_volunteer(org, first_name="Marco", last_name="Verdi", with_user=False)
    make_user(org, Role.MEMBER, person=vol, email="marco@tb.example")
    shift = real_shift_ids(org, 1)[0]
    return {
        "org": org,
        "coord": coord,
        "res": res,
        "res_user": res_user,
        "vol": vol,
        "shift": shift,
    }


def marco_visited_teresa(town: dict[str, Any], minutes: int) -> None:
    """Marco's visit to Teresa today, paid: ``minutes`` to him."""
    pay_for_shift(
        shift_id=town["shift"],
        organisation_id=town["org"].id,
        kind="visit",
        service_date=date.today(),
        resident_person_id=town["res"].id,
        volunteers=[(town["vol"].id, minutes)],
        actor_id=None,
    )
