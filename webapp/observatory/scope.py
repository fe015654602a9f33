"""What a page of the observatory covers: the organisation, the period and its grain
(month or quarter), and the optional neighbourhood and service filters.

``parse_scope`` turns the query string into a ``Scope`` or raises ``FieldError`` naming
the field, so a bad filter is a message in the page, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from webapp.core.errors import FieldError

GRAINS = ("month", "quarter")
SERVICES = ("visit", "ride", "activity")
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Scope:
    org_id: int
    start: date
    end: date  # inclusive
    grain: str = "month"
    neighbourhood: str | None = None
    service: str | None = None  # visit / ride / activity / None for all

    def bucket(self, day: date) -> str:
        if self.grain == "quarter":
            return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        return f"{day.year}-{day.month:02d}"

    def bucket_start(self, day: date) -> date:
        month = day.month if self.grain == "month" else 3 * ((day.month - 1) // 3) + 1
        return date(day.year, month, 1)

    def buckets(self) -> list[str]:
        """Every bucket the period touches, in order."""
        out: list[str] = []
        day = self.bucket_start(self.start)
        while day <= self.end:
            out.append(self.bucket(day))
            day = _add_months(day, 3 if self.grain == "quarter" else 1)
        return out

    def previous_start(self) -> date:
        """The first day of the bucket before the period (for retention)."""
        return _add_months(self.bucket_start(self.start), -3 if self.grain == "quarter" else -1)

    def previous_bucket(self, key: str) -> str:
        year, rest = key.split("-")
        if rest.startswith("Q"):
            q = int(rest[1:]) - 1
            return f"{int(year) - 1}-Q4" if q == 0 else f"{year}-Q{q}"
        m = int(rest) - 1
        return f"{int(year) - 1}-12" if m == 0 else f"{year}-{m:02d}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_scope(org_id: int, today: date) -> Scope:
    """The twelve months up to the end of the current month, by month."""
    first = date(today.year, today.month, 1)
    end = _add_months(first, 1) - timedelta(days=1)
    return Scope(org_id, _add_months(first, -11), end, "month")


def _date(args: Mapping[str, str], field: str, fallback: date) -> date:
    text = (args.get(field) or "").strip()
    if not text:
        return fallback
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldError(field, _l("Type a date as YYYY-MM-DD, e.g. 2026-01-31.")) from None


def parse_scope(
    org_id: int, args: Mapping[str, str], today: date, neighbourhoods: list[str]
) -> Scope:
    base = default_scope(org_id, today)
    start = _date(args, "start", base.start)
    end = _date(args, "end", base.end)
    if end < start:
        raise FieldError("end", _l("The end of the period comes before its start."))
    if (end - start).days > MAX_DAYS:
        raise FieldError("end", _l("Choose a period of at most three years."))
    grain = args.get("grain") or base.grain
    if grain not in GRAINS:
        raise FieldError("grain", _l("Choose months or quarters."))
    hood = args.get("neighbourhood") or None
    if hood is not None and hood not in neighbourhoods:
        raise FieldError("neighbourhood", _l("Choose a neighbourhood from the list."))
    service = args.get("service") or None
    if service is not None and service not in SERVICES:
        raise FieldError("service", _l("Choose visits, rides, activities or all."))
    return Scope(org_id, start, end, grain, hood, service)
