"""Generate webapp/data/isernia_gazetteer.csv, the demo town's gazetteer.

The street names are real streets of Isernia (Molise, Italy); the COORDINATES ARE
SYNTHETIC: each street is drawn as a short straight segment inside an invented
neighbourhood disc around the real town centre (41.5936 N, 14.2325 E), and house numbers
are spread along it. Good enough for distances and matching in a demo; not a map.

Deterministic (seeded): running it again writes the same file.
    python tools/make_demo_gazetteer.py [OUTPUT.csv]
"""

from __future__ import annotations

import csv
import math
import random
import sys
from pathlib import Path

SEED = 20261122
CENTRE = (41.5936, 14.2325)
POSTCODE = "86170"
OUTPUT = Path(__file__).resolve().parent.parent / "webapp" / "data" / "isernia_gazetteer.csv"

# neighbourhood: (km north of the centre, km east, radius km, streets)
# fmt: off
NEIGHBOURHOODS: dict[str, tuple[float, float, float, list[str]]] = {
    "Centro storico": (-0.35, -0.30, 0.35, [
        "Corso Marcelli", "Piazza Celestino V", "Via Occidentale", "Via Orientale",
        "Largo Purgatorio", "Piazza Andrea d'Isernia", "Via Mazzini", "Vico Storto Castello",
    ]),
    "Centro": (0.10, 0.15, 0.40, [
        "Corso Garibaldi", "Via XXIV Maggio", "Piazza della Repubblica", "Via Berta",
        "Via Cavour", "Via Giovanni XXIII", "Piazza Tullio Tedeschi", "Via Libero Testa",
    ]),
    "San Lazzaro": (0.75, 0.85, 0.45, [
        "Viale dei Pentri", "Via dei Sanniti", "Via dei Frentani", "Via dei Marsi",
        "Via Kennedy", "Via San Lazzaro",
    ]),
    "Le Piane": (1.40, -0.10, 0.55, [
        "Via Umbria", "Via Toscana", "Via Marche", "Via Lazio", "Via Abruzzo",
        "Via Campania", "Via Puglia",
    ]),
    "Santo Spirito": (0.45, -0.85, 0.40, [
        "Via Santo Spirito", "Via Latina", "Via Sant'Ippolito", "Via Duca degli Abruzzi",
    ]),
    "San Leucio": (-0.80, 0.95, 0.45, [
        "Via San Leucio", "Via Fratelli Bandiera", "Via Gramsci", "Via Matteotti",
        "Via Ponte San Leonardo",
    ]),
    "Castagna": (-1.30, -0.60, 0.40, [
        "Contrada Castagna", "Via Vittorio Veneto", "Via Molise",
    ]),
    "Fragnete": (-0.20, -1.60, 0.45, [
        "Contrada Fragnete", "Via Roma", "Via Sannitica",
    ]),
}
# fmt: on


def offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    """Move (lat, lon) by kilometres (fine at town scale)."""
    return (
        lat + north_km / 110.574,
        lon + east_km / (111.320 * math.cos(math.radians(lat))),
    )


def generate(rng: random.Random) -> list[dict[str, str]]:
    rows = []
    for name, (north, east, radius, streets) in NEIGHBOURHOODS.items():
        hood = offset(*CENTRE, north, east)
        for street in streets:
            # A street: a segment through a random point of the neighbourhood disc.
            angle = rng.uniform(0, math.pi)
            r = radius * math.sqrt(rng.random()) * 0.6
            a = rng.uniform(0, 2 * math.pi)
            mid = offset(*hood, r * math.sin(a), r * math.cos(a))
            half = rng.uniform(0.12, 0.35)  # km
            start = offset(*mid, -half * math.sin(angle), -half * math.cos(angle))
            end = offset(*mid, half * math.sin(angle), half * math.cos(angle))
            if street.startswith(("Piazza", "Largo")):
                numbers = range(1, rng.randint(8, 14))
            else:
                numbers = range(1, rng.choice([16, 24, 30, 40]) + 1, rng.choice([2, 3, 4]))
            numbers = list(numbers)
            top = max(numbers)
            for n in numbers:
                t = (n - 1) / max(top - 1, 1)
                lat = start[0] + t * (end[0] - start[0])
                lon = start[1] + t * (end[1] - start[1])
                # Odd numbers on one side of the street, even on the other (~10 m).
                side = 0.01 if n % 2 else -0.01
                lat, lon = offset(lat, lon, side * math.cos(angle), -side * math.sin(angle))
                rows.append(
                    {
                        "address": f"{street} {n}",
                        "lat": f"{lat:.6f}",
                        "lon": f"{lon:.6f}",
                        "neighbourhood": name,
                        "postcode": POSTCODE,
                    }
                )
    return rows


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    rows = generate(random.Random(SEED))
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["address", "lat", "lon", "neighbourhood", "postcode"]
        )
        writer.writeheader()
        writer.writerows(rows)
    print(f"Wrote {len(rows)} addresses to {output}")


if __name__ == "__main__":
    main()
