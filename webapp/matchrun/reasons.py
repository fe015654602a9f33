"""Words for the codes and reasons the worker stores (in English, the solver's language),
shown in the coordinator's language when the page is rendered."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from webapp.core.dates import reader_date

EXACT = {
    "no approved volunteer with valid credentials makes visits": _l(
        "no approved volunteer with valid checks makes visits"
    ),
    "no eligible volunteer is available in its windows": _l(
        "no suitable volunteer is free at the requested times"
    ),
    "the visit is longer than any eligible volunteer's weekly minutes": _l(
        "the visit is longer than any suitable volunteer's weekly time"
    ),
    "needs two volunteers but no two eligible ones are free at the same time": _l(
        "needs two volunteers but no two suitable ones are free at the same time"
    ),
    "eligible volunteers are over their weekly minutes": _l(
        "the suitable volunteers have no time left this week"
    ),
    "lower priority than the visits served instead": _l(
        "lower priority than the requests served instead"
    ),
    "eligible volunteers are fully booked at its times": _l(
        "the suitable volunteers are already busy at those times"
    ),
    "we do not know where the resident lives": _l("we do not know where the resident lives"),
    "the shift is no longer open": _l("the shift is no longer open"),
    "the pinned volunteer can no longer make visits": _l(
        "the pinned volunteer can no longer make visits"
    ),
    "no wheelchair-accessible car available": _l("no wheelchair-accessible car available"),
    "destination beyond every driver's range": _l("the destination is beyond every driver's range"),
    "no driver available at any time": _l("no driver is available"),
    "no driver available": _l("no driver is available"),
    "no plan found within the time limit": _l("no plan found within the time limit"),
    "conflicts with higher-priority rides": _l("conflicts with higher-priority rides"),
    "conflicts with other rides: every suitable driver is busy then": _l(
        "every suitable driver is busy then"
    ),
    "no driver passes the checks for this ride": _l("no driver passes the checks for this ride"),
    "already proposed for another ride at that time": _l(
        "already proposed for another ride at that time"
    ),
    "already proposed for a visit at that time": _l("already proposed for a visit at that time"),
    "no single driver can do both the outbound and the return leg": _l(
        "no single driver can do both the trip there and the trip back"
    ),
    "the driver has no hours left this week": _l("the driver has no hours left this week"),
}
PATTERNS = [
    (re.compile(r"no volunteer speaks (.+)"), lambda m: _l("no volunteer speaks %(x)s", x=m[1])),
    (
        re.compile(r"no (\w+) volunteer lives within range"),
        lambda m: _l("no %(x)s volunteer lives close enough", x=m[1]),
    ),
    (
        re.compile(r"no volunteer lives within range"),
        lambda m: _l("no volunteer lives close enough"),
    ),
    (re.compile(r"no (\w+) volunteer"), lambda m: _l("no %(x)s volunteer", x=m[1])),
    (
        re.compile(r"every driver free then has used up their hours \(the leg takes \d+ min\)"),
        lambda m: _l("every driver free then has used up their hours this week"),
    ),
    (
        re.compile(r"no driver available at (\d\d:\d\d)"),
        lambda m: _l("no driver is available at %(x)s", x=m[1]),
    ),
]

STAGES = {
    "start": _l("preparing"),
    "pruned": _l("ruling out impossible pairs"),
    "built": _l("building the model"),
    "search": _l("trying better combinations"),
    "searched": _l("checking the plan"),
    "lns": _l("polishing the plan"),
    "priority": _l("serving as many requests as possible"),
    "continuity": _l("keeping familiar faces"),
    "travel": _l("cutting travel"),
    "fairness": _l("spreading the load fairly"),
    "converting": _l("reading the requests"),
    "solving": _l("planning the routes"),
    "checking": _l("checking every ride"),
}


# The rides solver names the other leg by its shift id ("its return leg 141 cannot be
# served: <why>"); the coordinator sees which trip and why, in their language.
_OTHER_LEG = re.compile(r"its (return|outbound) leg \S+ cannot be served: (.+)")


def reason_text(reason: str) -> str:
    if reason in EXACT:
        return str(EXACT[reason])
    m = _OTHER_LEG.fullmatch(reason)
    if m:
        why = reason_text(m[2])
        if m[1] == "return":
            return gettext("the trip back cannot be served: %(why)s", why=why)
        return gettext("the trip there cannot be served: %(why)s", why=why)
    for pattern, words in PATTERNS:
        m = pattern.fullmatch(reason)
        if m:
            return str(words(m))
    return gettext(reason)  # e.g. the shifts feature's own reasons, stored in English


def _day(code: str) -> str:
    try:
        return reader_date(date.fromisoformat(code))
    except ValueError:
        return code


def progress_text(code: str) -> str:
    """Turn the worker's progress code (``stage:week:detail``) into a sentence."""
    parts = (code or "").split(":")
    head = parts[0]
    if head == "queued":
        return gettext("Waiting for the matcher to start…")
    if head == "starting":
        return gettext("Starting…")
    if head == "done":
        return gettext("Done.")
    if head == "failed":
        return gettext("Stopped.")
    day = _day(parts[1]) if len(parts) > 1 else ""
    stage = str(STAGES.get(parts[2], parts[2])) if len(parts) > 2 else ""
    if head == "converting":
        return gettext("Reading the week of %(day)s…", day=day)
    if head == "solving":
        return gettext("Week of %(day)s: %(stage)s…", day=day, stage=stage)
    if head == "baseline":
        return gettext("Week of %(day)s: comparing with first come, first served…", day=day)
    if head == "rides":
        return gettext("Rides from %(day)s: %(stage)s…", day=day, stage=stage)
    return code


def error_text(error: str | None) -> str:
    kind, _, detail = (error or "").partition("|")
    if kind == "input":
        return gettext(
            "The data could not be matched: %(detail)s. Please correct it and try again.",
            detail=detail,
        )
    return gettext(
        "The matcher stopped unexpectedly (%(detail)s). Please try again; if it "
        "happens again, tell your administrator.",
        detail=detail or error or "",
    )
