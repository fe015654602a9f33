"""Loneliness scales, scored exactly as published. Pure: no Flask, no database.

**UCLA 3-item loneliness scale** (Hughes, Waite, Hawkley and Cacioppo, "A short scale
for measuring loneliness in large surveys", *Research on Aging* 26(6), 2004, 655-672;
recommended for adults by the Office for National Statistics, "Measuring loneliness:
guidance for use of the national indicators on surveys", 2018). Three questions:

1. How often do you feel that you lack companionship?
2. How often do you feel left out?
3. How often do you feel isolated from others?

each answered "hardly ever or never" (1), "some of the time" (2) or "often" (3). The
score is the sum, 3 to 9; higher is lonelier. A score needs all three answers: the
published scale has no rule for a missing item, so none is guessed.

**The direct question** (ONS): "How often do you feel lonely?" Often/always (1), some of
the time (2), occasionally (3), hardly ever (4), never (5). Reported on its own, never
added to the UCLA score.

Neither source sets a cut-off. Ponte's *risk level* (:func:`risk_level`) is the
service's own triage rule, built on the cut-off of 6 commonly used with this scale in
the English Longitudinal Study of Ageing; it is not part of the scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

UCLA3 = "ucla3"
UCLA3_ITEMS: tuple[str, ...] = ("companionship", "left_out", "isolated")
UCLA3_ANSWERS: tuple[int, ...] = (1, 2, 3)  # hardly ever or never, some of the time, often
UCLA3_MIN, UCLA3_MAX = 3, 9
LONELY_FROM = 6  # the usual cut-off (see the module docstring): not the scale's own

DIRECT_ANSWERS: tuple[int, ...] = (1, 2, 3, 4, 5)  # often/always .. never
DIRECT_OFTEN = 1

RISK_FACTORS: tuple[str, ...] = (
    "lives_alone",
    "bereaved",
    "no_family_nearby",
    "mobility",
    "hearing_sight",
    "hospital_discharge",
)


class ScaleError(ValueError):
    """An answer is missing or not one of the scale's codes; ``item`` names it."""

    def __init__(self, item: str, message: str) -> None:
        super().__init__(message)
        self.item = item


def ucla3_score(answers: Mapping[str, int | None]) -> int:
    """The UCLA-3 total (3-9) of the coded answers, keyed by :data:`UCLA3_ITEMS`."""
    total = 0
    for item in UCLA3_ITEMS:
        value = answers.get(item)
        if value is None:
            raise ScaleError(item, f"{item}: no answer")
        if value not in UCLA3_ANSWERS:
            raise ScaleError(item, f"{item}: {value!r} is not an answer of the scale")
        total += value
    return total


def check_direct(value: int | None) -> int | None:
    """The direct question's answer, checked (it may be left unasked)."""
    if value is not None and value not in DIRECT_ANSWERS:
        raise ScaleError("direct", f"direct: {value!r} is not an answer")
    return value


@dataclass(frozen=True)
class Risk:
    level: str  # "high", "medium", "low"
    lonely: bool


def risk_level(score: int, direct: int | None, factors: Sequence[str]) -> Risk:
    """Ponte's triage rule (documented in docs/referrals.md): lonely means a UCLA-3
    score of 6 or more, or feeling lonely often/always; *high* when lonely with two or
    more risk factors, or lonely often/always; *medium* when lonely, or with two or more
    risk factors; otherwise *low*."""
    often = direct == DIRECT_OFTEN
    lonely = score >= LONELY_FROM or often
    many = len(set(factors) & set(RISK_FACTORS)) >= 2
    if often or (lonely and many):
        return Risk("high", lonely)
    if lonely or many:
        return Risk("medium", lonely)
    return Risk("low", lonely)
