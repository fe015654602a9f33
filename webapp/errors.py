"""Friendly error pages; the session is rolled back so nothing is half-saved."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from webapp.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        db.session.rollback()
        code = error.code or 500  # always set on the exceptions abort() raises
        if isinstance(error, SecurityError):
            # A Host not in TRUSTED_HOSTS: no page can be built for it (no URLs).
            return Response("Unknown host.", mimetype="text/plain"), code
        if _wants_json():
            # The API's error shape ({"error", "field", "code"}, docs/openapi-timebank.json)
            # plus the longer description.
            return jsonify(
                error=error.name,
                message=error.description,
                field=getattr(error, "field", None),
                code=error.name.lower().replace(" ", "_"),
            ), code
        return render_template("errors/error.html", error=error), code

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response | str, int]:
        db.session.rollback()
        app.logger.exception("Unhandled error")
        if app.testing and app.config.get("PROPAGATE_EXCEPTIONS", True):
            raise error
        if _wants_json():
            return jsonify(
                error="Internal Server Error",
                message="Something went wrong.",
                field=None,
                code="internal_server_error",
            ), 500
        return render_template("errors/error.html", error=None), 500
