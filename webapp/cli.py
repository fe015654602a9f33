"""Register every feature's command group on the app (`flask --help` lists them)."""

from flask import Flask

from webapp.demo.cli import demo_cli
from webapp.notifications.cli import notifications_cli
from webapp.observatory.cli import observatory_cli
from webapp.orgs.cli import admin_cli, org_cli
from webapp.places.cli import places_cli
from webapp.privacy.cli import privacy_cli
from webapp.queues import worker_cli
from webapp.requests import cli as requests_cli  # noqa: F401  (adds `shifts extend-horizon`)
from webapp.scheduler.cli import scheduler_cli
from webapp.shifts.cli import shifts_cli
from webapp.timebank.cli import ledger_cli
from webapp.translations_cli import translate_cli

GROUPS = (org_cli, admin_cli, places_cli, demo_cli, translate_cli, shifts_cli, ledger_cli,
          scheduler_cli, notifications_cli, privacy_cli, worker_cli, observatory_cli)


def register_cli(app: Flask) -> None:
    for group in GROUPS:
        app.cli.add_command(group)
