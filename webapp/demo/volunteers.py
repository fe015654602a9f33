"""Demo step "volunteers": 54 volunteers (home visitors, drivers, both).

Most are approved; a few wait for approval, one is suspended and one rejected; four
have a required credential lapsing within 30 days and one has lapsed already.
"""

from __future__ import annotations

from random import Random

from webapp.demo.names import MALE_NEWCOMERS, MEN, NEWCOMERS, SURNAMES, WOMEN, EmailBook, mobile
from webapp.demo.people import geocoded_person, member_login, volunteer_profile
from webapp.demo.registry import DemoContext, register_demo_step
from webapp.people.models import VolunteerStatus

COUNT = 54
PENDING = {5, 17, 29, 41}
SUSPENDED = 11
REJECTED = 23
LAPSING = {3: 6, 14: 13, 26: 21, 38: 28}  # volunteer index -> days until a credential lapses
LAPSED = 8  # lapsed 12 days ago


def _identity(rng: Random, index: int) -> tuple[str, str, str | None, list[str]]:
    if index % 6 == 4:  # about one in six is a newer neighbour of Isernia
        firsts, lasts, language = NEWCOMERS[(index // 6) % len(NEWCOMERS)]
        first = rng.choice(firsts)
        gender: str | None = "male" if first in MALE_NEWCOMERS else "female"
        return first, rng.choice(lasts), gender, ["it", language]
    female = rng.random() < 0.6
    first = rng.choice(WOMEN if female else MEN)
    languages = ["it", "en"] if rng.random() < 0.2 else ["it"]
    gender = None if rng.random() < 0.15 else ("female" if female else "male")
    return first, rng.choice(SURNAMES), gender, languages


@register_demo_step("volunteers", order=20)
def add_volunteers(ctx: DemoContext) -> None:
    rng = ctx.rng("volunteers")
    emails = EmailBook()  # per load: the same names give the same e-mails
    for index in range(COUNT):
        first, last, gender, languages = _identity(rng, index)
        person = geocoded_person(
            ctx,
            rng,
            first_name=first,
            last_name=last,
            gender=gender,
            languages=languages,
            phone=mobile(rng),
            email=emails.make(first, last),
            is_volunteer=True,
        )
        offer = rng.random()
        visits, driving = offer < 0.75, offer >= 0.4  # ~40% visits, ~25% driving, ~35% both
        status = VolunteerStatus.APPROVED
        if index in PENDING:
            status = VolunteerStatus.PENDING
        elif index == SUSPENDED:
            status = VolunteerStatus.SUSPENDED
        elif index == REJECTED:
            status = VolunteerStatus.REJECTED
        lapsing = LAPSING.get(index, -12 if index == LAPSED else None)
        volunteer_profile(
            ctx,
            rng,
            person,
            visits=visits,
            driving=driving,
            status=status,
            lapsing_in_days=lapsing,
        )
        member_login(ctx, person)
