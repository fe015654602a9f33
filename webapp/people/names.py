"""Names in lists a coordinator picks from.

Two volunteers can share a name (in the demo town and in real ones: common surnames run in
families and villages). A list of bare names then offers two identical entries, and a
coordinator pins or assigns the wrong person. Only namesakes get a hint, so the usual list
stays as short as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from webapp.people.models import Person


def picker_labels(people: Iterable[Person]) -> dict[int, str]:
    """Person id -> the name to show; a name two of ``people`` share gets the first of
    neighbourhood, e-mail, phone that tells them apart, else the person's number."""
    people = list(people)
    shared = Counter(p.full_name for p in people)
    out: dict[int, str] = {}
    for p in people:
        name = p.full_name
        if shared[name] == 1:
            out[p.id] = name
            continue
        twins = [q for q in people if q.full_name == name]
        hint = next(
            (
                value
                for value in (p.neighbourhood, p.email, p.phone)
                if value
                and sum(1 for q in twins if value in (q.neighbourhood, q.email, q.phone)) == 1
            ),
            f"#{p.id}",
        )
        out[p.id] = f"{name} ({hint})"
    return out
