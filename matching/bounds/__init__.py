"""Proven upper bounds on level 1 (priority served), for benchmarks and tests only.

Research and reference code: nothing in production imports this package (the solve's own
bound is ``visits.lp_bound``). ``cg_bound`` (column generation over each volunteer's
feasible visit sequences per slot; ``cg_pricing`` prices a slot piece, ``cg_week`` keeps a
volunteer's weekly minutes whole) is the tightest and slowest; ``relaxation`` (CP-SAT on a
timing-free relaxation, over the capped candidates only) is kept for comparison.
"""
