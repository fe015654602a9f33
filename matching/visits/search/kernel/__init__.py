"""The ruin-and-recreate search of ``visits.search.ruin_recreate``, compiled with numba.

Why a second copy of the search: on a city week the plan keeps improving with the work
put in (2 M position tests give 3817 at 2000 x 400, 48 M give 3841), and pure Python
manages about 2 M in 10 s. The same moves on flat arrays, compiled, do 7-8 times more
in the same time. ``visits.search.ruin_recreate`` stays the readable reference and serves
what this cannot (an injected distance function, a week too big for the travel table).

Everything here works on numpy arrays held in two named tuples: ``Static`` (the options,
never changed by the search) and ``State`` (the weeks, who serves what, the undo log, the
best plan). The rules kept are those of ``visits.search.week_plan`` and
``visits.search.routes``; the strategy (ruin, recreate, annealing, polish) is
``visits.search.ruin_recreate``'s with numpy's random generator instead of Python's.
Travel minutes are filled in lazily: a cheap ellipsoidal distance settles most pairs;
Vincenty's formula the rest, rounded up when it lies within a centimetre of a minute
boundary, so a plan never counts less travel than the checker's geodesic.

Modules: ``state`` (constants, ``Static``, ``State``), ``travel``, ``weeks`` (a week, who
serves what, the undo), ``insert`` (cheapest places: the hot loop), ``plans`` (first,
best and restored plans) and ``search`` (ruin, recreate, anneal, tidy). ``fast_search``
runs them.
"""

from matching.visits.search.kernel.plans import construct, restore_best, save_best
from matching.visits.search.kernel.search import anneal, seed_rng, tidy
from matching.visits.search.kernel.state import POLISHING, WORK, State, Static
from matching.visits.search.kernel.travel import travel_of, vincenty_km

__all__ = [
    "Static",
    "State",
    "WORK",
    "POLISHING",
    "construct",
    "restore_best",
    "save_best",
    "seed_rng",
    "anneal",
    "tidy",
    "travel_of",
    "vincenty_km",
]
