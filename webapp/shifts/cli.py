"""`flask shifts ...`: run the shift jobs by hand (the scheduler runs them on its own).

``extend-horizon`` belongs to the same group; the requests feature adds it (it turns
requests into shifts).
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.scheduler.runs import all_orgs
from webapp.shifts.candidates import rebuild
from webapp.shifts.operations import mark_unfilled

shifts_cli = AppGroup(
    "shifts", help="Shifts: extend the horizon, mark unfilled shifts, rebuild board candidates."
)


@shifts_cli.command("mark-unfilled")
def mark_unfilled_cmd() -> None:
    """Shifts whose start passed with nobody approved become unfilled."""
    count = sum(mark_unfilled(org.id) for org in all_orgs())
    db.session.commit()
    click.echo(f"Marked {count} shifts unfilled.")


@shifts_cli.command("rebuild-candidates")
@click.option("--org", "org_id", type=int, default=None,
              help="One organisation's id (all if left out).")
def rebuild_candidates_cmd(org_id: int | None) -> None:
    """Work out every volunteer's board candidates from scratch (after a bulk import or
    a change made outside the app; the nightly job does the same)."""
    written = rebuild(org_ids=None if org_id is None else [org_id])
    db.session.commit()
    click.echo(f"Wrote {written} board candidates.")
