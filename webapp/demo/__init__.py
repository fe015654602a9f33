"""The demo town: a deterministic organisation (Comune di Isernia) with coordinators,
volunteers, residents and neighbours, for trying Ponte with `make run`.

Each feature's demo data is a *step* (see :mod:`webapp.demo.registry`): a module in this
package that calls ``register_demo_step("name", fn, order=...)``, listed in
:mod:`webapp.demo.steps`. The demo sits on top of every feature, so it may use them all.
"""
