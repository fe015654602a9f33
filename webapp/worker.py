"""The background process the web app starts for a match run:
``python -m webapp.worker match RUN_ID``.

It builds its own app from the environment (``DATABASE_URL``), exactly like the web
process does, and solves the run (:func:`webapp.matchrun.worker.run`); see that module
for why a separate process.
"""

from __future__ import annotations

import sys

from flask import Flask, has_app_context

from webapp import create_app
from webapp.extensions import db
from webapp.matchrun.models import RunStatus
from webapp.matchrun.worker import run


def main(run_id: int, app: Flask | None = None) -> int:
    """Solve one run; uses the current app if there is one (tests), else builds one."""
    if app is None and has_app_context():
        return 0 if run(run_id) == RunStatus.DONE else 1
    app = app or create_app()
    with app.app_context():
        try:
            return 0 if run(run_id) == RunStatus.DONE else 1
        finally:
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":  # pragma: no cover - exercised by the subprocess test
    if len(sys.argv) != 3 or sys.argv[1] != "match" or not sys.argv[2].isdigit():
        print("usage: python -m webapp.worker match RUN_ID", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(int(sys.argv[2])))
