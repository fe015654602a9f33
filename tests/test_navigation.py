"""The menu: each role's entries, the page it is on marked, in the reader's language
(core/navigation.py keeps each entry's link and label per language)."""

from __future__ import annotations

import re

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import csrf_token, login
from webapp.extensions import db
from webapp.people.models import ResidentProfile


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


def test_the_menu_follows_what_the_user_may_see(client, db_session):
    """The menu is written once for each set of entries, page and language
    (``nav_html``): a volunteer who also becomes a resident sees the resident's entries
    on their next page, and a coordinator's groups are written with their labels."""
    org = make_org()
    vol = make_volunteer(org)
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    assert "/requests/mine" not in _menu(client.get("/shifts/mine").get_data(as_text=True))
    vol.is_resident = True
    vol.resident = ResidentProfile(wants_visits=True, wants_rides=False)
    db.session.commit()
    menu = _menu(client.get("/shifts/mine").get_data(as_text=True))
    assert re.search(r'<a href="/requests/mine">My visits and rides</a>', menu)
    assert re.search(r'<a href="/shifts/mine" aria-current="page">My schedule</a>', menu)

    coordinator = make_coordinator(org)
    db.session.commit()
    other = client.application.test_client()
    login(other, coordinator.email, PASSWORD)
    menu = _menu(other.get("/desk/find").get_data(as_text=True))
    group = re.search(
        r'<li class="nav-group"><span class="nav-group-label" id="nav-people">People</span>'
        r'\s*<ul aria-labelledby="nav-people">\s*(.*?)</ul>',
        menu,
        re.S,
    )
    assert group is not None
    assert '<a href="/desk/find" aria-current="page">Find a person</a>' in group.group(1)
    assert "/shifts/board" not in menu
