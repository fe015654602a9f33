"""`flask notifications send`: one pass of the sender (the scheduler runs it every 20 s)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from webapp.notifications.sender import send_due

notifications_cli = AppGroup("notifications", help="The outbox of e-mails, SMS and alerts.")


@notifications_cli.command("send")
@click.option("--limit", default=200, show_default=True, help="At most this many messages.")
def send_cmd(limit: int) -> None:
    """Deliver the messages that are due now, once."""
    click.echo(str(send_due(datetime.now(UTC), limit=limit)))
