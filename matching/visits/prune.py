"""Candidate pairs (visit, volunteer): every hard rule that concerns one pair alone.

Pruning is the scalability lever: the CP-SAT model only gets booleans for pairs that pass
role, language, gender, radius, time (window x availability slot long enough) and the
weekly-minutes filter. The filters run in that order, vectorised, and the first one that
leaves a visit with no candidate gives its human reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from matching.common.geo import Geo, approx_matrix
from matching.visits.model import Visit, VisitProblem

LANGUAGE_NAMES = {
    "it": "Italian",
    "en": "English",
    "ro": "Romanian",
    "ar": "Arabic",
    "uk": "Ukrainian",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "sl": "Slovenian",
    "hu": "Hungarian",
    "el": "Greek",
    "da": "Danish",
    "sq": "Albanian",
    "ru": "Russian",
    "pl": "Polish",
    "sr": "Serbian",
    "zh": "Chinese",
}
GENDER_WORDS = {"f": "female", "m": "male", "female": "female", "male": "male"}


class Candidate(NamedTuple):
    """Volunteer index ``vol`` may serve the visit starting in any ``[lo, hi]`` of
    ``starts`` (inclusive start ranges); ``slots`` gives the availability slot of each.
    A NamedTuple rather than a frozen dataclass: a city week creates ~300k of them."""

    vol: int
    km: float
    starts: tuple[tuple[int, int], ...]
    slots: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Pruned:
    cands: tuple[tuple[Candidate, ...], ...]  # per visit index
    reasons: dict[int, str]  # visit index -> why it has no usable candidate
    exact_distance_calls: int


def _language_phrase(visit: Visit) -> str:
    names = sorted(LANGUAGE_NAMES.get(code, code) for code in visit.languages)
    return " or ".join(names)


def _reason(stage: str, visit: Visit) -> str:
    lang = _language_phrase(visit)
    gender = GENDER_WORDS.get(visit.gender or "", visit.gender or "")
    who = f"{gender} volunteer" if gender else "volunteer"
    if lang:
        who += f" who speaks {lang}"
    return {
        "role": "no approved volunteer with valid credentials makes visits",
        "language": f"no eligible volunteer speaks {lang}",
        "gender": f"no {who}",
        "radius": f"no {who} lives within range",
        "time": "no eligible volunteer is available in its windows",
        "minutes": "the visit is longer than any eligible volunteer's weekly minutes",
        "pair": "needs two volunteers but no two eligible ones are free at the same time",
    }[stage]


def _codes(values: list[frozenset[str]], vocab: dict[str, int]) -> np.ndarray:
    """Languages as bitmasks so that 'shares a language' is one vectorised AND."""
    out = np.zeros(len(values), dtype=object)
    for i, langs in enumerate(values):
        mask = 0
        for code in langs:
            mask |= 1 << vocab.setdefault(code, len(vocab))
        out[i] = mask
    return out


def _two_at_once(cands: list[Candidate]) -> bool:
    """Is some start time feasible for at least two distinct volunteers? (sweep line)"""
    events = []
    for c in cands:
        for lo, hi in _merge(c.starts):
            events += [(lo, 0), (hi, 1)]  # opens sort before closes at the same minute
    depth = 0
    for _, kind in sorted(events):
        depth += 1 if kind == 0 else -1
        if depth >= 2:
            return True
    return False


def _merge(ranges: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def prune(problem: VisitProblem, geo: Geo) -> Pruned:
    """Candidates per visit and, for visits left without any, the reason."""
    vols, visits = problem.volunteers, problem.visits
    nv, nu = len(visits), len(vols)
    if nv == 0 or nu == 0:
        return Pruned(
            tuple(() for _ in visits), {i: _reason("role", v) for i, v in enumerate(visits)}, 0
        )
    vocab: dict[str, int] = {}
    ulang = _codes([u.languages for u in vols], vocab)
    vlang = _codes([v.languages for v in visits], vocab)
    role = np.array([u.visits and u.approved and u.credentials_ok for u in vols])
    lang = ((vlang[:, None] & ulang[None, :]) != 0) | (vlang == 0)[:, None]
    lang = lang.astype(bool)
    ugender = np.array([u.gender or "" for u in vols], dtype=object)
    gender = np.array([v.gender is None or v.gender == "" for v in visits])[:, None] | (
        np.array([v.gender or "" for v in visits], dtype=object)[:, None] == ugender[None, :]
    )
    hav, err = approx_matrix(
        [v.lat for v in visits],
        [v.lon for v in visits],
        [u.lat for u in vols],
        [u.lon for u in vols],
    )
    max_km = np.array([u.max_km for u in vols])[None, :]
    # The cheap distance with its error bound decides almost every pair; the rest (and
    # all, with an injected distance function) get an exact check below.
    injected = problem.distance_km is not None
    exact = np.full(hav.shape, injected) | (
        (hav * (1 + err) > max_km) & (hav * (1 - err) <= max_km)
    )
    radius = exact | (hav * (1 + err) <= max_km)
    minutes = (
        np.array([v.duration_min for v in visits])[:, None]
        <= np.array([u.max_minutes for u in vols])[None, :]
    )
    slot_vol = np.array([j for j, u in enumerate(vols) for _ in u.available], dtype=int)
    slot_lo = np.array([s for u in vols for s, _ in u.available], dtype=np.int64)
    slot_hi = np.array([e for u in vols for _, e in u.available], dtype=np.int64)

    cands: list[tuple[Candidate, ...]] = []
    reasons: dict[int, str] = {}
    ok_before_time = role[None, :] & lang & gender & radius
    for i, v in enumerate(visits):
        mask = ok_before_time[i]
        # Exact radius only where haversine cannot decide (geodesic is costly).
        for j in np.nonzero(mask & exact[i])[0]:
            mask[j] = geo.km(v.point, vols[j].point) <= vols[j].max_km
        ranges: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
        sel = (
            np.nonzero(mask[slot_vol] & minutes[i][slot_vol])[0]
            if len(slot_vol)
            else np.zeros(0, dtype=int)
        )
        for ws, we in v.windows:
            lo = np.maximum(slot_lo[sel], ws)
            hi = np.minimum(slot_hi[sel], we) - v.duration_min
            good = np.nonzero(lo <= hi)[0]
            # tolist() once: per-element numpy indexing dominated pruning time.
            for j, a, b, c, d in zip(
                slot_vol[sel[good]].tolist(),
                lo[good].tolist(),
                hi[good].tolist(),
                slot_lo[sel[good]].tolist(),
                slot_hi[sel[good]].tolist(),
                strict=True,
            ):
                starts, slots = ranges.setdefault(j, ([], []))
                starts.append((a, b))
                slots.append((c, d))
        km_row = hav[i].tolist()
        row = [
            Candidate(
                j,
                geo.km(v.point, vols[j].point) if injected else km_row[j],
                tuple(starts),
                tuple(slots),
            )
            for j, (starts, slots) in sorted(ranges.items())
        ]
        cands.append(tuple(row))
        if not row or (v.volunteers_needed == 2 and not _two_at_once(row)):
            timed = np.zeros(nu, dtype=bool)
            if len(slot_vol):
                for ws, we in v.windows:  # the time filter alone, for the reason
                    fits = np.minimum(slot_hi, we) - np.maximum(slot_lo, ws) >= v.duration_min
                    timed[slot_vol[fits]] = True
            stages = [
                ("role", role),
                ("language", lang[i]),
                ("gender", gender[i]),
                ("radius", mask),
                ("time", timed),
                ("minutes", minutes[i]),
            ]
            alive = np.ones(nu, dtype=bool)
            stage = "pair"
            for name, m in stages:
                alive = alive & m
                if not alive.any():
                    stage = name
                    break
            reasons[i] = _reason(stage, v)
    return Pruned(tuple(cands), reasons, geo.exact_calls)
