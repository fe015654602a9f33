"""Password-reset link poisoning, untrusted hosts and open redirects (issue 15)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import csrf_from, login
from webapp.extensions import db
from webapp.notifications.models import Notification


def _reset_mails() -> list[Notification]:
    query = sa.select(Notification).where(Notification.kind == "password_reset")
    return list(db.session.scalars(query))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Forwarded-Host": "evil.example"},
        {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    ],
)
def test_reset_link_comes_from_the_base_url_whatever_the_request_says(client, headers):
    """An attacker asks for a coordinator's reset e-mail through a request whose headers
    name their own site: the link in the genuine e-mail still points at Ponte."""
    org = make_org()
    coordinator = make_coordinator(org, email="coord@trust.example")
    html = client.get("/password/forgot").get_data(as_text=True)
    client.post(
        "/password/forgot",
        data={"csrf_token": csrf_from(html), "email": coordinator.email},
        headers=headers,
    )
    [mail] = _reset_mails()
    assert "https://ponte.example.org/password/reset/" in mail.body
    assert "evil.example" not in mail.body and "localhost" not in mail.body


def test_behind_the_proxy_setting_the_forwarded_host_is_not_trusted(app, monkeypatch):
    """With PONTE_PROXY_FIX the app trusts the proxy's client address and scheme, never
    its X-Forwarded-Host (links come from the base URL; Host is checked)."""
    from webapp import create_app
    from webapp.config import TestConfig

    class Proxied(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        PROXY_FIX = 1

    proxied = create_app(Proxied)

    @proxied.route("/_host")
    def _host() -> str:
        from flask import request

        return request.host

    resp = proxied.test_client().get("/_host", headers={"X-Forwarded-Host": "evil.example"})
    assert resp.get_data(as_text=True) == "localhost"


@pytest.mark.parametrize("host", ["evil.example", "ponte.example.org.evil.example"])
def test_an_untrusted_host_is_refused(client, db_session, host):
    resp = client.get("/login", headers={"Host": host})
    assert resp.status_code == 400


def test_the_configured_hosts_are_served(client, db_session):
    for host in ("ponte.example.org", "localhost", "127.0.0.1:5000"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host


OFFSITE = [
    "//evil.example/",
    "/%09/evil.example",  # a tab: browsers drop it and read //evil.example
    "/%0a/evil.example",  # a line break: used to answer 500
    "/%0d%0a/evil.example",
    "/%5cevil.example",  # /\evil.example: a backslash is a slash to browsers
    "/\\/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_login_never_sends_anyone_off_site(client, db_session, target):
    user = make_volunteer(make_org()).user
    html = client.get("/login").get_data(as_text=True)
    resp = client.post(
        f"/login?next={target}",
        data={"csrf_token": csrf_from(html), "email": user.email, "password": PASSWORD},
    )
    assert resp.status_code == 302
    assert resp.location.startswith("/") and not resp.location.startswith("//")
    assert "evil.example" not in resp.location


@pytest.mark.parametrize("target", OFFSITE)
def test_language_switch_never_sends_anyone_off_site(client, db_session, target):
    from urllib.parse import unquote

    html = client.get("/login").get_data(as_text=True)
    resp = client.post(
        "/language", data={"csrf_token": csrf_from(html), "locale": "it", "next": unquote(target)}
    )
    assert resp.status_code == 302
    assert resp.location == "/"


def test_a_path_on_the_site_is_kept(client, db_session):
    user = make_volunteer(make_org()).user
    html = client.get("/login").get_data(as_text=True)
    resp = client.post(
        "/login?next=/shifts/mine?x=1",
        data={"csrf_token": csrf_from(html), "email": user.email, "password": PASSWORD},
    )
    assert resp.location == "/shifts/mine?x=1"
    html = client.get("/shifts/mine").get_data(as_text=True)
    resp = client.post(
        "/language", data={"csrf_token": csrf_from(html), "locale": "it", "next": "/shifts/board"}
    )
    assert resp.location == "/shifts/board"


def test_calendar_link_comes_from_the_base_url(client, db_session):
    person = make_volunteer(make_org())
    login(client, person.user.email, PASSWORD)
    html = client.get("/shifts/mine", headers={"Host": "localhost"}).get_data(as_text=True)
    assert "https://ponte.example.org/shifts/calendar/" in html
