"""The menu: each role's entries, the page it is on marked, in the reader's language
(core/navigation.py keeps each entry's link and label per language)."""

from __future__ import annotations

import re

from tests.factories import PASSWORD, make_org, make_volunteer
from tests.helpers import csrf_token, login
from webapp.extensions import db


def _menu(html: str) -> str:
    return html.split('<ul class="nav">', 1)[1].split("</nav>", 1)[0]


def test_the_menu_follows_the_page_and_the_language(client, db_session):
    org = make_org()
    vol = make_volunteer(org)
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    menu = _menu(client.get("/shifts/board").get_data(as_text=True))
    assert re.search(r'<a href="/shifts/board" aria-current="page">Open shifts</a>', menu)
    assert re.search(r'<a href="/shifts/mine">My schedule</a>', menu)
    menu = _menu(client.get("/shifts/mine").get_data(as_text=True))
    assert re.search(r'<a href="/shifts/board">Open shifts</a>', menu)
    assert re.search(r'<a href="/shifts/mine" aria-current="page">My schedule</a>', menu)
    token = csrf_token(client, "/shifts/mine")
    client.post("/language", data={"csrf_token": token, "locale": "it", "next": "/shifts/mine"})
    menu = _menu(client.get("/shifts/mine").get_data(as_text=True))
    assert re.search(r'<a href="/shifts/board">Turni aperti</a>', menu)
    assert "Open shifts" not in menu and "My schedule" not in menu
    # Back in English: each language keeps its own words.
    token = csrf_token(client, "/shifts/mine")
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/shifts/mine"})
    assert "Open shifts" in _menu(client.get("/shifts/mine").get_data(as_text=True))
