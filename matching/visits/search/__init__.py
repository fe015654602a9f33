"""Ruin-and-recreate search over volunteers' weeks: the level-1 engine of ``solve_visits``.

Two engines with the same moves and the same answer type: ``fast_search`` runs the
compiled ``kernel`` (numba; what the solve uses wherever it can) and ``ruin_recreate`` is
the readable Python reference (also serving an injected distance function or a week too
big for the kernel's travel table). ``routes`` (a volunteer's week) and ``week_plan`` (the
plan and its moves) belong to the Python engine; the kernel keeps the same rules on arrays.
"""
