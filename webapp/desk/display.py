"""The people a search found, written as the list's rows in one pass.

A page of 25 people wrote each row through the template: their link, name, address,
phone and roles, each looked up and escaped on its own (9% of the search's Python time
under load). Here each row is one string; the roles' words are translated once a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape


def result_rows(people: Iterable[Any], case_url: Sequence[str]) -> Markup:
    """The ``<li>`` of each person found (rows of ``people.search.BRIEF``): their name
    linked to their case file (``case_url``: the link around an id), address, phone and
    roles."""
    roles = (
        ("is_resident", str(escape(_("resident")))),
        ("is_volunteer", str(escape(_("volunteer")))),
        ("is_neighbour", str(escape(_("neighbour")))),
    )
    rows = []
    for p in people:
        details = [str(escape(p.address or ""))]
        if p.phone:
            details.append(str(escape(p.phone)))
        details += [word for flag, word in roles if getattr(p, flag)]
        rows.append(
            f'<li><a href="{case_url[0]}{p.id}{case_url[1]}"><strong>{escape(p.full_name)}'
            f'</strong></a>\n    <span class="muted">{" · ".join(details)}</span></li>\n'
        )
    return Markup("".join(rows))
