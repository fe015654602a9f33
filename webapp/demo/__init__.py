"""The demo town: a deterministic organisation (Comune di Isernia) with coordinators,
volunteers, residents and neighbours, for trying Ponte with `make run`.

Each feature adds its own demo data as a *step* (see :mod:`webapp.demo.registry`):
put a module in this package (or ``webapp/<feature>/demo.py``) that calls
``register_demo_step("name", fn, order=...)``; the loader finds and runs it.
"""
