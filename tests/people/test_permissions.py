"""Who may open what: every page of the people feature x every kind of user."""

from __future__ import annotations

import pytest

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_from, login, post_form
from tests.people.helpers import arranged
from webapp.auth.models import Role
from webapp.people.models import VolunteerStatus

ROLES = ["anonymous", "volunteer", "resident", "coordinator_a", "coordinator_b", "admin"]

# page -> expected status per role (302 = to the login page, or home for a signed-in
# user on a sign-up page). {vol} and {res} are people of organisation A.
PAGES = {
    "/join/volunteer": [200, 302, 302, 302, 302, 302],
    "/join/neighbour": [200, 302, 302, 302, 302, 302],
    "/join/resident": [200, 302, 302, 302, 302, 302],
    "/join/{org}/volunteer": [200, 302, 302, 302, 302, 302],
    "/join/{org}/neighbour": [200, 302, 302, 302, 302, 302],
    "/join/{org}/resident": [200, 302, 302, 302, 302, 302],
    "/join/{org}/volunteer/done": [200, 200, 200, 200, 200, 200],
    "/me": [302, 200, 200, 403, 403, 403],
    "/coordinator": [302, 403, 403, 200, 200, 403],
    "/coordinator/queue": [302, 403, 403, 200, 200, 403],
    "/coordinator/volunteers": [302, 403, 403, 200, 200, 403],
    "/coordinator/residents": [302, 403, 403, 200, 200, 403],
    "/coordinator/residents/new": [302, 403, 403, 200, 200, 403],
    "/coordinator/lapsing": [302, 403, 403, 200, 200, 403],
    "/coordinator/people/{vol}": [302, 403, 403, 200, 404, 403],
    "/coordinator/people/{res}": [302, 403, 403, 200, 404, 403],
    "/coordinator/people/{res}/edit": [302, 403, 403, 200, 404, 403],
    "/coordinator/people/{vol}/edit": [302, 403, 403, 404, 404, 403],  # not a resident
    "/coordinator/people/999999": [302, 403, 403, 404, 404, 403],
}
CASES = [(page, role, codes[i]) for page, codes in PAGES.items() for i, role in enumerate(ROLES)]


@pytest.fixture
def world(db_session):  # type: ignore[no-untyped-def]
    org_a, org_b = make_org(), make_org()
    volunteer = make_volunteer(org_a, status=VolunteerStatus.PENDING, credentials=False)
    resident = make_resident(org_a)
    resident_user = make_user(org_a, person=resident)
    users = {
        "volunteer": volunteer.user,
        "resident": resident_user,
        "coordinator_a": make_coordinator(org_a),
        "coordinator_b": make_coordinator(org_b),
        "admin": make_user(None, Role.ADMIN),
    }
    arranged()
    return {"org": org_a, "vol": volunteer, "res": resident, "users": users}


def _url(page: str, world) -> str:  # type: ignore[no-untyped-def]
    return page.format(org=world["org"].slug, vol=world["vol"].id, res=world["res"].id)


@pytest.mark.parametrize("page,role,expected", CASES)
def test_role_x_page(client, world, page, role, expected):
    if role != "anonymous":
        assert login(client, world["users"][role].email, PASSWORD).status_code == 302
    resp = client.get(_url(page, world))
    assert resp.status_code == expected
    if expected == 302 and role == "anonymous":
        assert "/login" in resp.location


POSTS = [
    "/coordinator/people/{vol}/credentials",
    "/coordinator/people/{vol}/status",
    "/coordinator/people/{vol}/pin",
    "/coordinator/people/{res}/edit",
]


@pytest.mark.parametrize("page", POSTS)
@pytest.mark.parametrize("role,expected", [("coordinator_b", 404), ("volunteer", 403)])
def test_other_organisation_cannot_change_anything(client, world, page, role, expected):
    login(client, world["users"][role].email, PASSWORD)
    data = {"kind": "identity", "checked_on": "2026-01-01", "action": "approve", "lat": "1"}
    home = "/me" if role == "volunteer" else "/coordinator"
    resp = post_form(client, _url(page, world), data, page=home)
    assert resp.status_code == expected
    assert world["vol"].volunteer.status == VolunteerStatus.PENDING
    assert world["vol"].credentials == []


def test_lists_show_only_own_organisation(client, world):
    login(client, world["users"]["coordinator_b"].email, PASSWORD)
    for page in ("/coordinator/queue", "/coordinator/volunteers", "/coordinator/residents"):
        html = client.get(page).get_data(as_text=True)
        assert world["vol"].full_name not in html and world["res"].full_name not in html


def test_every_page_renders_in_italian(client, world):
    def italian() -> None:
        html = client.get("/", follow_redirects=True).get_data(as_text=True)
        client.post("/language", data={"csrf_token": csrf_from(html), "locale": "it"})

    italian()
    for page, codes in PAGES.items():
        if codes[0] == 200:
            assert client.get(_url(page, world)).status_code == 200, page
    login(client, world["users"]["coordinator_a"].email, PASSWORD)
    italian()  # a login starts a fresh session
    for page, codes in PAGES.items():
        if codes[3] == 200:
            resp = client.get(_url(page, world))
            assert resp.status_code == 200 and 'lang="it"' in resp.get_data(as_text=True), page
    login_page = client.get(f"/coordinator/people/{world['vol'].id}").get_data(as_text=True)
    assert "Registra la verifica" in login_page
