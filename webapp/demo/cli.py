"""`flask demo load` and `flask demo logins`: the demo town for trying Ponte."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from webapp.demo.loader import DEMO_NAME, DEMO_PASSWORD, demo_logins, load_demo, reset_demo
from webapp.extensions import db
from webapp.places.cli import cli_locale

demo_cli = AppGroup("demo", help="The demo town (Comune di Isernia). DEMO ONLY.")


@demo_cli.command("load")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing if the database already holds any organisation (used by make run).",
)
@click.option("--reset", is_flag=True, help="Delete the demo organisation first, then reload.")
def load_cmd(if_empty: bool, reset: bool) -> None:
    """Create the demo organisation with its people. Running it again changes nothing."""
    with cli_locale():
        if reset and reset_demo():
            click.echo(_("Deleted the demo organisation %(name)s.", name=DEMO_NAME))
        result = load_demo(if_empty=if_empty)
        if not result.loaded:
            db.session.rollback()
            if result.reason == "exists":
                click.echo(_("The demo organisation %(name)s is already loaded.", name=DEMO_NAME))
            else:
                click.echo(
                    _(
                        "The database already holds organisations: no demo loaded. "
                        "Run `flask demo load` to add it anyway."
                    )
                )
            return
        db.session.commit()
        click.echo(
            _(
                "Loaded the demo organisation %(name)s (steps: %(steps)s).",
                name=DEMO_NAME,
                steps=", ".join(result.steps),
            )
        )


def logins_text() -> str:
    """The demo accounts and their shared password, in the terminal's language (also
    printed last by ``make run``: webapp/devserver.py)."""
    with cli_locale():
        logins = demo_logins()
        if not logins:
            return _("No demo loaded (run `flask demo load`).")
        lines = [
            _(
                "Demo logins for %(name)s. DEMO ONLY: everyone knows this password, "
                "never load the demo into a real deployment.",
                name=DEMO_NAME,
            ),
            _("Password for every demo account: %(password)s", password=DEMO_PASSWORD),
        ]
        lines += [f"  {email:<42} {label}" for email, label in logins]
        return "\n".join(lines)


@demo_cli.command("logins")
def logins_cmd() -> None:
    """Print the demo accounts and their shared password."""
    click.echo(logins_text())
