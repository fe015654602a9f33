"""Demo step "timebank": opening balances carried over from a paper ledger, a few
donations between neighbours and to the chest, and grants from the chest.

No shift payments here: those come from completed shifts (the shifts feature's step).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from webapp.demo.registry import DemoContext, register_demo_step
from webapp.extensions import db
from webapp.people.models import Person, VolunteerStatus
from webapp.timebank import operations as ops
from webapp.timebank.errors import LedgerError


@register_demo_step("timebank", order=50)
def add_ledger(ctx: DemoContext) -> None:
    rng = ctx.rng("timebank")
    org_id = ctx.org.id
    coordinator = ctx.coordinators[0]
    people = list(
        db.session.scalars(
            sa.select(Person).where(Person.organisation_id == org_id).order_by(Person.id)
        )
    )
    volunteers = [
        p
        for p in people
        if p.is_volunteer
        and p.volunteer is not None
        and p.volunteer.status == VolunteerStatus.APPROVED
    ]
    receivers = [p for p in people if p.is_resident or p.is_neighbour]
    for n, person in enumerate(volunteers[:30]):
        ops.adjust(
            key=f"demo:open:{person.id}",
            person=person,
            minutes=rng.choice([60, 90, 120, 180, 240, 300, 420]),
            actor_id=coordinator.id,
            service_date=ctx.today - timedelta(days=60),
            reason="Ore riportate dal registro cartaceo",
        )
        if n % 4 == 0:
            ops.donate(
                key=f"demo:chest:{person.id}",
                donor=person,
                recipient=None,
                minutes=30,
                actor_id=None,
                service_date=ctx.today - timedelta(days=rng.randint(1, 20)),
                reason="Per chi non può ricambiare",
            )
    for n, person in enumerate(receivers[:12]):
        try:
            if n % 3 == 0:
                ops.grant(
                    key=f"demo:grant:{person.id}",
                    recipient=person,
                    minutes=rng.choice([60, 120]),
                    actor_id=coordinator.id,
                    service_date=ctx.today - timedelta(days=rng.randint(1, 25)),
                    reason="Aiuto del salvadanaio per l'inverno",
                )
            else:
                friend = volunteers[(n * 7) % len(volunteers)]
                ops.donate(
                    key=f"demo:gift:{person.id}",
                    donor=person,
                    recipient=friend,
                    minutes=rng.choice([15, 30, 45]),
                    actor_id=None,
                    service_date=ctx.today - timedelta(days=rng.randint(1, 25)),
                    reason="Grazie per il caffè",
                )
        except LedgerError:  # a limit in a hand-made demo is not worth failing the load
            continue
    db.session.flush()
