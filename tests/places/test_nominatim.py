"""The chain's last step against a fake Nominatim on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from tests.factories import ISERNIA, make_org
from webapp.extensions import db
from webapp.places.geocoding import AddressNotFound, locate
from webapp.places.models import GazetteerEntry

KNOWN = {"via roma 3, isernia": (41.6001, 14.2402, "Via Roma 3, 86170 Isernia IS, Italia")}


class FakeNominatim(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict[str, list[str]]] = []
        self.slow_seconds = 0.0
        self.fail_with: int | None = None


class Handler(BaseHTTPRequestHandler):
    server: FakeNominatim

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        query = parse_qs(url.query)
        self.server.requests.append({"path": [url.path], **query})
        if self.server.slow_seconds:
            time.sleep(self.server.slow_seconds)
        if self.server.fail_with:
            self.send_response(self.server.fail_with)
            self.end_headers()
            return
        hit = KNOWN.get(query.get("q", [""])[0].lower())
        body = (
            [{"lat": str(hit[0]), "lon": str(hit[1]), "display_name": hit[2], "place_id": 1}]
            if url.path == "/search" and hit
            else []
        )
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def nominatim(app, monkeypatch) -> Iterator[FakeNominatim]:  # type: ignore[no-untyped-def]
    server = FakeNominatim()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for key, value in {
        "NOMINATIM_ENABLED": True,
        "NOMINATIM_SCHEME": "http",
        "NOMINATIM_DOMAIN": f"127.0.0.1:{server.server_port}",
        "NOMINATIM_TIMEOUT": 0.5,
        "NOMINATIM_MIN_DELAY": 0.0,
        "NOMINATIM_USER_AGENT": "ponte-tests",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_disabled_by_default(app):
    from webapp.config import Config

    assert Config.NOMINATIM_ENABLED is False
    assert app.config["NOMINATIM_SCHEME"] == "https"


def test_a_nominatim_hit_is_cached_and_asked_only_once(nominatim, db_session):
    org = make_org("Comune di Isernia")
    # A gazetteer address near the hit gives it a neighbourhood.
    db.session.add(
        GazetteerEntry(
            organisation_id=org.id,
            key="via roma 1",
            address="Via Roma 1",
            lat=41.6000,
            lon=14.2400,
            neighbourhood="San Lazzaro",
        )
    )
    db.session.flush()
    found = locate(org.id, "Via Roma 3, Isernia")
    assert (found.lat, found.lon, found.source) == (41.6001, 14.2402, "nominatim")
    assert found.neighbourhood == "San Lazzaro"
    assert len(nominatim.requests) == 1
    request = nominatim.requests[0]
    assert request["path"] == ["/search"] and request["q"] == ["Via Roma 3, Isernia"]
    assert request["viewbox"]  # results around the organisation's centre are preferred
    again = locate(org.id, "via roma 3 - isernia")
    assert (again.lat, again.source) == (41.6001, "cache")
    assert len(nominatim.requests) == 1  # the second lookup made no HTTP request


def test_order_is_cache_then_gazetteer_then_nominatim(nominatim, db_session):
    org = make_org()
    db.session.add(
        GazetteerEntry(
            organisation_id=org.id,
            key="via roma 3 isernia",
            address="Via Roma 3",
            lat=ISERNIA[0],
            lon=ISERNIA[1],
            neighbourhood="Centro",
        )
    )
    db.session.flush()
    assert locate(org.id, "Via Roma 3, Isernia").source == "gazetteer"
    assert locate(org.id, "Via Roma 3, Isernia").source == "cache"
    assert nominatim.requests == []  # known locally: Nominatim never asked
    with pytest.raises(AddressNotFound):
        locate(org.id, "Via Sconosciuta 5")
    assert len(nominatim.requests) == 1  # unknown locally: Nominatim asked, found nothing


def test_not_asked_when_disabled(nominatim, db_session, monkeypatch, app):
    monkeypatch.setitem(app.config, "NOMINATIM_ENABLED", False)
    org = make_org()
    with pytest.raises(AddressNotFound):
        locate(org.id, "Via Roma 3, Isernia")
    assert nominatim.requests == []


@pytest.mark.parametrize("trouble", ["timeout", "error"])
def test_timeout_or_error_is_not_found_with_a_warning(trouble, nominatim, db_session, caplog):
    if trouble == "timeout":
        nominatim.slow_seconds = 1.0  # longer than NOMINATIM_TIMEOUT
    else:
        nominatim.fail_with = 503
    org = make_org()
    with caplog.at_level(logging.WARNING), pytest.raises(AddressNotFound):
        locate(org.id, "Via Roma 3, Isernia")
    assert any("Nominatim lookup failed" in r.getMessage() for r in caplog.records)


def test_the_rate_limiter_spaces_requests(nominatim, db_session, monkeypatch, app):
    monkeypatch.setitem(app.config, "NOMINATIM_MIN_DELAY", 0.3)
    org = make_org()
    started = time.monotonic()
    for street in ("Via Uno 1", "Via Due 2", "Via Tre 3"):
        with pytest.raises(AddressNotFound):
            locate(org.id, street)
    assert len(nominatim.requests) == 3
    assert time.monotonic() - started >= 0.55  # two waits of ~0.3 s between three requests
