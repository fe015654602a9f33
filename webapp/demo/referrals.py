"""Demo step "referrals": eight referrals from several sources at every stage of the
path (new, one of them late; contacted; assessed with a loneliness measure; accepted and
helped; closed without service), and one person whose loneliness is due to be measured
again, so a newcomer sees the triage queue, the case file and the report working."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from webapp.core.timeutil import at_local
from webapp.demo.registry import DemoContext, register_demo_step
from webapp.extensions import db
from webapp.orgs.settings import org_tz
from webapp.people.models import Person
from webapp.referrals import operations
from webapp.referrals.models import Channel, Referral, ReferralStatus

S = ReferralStatus
# (days ago, source, referrer, resident index or a new name, [(days after, step)], score)
PATHS: list[tuple[int, str, str, int | str, list[tuple[float, str]], int | None]] = [
    (1, "pharmacy", "Farmacia Centrale", "Giuseppina Di Iorio", [], None),
    (5, "neighbour", "Lucia (piano di sopra)", "Signor Antonio, Via Berta", [], None),
    (8, "gp", "Studio medico Dr. Testa", 0, [(1, "contacted")], None),
    (20, "postal_worker", "Poste, zona Centro", 1, [(2, "contacted"), (3, "assessed")], 7),
    (40, "social_services", "Servizi sociali", 2,
     [(1, "contacted"), (2, "assessed"), (5, "accepted"), (9, "help")], 8),
    (60, "family", "La figlia (Milano)", 3, [(3, "contacted"), (4, "helped_elsewhere")], None),
    (100, "pharmacy", "Farmacia Centrale", 4,
     [(1, "contacted"), (2, "assessed"), (4, "accepted"), (12, "help")], 9),
    (30, "neighbour", "Vicina di casa", "Signora Carmela", [(6, "unreachable")], None),
]  # fmt: skip
ANSWERS = {7: (3, 2, 2), 8: (3, 2, 3), 9: (3, 3, 3)}
ACTIVITIES = [
    {"name": "Caffè della memoria", "what": "Caffè, carte e due chiacchiere",
     "place": "Centro anziani, Via Kennedy 2", "schedule": "Martedì 15:00-17:00",
     "cost": "gratuito", "accessibility": "senza gradini", "contact": "0865 400200"},
    {"name": "Laboratorio intergenerazionale", "what": "Racconti e fotografie con le scuole",
     "place": "Biblioteca comunale", "schedule": "Giovedì 10:00-12:00", "cost": "gratuito",
     "accessibility": "ascensore", "contact": "biblioteca@example.org"},
    {"name": "Andiamo a teatro insieme", "what": "Uno spettacolo al mese, in gruppo",
     "place": "Teatro comunale", "schedule": "Un sabato al mese", "cost": "5 euro",
     "accessibility": "posti per carrozzina", "contact": "0865 400300"},
]  # fmt: skip


def _residents(org_id: int) -> list[Person]:
    return list(
        db.session.scalars(
            sa.select(Person)
            .where(Person.organisation_id == org_id, Person.is_resident.is_(True))
            .order_by(Person.id)
        )
    )


@register_demo_step("referrals", order=55)
def add_referrals(ctx: DemoContext) -> None:
    residents = _residents(ctx.org.id)
    base = at_local(ctx.today, time(10), org_tz(ctx.org.id))
    coordinator = ctx.coordinators[0]
    for ago, source, referrer, who, steps, score in PATHS:
        start = base - timedelta(days=ago)
        person = residents[who] if isinstance(who, int) and who < len(residents) else None
        referral = operations.submit(
            ctx.org.id,
            {
                "subject_name": person.full_name if person else str(who),
                "subject_phone": person.phone if person else "0865 41 77 0" + str(ago % 10),
                "subject_address": person.address if person else None,
                "reason": "Vive da sola e non esce più di casa.",
                "consent": "agreed" if person else "not_asked",
                "source_kind": source,
                "referrer_name": referrer,
                "referrer_contact": "0865 400100",
                "agree": True,
            },
            channel=Channel.PHONE if ago % 2 else Channel.ONLINE,
            now=start,
        )
        if person is not None:
            operations.link_person(referral, person)
            referral.owner_id = coordinator.id
        for after, step in steps:
            _step(referral, person, step, start + timedelta(days=after), score, ctx)
    directory = [operations.add_activity(ctx.org.id, a) for a in ACTIVITIES]
    if len(residents) > 2:  # the social-services referral, helped: she goes to the café
        prescription = operations.prescribe(
            residents[2], directory[0], coordinator, needs_ride=True
        )
        prescription.prescribed_at = base - timedelta(days=30)
        operations.record_attendance(prescription, True, True)


def _step(
    referral: Referral,
    person: Person | None,
    step: str,
    at: datetime,
    score: int | None,
    ctx: DemoContext,
) -> None:
    if step == "assessed" and person is not None and score is not None:
        answers = dict(zip(("companionship", "left_out", "isolated"), ANSWERS[score], strict=True))
        operations.record_measure(
            person, ctx.coordinators[0], answers=answers, direct=2,
            factors=["lives_alone"], now=at,
        )  # fmt: skip
    elif step == "help":
        referral.first_help_at = at
    elif step in ("helped_elsewhere", "unreachable"):
        operations.decline(referral, step, None, at)
    else:
        operations.move(referral, S(step), at)
