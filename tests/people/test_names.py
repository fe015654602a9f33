"""Namesakes in coordinators' pick lists get a hint that tells them apart."""

from __future__ import annotations

from webapp.people.models import Person
from webapp.people.names import picker_labels


def _p(pid: int, first: str, last: str, **kw) -> Person:  # type: ignore[no-untyped-def]
    return Person(id=pid, first_name=first, last_name=last, **kw)


def test_unique_names_stay_bare():
    people = [_p(1, "Rita", "Caranci", neighbourhood="Centro"), _p(2, "Paola", "Mancini")]
    assert picker_labels(people) == {1: "Rita Caranci", 2: "Paola Mancini"}


def test_namesakes_get_their_neighbourhood():
    people = [
        _p(4, "Nicola", "Caranci", neighbourhood="San Leucio"),
        _p(14, "Nicola", "Caranci", neighbourhood="Santo Spirito"),
        _p(5, "Rita", "Caranci", neighbourhood="San Leucio"),
    ]
    assert picker_labels(people) == {
        4: "Nicola Caranci (San Leucio)",
        14: "Nicola Caranci (Santo Spirito)",
        5: "Rita Caranci",
    }


def test_same_neighbourhood_falls_back_to_email_then_phone_then_number():
    same = dict(neighbourhood="Centro")
    people = [
        _p(1, "Anna", "Rossi", email="anna@example.org", **same),
        _p(2, "Anna", "Rossi", email="a.rossi@example.org", **same),
    ]
    assert picker_labels(people) == {
        1: "Anna Rossi (anna@example.org)",
        2: "Anna Rossi (a.rossi@example.org)",
    }
    people = [_p(1, "Anna", "Rossi", phone="+39 1", **same), _p(2, "Anna", "Rossi", **same)]
    assert picker_labels(people) == {1: "Anna Rossi (+39 1)", 2: "Anna Rossi (#2)"}
