"""The observers page: a coordinator adds an observer (an invitation e-mail with a
"choose your password" link), the observer chooses a password and sees the observatory
and nothing else; removing one asks once, then ends their sessions. Bad input is named."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_org, make_user
from tests.helpers import csrf_from, login, post_form
from webapp.audit.models import AuditEvent
from webapp.auth.models import LoginSession, Role, User
from webapp.extensions import db
from webapp.notifications.models import Notification

_LINK = re.compile(r"https://ponte\.example\.org/password/reset/(\S+)")
NEW = "a council password"


@pytest.fixture
def coordinator(db_session):  # type: ignore[no-untyped-def]
    org = make_org("Comune di Prova")
    return make_coordinator(org, email="coord@example.org")


def _as(client, user) -> None:  # type: ignore[no-untyped-def]
    assert login(client, user.email, PASSWORD).status_code == 302


def _add(client, name: str, email: str):  # type: ignore[no-untyped-def]
    return post_form(
        client, "/observatory/observers", {"name": name, "email": email}, follow_redirects=True
    )


def test_a_coordinator_adds_an_observer_who_chooses_a_password(client, coordinator):
    _as(client, coordinator)
    page = client.get("/observatory/observers").get_data(as_text=True)
    assert "No observers yet." in page
    resp = _add(client, "  Ada Verdi ", "Ada.Verdi@Example.org")
    html = resp.get_data(as_text=True)
    assert "Ada Verdi is an observer" in html and "ada.verdi@example.org" in html
    observer = db.session.scalar(sa.select(User).where(User.email == "ada.verdi@example.org"))
    assert observer is not None
    assert (observer.role, observer.organisation_id, observer.display_name) == (
        Role.OBSERVER,
        coordinator.organisation_id,
        "Ada Verdi",
    )
    [mail] = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "observer_invitation")
    ).all()
    assert mail.address == "ada.verdi@example.org" and "Comune di Prova" in mail.subject
    match = _LINK.search(mail.body)
    assert match is not None
    assert (
        db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "observer.added"))
        is not None
    )
    # The observer uses the link, then logs in: the observatory and nothing else.
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    url = f"/password/reset/{match.group(1)}"
    post_form(client, url, {"new_password": NEW, "repeat": NEW})
    assert login(client, "ada.verdi@example.org", NEW).status_code == 302
    assert client.get("/").location.endswith("/observatory/")
    assert client.get("/observatory/").status_code == 200
    assert client.get("/observatory/observers").status_code == 403
    assert client.get("/coordinator/people/").status_code in (403, 404)


@pytest.mark.parametrize(
    ("name", "email", "field", "message"),
    [
        ("", "a@example.org", "name", "Type the observer&#39;s name."),
        ("Ada", "", "email", "Type the observer&#39;s e-mail address."),
        ("Ada", "not an address", "email", "Type an e-mail address like name@example.org."),
        ("Ada", "coord@example.org", "email", "already has a Ponte account"),
    ],
)
def test_bad_input_is_named_beside_its_field(client, coordinator, name, email, field, message):
    _as(client, coordinator)
    resp = _add(client, name, email)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert f'id="{field}-error"' in html and message in html
    assert (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == Role.OBSERVER)) == 0
    )


def test_removing_asks_once_then_ends_the_observers_sessions(app, client, coordinator):
    observer = make_user(coordinator.organisation, Role.OBSERVER, email="obs@example.org")
    observer.display_name = "Bruno Neri"
    db.session.commit()
    other = app.test_client()
    _as(other, observer)
    _as(client, coordinator)
    page = client.get("/observatory/observers").get_data(as_text=True)
    assert "Bruno Neri" in page and "obs@example.org" in page
    url = f"/observatory/observers/{observer.id}/remove"
    asked = client.post(url, data={"csrf_token": csrf_from(page)})
    assert asked.status_code == 200 and "Remove Bruno Neri (obs@example.org)?" in asked.get_data(
        as_text=True
    )
    assert observer.active
    done = client.post(url, data={"csrf_token": csrf_from(page), "confirmed": "1"})
    assert done.status_code == 302
    db.session.refresh(observer)
    assert not observer.active
    assert (
        db.session.scalar(
            sa.select(sa.func.count(LoginSession.id)).where(LoginSession.user_id == observer.id)
        )
        == 0
    )
    assert other.get("/observatory/").status_code == 302  # back to the login page
    after = client.get("/observatory/observers").get_data(as_text=True)
    assert "Bruno Neri can no longer log in." in after and "obs@example.org" not in after
    # Added again later: the same login comes back, with a new invitation.
    _add(client, "Bruno Neri", "obs@example.org")
    db.session.refresh(observer)
    assert observer.active


def test_another_organisations_observer_is_not_found(client, coordinator):
    stranger = make_user(make_org("Altrove"), Role.OBSERVER, email="far@example.org")
    db.session.commit()
    _as(client, coordinator)
    page = client.get("/observatory/observers").get_data(as_text=True)
    assert "far@example.org" not in page
    url = f"/observatory/observers/{stranger.id}/remove"
    resp = client.post(url, data={"csrf_token": csrf_from(page), "confirmed": "1"})
    assert resp.status_code == 404
    db.session.refresh(stranger)
    assert stranger.active
