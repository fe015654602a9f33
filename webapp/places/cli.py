"""`flask places ...`: import a municipality's gazetteer and test lookups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.places.geocoding import AddressNotFound, locate
from webapp.places.operations import GazetteerError, import_gazetteer, parse_gazetteer

places_cli = AppGroup("places", help="Addresses: the gazetteer and the geocoder.")


@contextmanager
def cli_locale() -> Iterator[None]:
    """Commands have no browser to ask: speak the deployment's default language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def organisation_or_fail(slug: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise click.ClickException(_("No organisation with slug %(slug)s.", slug=slug))
    return org


@places_cli.command("import-gazetteer")
@click.argument("org_slug")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Also delete the addresses that are not in the file.")
@click.option(
    "--max-distance-km",
    type=float,
    default=100.0,
    show_default=True,
    help="Refuse points farther than this from the organisation's centre (if it has one).",
)
def import_gazetteer_cmd(
    org_slug: str, csv_file: Path, replace: bool, max_distance_km: float
) -> None:
    """Import CSV_FILE (address, lat, lon, neighbourhood[, postcode]) for ORG_SLUG.

    Every row is checked first; one bad row and nothing is imported.
    """
    with cli_locale():
        org = organisation_or_fail(org_slug)
        centre = (
            (org.centre_lat, org.centre_lon)
            if org.centre_lat is not None and org.centre_lon is not None
            else None
        )
        try:
            text = csv_file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise click.ClickException(
                _("%(file)s is not UTF-8 text: save it as CSV UTF-8.", file=csv_file.name)
            ) from None
        try:
            rows = parse_gazetteer(text, centre, max_distance_km)
        except GazetteerError as err:
            raise click.ClickException(
                _("%(file)s: %(error)s Nothing was imported.", file=csv_file.name, error=err)
            ) from None
        result = import_gazetteer(org.id, rows, replace=replace)
        db.session.commit()
        click.echo(
            _(
                "%(org)s: %(created)s addresses added, %(updated)s updated, "
                "%(unchanged)s unchanged, %(removed)s removed.",
                org=org.name,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                removed=result.removed,
            )
        )


@places_cli.command("lookup")
@click.argument("org_slug")
@click.argument("address")
def lookup_cmd(org_slug: str, address: str) -> None:
    """Show where ADDRESS is for ORG_SLUG, and which step of the chain found it."""
    with cli_locale():
        org = organisation_or_fail(org_slug)
        try:
            found = locate(org.id, address)
        except AddressNotFound:
            raise click.ClickException(
                _("Address not found: %(address)s", address=address)
            ) from None
        db.session.commit()  # keep the cached lookup
        click.echo(
            _(
                "%(address)s: %(lat).6f, %(lon).6f, neighbourhood %(neighbourhood)s "
                "(found in: %(source)s)",
                address=found.address,
                lat=found.lat,
                lon=found.lon,
                neighbourhood=found.neighbourhood or "-",
                source=found.source,
            )
        )
