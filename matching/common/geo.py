"""Distances and travel times.

The rules are stated on the WGS84 geodesic, which costs ~0.1-0.2 ms per call in pure
Python. Haversine (vectorised with numpy) is within 0.6% of it, so we decide with the
cheap bound and call the geodesic only when the bound cannot settle the answer (a radius
check near the limit, a travel time near a minute boundary). ``Geo`` also caches.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from geographiclib.geodesic import Geodesic
from numpy.typing import ArrayLike

Point = tuple[float, float]  # (lat, lon) in degrees
DistanceFn = Callable[[Point, Point], float]  # kilometres between two points

EARTH_RADIUS_KM = 6371.0088
# Haversine vs WGS84 geodesic differ by < 0.6%; 1% keeps a safe margin.
REL_ERR = 0.01


def geodesic_km(a: Point, b: Point) -> float:
    """WGS84 geodesic distance in km (Karney's algorithm, as geopy uses)."""
    if a == b:
        return 0.0
    return Geodesic.WGS84.Inverse(a[0], a[1], b[0], b[1], Geodesic.DISTANCE)["s12"] / 1000.0


def haversine_matrix(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> np.ndarray:
    """Great-circle km between every point of set 1 (rows) and set 2 (columns)."""
    p1 = np.radians(np.asarray(lat1, float))[:, None]
    l1 = np.radians(np.asarray(lon1, float))[:, None]
    p2 = np.radians(np.asarray(lat2, float))[None, :]
    l2 = np.radians(np.asarray(lon2, float))[None, :]
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle km between two points (scalar; within 0.6% of the geodesic)."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


WGS84_A = 6378137.0
WGS84_E2 = (1 / 298.257223563) * (2 - 1 / 298.257223563)
# The local ellipsoidal approximation below was measured within 1e-4 of the geodesic for
# distances up to 100 km and latitudes up to 70 degrees (50,000 random pairs); 5e-4 is
# the margin we trust. Outside that range we fall back to haversine's 1%.
LOCAL_REL_ERR = 5e-4


def approx_km(a: Point, b: Point) -> tuple[float, float]:
    """A cheap distance and its relative error bound versus the WGS84 geodesic."""
    phi = math.radians((a[0] + b[0]) / 2)
    w = 1 - WGS84_E2 * math.sin(phi) ** 2
    meridional = WGS84_A * (1 - WGS84_E2) / w**1.5
    normal = WGS84_A / math.sqrt(w)
    dlon = (b[1] - a[1] + 180) % 360 - 180
    km = (
        math.hypot(
            meridional * math.radians(b[0] - a[0]), normal * math.cos(phi) * math.radians(dlon)
        )
        / 1000
    )
    if km <= 100 and abs(a[0]) <= 70 and abs(b[0]) <= 70:
        return km, LOCAL_REL_ERR
    return haversine_km(a, b), REL_ERR


def approx_matrix(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised ``approx_km``: cheap distances (rows x columns) and their error bounds."""
    a1, o1 = np.asarray(lat1, float)[:, None], np.asarray(lon1, float)[:, None]
    a2, o2 = np.asarray(lat2, float)[None, :], np.asarray(lon2, float)[None, :]
    phi = np.radians((a1 + a2) / 2)
    w = 1 - WGS84_E2 * np.sin(phi) ** 2
    dlon = np.radians((o2 - o1 + 180) % 360 - 180)
    local = (
        np.hypot(
            WGS84_A * (1 - WGS84_E2) / w**1.5 * np.radians(a2 - a1),
            WGS84_A / np.sqrt(w) * np.cos(phi) * dlon,
        )
        / 1000
    )
    ok = (local <= 100) & (np.abs(a1) <= 70) & (np.abs(a2) <= 70)
    if ok.all():
        return local, np.full(local.shape, LOCAL_REL_ERR)
    hav = haversine_matrix(lat1, lon1, lat2, lon2)
    return np.where(ok, local, hav), np.where(ok, LOCAL_REL_ERR, REL_ERR)


def travel_minutes(km: float, speed_kmh: float) -> int:
    """Travel time rounded up to the minute (the tiny epsilon absorbs float noise)."""
    return max(0, math.ceil(km * 60.0 / speed_kmh - 1e-9))


class Geo:
    """Distance oracle for one problem: injected function if given, else bounded geodesic."""

    def __init__(self, speed_kmh: float, distance_km: DistanceFn | None = None) -> None:
        self.speed_kmh = speed_kmh
        self.fn = distance_km
        self._cache: dict[tuple[Point, Point], float] = {}
        self._travel: dict[tuple[Point, Point], int] = {}
        self.exact_calls = 0

    def km(self, a: Point, b: Point) -> float:
        """Exact distance (injected function or geodesic), cached and symmetric."""
        key = (a, b) if a <= b else (b, a)
        d = self._cache.get(key)
        if d is None:
            self.exact_calls += 1
            d = self.fn(a, b) if self.fn is not None else geodesic_km(a, b)
            self._cache[key] = d
        return d

    def within(self, a: Point, b: Point, limit_km: float, approx_km: float | None) -> bool:
        """``km(a, b) <= limit_km``, using ``approx_km`` (haversine) to skip exact calls."""
        if self.fn is None and approx_km is not None:
            if approx_km * (1 + REL_ERR) <= limit_km:
                return True
            if approx_km * (1 - REL_ERR) > limit_km:
                return False
        return self.km(a, b) <= limit_km

    def travel(self, a: Point, b: Point) -> int:
        """Travel minutes from a to b; exact geodesic only when rounding could differ."""
        key = (a, b) if a <= b else (b, a)
        t = self._travel.get(key)
        if t is None:
            t = -1
            if self.fn is None:
                approx, err = approx_km(a, b)
                lo = travel_minutes(approx * (1 - err), self.speed_kmh)
                if lo == travel_minutes(approx * (1 + err), self.speed_kmh):
                    t = lo
            if t < 0:
                t = travel_minutes(self.km(a, b), self.speed_kmh)
            self._travel[key] = t
        return t


def matrix_distance(points: list[Point], km: list[list[float]]) -> DistanceFn:
    """A ``DistanceFn`` over a precomputed matrix (e.g. road km from a routing service):
    ``km[a][b]`` for ``points[a]`` -> ``points[b]``. Unknown points raise ``KeyError``."""
    index = {p: k for k, p in enumerate(points)}

    def distance(a: Point, b: Point) -> float:
        return km[index[a]][index[b]]

    return distance
