"""Every demo step, in one list a newcomer can read: importing a module registers its
step (see :mod:`webapp.demo.registry`); the loader runs them in their ``order``."""

from webapp.demo import (  # noqa: F401  (each module registers its step)
    history,
    neighbours,
    places,
    referrals,
    residents,
    shifts,
    timebank,
    volunteers,
)
