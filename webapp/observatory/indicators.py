"""The registry of indicators: each is one small function ``fn(facts) -> Table``,
registered with ``@indicator(key, section)``, grouped into the ``SECTIONS`` shown in the
page, the exports and the PDF report, in this order.

Extension point (docs/observatory.md): a feature adds a section to ``SECTIONS``, a
source to ``facts.SOURCES`` (``@source``) and its indicator functions in a module of
``observatory/catalogue/`` imported by ``catalogue/__init__.py``, as referrals,
loneliness and activities do: nothing else changes: suppression, tables, charts,
CSV/XLSX/PDF all follow the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from webapp.observatory.facts import Facts
from webapp.observatory.privacy import suppress
from webapp.observatory.scope import Scope
from webapp.observatory.tables import Column, Row, Table, Value

SECTIONS: dict[str, Callable[[], str]] = {
    "reach": lambda: _l("People reached"),
    "services": lambda: _l("Services and hours"),
    "demand": lambda: _l("Requests and unmet demand"),
    "volunteers": lambda: _l("Volunteers"),
    "alerts": lambda: _l("Alerts from the desk"),
    "timebank": lambda: _l("Time bank"),
    "referrals": lambda: _l("Referrals"),
    "loneliness": lambda: _l("Loneliness"),
    "activities": lambda: _l("Activities"),
}

Summary = Callable[[Table], str | None]


@dataclass(frozen=True)
class Indicator:
    key: str
    section: str
    compute: Callable[[Facts], Table]
    chart: str  # "line", "bar" or "" (no chart)
    order: int
    summary: Summary | None


INDICATORS: dict[str, Indicator] = {}


def indicator(
    key: str, section: str, *, chart: str = "bar", order: int = 50, summary: Summary | None = None
) -> Callable[[Callable[[Facts], Table]], Callable[[Facts], Table]]:
    if section not in SECTIONS:
        raise ValueError(f"unknown observatory section {section!r}; add it to SECTIONS")

    def register(fn: Callable[[Facts], Table]) -> Callable[[Facts], Table]:
        INDICATORS[key] = Indicator(key, section, fn, chart, order, summary)
        return fn

    return register


@dataclass
class Section:
    key: str
    label: str
    tables: list[tuple[Indicator, Table]]
    summary: str


def compute(scope: Scope, keys: Iterable[str] | None = None) -> list[Section]:
    """Every registered indicator (or those named), suppressed, grouped by section."""
    facts = Facts(scope)
    wanted = set(keys) if keys is not None else None
    sections: dict[str, Section] = {}
    for ind in sorted(
        INDICATORS.values(), key=lambda i: (list(SECTIONS).index(i.section), i.order)
    ):
        if wanted is not None and ind.key not in wanted:
            continue
        table = suppress(ind.compute(facts))
        sec = sections.setdefault(
            ind.section, Section(ind.section, str(SECTIONS[ind.section]()), [], "")
        )
        sec.tables.append((ind, table))
    for sec in sections.values():
        parts = [ind.summary(table) for ind, table in sec.tables if ind.summary is not None]
        sec.summary = " ".join(p for p in parts if p)
    return list(sections.values())


# Helpers for indicator functions ------------------------------------------------------


def period_dimension(scope: Scope) -> str:
    return str(_l("Quarter") if scope.grain == "quarter" else _l("Month"))


def in_period(scope: Scope, day: date | None) -> bool:
    return day is not None and scope.start <= day <= scope.end


def period_rows(
    scope: Scope,
    values: Callable[[str], dict[str, Value]],
    basis: Callable[[str], int],
    bases: Callable[[str], dict[str, int]] | None = None,
) -> list[Row]:
    """One row per bucket of the period, in order."""
    return [Row(b, b, values(b), basis(b), bases(b) if bases else {}) for b in scope.buckets()]


def total_row(values: dict[str, Value], basis: int, bases: dict[str, int] | None = None) -> Row:
    return Row("total", str(_l("Total")), values, basis, bases or {})


def hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    m = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return round(m, 1)


def table(
    key: str,
    title: str,
    dimension: str,
    columns: list[Column],
    rows: list[Row],
    total: Row | None,
    note: str = "",
) -> Table:
    return Table(key, title, dimension, columns, rows, total, note)
