"""Helpers for the browser tests (their fixtures are in tests/browser_fixtures.py): a
context of the right size, logging in through the form, axe-core's serious findings."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}  # volunteers and residents mostly use phones
DESK = {"width": 1280, "height": 900}  # coordinators work at a desk, often on the phone


def context_page(browser, base_url: str, *, phone: bool):  # type: ignore[no-untyped-def]
    """A new context (British English, 10 s timeouts) and a page in it: one per person
    when a test needs several people at once. The caller closes the context."""
    context = browser.new_context(
        viewport=PHONE if phone else DESK, locale="en-GB", base_url=base_url
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


def log_in(page, email: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Log in through the form; returns once the next page (the role's home, or the
    page asked for) has loaded."""
    page.goto("/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert "/login" not in page.url, f"{email} could not log in"


def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical findings on the page, with where they are."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
