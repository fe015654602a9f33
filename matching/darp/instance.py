"""Cordeau dial-a-ride instances: frozen dataclasses and a strict parser.

File format (Cordeau 2006): a header ``m n T Q L`` (vehicles, requests, maximum route
duration, vehicle capacity, maximum ride time), then 2n+2 vertex lines
``id x y d q e l``. Vertex 0 is the start depot, 1..n the pickups, n+1..2n the
deliveries (request i = pickup i, delivery n+i) and 2n+1 the end depot.

Some copies of the benchmark write the second header field as the number of *vertices*
to serve (2n) instead of the number of requests (n); :func:`parse_cordeau` accepts both
and decides from the number of vertex lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

from matching.common.errors import InputError


@dataclass(frozen=True)
class Vertex:
    id: int
    x: float
    y: float
    service: float
    load: int
    early: float
    late: float


@dataclass(frozen=True)
class DarpInstance:
    """A dial-a-ride instance; travel time = travel cost = Euclidean distance."""

    name: str
    vehicles: int
    requests: int  # n
    max_route_duration: float  # T
    capacity: int  # Q
    max_ride_time: float  # L
    vertices: tuple[Vertex, ...]  # 2n+2 vertices, index == id

    @property
    def end_depot(self) -> int:
        return 2 * self.requests + 1

    def delivery_of(self, pickup: int) -> int:
        return pickup + self.requests

    def dist(self, i: int, j: int) -> float:
        a, b = self.vertices[i], self.vertices[j]
        return math.hypot(a.x - b.x, a.y - b.y)


@overload
def _number(token: str, field: str, *, integer: Literal[True]) -> int: ...
@overload
def _number(token: str, field: str, *, integer: Literal[False] = False) -> float: ...
def _number(token: str, field: str, *, integer: bool = False) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InputError(field, f"not a number: {token!r}") from None
    if not math.isfinite(value):
        raise InputError(field, f"must be finite, got {token!r}")
    if integer and value != int(value):
        raise InputError(field, f"must be an integer, got {token!r}")
    return int(value) if integer else value


def parse_cordeau(text: str, name: str = "instance") -> DarpInstance:
    """Parse a Cordeau-format instance, raising :class:`InputError` naming the field."""
    lines = [(no, ln.split()) for no, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if not lines:
        raise InputError("header", "empty file")
    hno, header = lines[0]
    if len(header) < 5:
        raise InputError("header", f"line {hno}: expected 'm n T Q L', got {len(header)} fields")
    m = _number(header[0], "header.vehicles", integer=True)
    n_field = _number(header[1], "header.requests", integer=True)
    T = _number(header[2], "header.max_route_duration")
    Q = _number(header[3], "header.capacity", integer=True)
    L = _number(header[4], "header.max_ride_time")
    for field, value in (("vehicles", m), ("requests", n_field), ("capacity", Q)):
        if value <= 0:
            raise InputError(f"header.{field}", f"must be positive, got {value}")
    for field, limit in (("max_route_duration", T), ("max_ride_time", L)):
        if limit < 0:
            raise InputError(f"header.{field}", f"must not be negative, got {limit}")
    body = lines[1:]
    # n-variant: 2n+2 vertex lines; 2n-variant: the header field already counts 2n.
    if len(body) == 2 * n_field + 2:
        n = n_field
    elif n_field % 2 == 0 and len(body) == n_field + 2:
        n = n_field // 2
    else:
        raise InputError(
            "vertices",
            f"header says {n_field} requests: expected {2 * n_field + 2} vertex lines "
            f"(or {n_field + 2} if it counts vertices), found {len(body)}",
        )
    vertices = []
    for idx, (no, tok) in enumerate(body):
        where = f"vertices[{idx}]"
        if len(tok) < 7:
            raise InputError(where, f"line {no}: expected 'id x y d q e l', got {len(tok)} fields")
        vid = _number(tok[0], f"{where}.id", integer=True)
        if vid != idx:
            raise InputError(f"{where}.id", f"line {no}: expected vertex id {idx}, got {vid}")
        x = _number(tok[1], f"{where}.x")
        y = _number(tok[2], f"{where}.y")
        d = _number(tok[3], f"{where}.service")
        q = _number(tok[4], f"{where}.load", integer=True)
        e = _number(tok[5], f"{where}.early")
        late = _number(tok[6], f"{where}.late")
        if d < 0:
            raise InputError(f"{where}.service", f"line {no}: negative service time {d}")
        if e < 0 or late < 0:
            raise InputError(f"{where}.early", f"line {no}: negative time window [{e}, {late}]")
        if late < e:
            raise InputError(
                f"{where}.late", f"line {no}: window ends ({late}) before it starts ({e})"
            )
        if abs(q) > Q:
            raise InputError(f"{where}.load", f"line {no}: load {q} exceeds capacity {Q}")
        vertices.append(Vertex(vid, x, y, d, q, e, late))
    for i in range(1, n + 1):
        if vertices[i].load <= 0:
            raise InputError(
                f"vertices[{i}].load", f"pickup load must be positive, got {vertices[i].load}"
            )
        if vertices[i].load != -vertices[n + i].load:
            raise InputError(
                f"vertices[{n + i}].load",
                f"delivery load must be {-vertices[i].load}, got {vertices[n + i].load}",
            )
    return DarpInstance(name, m, n, T, Q, L, tuple(vertices))


def load_cordeau(path: str | Path) -> DarpInstance:
    """Read and parse an instance file; the instance is named after the file stem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError("instance", f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError("instance", f"{path} is not a text file") from None
    return parse_cordeau(text, path.stem)
