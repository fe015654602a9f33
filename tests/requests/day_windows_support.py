"""What the day-window tests share: reading the form back as a browser would send it,
and a new visit's fields."""

from __future__ import annotations

import re
from datetime import time
from html.parser import HTMLParser

from webapp.requests.models import Request


def hm(t: time) -> str:
    return t.strftime("%H:%M")


def windows_of(req: Request) -> list[tuple[int, str, str]]:
    return [(w.weekday, hm(w.start), hm(w.end)) for w in req.windows]


def error_at(html: str, field_id: str) -> str | None:
    """The message shown next to ``field_id`` (the form macro's ``<id>-error``)."""
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


def value_in(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


class SentForm(HTMLParser):
    """What a browser sends when the form on the page is submitted as it is."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def as_sent(html: str) -> dict[str, list[str]]:
    form = html[html.index('<form method="post" novalidate>') :]
    parser = SentForm()
    parser.feed(form[: form.index("</form>")])
    return parser.data


def new_visit(resident, start, **fields) -> dict:  # type: ignore[no-untyped-def]
    data = {
        "resident": resident.id,
        "kind": "visit",
        "start_date": start.isoformat(),
        "duration_minutes": "60",
        "purpose": "other",
        "passengers": "1",
        "gender_preference": "",
        "notes": "Bring the photo album",
    }
    data.update(fields)
    return data
