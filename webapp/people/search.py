"""Finding a person: by name, by phone in any format, by address; and spotting duplicates.

A coordinator on the phone has a number on the display ("+39 0865 412345", "0865412345",
"0039 865-41-23-45") or a name said aloud, often only part of it. The search compares
phone numbers by their last nine digits (country and trunk prefixes vary, the
subscriber's digits do not) and names and addresses word by word, ignoring case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from webapp.db import read_columns
from webapp.extensions import db
from webapp.people.models import (
    Person,
    ResidentProfile,
    VolunteerProfile,
    folded,
    phone_digits,
)

PHONE_TAIL = 9  # digits compared; enough to tell numbers apart, short of any prefix
MIN_PHONE_DIGITS = 5  # fewer digits in a query are part of a name or a house number
# The last page a search shows: 10,000 pages of PAGE_SIZE people.
MAX_PAGE = 10_000
PAGE_SIZE = 25


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def phone_tail(text: str | None) -> str:
    return digits(text)[-PHONE_TAIL:]


def _plain(text: str | None) -> str:
    """Lower case without accents: "Nicolò" finds "Nicolo" and the other way round."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _words(text: str) -> list[str]:
    """The words of ``text``, folded (:func:`_plain`). Split after folding: a word then
    never holds a space (a compatibility form may bring one), so it cannot match across
    two of the columns ``Person.search_text`` joins with spaces."""
    return _plain(text).split()


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Page:
    people: list[Any]  # people, or rows of what a list of them shows (``brief``)
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _role_filter(
    query: sa.Select[*tuple[Any, ...]], role: str | None
) -> sa.Select[*tuple[Any, ...]]:
    if role == "resident":
        return query.where(sa.or_(Person.is_resident.is_(True), Person.is_neighbour.is_(True)))
    if role == "resident_profile":  # asks for help (a neighbour may only give it)
        return query.where(sa.exists().where(ResidentProfile.person_id == Person.id))
    if role == "volunteer":  # joined: callers may filter on the profile (its status)
        return query.join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
    return query


# The phone numbers without their separators, as their trigram indexes have them: built
# once (each nests seven replace() calls; building them for every search took longer than
# the database took to answer it).
_OWN_PHONE = phone_digits(Person.phone)
_GUARDIAN_PHONE = phone_digits(ResidentProfile.guardian_phone)


def _phone_number(text: str) -> str | None:
    """The digits of ``text`` if it is a phone number (five digits or more, nothing but
    digits and a phone's separators), else None."""
    number = digits(text)
    if len(number) >= MIN_PHONE_DIGITS and not re.search(r"[^\d\s+().\-/]", text):
        return number
    return None


def _by_phone(tail: sa.ColumnElement[str] | str) -> sa.ColumnElement[bool]:
    # A union, not an OR: PostgreSQL then reads each side from its trigram index.
    own = sa.select(Person.id).where(_OWN_PHONE.like(tail, escape="\\"))
    guardian = sa.select(ResidentProfile.person_id).where(_GUARDIAN_PHONE.like(tail, escape="\\"))
    return Person.id.in_(sa.union(own, guardian))


def _by_word(pattern: sa.ColumnElement[str] | str) -> sa.ColumnElement[bool]:
    # One column holds the four searched ones folded (``Person.search_text``): the
    # database checks a row with one LIKE instead of folding four columns again.
    return Person.search_text.like(pattern, escape="\\")


def matching(org_id: int, text: str, role: str | None = None) -> sa.Select[Person]:
    """The query for people of ``org_id`` matching ``text`` (every word must match the
    first name, last name, address or neighbourhood; a number of five digits or more
    matches the phone or the guardian's phone)."""
    query = _role_filter(sa.select(Person).where(Person.organisation_id == org_id), role)
    number = _phone_number(text)
    if number is not None:
        return query.where(_by_phone(_like(number[-PHONE_TAIL:])))
    return query.where(*(_by_word(_like(word)) for word in _words(text)))


# What a list of people found shows (the desk's "who is calling?"), read instead of whole
# people when that is all a page needs.
BRIEF = (
    Person.id,
    Person.first_name,
    Person.last_name,
    (Person.first_name + " " + Person.last_name).label("full_name"),
    Person.address,
    Person.phone,
    Person.is_resident,
    Person.is_volunteer,
    Person.is_neighbour,
)


@lru_cache(maxsize=64)  # (a shape per number of words typed: a few in practice)
def _page_statement(
    role: str | None, words: int | None, brief: bool
) -> sa.Select[*tuple[Any, ...]]:
    """A page of the people of ``:org_id`` matching a phone number (``words`` None: the
    ``:tail``) or ``words`` words (``:w0``, ``:w1``...; none: everyone), by name, with
    how many match in all; built once per shape (the desk searches at every call)."""
    shown = BRIEF if brief else (Person,)
    query = _role_filter(
        sa.select(*shown, sa.func.count().over().label("total")).where(
            Person.organisation_id == sa.bindparam("org_id")
        ),
        role,
    )
    if words is None:
        query = query.where(_by_phone(sa.bindparam("tail", type_=sa.String)))
    else:
        query = query.where(
            *(_by_word(sa.bindparam(f"w{i}", type_=sa.String)) for i in range(words))
        )
    return (
        query.order_by(Person.last_name, Person.first_name, Person.id)
        .limit(sa.bindparam("size", type_=sa.Integer))
        .offset(sa.bindparam("skip", type_=sa.Integer))
    )


def search(
    org_id: int,
    text: str,
    *,
    role: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
    where: Sequence[sa.ColumnElement[bool]] = (),
    brief: bool = False,
) -> Page:
    """One page of the people matching ``text`` (everyone when it is empty), by name;
    ``where`` narrows it further (a volunteer status); ``brief``: rows of :data:`BRIEF`
    rather than people. One statement: the page's people and how many match in all."""
    text = text.strip()
    # Past any real list, and an offset every database takes (a page number typed as 20
    # digits overflowed SQLite's integer: a 500).
    page = min(max(1, page), MAX_PAGE)
    values: dict[str, Any] = {"org_id": org_id, "size": size, "skip": (page - 1) * size}
    number = _phone_number(text) if text else None
    if number is not None:
        statement = _page_statement(role, None, brief)
        values["tail"] = _like(number[-PHONE_TAIL:])
    else:
        words = _words(text)
        statement = _page_statement(role, len(words), brief)
        values.update({f"w{i}": _like(word) for i, word in enumerate(words)})
    if where:
        statement = statement.where(*where)
    if brief:  # columns: read past the ORM's result layer (``read_columns``)
        rows = read_columns(db.session(), statement, values).all()
    else:
        rows = db.session.execute(statement, values).all()
    if rows:
        total = rows[0].total
    elif page == 1:
        total = 0
    else:  # a page past the last: how many there are, for the pager
        counted = statement.with_only_columns(sa.func.count()).order_by(None).limit(None)
        total = db.session.scalar(counted.offset(None), values) or 0
    return Page([row if brief else row[0] for row in rows], total, page, size)


# --- duplicates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    person: Person
    reasons: tuple[str, ...]  # "phone", "name", "address"


def _similar(a: str, b: str, threshold: float) -> bool:
    a, b = _plain(a), _plain(b)
    return bool(a and b) and SequenceMatcher(None, a, b).ratio() >= threshold


def _address_key(address: str | None) -> str:
    """Street and number, without the town and punctuation: "Via Roma 3, Isernia"."""
    first = _plain((address or "").split(",")[0])
    return re.sub(r"[^\w]+", " ", first).strip()


def possible_duplicates(
    org_id: int,
    *,
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
    address: str | None,
    exclude_id: int | None = None,
) -> list[Duplicate]:
    """People already registered who may be the one being registered: the same phone
    number, or a similar name (typos, swapped first and last name) at a similar or the
    same address. Reads the organisation's people with a name or number in common."""
    name = f"{first_name or ''} {last_name or ''}".strip()
    tail = phone_tail(phone)
    candidates: dict[int, Person] = {}
    if len(tail) >= MIN_PHONE_DIGITS:
        for p in db.session.scalars(matching(org_id, tail)):
            candidates[p.id] = p
    surname = _plain(last_name)[:3]
    given = _plain(first_name)[:3]
    if surname or given:
        rough = sa.or_(
            *(
                folded(column).like(_like(part), escape="\\")
                for part in (surname, given)
                if part
                for column in (Person.first_name, Person.last_name)
            )
        )
        query = sa.select(Person).where(Person.organisation_id == org_id, rough)
        for p in db.session.scalars(query):
            candidates[p.id] = p
    out = []
    for p in list(candidates.values()):
        if p.id == exclude_id:
            continue
        reasons = []
        if len(tail) >= MIN_PHONE_DIGITS and tail in (phone_tail(p.phone),):
            reasons.append("phone")
        same_name = _similar(name, p.full_name, 0.85) or _similar(
            name, f"{p.last_name} {p.first_name}", 0.85
        )
        same_address = bool(_address_key(address)) and _similar(
            _address_key(address), _address_key(p.address), 0.85
        )
        if same_name:
            reasons.append("name")
        if same_address:
            reasons.append("address")
        # A shared name alone is common (a town of Rossi); a shared address alone is a
        # household. Either with the phone, or both together, is likely the same person.
        if "phone" in reasons or (same_name and same_address):
            out.append(Duplicate(p, tuple(reasons)))
    return sorted(out, key=lambda d: (-len(d.reasons), d.person.last_name, d.person.id))
