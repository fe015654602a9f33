"""A member's statement page and give-to list, and the coordinator's lists, drawn once
and served again while nothing they show has changed (as the volunteer's schedule cards:
``shifts/schedule_cache.py``).

Members open "My hours" often and find it as they left it; reading the page of 50 lines
and the give-to list (a hundred people and more for a long-serving volunteer) and writing
them were most of the page's own cost. Each web worker keeps them per member, under a
key read with the account's figures in the page's own statement
(``queries.summary``), so keeping costs no statement:

- the statement's length: the ledger is append-only, so every transfer to or from the
  account (and nothing else) makes it longer; each line's balance is the balance now
  less what newer lines moved, and the balance moves only with a transfer;
- the give-to list's length: its rows are only ever added (``partners.note``: a transfer
  between two members, a completed visit or ride) or deleted with a person;
- the organisation's **names stamp** (``timebank_names``), moved by a database trigger
  whenever one of its people is renamed, moves organisation or is deleted (``ddl.py``):
  the lines show the other side's first name (or "Former member"), the list first names
  and initials, of people of the organisation;
- what is not in the rows: the member (and their organisation, which filters the list),
  the language, the year (dates show the year when it is not this one), the page asked.

The coordinator's page keeps its lists the same way, per organisation
(:func:`coordinator_lists`): the month's biggest givers and receivers, the accounts near
their limit and the latest transfers, written. Their key is read with the organisation's
figures, the chest and the policy (``overview.page_head``), in the statement the page sends:

- the organisation's number of transfers: every transfer, and nothing else, adds one
  (in its own commit, with the balances and the month's figures it moves), and the
  lists show nothing but transfers, the figures and balances they move, and names;
- its member accounts (one opened may be near its limit) and its names stamp;
- what is not in the rows: the language, the day (the month; dates show the year when it
  is not this one), how near "near their limit" is (the policy, read at each view).

A member's limit is set when their account opens (from the policy); a limit changed
later by hand (``accounts.set_lower_limit``, which the app itself uses only for the
chest, never listed here) shows after :data:`LATEST` at most.

Kept parts go after :data:`LATEST` at most. The donation form itself (its CSRF token, a
fresh request id, errors) is made at each view, and a donation checks its recipient
against the list read again then, never against the kept one. With the list, its field
as a blank form shows it (label and options, nothing chosen) is kept written: a page
drawn after a POST draws the field afresh, with what was chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, current_app
from flask_babel import get_locale
from markupsafe import Markup

from webapp.core.kept_pages import KeptPages, kept_pages
from webapp.core.paging import Page, page_number
from webapp.db import utcnow
from webapp.orgs.models import Organisation
from webapp.people.models import Person
from webapp.timebank import statements
from webapp.timebank.queries import Summary
from webapp.timebank.statements import StatementLine

# The longest kept parts are served before they are drawn again, changes or not.
LATEST = timedelta(minutes=10)


@dataclass(frozen=True)
class MemberParts:
    lines: Page[StatementLine]  # the page of the statement
    rows: Markup  # its rows, written
    recipients: list[tuple[str, str]]  # the give-to list: (person id, "First L.")
    recipient_field: Markup  # a blank donation form's give-to field, written


def kept(app: Flask | None = None) -> KeptPages:
    """This app's kept statements and give-to lists."""
    return kept_pages("timebank_member", app)


def kept_lists(app: Flask | None = None) -> KeptPages:
    """This app's kept coordinator's lists, per organisation."""
    return kept_pages("timebank_coordinator", app)


def member_parts(
    person: Person, found: Summary, asked: str | None, draw: Callable[[], MemberParts]
) -> MemberParts:
    """The statement page ``asked`` for and the give-to list of ``person``, whose account
    and stamps are ``found``: kept ones if nothing they show has changed, else
    ``draw()``'s."""
    size = int(current_app.config.get("TIMEBANK_CACHE_ENTRIES", 0))
    if size <= 0 or found.opened:  # (opened by this view: its stamps were not read)
        return draw()
    key = (
        person.created_at,  # ids come back in a new database (tests, a restore)
        person.organisation_id,
        found.account.id,
        found.lines,
        found.partners,
        found.names,
        str(get_locale()),
        date.today().year,
        page_number(asked, found.lines, statements.PAGE_LINES),
    )
    return kept().get_or_draw(person.id, key, utcnow(), lambda: (draw(), None), size, LATEST)


@dataclass(frozen=True)
class CoordinatorLists:
    """The coordinator's lists, their rows written (empty: nobody, nothing)."""

    given: Markup  # the month's biggest givers
    received: Markup  # ... and receivers
    near: Markup  # the accounts near their limit
    recent: Markup  # the latest transfers


def coordinator_lists(
    organisation: Organisation,
    stamp: tuple[int, int, int] | None,
    near_within: int,
    today: date,
    draw: Callable[[], CoordinatorLists],
) -> CoordinatorLists:
    """The ``organisation``'s lists: kept ones if its ``stamp`` (read in this transaction
    before any list: ``overview.page_head``) and the rest of the key are what they
    were drawn under, else ``draw()``'s. ``stamp`` None: draw, keep nothing."""
    size = int(current_app.config.get("TIMEBANK_CACHE_ENTRIES", 0))
    if size <= 0 or stamp is None:
        return draw()
    key = (
        organisation.created_at,  # ids come back in a new database (tests, a restore)
        stamp,
        near_within,
        str(get_locale()),
        today,
    )
    return kept_lists().get_or_draw(
        organisation.id, key, utcnow(), lambda: (draw(), None), size, LATEST
    )
