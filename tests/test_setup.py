"""The set-up promises: `flask demo load` (idempotent, the promised town, everyone on the
map), the development server, and client addresses behind a reverse proxy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import free_port, post_form
from webapp import create_app
from webapp.auth.models import LoginThrottle, Role, User
from webapp.config import TestConfig
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.people.models import Person, ResidentProfile, VolunteerProfile

ROOT = Path(__file__).resolve().parent.parent


def counts() -> dict[str, int]:
    def count(column, *where) -> int:  # type: ignore[no-untyped-def]
        return db.session.scalar(sa.select(sa.func.count(column)).where(*where))

    return {
        "organisations": count(Organisation.id),
        "coordinators": count(User.id, User.role == Role.COORDINATOR),
        "people": count(Person.id),
        "volunteers": count(VolunteerProfile.person_id),
        "residents": count(ResidentProfile.person_id),
        "both roles": count(Person.id, Person.is_neighbour),
    }


def test_demo_load_twice_is_idempotent_and_keeps_its_promises(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0 and "Loaded the demo organisation" in first.output
    promised = {
        "organisations": 1,
        "coordinators": 2,
        "people": 204,
        "volunteers": 60,
        "residents": 150,
        "both roles": 6,
    }
    assert counts() == promised
    for args in (["demo", "load"], ["demo", "load", "--if-empty"]):
        again = runner.invoke(args=args)
        assert again.exit_code == 0 and "already loaded" in again.output
        assert counts() == promised
    unplaced = db.session.scalars(
        sa.select(Person).where(
            (Person.lat.is_(None)) | (Person.lon.is_(None)) | (Person.neighbourhood.is_(None))
        )
    ).all()
    assert unplaced == []
    sources = set(db.session.scalars(sa.select(Person.location_source)))
    assert sources <= {"gazetteer", "cache"}


def test_demo_logins_are_printed_with_a_warning(app, db_session):
    runner = app.test_cli_runner()
    assert "No demo loaded" in runner.invoke(args=["demo", "logins"]).output
    runner.invoke(args=["demo", "load"])
    output = runner.invoke(args=["demo", "logins"]).output
    assert "DEMO ONLY" in output and "ponte-demo-2026" in output
    assert "coordinatrice@isernia.example.org" in output
    assert "volunteer: driver" in output


def test_demo_reset_rebuilds_it(app, db_session):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    result = runner.invoke(args=["demo", "load", "--reset"])
    assert result.exit_code == 0 and "Deleted the demo organisation" in result.output
    assert counts()["people"] == 204


@pytest.mark.parametrize(("proxies", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_login_throttling_sees_the_client_behind_a_proxy(app, committed_db, proxies, expected):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        PROXY_FIX = proxies

    behind_proxy = create_app(Config)
    client = behind_proxy.test_client()
    with behind_proxy.app_context():
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
        post_form(client, "/login", {"email": "nobody@example.org", "password": "wrong-guess"})
        keys = set(db.session.scalars(sa.select(LoginThrottle.key)))
        db.session.remove()
        db.engine.dispose()
    assert f"ip:{expected}" in keys


def test_a_bad_proxy_fix_value_is_a_clear_start_up_error(monkeypatch):
    from webapp.config import _env_int

    monkeypatch.setenv("PONTE_PROXY_FIX", "two")
    with pytest.raises(RuntimeError, match="PONTE_PROXY_FIX must be a whole number"):
        _env_int("PONTE_PROXY_FIX", 0)
    monkeypatch.setenv("PONTE_PROXY_FIX", "true")
    assert _env_int("PONTE_PROXY_FIX", 0) == 1


@pytest.mark.slow
def test_the_development_server_serves_the_login_page(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/dev.db",
        "SECRET_KEY": "devserver-test",
        "PONTE_NOMINATIM": "0",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["demo", "load", "--if-empty"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "webapp.devserver", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, page = time.monotonic() + 30, None
        while time.monotonic() < deadline and page is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as resp:
                    page = (resp.status, resp.read().decode())
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert page is not None, server.stdout.read().decode() if server.stdout else ""
        assert page[0] == 200 and 'name="password"' in page[1]
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


def test_the_development_server_explains_a_busy_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "webapp.devserver", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/dev.db"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr and "PORT=" in result.stderr


def test_the_served_app_is_frozen_for_the_collector(tmp_path):
    """wsgi.py freezes what loading the app made: the collector's full passes in a web
    worker then walk what requests leave behind, not the 300,000 objects of the app."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/frozen.db")
    script = "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    frozen, walked = (int(x) for x in out.stdout.split())
    assert frozen > 100_000
    assert walked < frozen / 100
