"""Demo steps: each adds one feature's demo data.

A step is ``fn(ctx: DemoContext) -> None``. Steps run once, in ``order`` (then name),
inside one transaction, after the organisation and its coordinators exist. They flush,
never commit. Each step gets its own seeded ``random.Random`` from ``ctx.rng(name)``, so
adding a step never changes the data of another one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import overload

import sqlalchemy as sa

from webapp.auth.models import User
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.places.models import GazetteerEntry

SEED = 20261122


@dataclass
class DemoContext:
    org: Organisation
    coordinators: list[User]  # in creation order
    today: date
    password_hash: str  # every demo account shares the demo password
    _addresses: list[str] | None = field(default=None, repr=False)

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{SEED}:{name}")

    def free_address(self, rng: random.Random) -> str:
        """A gazetteer address no other demo person lives at yet, as a person would
        type it ("Via Umbria 7, 86170 Isernia")."""
        if self._addresses is None:
            self._addresses = list(
                db.session.scalars(
                    sa.select(GazetteerEntry.address)
                    .where(GazetteerEntry.organisation_id == self.org.id)
                    .order_by(GazetteerEntry.key)
                )
            )
        if not self._addresses:
            raise RuntimeError("the demo gazetteer is empty: run the places step first")
        address = self._addresses.pop(rng.randrange(len(self._addresses)))
        return f"{address} Isernia"


DemoFn = Callable[[DemoContext], None]


@dataclass(frozen=True)
class DemoStep:
    name: str
    fn: DemoFn
    order: int


_STEPS: dict[str, DemoStep] = {}


@overload
def register_demo_step(name: str, fn: DemoFn, *, order: int = 50) -> DemoFn: ...
@overload
def register_demo_step(
    name: str, fn: None = None, *, order: int = 50
) -> Callable[[DemoFn], DemoFn]: ...
def register_demo_step(
    name: str, fn: DemoFn | None = None, *, order: int = 50
) -> DemoFn | Callable[[DemoFn], DemoFn]:
    """Register ``fn`` as the demo step ``name``; also usable as a decorator:
    ``@register_demo_step("shifts", order=60)``. Core steps use orders 10-40."""

    def add(f: DemoFn) -> DemoFn:
        _STEPS[name] = DemoStep(name, f, order)
        return f

    return add(fn) if fn is not None else add


def all_steps() -> list[DemoStep]:
    """The registered steps in running order (``webapp.demo.steps`` registers them)."""
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.name))
