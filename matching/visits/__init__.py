"""Home visits: who visits whom, and when, over a week (``solve.solve_visits``).

The problem in, a plan out: ``model`` (frozen dataclasses), ``scenario_io`` (the JSON
scenario), ``prune`` (candidate pairs), ``search`` (ruin-and-recreate over volunteers'
weeks: the compiled engine and its Python reference), ``cpsat_model``, ``levels`` and
``lns`` (CP-SAT on the whole week or on neighbourhoods), ``lp_bound`` (the proven bound the
solve reports on small weeks), ``solution`` (plan -> ``VisitSolution`` with reasons),
``baseline`` (first come, first served) and ``check`` (the independent checker).
"""
