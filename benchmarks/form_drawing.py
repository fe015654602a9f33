"""What two ways of drawing forms faster save on the city data, each page requested
alternately one way and the other in one process (``city_pages.alternate``):

- ``attributes``: the fields' attributes written without ``Markup.format``
  (``webapp/core/html_attributes.py``) against WTForms' own ``html_params``;
- ``hidden``: on a GET, the forms of a member's time bank, the resident's request forms
  and the coordinator's reversal and export forms stood for by ``core.forms.BlankForm``
  (their hidden tags written from a pattern kept per class, the form built only if a
  field is drawn) against built at each view;
- ``blank``: a member's time bank with its blank donation and token forms, the
  resident's request forms and the coordinator's time bank's reversal and export forms
  drawn once (``core.forms.drawn_once``; the give-to field kept per member) against
  drawn at each view.

Read-only. Usage:

    .venv/bin/python benchmarks/form_drawing.py DATABASE_URL [--change attributes|blank|hidden]
        [--requests 400]

(``--change hidden``: the fourteenth round; the others, the thirteenth.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.city_pages import alternate  # noqa: E402
from webapp.core.html_attributes import WTFORMS_HTML_PARAMS, html_params, install  # noqa: E402
from webapp.requests import views as requests_views  # noqa: E402
from webapp.timebank import coordinator_views as timebank_coordinator_views  # noqa: E402
from webapp.timebank import views as timebank_views  # noqa: E402

FORM_PAGES = [
    ("volunteer", "/shifts/board"),
    ("volunteer", "/shifts/{checkin}/checkin"),
    ("volunteer", "/timebank/"),
    ("resident", "/requests/help/visit"),
    ("resident", "/timebank/"),
    ("coordinator", "/desk/"),
    ("coordinator", "/timebank/coordinator"),
]
BLANK_PAGES = [
    ("volunteer", "/timebank/"),
    ("resident", "/timebank/"),
    ("resident", "/requests/help/visit"),
    ("resident", "/requests/help/ride"),
    ("coordinator", "/timebank/coordinator"),
]
DRAWN_ONCE = timebank_views.drawn_once
FORM_OR_BLANK = timebank_views.form_or_blank
BLANK_FORM = timebank_coordinator_views.BlankForm


def ours_attributes(ours: bool) -> None:
    install(html_params if ours else WTFORMS_HTML_PARAMS)


def drawn_at_each_view(template: str, **context: Any) -> None:
    return None  # the page then draws the fields itself, as before


def blank_once(once: bool) -> None:
    for views in (timebank_views, timebank_coordinator_views, requests_views):
        views.drawn_once = DRAWN_ONCE if once else drawn_at_each_view  # type: ignore[assignment]


def built_at_each_view(form_class: Any, **arguments: Any) -> Any:
    return form_class(**arguments)  # as before: the form built for its hidden tags


def hidden_without_form(blank: bool) -> None:
    for views in (timebank_views, timebank_coordinator_views, requests_views):
        views.form_or_blank = FORM_OR_BLANK if blank else built_at_each_view  # type: ignore[assignment]
    timebank_coordinator_views.BlankForm = BLANK_FORM if blank else built_at_each_view  # type: ignore[assignment,misc]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--change", choices=("attributes", "blank", "hidden"), default="attributes")
    parser.add_argument("--requests", type=int, default=400, help="of each side, per page")
    args = parser.parse_args()
    if args.change == "attributes":
        alternate(args.url, FORM_PAGES, args.requests, ours_attributes, ("wtforms", "ours"))
    elif args.change == "blank":
        alternate(args.url, BLANK_PAGES, args.requests, blank_once, ("each view", "once"))
    else:
        sides = ("built", "blank")
        alternate(args.url, BLANK_PAGES, args.requests, hidden_without_form, sides)
