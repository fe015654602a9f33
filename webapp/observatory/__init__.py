"""The observatory: aggregate indicators for the council and its partners (docs/observatory.md).

Aggregates only, no names; a cell counting fewer than 5 people is suppressed
(``privacy.py``). An indicator is one small function registered in ``indicators.py``.
"""
