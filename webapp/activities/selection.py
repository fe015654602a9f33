"""The ranked, explainable selection of a call for expressions of interest.

Criteria first, then order of application: each application scores the sum of the
activity's weights for the criteria it meets (aged ``age_from`` or more, living alone,
low income, living in an outlying neighbourhood); a higher score ranks first, and among
equal scores the earlier application does. The criteria met are kept on the application
(``reasons``) so the page can say, for each person, why they are where they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from webapp.activities.models import DEFAULT_WEIGHTS, Activity, Application, IncomeBand

CRITERIA = ("age", "alone", "income", "outlying")
LABELS = {
    "age": lambda n: _l("aged %(n)s or more", n=n),
    "alone": lambda n: _l("lives alone"),
    "income": lambda n: _l("low income"),
    "outlying": lambda n: _l("lives in an outlying neighbourhood"),
}


def weights_of(activity: Activity) -> dict[str, int]:
    return {c: int((activity.weights or {}).get(c, DEFAULT_WEIGHTS[c])) for c in CRITERIA}


def criteria_met(activity: Activity, app: Application) -> list[str]:
    hood = (app.person.neighbourhood or "").strip().casefold()
    outlying = {x.strip().casefold() for x in activity.outlying or []}
    met = {
        "age": app.age is not None and app.age >= activity.age_from,
        "alone": app.lives_alone,
        "income": app.income == IncomeBand.LOW,
        "outlying": bool(hood) and hood in outlying,
    }
    return [c for c in CRITERIA if met[c]]


@dataclass(frozen=True)
class Ranked:
    application: Application
    score: int
    reasons: list[str]


def rank(activity: Activity, applications: Iterable[Application]) -> list[Ranked]:
    """Best first: score descending, then applied earlier, then lower id."""
    w = weights_of(activity)
    out = []
    for app in applications:
        met = criteria_met(activity, app)
        out.append(Ranked(app, sum(w[c] for c in met), met))
    return sorted(out, key=lambda r: (-r.score, r.application.applied_at, r.application.id))


def reason_labels(activity: Activity, codes: Iterable[str]) -> list[str]:
    """The criteria met, in words, each with its points: "lives alone (+3)"."""
    w = weights_of(activity)
    return [f"{LABELS[c](activity.age_from)} (+{w[c]})" for c in codes if c in LABELS]
