"""Screenshots of the main people pages for docs/screenshots/ (phone and desk sizes).

Usage: python tools/screenshots.py   (from the repository root; needs Debian's chromium)

Runs the app on a throw-away SQLite database with a little synthetic data, in a thread,
and drives headless Chromium through Playwright.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def seed():  # type: ignore[no-untyped-def]
    from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
    from tests.people.conftest import HOME, OTHER_HOME, add_address
    from webapp.extensions import db
    from webapp.people.models import Credential, CredentialKind, VolunteerStatus

    org = make_org("Comune di Isernia")
    add_address(org, HOME)
    add_address(org, OTHER_HOME, 41.6, 14.24)
    make_coordinator(org, email="coord@example.org")
    pending = make_volunteer(
        org, status=VolunteerStatus.PENDING, credentials=False, first_name="Piero",
        last_name="Colombo", driving=True, interests=["music", "walks"],
    )  # fmt: skip
    pending.credentials.append(
        Credential(kind=CredentialKind.IDENTITY, checked_on=date.today(), expires_on=None)
    )
    member = make_volunteer(org, first_name="Giulia", last_name="Bianchi")
    member.user.email = "giulia@example.org"
    soon = make_volunteer(org, first_name="Marco", last_name="Greco")
    soon.credentials[-1].expires_on = date.today() + timedelta(days=12)
    make_resident(org, first_name="Maria", last_name="Verdi")
    db.session.commit()
    return org, pending, PASSWORD


def main() -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tests.browser_fixtures import CHROMIUM_ARGS, chromium_path
    from webapp import create_app
    from webapp.config import TestConfig
    from webapp.extensions import db
    from webapp.translations_cli import compile_all

    tmp = tempfile.mkdtemp()

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/screens.db"

    compile_all()
    app = create_app(Config)
    with app.app_context():
        db.create_all()
        org, pending, password = seed()
        slug, pending_id = org.slug, pending.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)

    def shoot(page, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.viewport_size["width"]:
            print(f"warning: {url} is {width}px wide, wider than the screen")
        page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
        print("wrote", OUT / f"{name}.png")

    def log_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
        page.goto("/login")
        page.get_by_label("E-mail", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        phone = browser.new_context(viewport=PHONE, locale="en-GB", base_url=base).new_page()
        shoot(phone, "/", "home-phone")
        shoot(phone, f"/join/{slug}/volunteer", "volunteer-signup-phone")
        phone.get_by_label("Home address", exact=True).fill("Via Sconosciuta 1")
        phone.get_by_role("button", name="Sign up").click()
        phone.screenshot(path=str(OUT / "volunteer-signup-errors-phone.png"), full_page=True)
        shoot(phone, f"/join/{slug}/resident", "resident-signup-phone")
        shoot(phone, f"/join/{slug}/volunteer/done?account=1", "signup-waiting-phone")
        log_in(phone, "giulia@example.org")
        shoot(phone, "/me", "my-details-phone")
        desk = browser.new_context(viewport=DESK, locale="en-GB", base_url=base).new_page()
        log_in(desk, "coord@example.org")
        shoot(desk, "/coordinator", "coordinator-home")
        shoot(desk, "/coordinator/queue", "coordinator-queue")
        shoot(desk, f"/coordinator/people/{pending_id}", "person-page")
        shoot(desk, "/coordinator/residents/new", "register-resident")
        shoot(desk, "/coordinator/lapsing", "lapsing")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
