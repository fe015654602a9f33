"""Demo step "places": the shipped Isernia gazetteer (synthetic coordinates)."""

from __future__ import annotations

from pathlib import Path

from webapp.demo.registry import DemoContext, register_demo_step
from webapp.places.geocoding import point
from webapp.places.operations import import_gazetteer, parse_gazetteer

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "isernia_gazetteer.csv"


@register_demo_step("places", order=10)
def load_gazetteer(ctx: DemoContext) -> None:
    org = ctx.org
    rows = parse_gazetteer(
        GAZETTEER.read_text(encoding="utf-8"),
        point(org.centre_lat, org.centre_lon),
    )
    import_gazetteer(org.id, rows)
