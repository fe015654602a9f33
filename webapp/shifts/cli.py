"""`flask shifts ...`: run the shift jobs by hand (the scheduler runs them on its own)."""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from webapp.extensions import db

shifts_cli = AppGroup("shifts", help="Shifts: extend the horizon, mark unfilled shifts.")


@shifts_cli.command("extend-horizon")
@click.option("--org", "slug", help="Organisation slug (default: every organisation).")
@click.option("--until", "until", help="Last local date, YYYY-MM-DD (default: the horizon).")
def extend_horizon_cmd(slug: str | None, until: str | None) -> None:
    """Create the missing shifts of recurring requests (safe to run any number of times)."""
    from webapp.orgs.models import Organisation
    from webapp.shifts.planning import extend_horizon

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


@shifts_cli.command("mark-unfilled")
def mark_unfilled_cmd() -> None:
    """Shifts whose start passed with nobody approved become unfilled."""
    from webapp.shifts.tasks import mark_unfilled

    click.echo(f"Marked {mark_unfilled()} shifts unfilled.")
