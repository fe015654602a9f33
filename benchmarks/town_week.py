"""Generator of a realistic town week of home visits (a scenario dict in the JSON format).

Homes cluster around Isernia's centre and four nearby villages; volunteers are mostly
Italian speakers (some also English, Romanian, Arabic, Ukrainian), retirees free in the
mornings, workers in the evenings and at weekends; demand exceeds supply, so priorities
matter; some visits need two volunteers and some residents have a preferred volunteer.
Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

CENTRE = (41.5936, 14.2325)  # Isernia
# (lat, lon, spread km, share of homes)
CLUSTERS = [
    (*CENTRE, 1.2, 0.6),
    (41.6080, 14.2930, 0.5, 0.1),
    (41.5580, 14.1900, 0.5, 0.1),
    (41.6420, 14.2050, 0.5, 0.1),
    (41.5550, 14.2700, 0.5, 0.1),
]
MONDAY = datetime(2026, 11, 23)
KM_PER_DEG_LAT = 111.0


def _home(rng: random.Random) -> tuple[float, float]:
    lat, lon, spread, _ = rng.choices(CLUSTERS, weights=[c[3] for c in CLUSTERS])[0]
    return (
        round(lat + rng.gauss(0, spread) / KM_PER_DEG_LAT, 6),
        round(lon + rng.gauss(0, spread) / (KM_PER_DEG_LAT * 0.75), 6),
    )


def _iso(day: int, hour: float) -> str:
    return (MONDAY + timedelta(days=day, minutes=round(hour * 60))).isoformat(timespec="minutes")


def _languages(rng: random.Random, volunteer: bool) -> list[str]:
    extra = [
        code
        for code, p in (("en", 0.2), ("ro", 0.05), ("ar", 0.03), ("uk", 0.03))
        if rng.random() < p
    ]
    if volunteer:
        return (["it"] if rng.random() < 0.97 else []) + extra
    r = rng.random()
    if r < 0.05:
        return []
    if r < 0.85:
        return ["it"]
    return [rng.choice(["en", "ro", "ar", "uk"])]


def _availability(rng: random.Random) -> list[list[str]]:
    retiree = rng.random() < 0.6
    slots = []
    days = sorted(rng.sample(range(7) if retiree else [0, 1, 2, 3, 4, 5, 6], rng.randint(2, 5)))
    for day in days:
        if retiree:
            start, end = rng.choice([(9, 12.5), (9.5, 13), (15, 18), (9, 18)])
        elif day >= 5:
            start, end = rng.choice([(9, 13), (10, 18), (15, 19)])
        else:
            start, end = rng.choice([(17, 20.5), (18, 21)])
        slots.append([_iso(day, start), _iso(day, end)])
    return slots


def town_week(n_visits: int, n_volunteers: int, seed: int = 0, fixed_share: float = 0.0) -> dict:
    """A scenario dict; ``fixed_share`` of visits get a fixed (already approved) volunteer
    taken from the first-come plan, so fixed assignments are always feasible."""
    rng = random.Random(seed)
    volunteers = []
    for k in range(n_volunteers):
        lat, lon = _home(rng)
        volunteers.append(
            {
                "id": f"u{k}",
                "lat": lat,
                "lon": lon,
                "max_km": rng.choice([3, 5, 5, 8, 10, 15]),
                "visits": rng.random() < 0.92,
                "drives": rng.random() < 0.5,
                "languages": _languages(rng, True),
                "gender": rng.choice("fffmm"),
                "max_minutes": rng.choice([120, 180, 240, 240, 360, 480]),
                "available": _availability(rng),
                "approved": rng.random() < 0.97,
                "credentials_ok": rng.random() < 0.95,
            }
        )
    visits = []
    for k in range(n_visits):
        lat, lon = _home(rng)
        windows = []
        for day in sorted(rng.sample(range(7), rng.choice([1, 1, 2]))):
            start, end = rng.choice([(9, 12), (10, 13), (15, 18), (16, 19), (17, 20), (9, 19)])
            windows.append([_iso(day, start), _iso(day, end)])
        near = [
            u
            for u in volunteers
            if abs(u["lat"] - lat) * KM_PER_DEG_LAT < 3
            and abs(u["lon"] - lon) * KM_PER_DEG_LAT * 0.75 < 3
        ]
        visits.append(
            {
                "id": f"r{k}",
                "lat": lat,
                "lon": lon,
                "duration_min": rng.choice([45, 60, 60, 60, 90, 120]),
                "windows": windows,
                "languages": _languages(rng, False),
                "gender": rng.choices([None, "f", "m"], weights=[75, 20, 5])[0],
                "volunteers_needed": 2 if rng.random() < 0.08 else 1,
                "preferred_volunteer": rng.choice(near)["id"]
                if near and rng.random() < 0.3
                else None,
                "priority": rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 20, 12, 8])[0],
            }
        )
    scenario = {"speed_kmh": 30, "volunteers": volunteers, "visits": visits, "fixed": []}
    if fixed_share > 0:
        scenario["fixed"] = _fixed_from_first_come(scenario, fixed_share, rng)
    return scenario


def _fixed_from_first_come(scenario: dict, share: float, rng: random.Random) -> list[dict]:
    from matching.visits.baseline import first_come
    from matching.visits.scenario_io import parse_scenario

    problem, clock = parse_scenario(scenario)
    sol = first_come(problem)
    chosen = [a for a in sol.assignments if rng.random() < share]
    return [
        {"visit": a.visit, "volunteers": list(a.volunteers), "start": clock.iso(a.start)}
        for a in chosen
    ]
