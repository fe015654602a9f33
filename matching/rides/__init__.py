"""Solidarity-taxi rides: volunteer drivers take elderly people to appointments and back.

``model`` (problem and solution dataclasses, validation, each leg's windows), ``solver``
(``solve_rides`` on OR-Tools routing), ``check`` (an independent checker) and
``scenario_io`` (the ``rides`` part of the JSON scenario). See docs/rides.md.
"""
