"""The observatory as pages, exports and the report see it: every section of the
registry (``indicators.py``) with the built-in catalogue loaded, and the neighbourhoods
a filter may name."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from webapp.extensions import db
from webapp.observatory import (
    catalogue,  # noqa: F401  (registers the built-in indicators)
    summary,
)
from webapp.observatory.counting import as_of
from webapp.observatory.indicators import Section, compute
from webapp.observatory.scope import Scope
from webapp.people.models import Person


def sections(scope: Scope) -> list[Section]:
    return compute(scope)


def figures_as_of(scope: Scope) -> datetime | None:
    """When the monthly summary the page reads was computed; None when every figure
    is live (no summary yet, or a period within the current month)."""
    return as_of(scope, summary.state(scope.org_id))


def neighbourhoods(org_id: int) -> list[str]:
    """The neighbourhoods the organisation's people live in, for the filter."""
    return list(
        db.session.scalars(
            sa.select(Person.neighbourhood)
            .where(Person.organisation_id == org_id, Person.neighbourhood.is_not(None))
            .distinct()
            .order_by(Person.neighbourhood)
        )
    )
