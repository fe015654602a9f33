"""Travel minutes between visits for the compiled search, worked out on first use: a cheap
ellipsoidal distance settles most pairs, Vincenty's formula the rest, rounded up within a
centimetre of a minute boundary so that a plan never counts less travel than the checker."""

from __future__ import annotations

import math

from numba import njit

from matching.visits.search.kernel.state import State, Static

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_B = WGS84_A * (1 - WGS84_F)
WGS84_E2 = WGS84_F * (2 - WGS84_F)
EARTH_RADIUS_KM = 6371.0088
LOCAL_REL_ERR, HAVERSINE_REL_ERR = 5e-4, 0.01
# -- travel ---------------------------------------------------------------------------


@njit(cache=True)
def _minutes(km: float, speed: float) -> int:
    m = math.ceil(km * 60.0 / speed - 1e-9)
    return m if m > 0 else 0


@njit(cache=True)
def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


@njit(cache=True)
def _approx_km(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """``matching.common.geo.approx_km``: a cheap distance and its relative error bound."""
    phi = math.radians((lat1 + lat2) / 2)
    w = 1 - WGS84_E2 * math.sin(phi) ** 2
    meridional = WGS84_A * (1 - WGS84_E2) / w**1.5
    normal = WGS84_A / math.sqrt(w)
    dlon = (lon2 - lon1 + 180) % 360 - 180
    km = (
        math.hypot(
            meridional * math.radians(lat2 - lat1), normal * math.cos(phi) * math.radians(dlon)
        )
        / 1000
    )
    if km <= 100 and abs(lat1) <= 70 and abs(lat2) <= 70:
        return km, LOCAL_REL_ERR
    return _haversine_km(lat1, lon1, lat2, lon2), HAVERSINE_REL_ERR


@njit(cache=True)
def vincenty_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """WGS84 inverse by Vincenty's iteration (sub-millimetre where it converges);
    -1.0 where it does not (nearly antipodal points)."""
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    f, a, b = WGS84_F, WGS84_A, WGS84_B
    L = math.radians(lon2 - lon1)
    U1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sinU1, cosU1, sinU2, cosU2 = math.sin(U1), math.cos(U1), math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sinLam, cosLam = math.sin(lam), math.cos(lam)
        sinSigma = math.sqrt((cosU2 * sinLam) ** 2 + (cosU1 * sinU2 - sinU1 * cosU2 * cosLam) ** 2)
        if sinSigma == 0:
            return 0.0
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sigma = math.atan2(sinSigma, cosSigma)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSigma
        cos2Alpha = 1 - sinAlpha**2
        cos2SigmaM = cosSigma - 2 * sinU1 * sinU2 / cos2Alpha if cos2Alpha != 0 else 0.0
        C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
        prev = lam
        lam = L + (1 - C) * f * sinAlpha * (
            sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM**2))
        )
        if abs(lam - prev) < 1e-12:
            u2 = cos2Alpha * (a * a - b * b) / (b * b)
            A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
            B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
            dSigma = (
                B
                * sinSigma
                * (
                    cos2SigmaM
                    + B
                    / 4
                    * (
                        cosSigma * (-1 + 2 * cos2SigmaM**2)
                        - B / 6 * cos2SigmaM * (-3 + 4 * sinSigma**2) * (-3 + 4 * cos2SigmaM**2)
                    )
                )
            )
            return b * A * (sigma - dSigma) / 1000.0
    return -1.0


@njit(cache=True)
def travel_of(sta: Static, a: int, b: int) -> int:
    km, err = _approx_km(sta.plat[a], sta.plon[a], sta.plat[b], sta.plon[b])
    lo = _minutes(km * (1 - err), sta.speed)
    hi = _minutes(km * (1 + err), sta.speed)
    if lo == hi:
        return lo
    exact = vincenty_km(sta.plat[a], sta.plon[a], sta.plat[b], sta.plon[b])
    if exact < 0:
        return hi
    # Never less than the checker's geodesic: a centimetre and 1e-7 of margin.
    return _minutes(exact * (1 + 1e-7) + 1e-5, sta.speed)


@njit(cache=True)
def fill_travel(sta: Static, st: State, a: int, b: int) -> int:
    """Travel minutes between visits a and b, worked out on first use. Callers read
    ``st.travel`` themselves and call this only on a miss: a call that hands over the
    state costs reference counting on every array, too much for the hot loops."""
    t = travel_of(sta, a, b)
    st.travel[a, b] = t
    st.travel[b, a] = t
    return t
