"""How a statement's lines are written on a page: each distinct text made once, the rows
written in one pass.

A page of 50 lines wrote each line's date with Babel, its kind through a lazy string and
its minutes through template filters: about a third of the page's time. The texts are
the same as the filters give (``reader_date`` short, ``kind_label``, ``minutes``); a kind
is translated (and escaped) once a page, a date formatted once a process (per language
and year). Then the template's loop escaped and joined the rows' 300 cells one by one;
now only the other side's name is escaped per row (the minutes are digits, "h" and
"min"; a date or a kind is escaped when it is made).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache

from flask_babel import get_locale
from markupsafe import Markup, escape

from webapp.core.dates import reader_date
from webapp.timebank.overview import Named, Recent
from webapp.timebank.queries import format_minutes
from webapp.timebank.statements import StatementLine


@lru_cache(maxsize=4096)
def _short_date(day: date, this_year: int, locale: str) -> str:
    """``reader_date(day, short=True)``, escaped: Babel's formatting is the costly part of
    a row, and its text depends on nothing else (the year shows when it is not this one)."""
    return str(escape(reader_date(day, short=True, today=date(this_year, 1, 1), locale=locale)))


def _escaped_once(kind_label: Callable[[str], str]) -> Callable[[str], str]:
    """``kind_label`` escaped, each kind named once for a page's rows (a few kinds, many
    rows)."""
    kinds: dict[str, str] = {}

    def label(kind: str) -> str:
        found = kinds.get(kind)
        if found is None:
            found = kinds[kind] = str(escape(kind_label(kind)))
        return found

    return label


def statement_html(lines: Iterable[StatementLine], kind_label: Callable[[str], str]) -> Markup:
    """The rows of ``_statement.html`` (date, with, kind, shift, minutes, balance);
    ``kind_label(kind)`` names a kind of transfer."""
    this_year, locale = date.today().year, str(get_locale() or "en")
    label = _escaped_once(kind_label)
    rows = []
    for line in lines:
        kind = label(line.kind)
        amount = line.amount
        rows.append(
            f"<tr><td>{_short_date(line.service_date, this_year, locale)}</td>"
            f"<td>{escape(line.counterpart)}</td><td>{kind}</td><td>{line.shift_id or ''}</td>"
            f'<td class="num {"tb-minus" if amount < 0 else "tb-plus"}">'
            f"{'+' if amount > 0 else ''}{format_minutes(amount)}</td>"
            f'<td class="num">{format_minutes(line.balance)}</td></tr>\n'
        )
    return Markup("".join(rows))


def _named(who: Named, person_url: Sequence[str]) -> str:
    """A member's name linked to their account page; the chest or a former member named."""
    name = escape(who.name)
    if who.person_id:
        return f'<a href="{person_url[0]}{who.person_id}{person_url[1]}">{name}</a>'
    return str(name)


def named_rows(people: Iterable[Named], person_url: Sequence[str], limits: bool) -> Markup:
    """The rows of the biggest givers or receivers (name, minutes) or, with ``limits``, of
    the accounts near their limit (name, balance, limit): the template's macro per row
    cost more than the page's SQL. ``person_url``: a member's link around their id."""
    rows = []
    for who in people:
        limit = f'<td class="num">{format_minutes(who.limit or 0)}</td>' if limits else ""
        rows.append(
            f"<tr><td>{_named(who, person_url)}</td>"
            f'<td class="num">{format_minutes(who.minutes)}</td>{limit}</tr>\n'
        )
    return Markup("".join(rows))


def recent_rows(transfers: Iterable[Recent], kind_label: Callable[[str], str]) -> Markup:
    """The rows of the latest transfers (number, date, from, to, kind, minutes)."""
    this_year, locale = date.today().year, str(get_locale() or "en")
    label = _escaped_once(kind_label)
    rows = []
    for t in transfers:
        kind = label(t.kind)
        of = f" ({t.reversal_of_id})" if t.reversal_of_id else ""
        rows.append(
            f"<tr><td>{t.id}</td><td>{_short_date(t.service_date, this_year, locale)}</td>"
            f"<td>{escape(t.debit)}</td><td>{escape(t.credit)}</td><td>{kind}{of}</td>"
            f'<td class="num">{format_minutes(t.amount)}</td></tr>\n'
        )
    return Markup("".join(rows))
