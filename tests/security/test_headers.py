"""Security headers on every answer; no caching of pages with personal data."""

from __future__ import annotations

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident
from tests.helpers import login


def test_every_page_carries_the_security_headers(client, db_session):
    resp = client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in resp.headers  # plain http: ignored anyway


def test_hsts_over_tls(client, db_session):
    resp = client.get("/login", base_url="https://ponte.example.org")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_with_health_notes_are_not_cached(client, db_session):
    org = make_org()
    coordinator = make_coordinator(org)
    resident = make_resident(org)
    resident.resident.health_notes = "diabetic"
    login(client, coordinator.email, PASSWORD)
    resp = client.get(f"/coordinator/people/{resident.id}")
    assert resp.status_code == 200 and "diabetic" in resp.get_data(as_text=True)
    assert resp.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client, db_session):
    resp = client.get("/static/css/ponte.css")
    resp.close()  # a file response: close it, or the test leaks an open file
    assert "no-store" not in resp.headers.get("Cache-Control", "")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_or_handler_in_any_template():
    """The policy forbids inline scripts: one left in a template would silently stop
    working in the browser."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "webapp" / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(str(path.relative_to(root)))
        if re.search(r'\sstyle="', text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
