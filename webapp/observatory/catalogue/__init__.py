"""The built-in indicators. Importing a module registers its indicators; add a module
here (one import line) to add a section (docs/observatory.md, "Adding an indicator")."""

from webapp.observatory.catalogue import (  # noqa: F401  (each module registers itself)
    activities,
    alerts,
    demand,
    loneliness,
    reach,
    referrals,
    risk,
    services,
    timebank,
    volunteers,
)
