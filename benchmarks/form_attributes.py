"""What writing the forms' attributes without ``Markup.format`` saves on the city data
(``webapp/core/html_attributes.py`` against WTForms' own ``html_params``).

The pages with forms, each requested alternately one way and the other in one process
(``city_pages.alternate``). Read-only. Usage:

    .venv/bin/python benchmarks/form_attributes.py DATABASE_URL [--requests 400]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.city_pages import alternate  # noqa: E402
from webapp.core.html_attributes import WTFORMS_HTML_PARAMS, html_params, install  # noqa: E402

PAGES = [
    ("volunteer", "/shifts/board"),
    ("volunteer", "/shifts/{checkin}/checkin"),
    ("volunteer", "/timebank/"),
    ("resident", "/requests/help/visit"),
    ("resident", "/timebank/"),
    ("coordinator", "/desk/"),
    ("coordinator", "/timebank/coordinator"),
]


def flip(ours: bool) -> None:
    install(html_params if ours else WTFORMS_HTML_PARAMS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--requests", type=int, default=400, help="of each side, per page")
    args = parser.parse_args()
    alternate(args.url, PAGES, args.requests, flip, ("wtforms", "ours"))
