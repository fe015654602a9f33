"""Demo step "residents": 144 residents, mostly 75 or older, mostly reached by phone.

Many have no e-mail (and so no login); some have a guardian; mobility needs, interests
and consent recorded by a coordinator on the phone.
"""

from __future__ import annotations

from webapp.demo.names import OLD_MEN, OLD_WOMEN, SURNAMES, EmailBook, landline, mobile
from webapp.demo.people import geocoded_person, member_login, resident_profile
from webapp.demo.registry import DemoContext, register_demo_step

COUNT = 144


@register_demo_step("residents", order=30)
def add_residents(ctx: DemoContext) -> None:
    rng = ctx.rng("residents")
    emails = EmailBook()  # per load: the same names give the same e-mails
    for _ in range(COUNT):
        female = rng.random() < 0.68  # women outlive men: most isolated elderly are women
        first = rng.choice(OLD_WOMEN if female else OLD_MEN)
        last = rng.choice(SURNAMES)
        has_email = rng.random() < 0.12
        languages = ["it"] if rng.random() < 0.95 else ["it", rng.choice(["en", "ro"])]
        person = geocoded_person(
            ctx,
            rng,
            first_name=first,
            last_name=last,
            gender="female" if female else "male",
            languages=languages,
            phone=landline(rng) if rng.random() < 0.8 else mobile(rng),
            email=emails.make(first, last, "famiglia.example.org") if has_email else None,
            is_resident=True,
        )
        resident_profile(ctx, rng, person)
        if person.email:
            member_login(ctx, person)
