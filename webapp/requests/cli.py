"""`flask shifts extend-horizon`: create the shifts of recurring requests by hand (the
scheduler does it every morning). It sits in the ``shifts`` command group, next to
``mark-unfilled``, because shifts are what it makes."""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa

from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.requests.planning import extend_horizon
from webapp.shifts.cli import shifts_cli


@shifts_cli.command("extend-horizon")
@click.option("--org", "slug", help="Organisation slug (default: every organisation).")
@click.option("--until", "until", help="Last local date, YYYY-MM-DD (default: the horizon).")
def extend_horizon_cmd(slug: str | None, until: str | None) -> None:
    """Create the missing shifts of recurring requests (safe to run any number of times)."""
    query = sa.select(Organisation)
    if slug:
        query = query.where(Organisation.slug == slug)
    orgs = db.session.scalars(query).all()
    if slug and not orgs:
        raise click.ClickException(f"no organisation with slug {slug!r}")
    try:
        last = date.fromisoformat(until) if until else None
    except ValueError:
        raise click.ClickException("--until must be a date like 2026-12-31") from None
    total = sum(extend_horizon(org.id, last) for org in orgs)
    db.session.commit()
    click.echo(f"Created {total} shifts.")
