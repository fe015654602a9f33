"""`flask observatory refresh`: recompute the observatory's monthly summary now (after
a large import or a correction to past months) rather than at the next night's job."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from webapp.core.timeutil import today_local
from webapp.extensions import db
from webapp.observatory import summary
from webapp.orgs.models import Organisation

observatory_cli = AppGroup("observatory", help="The observatory's monthly summary.")


@observatory_cli.command("refresh")
@click.option("--org", "slug", default=None, help="One organisation's slug (default: all).")
def refresh_cmd(slug: str | None) -> None:
    """Recompute the summary of every whole month before the current one."""
    query = sa.select(Organisation).order_by(Organisation.id)
    if slug is not None:
        query = query.where(Organisation.slug == slug)
    orgs = list(db.session.scalars(query))
    if not orgs:
        raise click.UsageError(f"No organisation with the slug {slug!r}.")
    now = datetime.now(UTC)
    for org in orgs:
        text = summary.refresh(org.id, today_local(ZoneInfo(org.timezone), now), now)
        click.echo(f"{org.slug}: {text}")
    db.session.commit()
