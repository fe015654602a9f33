"""`flask privacy record`: the record of processing (Art. 30) as Markdown."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.privacy.processing import as_markdown, unplaced

privacy_cli = AppGroup("privacy", help="Privacy: the record of processing.")


@privacy_cli.command("record")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file.")
def record(output: str | None) -> None:
    """Print (or write) the record of processing generated from the data model."""
    missing = unplaced()
    if missing:
        raise click.ClickException(f"tables without a purpose in privacy/processing.py: {missing}")
    text = as_markdown()
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"written to {output}")
    else:
        click.echo(text, nl=False)
