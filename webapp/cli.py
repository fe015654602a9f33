"""Register every feature's command group on the app (`flask --help` lists them)."""

from flask import Flask


def register_cli(app: Flask) -> None:
    from webapp.notifications.cli import notifications_cli
    from webapp.orgs.cli import admin_cli, org_cli
    from webapp.scheduler.cli import scheduler_cli
    from webapp.translations_cli import translate_cli

    for group in (org_cli, admin_cli, translate_cli, scheduler_cli, notifications_cli):
        app.cli.add_command(group)
