"""`flask org ...` and `flask admin ...`: what a deployment's admin runs."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from webapp.auth import operations, sessions, signals, twofactor
from webapp.auth.models import Role, User
from webapp.auth.passwords import MIN_LENGTH
from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.orgs.operations import create_organisation, create_user

org_cli = AppGroup("org", help="Organisations hosted by this deployment.")
admin_cli = AppGroup("admin", help="Deployment administrators.")


@org_cli.command("create")
@click.argument("name")
@click.option("--slug", help="Short name used in URLs and imports.")
@click.option("--coordinator-email", required=True, help="E-mail of the first coordinator.")
@click.password_option("--coordinator-password", help="Password of the first coordinator.")
@click.option("--timezone", default="Europe/Rome", show_default=True)
def create_org(
    name: str, slug: str | None, coordinator_email: str, coordinator_password: str, timezone: str
) -> None:
    """Create an organisation and its first coordinator."""
    try:
        org = create_organisation(name, slug, timezone=timezone)
        create_user(coordinator_email, coordinator_password, Role.COORDINATOR, org)
    except FieldError as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from err
    db.session.commit()
    click.echo(
        f"Created organisation {org.name!r} (slug {org.slug}) with coordinator {coordinator_email}."
    )


@org_cli.command("list")
def list_orgs() -> None:
    for org in db.session.scalars(sa.select(Organisation).order_by(Organisation.id)):
        click.echo(f"{org.id}\t{org.slug}\t{org.name}")


@org_cli.command("add-coordinator")
@click.argument("slug")
@click.argument("email")
@click.password_option()
def add_coordinator(slug: str, email: str, password: str) -> None:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise click.ClickException(f"slug: no organisation {slug!r}")
    try:
        create_user(email, password, Role.COORDINATOR, org)
    except FieldError as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from err
    db.session.commit()
    click.echo(f"Added coordinator {email} to {org.name}.")


@org_cli.command("add-observer")
@click.argument("slug")
@click.argument("email")
@click.option("--name", help="How the observers page names them, e.g. 'Ada Verdi, council'.")
@click.password_option()
def add_observer(slug: str, email: str, password: str, name: str | None) -> None:
    """A read-only login for a partner or council member: the observatory and nothing else
    (coordinators add them on the observers page, which e-mails an invitation)."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise click.ClickException(f"slug: no organisation {slug!r}")
    try:
        user = create_user(email, password, Role.OBSERVER, org)
        user.display_name = (name or "").strip() or None
    except FieldError as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from err
    db.session.commit()
    click.echo(f"Added observer {email} to {org.name}: they see its observatory only.")


@admin_cli.command("create")
@click.argument("email")
@click.password_option()
def create_admin(email: str, password: str) -> None:
    """Create a deployment administrator (no organisation)."""
    try:
        create_user(email, password, Role.ADMIN, None)
    except FieldError as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from err
    db.session.commit()
    click.echo(f"Created admin {email}.")


@admin_cli.command("set-password")
@click.argument("email")
@click.password_option()
def set_password(email: str, password: str) -> None:
    """Set the password of any login (admins have no e-mail link); its sessions end."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no login with the e-mail {email}")
    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"use at least {MIN_LENGTH} characters")
    operations.set_password(user, password)
    sessions.end_all_sessions(user)
    signals.access_revoked.send(user, reason="password_reset")
    db.session.commit()
    click.echo(
        f"Password set for {user.email}; every session and API token of that login has ended."
    )


@admin_cli.command("reset-2fa")
@click.argument("email")
def reset_second_factor(email: str) -> None:
    """Remove a login's authenticator and recovery codes (a lost phone): check who is
    asking first. They enrol again at their next login; their sessions end."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no login with the e-mail {email}")
    twofactor.reset(user, actor=None)
    db.session.commit()
    click.echo(f"Second factor removed for {user.email}; they set up a new one at next login.")
