"""OpenAPI 3.1 description of the time-bank API (served at /api/openapi.json).

``docs/openapi-timebank.json`` is this document written out by ``flask ledger openapi``;
a test keeps the two identical and validates real responses against the schemas.
"""

from __future__ import annotations

from typing import Any

from webapp.core.inbound import DB_INT_MAX

_INT = {"type": "integer"}
_NULL_INT = {"type": ["integer", "null"]}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "field", "code"],
        "properties": {
            "error": {"type": "string", "description": "A message to show the person."},
            "field": {"type": ["string", "null"], "description": "The input it is about."},
            "code": {"type": "string"},
        },
    },
    "Balance": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "account_id",
            "balance_minutes",
            "lower_limit_minutes",
            "available_minutes",
            "given_this_month_minutes",
            "received_this_month_minutes",
            "given_total_minutes",
            "received_total_minutes",
        ],
        "properties": {
            "account_id": _INT,
            "balance_minutes": _INT,
            "lower_limit_minutes": _NULL_INT,
            "available_minutes": {**_NULL_INT, "description": "What can be spent now."},
            "given_this_month_minutes": _INT,
            "received_this_month_minutes": _INT,
            "given_total_minutes": _INT,
            "received_total_minutes": _INT,
        },
    },
    "StatementEntry": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "transfer_id",
            "date",
            "recorded_at",
            "counterpart",
            "kind",
            "shift_id",
            "amount_minutes",
            "balance_minutes",
            "reason",
        ],
        "properties": {
            "transfer_id": _INT,
            "date": {"type": "string", "format": "date"},
            "recorded_at": {"type": "string", "format": "date-time"},
            "counterpart": {"type": "string", "description": "First name only, or the chest."},
            "kind": {"enum": ["visit", "ride", "donation", "grant", "adjustment", "reversal"]},
            "shift_id": _NULL_INT,
            "amount_minutes": {**_INT, "description": "Positive when credited to me."},
            "balance_minutes": {**_INT, "description": "Running balance after this entry."},
            "reason": {"type": ["string", "null"]},
        },
    },
    "Statement": {
        "type": "object",
        "additionalProperties": False,
        "required": ["entries", "next_before"],
        "properties": {
            "entries": {"type": "array", "items": {"$ref": "#/components/schemas/StatementEntry"}},
            "next_before": {
                **_NULL_INT,
                "description": "Pass as `before` to get the next (older) page.",
            },
        },
    },
    "DonationRequest": {
        "type": "object",
        "required": ["id", "to", "minutes"],
        "properties": {
            "id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 80,
                "description": "Chosen by the app (e.g. a UUID). Retrying with the same id "
                "and content returns the first donation; the same id with "
                "other content is refused with 409.",
            },
            "to": {
                "oneOf": [{"const": "chest"}, {"type": "integer"}],
                "description": 'A member\'s person id, or "chest".',
            },
            "minutes": {"type": "integer", "minimum": 1, "maximum": 6000},
            "message": {"type": "string", "maxLength": 500},
        },
    },
    "Transfer": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "request_id", "kind", "minutes", "date", "recorded_at", "reason"],
        "properties": {
            "id": _INT,
            "request_id": {"type": "string"},
            "kind": {"type": "string"},
            "minutes": _INT,
            "date": {"type": "string", "format": "date"},
            "recorded_at": {"type": "string", "format": "date-time"},
            "reason": {"type": ["string", "null"]},
        },
    },
    "DonationResult": {
        "type": "object",
        "additionalProperties": False,
        "required": ["transfer", "created"],
        "properties": {
            "transfer": {"$ref": "#/components/schemas/Transfer"},
            "created": {"type": "boolean", "description": "false when this was a retry."},
        },
    },
}

_AUTH_ERRORS = {
    "401": _error("No valid token or session."),
    "403": _error("Not a member with an account."),
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Ponte time bank API",
            "version": "1.0.0",
            "description": "Read my balance and statement, donate hours. Amounts are whole "
            "minutes. Authenticate with a personal token (created on the "
            '"My hours" page) as `Authorization: Bearer <token>`, or with '
            "the browser session plus an `X-CSRFToken` header for writes.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerToken": []}, {"session": []}],
        "paths": {
            "/api/v1/me/balance": {
                "get": {
                    "operationId": "getBalance",
                    "summary": "My balance and hours this month",
                    "responses": {"200": _ok("The balance.", "Balance"), **_AUTH_ERRORS},
                }
            },
            "/api/v1/me/statement": {
                "get": {
                    "operationId": "getStatement",
                    "summary": "My statement, newest first",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 200,
                                "default": 50,
                            },
                        },
                        {
                            "name": "before",
                            "in": "query",
                            "required": False,
                            "description": "Only entries with a smaller transfer id (paging).",
                            "schema": {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
                        },
                    ],
                    "responses": {
                        "200": _ok("A page of entries.", "Statement"),
                        "422": _error("A parameter is not valid."),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/api/v1/donations": {
                "post": {
                    "operationId": "donate",
                    "summary": "Donate minutes to a member or the chest",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/DonationRequest"}
                            }
                        },
                    },
                    "responses": {
                        "201": _ok("Donated.", "DonationResult"),
                        "200": _ok("A retry: the first donation.", "DonationResult"),
                        "400": _error("Not JSON, or the CSRF token is missing (session)."),
                        "409": _error("This id was already used for a different donation."),
                        "422": _error("A field is not valid, or not enough time."),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document."}},
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token.",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
