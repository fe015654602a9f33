"""Real shifts for ledger tests (transfers reference shifts by foreign key)."""

from __future__ import annotations

from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft


def real_shift_ids(org, n: int = 1, resident=None) -> list[int]:  # type: ignore[no-untyped-def]
    """``n`` visit shifts of ``org`` (one request each), built with the shifts feature's
    own operations."""
    ids = []
    for i in range(n):
        request = make_request(org, visit_draft(in_days(3 + i)), resident=resident)
        ids.append(shifts_of(request)[0].id)
    return ids
