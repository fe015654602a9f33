"""Hypothesis strategies for random small visits problems: ``problems`` (any week: every
rule may decide) and ``crowded`` (everyone eligible: time, travel and minutes decide)."""

from __future__ import annotations

from hypothesis import strategies as st

from matching.visits.baseline import first_come
from matching.visits.model import FixedAssignment, Visit, VisitProblem, Volunteer
from tests.matching.builders import CENTRE, KM_LAT, H, visit, vol

langs = st.frozensets(st.sampled_from(["it", "en", "ro"]), max_size=2)
km_around = st.floats(-4, 4, allow_nan=False)  # problems: some out of reach
km_close = st.floats(-3, 3, allow_nan=False)  # crowded: everyone in reach


@st.composite
def intervals(draw, min_len: int, max_count: int) -> tuple[tuple[int, int], ...]:
    out = []
    for _ in range(draw(st.integers(1, max_count))):
        day = draw(st.integers(0, 1))
        start = day * 24 * H + draw(st.integers(8 * H, 18 * H))
        out.append((start, start + draw(st.integers(min_len, 5 * H))))
    return tuple(out)


@st.composite
def problems(draw) -> VisitProblem:
    vols = tuple(
        Volunteer(
            f"u{k}",
            CENTRE[0] + draw(km_around) * KM_LAT,
            CENTRE[1] + draw(km_around) * KM_LAT,
            max_km=draw(st.sampled_from([2.0, 4.0, 8.0])),
            available=draw(intervals(30, 3)),
            max_minutes=draw(st.sampled_from([60, 120, 240])),
            languages=draw(langs),
            gender=draw(st.sampled_from(["f", "m"])),
            approved=draw(st.booleans()) or draw(st.booleans()),
        )
        for k in range(draw(st.integers(1, 4)))
    )
    visits = tuple(
        Visit(
            f"r{k}",
            CENTRE[0] + draw(km_around) * KM_LAT,
            CENTRE[1] + draw(km_around) * KM_LAT,
            duration_min=draw(st.sampled_from([30, 45, 60, 90])),
            windows=draw(intervals(60, 2)),
            priority=draw(st.integers(1, 5)),
            languages=draw(langs),
            gender=draw(st.sampled_from([None, None, "f", "m"])),
            volunteers_needed=draw(st.sampled_from([1, 1, 1, 2])),
            preferred_volunteer=draw(st.sampled_from([None, *(u.id for u in vols)])),
        )
        for k in range(draw(st.integers(1, 7)))
    )
    p = VisitProblem(vols, visits, speed_kmh=draw(st.sampled_from([15.0, 30.0])))
    # Fix one assignment taken from a first-come plan, so fixed ones are always feasible.
    base = first_come(p)
    if base.assignments and draw(st.booleans()):
        a = base.assignments[0]
        p = VisitProblem(
            vols, visits, p.speed_kmh, (FixedAssignment(a.visit, a.volunteers, a.start),)
        )
    return p


@st.composite
def crowded(draw) -> VisitProblem:
    """Small weeks where everyone is eligible and time, travel and minutes decide: one
    or two days, slots of 1-5 hours, windows of 1-4 hours, slow travel."""

    def interval(lo_len: int, hi_len: int) -> tuple[int, int]:
        start = draw(st.integers(0, 1)) * 24 * H + draw(st.integers(8 * H, 14 * H))
        return (start, start + draw(st.integers(lo_len, hi_len)))

    vols = tuple(
        vol(
            f"u{k}",
            draw(km_close),
            draw(km_close),
            available=tuple(interval(H, 5 * H) for _ in range(draw(st.integers(1, 2)))),
            max_minutes=draw(st.sampled_from([60, 90, 120, 180, 600])),
        )
        for k in range(draw(st.integers(1, 3)))
    )
    visits = tuple(
        visit(
            f"r{k}",
            draw(km_close),
            duration_min=draw(st.sampled_from([30, 45, 60])),
            windows=tuple(interval(H, 4 * H) for _ in range(draw(st.integers(1, 2)))),
            priority=draw(st.integers(1, 5)),
            volunteers_needed=draw(st.sampled_from([1, 1, 1, 2])),
        )
        for k in range(draw(st.integers(1, 5)))
    )
    p = VisitProblem(vols, visits, speed_kmh=draw(st.sampled_from([10.0, 30.0])))
    base = first_come(p)
    if base.assignments and draw(st.booleans()):
        a = base.assignments[draw(st.integers(0, len(base.assignments) - 1))]
        p = VisitProblem(
            vols, visits, p.speed_kmh, (FixedAssignment(a.visit, a.volunteers, a.start),)
        )
    return p
