"""Phone journey: a member donates from the "My hours" page; pages pass axe checks."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser import log_in, serious_violations
from tests.factories import make_coordinator, make_org, make_resident, make_user
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.timebank import operations as ops

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_member_donates_on_a_phone(page):  # type: ignore[no-untyped-def]
    org = make_org()
    res = make_resident(org, first_name="Teresa")
    make_user(org, Role.MEMBER, person=res, email="phone@tb.example")
    friend = make_resident(org, first_name="Pia", last_name="Neri")
    ops.grant(
        key="seed",
        recipient=res,
        minutes=115,
        actor_id=None,
        service_date=date.today(),
        reason="welcome",
    )
    # Pia gave Teresa five minutes once: that puts her in Teresa's "give to" list.
    ops.grant(key="seed-pia", recipient=friend, minutes=5, actor_id=None,
              service_date=date.today(), reason="welcome")
    ops.donate(key="pia", donor=friend, recipient=res, minutes=5, actor_id=None,
               service_date=date.today())
    db.session.commit()
    log_in(page, "phone@tb.example")
    page.goto("/timebank/")
    assert page.locator("#balance").inner_text() == "2 h"
    assert serious_violations(page) == []
    page.get_by_label("Give to").select_option(label="Pia N.")
    page.get_by_label("Minutes").fill("45")
    page.get_by_role("button", name="Donate").click()
    page.wait_for_url("**/timebank/")
    assert "45 min donated" in page.content()
    assert page.locator("#balance").inner_text() == "1 h 15 min"
    # Over the limit: the message sits next to the minutes field.
    page.get_by_label("Give to").select_option(label="Pia N.")
    page.get_by_label("Minutes").fill("6000")
    page.get_by_role("button", name="Donate").click()
    assert "Not enough time" in page.locator("#minutes-error").inner_text()
    assert page.get_by_label("Minutes").get_attribute("aria-invalid") == "true"
    assert friend.id


def test_coordinator_page_is_accessible(desk_page):  # type: ignore[no-untyped-def]
    org = make_org()
    make_coordinator(org, email="desk@tb.example")
    res = make_resident(org)
    ops.grant(
        key="seed2",
        recipient=res,
        minutes=30,
        actor_id=None,
        service_date=date.today(),
        reason="welcome",
    )
    db.session.commit()
    log_in(desk_page, "desk@tb.example")
    desk_page.goto("/timebank/coordinator")
    assert "Community chest" in desk_page.content()
    assert serious_violations(desk_page) == []


@pytest.mark.parametrize("fixture", ["desk_page", "page"])
def test_coordinator_finds_a_member_and_grants_by_keyboard(request, fixture):  # type: ignore[no-untyped-def]
    """At the desk and on a phone: the name typed in the time bank's search box, Enter,
    the member's account, the minutes and the reason, Enter; the grant shows in the
    statement and the balance. In Italian, chosen from the page's language switch."""
    page = request.getfixturevalue(fixture)
    org = make_org()
    make_coordinator(org, email="desk@tb.example")
    make_resident(org, first_name="Teresa", last_name="Bianchi")
    make_resident(org, first_name="Rita", last_name="Bianchini")
    db.session.commit()
    log_in(page, "desk@tb.example")
    page.goto("/timebank/coordinator")
    page.select_option("#locale-select", "it")
    with page.expect_navigation():
        page.locator(".language-switch button").click()
    search = page.get_by_label("Nome, telefono o indirizzo")
    search.focus()
    page.keyboard.type("bianchi")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    found = page.get_by_role("list", name="Persone trovate")
    assert found.get_by_role("link").all_inner_texts() == ["Teresa Bianchi", "Rita Bianchini"]
    assert serious_violations(page) == []
    found.get_by_role("link", name="Teresa Bianchi").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert serious_violations(page) == []
    page.get_by_label("Minuti").focus()
    page.keyboard.type("0")
    page.keyboard.press("Tab")
    page.keyboard.type("inverno")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#minutes-error").inner_text() == "Almeno un minuto."
    assert page.get_by_label("Motivo").input_value() == "inverno"
    page.get_by_label("Minuti").fill("90")
    with page.expect_navigation():
        page.get_by_label("Minuti").press("Enter")
    assert "1 h 30 min donati a Teresa Bianchi." in page.locator(".flashes").inner_text()
    assert page.locator("#balance").inner_text() == "1 h 30 min"
