"""The people a search found, written as the list's rows in one pass.

A page of 25 people wrote each row through the template: their link, name, address,
phone and roles, each looked up and escaped on its own (9% of the search's Python time
under load). Here each row is one string; the roles' words are translated once a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape

SHOWN = ("id", "full_name", "address", "phone", "is_resident", "is_volunteer", "is_neighbour")


def result_rows(people: Sequence[Any], case_url: Sequence[str]) -> Markup:
    """The ``<li>`` of each person found (rows of ``people.search.BRIEF``): their name
    linked to their case file (``case_url``: the link around an id), address, phone and
    roles."""
    if not people:
        return Markup("")
    roles = (str(escape(_("resident"))), str(escape(_("volunteer"))), str(escape(_("neighbour"))))
    # The row's values by position, found once (a row's attribute is looked up by name).
    shown = itemgetter(*(people[0]._fields.index(name) for name in SHOWN))
    rows = []
    for person_id, name, address, phone, *flags in map(shown, people):
        details = [str(escape(address or ""))]
        if phone:
            details.append(str(escape(phone)))
        details += [word for flag, word in zip(flags, roles, strict=True) if flag]
        rows.append(
            f'<li><a href="{case_url[0]}{person_id}{case_url[1]}"><strong>{escape(name)}'
            f'</strong></a>\n    <span class="muted">{" · ".join(details)}</span></li>\n'
        )
    return Markup("".join(rows))
