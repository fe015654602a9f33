"""The content security policy lets the map's tile server serve images, and nothing else."""

from __future__ import annotations

from webapp.core.security import content_security_policy


def test_no_tile_server_means_own_images_only():
    assert "img-src 'self' data:;" in content_security_policy("")


def test_the_configured_tile_server_may_serve_images():
    policy = content_security_policy("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert "script-src 'self';" in policy  # scripts stay our own


def test_a_template_with_subdomains_allows_them():
    policy = content_security_policy("https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    assert "https://*.tiles.example.org" in policy


def test_a_page_answer_carries_the_tile_server_of_the_config(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILES", "https://tiles.example.org/{z}/{x}/{y}.png")
    header = client.get("/login").headers["Content-Security-Policy"]
    assert "https://tiles.example.org" in header
