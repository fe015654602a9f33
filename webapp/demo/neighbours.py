"""Demo step "neighbours": 6 neighbours who both give help (visits, sometimes a lift)
and ask for it (a ride to the doctor, company): one person, two roles."""

from __future__ import annotations

from webapp.demo.names import MEN, SURNAMES, WOMEN, EmailBook, mobile
from webapp.demo.people import geocoded_person, member_login, resident_profile, volunteer_profile
from webapp.demo.registry import DemoContext, register_demo_step
from webapp.people.models import VolunteerStatus

COUNT = 6


@register_demo_step("neighbours", order=40)
def add_neighbours(ctx: DemoContext) -> None:
    rng = ctx.rng("neighbours")
    emails = EmailBook()  # per load: the same names give the same e-mails
    for index in range(COUNT):
        female = index % 3 != 2
        first = rng.choice(WOMEN if female else MEN)
        last = rng.choice(SURNAMES)
        person = geocoded_person(
            ctx,
            rng,
            first_name=first,
            last_name=last,
            gender="female" if female else "male",
            languages=["it"],
            phone=mobile(rng),
            email=emails.make(first, last, "vicini.example.org"),
            is_neighbour=True,
        )
        volunteer_profile(
            ctx, rng, person, visits=True, driving=index == 0, status=VolunteerStatus.APPROVED
        )
        resident_profile(ctx, rng, person)
        member_login(ctx, person)
