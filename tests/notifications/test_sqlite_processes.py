"""The embedded default keeps its promises (issue 14): on one SQLite file, two sender
processes, a web process writing on every request and the match-run worker writing its
progress all work at once, and every e-mail reaches a real SMTP server on loopback
exactly once, with no "database is locked" anywhere and no answer of 500.

Always SQLite (a file of its own in tmp_path), whatever database the suite runs on: the
point is SQLite's single writer.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.smtp_fixtures import SmtpServer
from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db
from webapp.matchrun.models import MatchRun, RunScope, RunStatus
from webapp.notifications.models import Notification, Status
from webapp.notifications.operations import enqueue

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 24
pytestmark = pytest.mark.slow


def _seed(url: str) -> tuple[str, int]:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        org = make_org("Comune SQLite")
        coordinator = make_coordinator(org, email="coord@sqlite.example")
        people = [make_volunteer(org, email=f"v{i}@sqlite.example") for i in range(4)]
        for i in range(MESSAGES):
            enqueue(
                people[i % 4], "credentials_lapsing", {"items": [], "days": 30},
                dedupe_key=f"load{i}",
            )  # fmt: skip
        run = MatchRun(
            organisation_id=org.id,
            created_by_id=coordinator.id,
            scope=RunScope.VISITS,
            date_from=date.today(),
            date_to=date.today() + timedelta(days=6),
            status=RunStatus.RUNNING,
            params={"pins": {}},
        )
        db.session.add(run)
        db.session.commit()
        run_id, email = run.id, coordinator.email
        db.session.remove()
        db.engine.dispose()
    return email, run_id


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:  # type: ignore[type-arg]
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.notifications.sqlite_load", *args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def test_two_senders_a_web_process_and_the_worker_on_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ponte.db'}"
    email, run_id = _seed(url)
    smtp = SmtpServer()
    smtp.start()
    stop = tmp_path / "stop"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "PONTE_MAIL_DIR": "",
        "PONTE_SECOND_FACTOR_ROLES": "",
    }
    env.pop("PONTE_MAIL_DIR")
    now = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    try:
        web = _start(["web", email, PASSWORD, str(stop)], env, tmp_path / "web.log")
        worker = _start(["worker", str(run_id), str(stop)], env, tmp_path / "worker.log")
        time.sleep(1.0)  # both writing before the senders start
        senders = [
            _start(["sender", now], env, tmp_path / f"sender{i}.log") for i in range(2)
        ]
        codes = [p.wait(timeout=120) for p in senders]
        time.sleep(0.5)
        stop.touch()
        codes += [web.wait(timeout=60), worker.wait(timeout=60)]
    finally:
        stop.touch()
        smtp.stop()
    logs = {p.name: p.read_text() for p in tmp_path.glob("*.log")}
    assert codes == [0, 0, 0, 0], logs
    assert not any("locked" in text for text in logs.values()), logs
    ids = Counter(m["Message-ID"] for m in smtp.inbox.messages)
    assert len(ids) == MESSAGES, logs
    assert [i for i, n in ids.items() if n > 1] == []
    assert "web made" in logs["web.log"] and "worker wrote" in logs["worker.log"]

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        statuses = Counter(s for (s,) in conn.execute(sa.select(Notification.status)))
    engine.dispose()
    assert statuses == {Status.SENT.value: MESSAGES} or statuses == {Status.SENT: MESSAGES}
