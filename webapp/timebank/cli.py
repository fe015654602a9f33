"""`flask ledger ...`: audit the time bank, show and change an organisation's policy."""

from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.people.models import Person
from webapp.timebank.accounts import policy_for, set_policy
from webapp.timebank.audit import audit
from webapp.timebank.errors import LedgerError
from webapp.timebank.openapi import document
from webapp.timebank.operations import adjust

ledger_cli = AppGroup("ledger", help="Time-bank ledger: audit and policy.")


@ledger_cli.command("audit")
@click.option("--org", "organisation_id", type=int, default=None, help="One organisation id.")
def audit_cmd(organisation_id: int | None) -> None:
    """Recompute every balance from the transfers; exit 1 on any difference."""
    result = audit(organisation_id)
    db.session.rollback()
    click.echo(result.report())
    if not result.ok:
        raise SystemExit(1)


@ledger_cli.command("policy")
@click.argument("organisation_id", type=int)
@click.option("--resident-limit", type=int, help="Minutes residents and neighbours may owe.")
@click.option("--member-limit", type=int, help="Lowest balance for volunteers (minutes).")
@click.option("--chest-limit", type=int, help="Lowest balance of the community chest.")
@click.option("--chest-pays/--resident-pays", default=None, help="Who pays for shifts.")
@click.option("--near-limit", type=int, help="Warn this many minutes before the limit.")
def policy_cmd(
    organisation_id: int,
    resident_limit: int | None,
    member_limit: int | None,
    chest_limit: int | None,
    chest_pays: bool | None,
    near_limit: int | None,
) -> None:
    """Show an organisation's time-bank policy, changing the settings given."""
    values = {
        k: v
        for k, v in dict(
            resident_limit=resident_limit,
            member_limit=member_limit,
            chest_limit=chest_limit,
            chest_pays_for_residents=chest_pays,
            near_limit_minutes=near_limit,
        ).items()
        if v is not None
    }
    try:
        policy = set_policy(organisation_id, **values) if values else policy_for(organisation_id)
        db.session.commit()
    except LedgerError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field}: {error.message}") from None
    for name in policy.DEFAULTS:
        click.echo(f"{name}: {getattr(policy, name)}")


@ledger_cli.command("openapi")
@click.option("--output", type=click.Path(dir_okay=False), default=None)
def openapi_cmd(output: str | None) -> None:
    """Write the API's OpenAPI document (docs/openapi-timebank.json)."""

    text = json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        click.echo(text, nl=False)


@ledger_cli.command("adjust")
@click.argument("person_id", type=int)
@click.argument("minutes", type=int)
@click.option("--reason", required=True, help="Shown in the member's statement.")
@click.option("--id", "request_id", required=True, help="A unique id: re-running is safe.")
def adjust_cmd(person_id: int, minutes: int, reason: str, request_id: str) -> None:
    """Credit (positive MINUTES) or debit a member against the adjustments account,
    e.g. to carry over balances from a paper ledger."""

    person = db.session.get(Person, person_id)
    if person is None:
        raise click.ClickException(f"no person {person_id}")
    try:
        outcome = adjust(
            key=f"cli:{request_id}",
            person=person,
            minutes=minutes,
            actor_id=None,
            service_date=date.today(),
            reason=reason,
        )
        db.session.commit()
    except LedgerError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field}: {error.message}") from None
    state = "recorded" if outcome.created else "already recorded"
    click.echo(f"transfer {outcome.transfer.id} {state}")
