"""The words of the desk's list of volunteers' checks, translated once per list rather
than once a row: a city's list runs to dozens of rows, each a translation, a label and a
date in the reader's language (most of the rows' cost)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _

from webapp.core.dates import reader_date
from webapp.people.vetting import Lapse, credential_labels


def check_lines(items: Iterable[tuple[Lapse, bool]]) -> list[tuple[Lapse, bool, str]]:
    """Each check of ``items`` (lapsed or not) with its words: "lapsed: Car insurance",
    "Background check until Sunday 27 December"."""
    labels = credential_labels()
    # (Without values gettext gives the translated pattern as it is: filled in below.)
    lapsed_words, until_words = _("lapsed: %(check)s"), _("%(check)s until %(day)s")
    days: dict[date, str] = {}
    lines = []
    for lapse, lapsed in items:
        check = labels[lapse.kind]
        if lapsed or lapse.expires_on is None:
            words = lapsed_words % {"check": check}
        else:
            if lapse.expires_on not in days:
                days[lapse.expires_on] = reader_date(lapse.expires_on)
            words = until_words % {"check": check, "day": days[lapse.expires_on]}
        lines.append((lapse, lapsed, words))
    return lines
