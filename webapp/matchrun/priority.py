"""How much each request weighs in the solver's first objective level (priority served).

A coordinator marks a request normal, high or urgent (``Request.priority``); rides also
weigh by purpose (about 90% of solidarity-taxi rides are health related, DOMAIN.md). The
level maximises the sum of the weights served, so the weights say how many ordinary
requests one urgent request is worth when a volunteer's hours cannot cover both: an
urgent one (4) outweighs three normal ones, a high one (2) outweighs one. With every
request normal the weights are what they were before priorities existed (1 per visit,
the purpose's weight per ride), so plans do not change.
"""

from __future__ import annotations

from webapp.requests.models import Priority, Request, RidePurpose

URGENCY = {Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 4}
PURPOSE = {RidePurpose.MEDICAL: 3, RidePurpose.PHARMACY: 2}


def _urgency(req: Request) -> int:
    return URGENCY.get(Priority(req.priority), 1) if req.priority else 1


def visit_priority(req: Request) -> int:
    return _urgency(req)


def ride_priority(req: Request) -> int:
    purpose = PURPOSE.get(req.purpose, 1) if req.purpose is not None else 1
    return purpose * _urgency(req)
