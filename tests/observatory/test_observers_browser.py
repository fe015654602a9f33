"""Browser journeys of the observers page and the logo, on a phone and by keyboard: a
coordinator adds an observer, the observer opens the invitation, chooses a password and
sees the observatory and nothing else; the coordinator removes them (asked once) and
uploads the organisation's logo. axe-core clean in English and Italian."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from tests.browser import context_page, log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_user
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.notifications.models import Notification

pytestmark = pytest.mark.browser

NEW = "the council's own password"


@pytest.fixture
def org(committed_db):  # type: ignore[no-untyped-def]
    org = make_org("Comune di Prova")
    make_coordinator(org, email="coord@example.org")
    db.session.commit()
    return org


def _fits_the_phone(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_coordinator_adds_an_observer_who_sees_the_observatory_only(
    page, browser, live_server, org
):
    log_in(page, "coord@example.org")
    page.goto("/observatory/observers")
    expect(page.get_by_role("heading", name="Observers", level=1)).to_be_visible()
    assert serious_violations(page) == []
    _fits_the_phone(page)
    # By keyboard: a wrong address first, named beside its field.
    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type("Ada Verdi")
    page.keyboard.press("Tab")
    page.keyboard.type("ada.verdi.example.org")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add and send the invitation")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#email-error")).to_have_text(
        "Type an e-mail address like name@example.org."
    )
    assert serious_violations(page) == []
    page.get_by_label("E-mail", exact=True).fill("")
    page.get_by_label("E-mail", exact=True).focus()
    page.keyboard.type("ada.verdi@example.org")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Ada Verdi is an observer")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Ada Verdi"))).to_contain_text(
        "ada.verdi@example.org"
    )
    _fits_the_phone(page)

    # The invitation (the scheduler's sender would mail it within seconds).
    body = db.session.scalar(
        sa.select(Notification.body).where(Notification.kind == "observer_invitation")
    )
    link = re.search(r"(http://\S+/password/reset/\S+)", body or "")
    assert link is not None and link.group(1).startswith(live_server)
    context, guest = context_page(browser, live_server, phone=True)
    try:
        guest.goto(link.group(1))
        guest.get_by_label("New password", exact=True).fill(NEW)
        guest.get_by_label("New password again", exact=True).fill(NEW)
        with guest.expect_navigation():
            guest.get_by_role("button", name="Save the new password").click()
        log_in(guest, "ada.verdi@example.org", NEW)
        assert guest.url.endswith("/observatory/")
        expect(guest.get_by_role("heading", name="Observatory", level=1)).to_be_visible()
        links = {a.get_attribute("href") for a in guest.locator("header a").all()}
        assert links <= {"/", "/observatory/", "/notifications/", "/account/password", "#main"}
        for url in ("/observatory/observers", "/organisation", "/coordinator/people/"):
            response = guest.goto(url)
            assert response is not None and response.status in (403, 404), url
    finally:
        context.close()

    # Removing asks once, by keyboard too.
    page.get_by_role("button", name="Remove Ada Verdi").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Remove Ada Verdi (ada.verdi@example.org)?")).to_be_visible()
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Remove the observer").click()
    expect(page.get_by_text("Ada Verdi can no longer log in.")).to_be_visible()
    expect(page.get_by_text("No observers yet.")).to_be_visible()


def _italian(page) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#locale-select", "it")
    with page.expect_navigation():
        page.locator(".language-switch button").click()


@pytest.mark.parametrize("locale", ["en", "it"])
def test_the_observers_page_and_the_logo_are_axe_clean(page, org, locale):
    make_user(org, Role.OBSERVER, email="obs@example.org").display_name = "Bruno Neri"
    db.session.commit()
    log_in(page, "coord@example.org")
    if locale == "it":
        _italian(page)
    page.goto("/observatory/observers")
    assert page.locator("html").get_attribute("lang") == locale
    if locale == "it":
        expect(page.get_by_role("heading", name="Osservatori", level=1)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Bruno Neri"))).to_be_visible()
    assert serious_violations(page) == []
    _fits_the_phone(page)
    # The logo, on the organisation profile: a GIF is refused beside the field, a PNG
    # is saved and shown.
    page.goto("/organisation")
    field = page.locator("#logo")
    upload = page.locator("form[action='/organisation/logo'] button, "
                          "form[action='/organisation/logo'] input[type=submit]")  # fmt: skip
    for fmt, ok in (("GIF", False), ("PNG", True)):
        data = io.BytesIO()
        Image.new("RGB", (90, 30), "teal").save(data, format=fmt)
        field.set_input_files(
            {"name": f"logo.{fmt.lower()}", "mimeType": f"image/{fmt.lower()}",
             "buffer": data.getvalue()}
        )  # fmt: skip
        with page.expect_navigation():
            upload.click()
        if not ok:
            expect(page.locator("#logo-error")).to_be_visible()
            assert serious_violations(page) == []
    expect(page.locator("img.org-logo")).to_be_visible()
    assert serious_violations(page) == []
    _fits_the_phone(page)
