"""Dial-a-ride instances: frozen dataclasses, a strict reader of the published files, a writer.

The published instance files come in a few layouts (docs/darp.md, "Instance files", cites
each source). Every one has a depot, pickups 1..n, deliveries n+1..2n (request i = pickup i,
delivery n+i) and an optional closing depot 2n+1:

- **Cordeau** (Cordeau 2006 "a"/"b" sets, Ropke, Cordeau and Laporte 2007, Cordeau and
  Laporte 2003 "pr" sets, and the copies that circulate): a header ``m n T Q L``
  (vehicles, requests, maximum route duration, vehicle capacity, maximum ride time), then
  one line ``id x y d q e l`` per vertex. Copies differ in two ways, both accepted: the
  header's ``n`` counts the requests or the 2n vertices to serve, and the closing depot
  line ``2n+1`` is there or not (then it is the start depot again). Which one a file uses
  follows from its number of vertex lines: 2n+2, 2n+1, n+2 or n+1 for a header value n,
  never two at once.
- **Heterogeneous** (Parragh 2011, Braekers et al. 2014, Malheiros et al. 2021): a header
  ``K n``, one line ``T c0 c1 c2 c3`` per vehicle (route duration, capacity in each of four
  resources: staff seats, patient seats, stretchers, wheelchair places), then one line
  ``id x y d L q0 q1 q2 q3 e l`` per vertex (the maximum ride time L sits on the pickup).
  Read when it is an ordinary dial-a-ride instance written that way: every vehicle alike,
  one resource in use, one ride limit; anything else is refused naming the line, since one
  capacity and one ride limit are what this solver models.

Anything else raises :class:`InputError` naming the field, the line and what was expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

from matching.common.errors import InputError

RESOURCES = ("staff seats", "patient seats", "stretchers", "wheelchair places")
_VERTEX = "'id x y d q e l'"
_HET_VERTEX = "'id x y d L q0 q1 q2 q3 e l'"
Line = tuple[int, list[str]]  # (line number in the file, fields)


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
def _number(token: str, field: str, line: int, *, integer: Literal[True]) -> int: ...
@overload
def _number(token: str, field: str, line: int, *, integer: Literal[False] = False) -> float: ...
def _number(token: str, field: str, line: int, *, integer: bool = False) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InputError(field, f"line {line}: not a number: {token!r}") from None
    if not math.isfinite(value):
        raise InputError(field, f"line {line}: must be finite, got {token!r}")
    if integer and value != int(value):
        raise InputError(field, f"line {line}: must be an integer, got {token!r}")
    return int(value) if integer else value


def _fields(line: Line, count: int, field: str, layout: str) -> list[str]:
    no, tok = line
    if len(tok) != count:
        raise InputError(field, f"line {no}: expected {count} fields {layout}, got {len(tok)}")
    return tok


def _positive(value: int, field: str, line: int) -> int:
    if value <= 0:
        raise InputError(field, f"line {line}: must be positive, got {value}")
    return value


def _not_negative(value: float, field: str, line: int) -> float:
    if value < 0:
        raise InputError(field, f"line {line}: must not be negative, got {value}")
    return value


def parse_cordeau(text: str, name: str = "instance") -> DarpInstance:
    """Parse a dial-a-ride instance file in any of the published layouts (module doc).

    Raises :class:`InputError` whose field names the place (``header.capacity``,
    ``vertices[7].early``) and whose message starts with the line number.
    """
    lines = [(no, ln.split()) for no, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if not lines:
        raise InputError("header", "line 1: empty file, expected the header 'm n T Q L'")
    hno, header = lines[0]
    if len(header) == 5:
        return _cordeau(lines, name)
    if len(header) == 2:
        return _heterogeneous(lines, name)
    raise InputError(
        "header",
        f"line {hno}: expected 'm n T Q L' (5 fields: vehicles, requests, maximum route "
        f"duration, capacity, maximum ride time) or 'K n' (2 fields: the heterogeneous "
        f"layout), got {len(header)} fields",
    )


def _layout(body: list[Line], n_field: int, hno: int, vertices_ok: bool) -> tuple[int, bool]:
    """(requests, closing depot line present) from the number of vertex lines."""
    count = len(body)
    if count == 2 * n_field + 2:
        return n_field, True
    if count == 2 * n_field + 1:
        return n_field, False
    if vertices_ok and n_field % 2 == 0:
        if count == n_field + 2:
            return n_field // 2, True
        if count == n_field + 1:
            return n_field // 2, False
    expected = f"{2 * n_field + 2} vertex lines, or {2 * n_field + 1} without the closing depot"
    if vertices_ok and n_field % 2 == 0:
        expected += f" (if n counts the vertices to serve: {n_field + 2} or {n_field + 1})"
    raise InputError(
        "vertices", f"line {hno}: the header says n = {n_field}: expected {expected}, found {count}"
    )


def _cordeau(lines: list[Line], name: str) -> DarpInstance:
    hno, header = lines[0]
    m = _positive(_number(header[0], "header.vehicles", hno, integer=True), "header.vehicles", hno)
    n_field = _number(header[1], "header.requests", hno, integer=True)
    _positive(n_field, "header.requests", hno)
    T = _number(header[2], "header.max_route_duration", hno)
    Q = _number(header[3], "header.capacity", hno, integer=True)
    _positive(Q, "header.capacity", hno)
    L = _number(header[4], "header.max_ride_time", hno)
    _not_negative(T, "header.max_route_duration", hno)
    _not_negative(L, "header.max_ride_time", hno)
    body = lines[1:]
    n, closed = _layout(body, n_field, hno, vertices_ok=True)
    vertices = []
    for idx, line in enumerate(body):
        where = f"vertices[{idx}]"
        tok = _fields(line, 7, where, _VERTEX)
        load = _number(tok[4], f"{where}.load", line[0], integer=True)
        vertices.append(_vertex(line, idx, tok[:4], load, tok[5:7]))
    return _finish(name, m, n, T, Q, L, vertices, [no for no, _ in body])


def _vertex(line: Line, idx: int, head: list[str], load: int, window: list[str]) -> Vertex:
    """A vertex from its id, x, y and service fields, its load and its window fields."""
    no = line[0]
    where = f"vertices[{idx}]"
    vid = _number(head[0], f"{where}.id", no, integer=True)
    if vid != idx:
        raise InputError(f"{where}.id", f"line {no}: expected vertex id {idx}, got {vid}")
    x = _number(head[1], f"{where}.x", no)
    y = _number(head[2], f"{where}.y", no)
    d = _number(head[3], f"{where}.service", no)
    e = _number(window[0], f"{where}.early", no)
    late = _number(window[1], f"{where}.late", no)
    if d < 0:
        raise InputError(f"{where}.service", f"line {no}: negative service time {d}")
    if e < 0 or late < 0:
        raise InputError(f"{where}.early", f"line {no}: negative time window [{e}, {late}]")
    if late < e:
        raise InputError(f"{where}.late", f"line {no}: window ends ({late}) before it starts ({e})")
    return Vertex(vid, x, y, d, load, e, late)


def _finish(
    name: str, m: int, n: int, T: float, Q: int, L: float, vertices: list[Vertex], at: list[int]
) -> DarpInstance:
    """Check the pickup/delivery numbering and the loads; add the closing depot if absent."""
    end = 2 * n + 1
    if len(vertices) == end:  # no closing depot line: the vehicles return to the start depot
        d0 = vertices[0]
        vertices.append(Vertex(end, d0.x, d0.y, d0.service, 0, d0.early, d0.late))
    for v in (0, end):
        if v < len(at) and vertices[v].load != 0:
            raise InputError(
                f"vertices[{v}].load",
                f"line {at[v]}: vertex {v} is a depot, its load must be 0, got {vertices[v].load}",
            )
    for i in range(1, n + 1):
        q, back = vertices[i].load, vertices[n + i].load
        if q <= 0:
            raise InputError(
                f"vertices[{i}].load",
                f"line {at[i]}: vertex {i} is a pickup (vertices 1..{n} pick up, "
                f"{n + 1}..{2 * n} deliver), its load must be positive, got {q}",
            )
        if q > Q:
            raise InputError(
                f"vertices[{i}].load", f"line {at[i]}: load {q} exceeds the capacity {Q}"
            )
        if back != -q:
            raise InputError(
                f"vertices[{n + i}].load",
                f"line {at[n + i]}: vertex {n + i} is the delivery of request {i} "
                f"(line {at[i]}, load {q}), its load must be {-q}, got {back}",
            )
    return DarpInstance(name, m, n, T, Q, L, tuple(vertices))


def _heterogeneous(lines: list[Line], name: str) -> DarpInstance:
    hno, header = lines[0]
    K = _number(header[0], "header.vehicles", hno, integer=True)
    _positive(K, "header.vehicles", hno)
    n_field = _number(header[1], "header.requests", hno, integer=True)
    _positive(n_field, "header.requests", hno)
    if len(lines) < 1 + K:
        raise InputError(
            "vehicles", f"line {hno}: the header says {K} vehicles: expected {K} vehicle lines"
        )
    fleet = lines[1 : 1 + K]
    first = None
    for k, line in enumerate(fleet):
        tok = _fields(line, 5, f"vehicles[{k}]", "'T c0 c1 c2 c3'")
        duration = f"vehicles[{k}].max_route_duration"
        T = _not_negative(_number(tok[0], duration, line[0]), duration, line[0])
        caps = [_number(c, f"vehicles[{k}].capacity", line[0], integer=True) for c in tok[1:]]
        if first is None:
            first = (T, caps)
        elif (T, caps) != first:
            raise InputError(
                f"vehicles[{k}]",
                f"line {line[0]}: vehicle {k + 1} has 'T c0 c1 c2 c3' = {' '.join(tok)}, unlike "
                f"vehicle 1 on line {fleet[0][0]}: a mixed fleet is not supported (one route "
                f"duration and one capacity for every vehicle)",
            )
    assert first is not None
    T, caps = first
    body = lines[1 + K :]
    n, _closed = _layout(body, n_field, hno, vertices_ok=False)
    vertices, demand, rides = [], [], []
    for idx, line in enumerate(body):
        where = f"vertices[{idx}]"
        tok = _fields(line, 11, where, _HET_VERTEX)
        rides.append(_number(tok[4], f"{where}.max_ride_time", line[0]))
        demand.append([_number(q, f"{where}.load", line[0], integer=True) for q in tok[5:9]])
        vertices.append(_vertex(line, idx, tok[:4], 0, tok[9:11]))
    resource = _one_resource(body, demand)
    Q = caps[resource]
    if Q <= 0:
        raise InputError(
            "vehicles[0].capacity",
            f"line {fleet[0][0]}: the vehicles have {Q} {RESOURCES[resource]}, the one kind "
            f"of place the requests need: expected a positive capacity",
        )
    L = _not_negative(rides[1], "vertices[1].max_ride_time", body[1][0])
    for i in range(2, n + 1):
        if rides[i] != L:
            raise InputError(
                f"vertices[{i}].max_ride_time",
                f"line {body[i][0]}: request {i} has maximum ride time {rides[i]}, request 1 "
                f"(line {body[1][0]}) has {L}: one limit for every request is supported",
            )
    loads = [
        Vertex(v.id, v.x, v.y, v.service, q[resource], v.early, v.late)
        for v, q in zip(vertices, demand, strict=True)
    ]
    return _finish(name, K, n, T, Q, L, loads, [no for no, _ in body])


def _one_resource(body: list[Line], demand: list[list[int]]) -> int:
    """The one resource the requests use, or an error naming the first line using two."""
    used: dict[int, int] = {}  # resource -> first vertex index using it
    for idx, q in enumerate(demand):
        for r, amount in enumerate(q):
            if amount and r not in used:
                used[r] = idx
                if len(used) > 1:
                    r0 = next(iter(used))
                    i0 = used[r0]
                    raise InputError(
                        f"vertices[{idx}].load",
                        f"line {body[idx][0]}: vertex {idx} uses {RESOURCES[r]} while "
                        f"vertex {i0} (line {body[i0][0]}) uses {RESOURCES[r0]}: one kind "
                        f"of place (one capacity) is supported",
                    )
    if not used:
        raise InputError("vertices[1].load", f"line {body[1][0]}: no request needs any place")
    return next(iter(used))


def format_cordeau(inst: DarpInstance) -> str:
    """The instance in the Cordeau (2006) layout: header ``m n T Q L`` with n = requests,
    then all 2n+2 vertex lines, closing depot included; numbers written so that
    :func:`parse_cordeau` gives back an equal instance."""
    head = (
        f"{inst.vehicles} {inst.requests} {_num(inst.max_route_duration)} {inst.capacity} "
        f"{_num(inst.max_ride_time)}"
    )
    rows = [
        f"{v.id:4d} {_num(v.x):>8} {_num(v.y):>8} {_num(v.service)} {v.load:3d} "
        f"{_num(v.early):>6} {_num(v.late):>6}"
        for v in inst.vertices
    ]
    return "\n".join([head, *rows]) + "\n"


def _num(x: float) -> str:
    """Shortest text that reads back as the same double ("480", "-1.198", "0.1")."""
    return str(int(x)) if x == int(x) else repr(x)


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
