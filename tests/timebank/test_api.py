"""The JSON API: token and session auth, idempotent donations, errors naming the field,
and every response checked against the OpenAPI document."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_person,
    make_resident,
    make_user,
)
from tests.helpers import csrf_from, login
from tests.timebank.helpers import real_shift_ids
from webapp.auth.models import Role
from webapp.shifts.models import Assignment, Shift, ShiftStatus
from webapp.timebank import operations as ops
from webapp.timebank import partners
from webapp.timebank.accounts import account_for
from webapp.timebank.openapi import document
from webapp.timebank.tokens import create_token

DOC = document()


def check(resp, path: str, method: str = "get") -> dict:  # type: ignore[no-untyped-def]
    """The response's status is documented and its body matches the schema."""
    responses = DOC["paths"][path][method]["responses"]
    assert str(resp.status_code) in responses, (resp.status_code, resp.get_data(as_text=True))
    schema = responses[str(resp.status_code)]["content"]["application/json"]["schema"]
    body = resp.get_json()
    Draft202012Validator({**schema, "components": DOC["components"]}).validate(body)
    return body


@pytest.fixture
def member(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    person = make_resident(org, first_name="Teresa")
    user = make_user(org, Role.MEMBER, person=person, email="api@tb.example")
    friend = make_person(org, first_name="Pia", is_neighbour=True)
    # Pia once visited Teresa: Teresa may give to her (the "give to" list).
    shift = db_session.get(Shift, real_shift_ids(org, 1, resident=person)[0])
    shift.assignments.append(Assignment(volunteer_id=friend.id, seat=1))
    shift.status = ShiftStatus.COMPLETED
    partners.note_shift(shift)  # the shift_completed listener's part
    db_session.flush()
    _row, secret = create_token(user, "phone")
    db_session.commit()  # as if saved earlier: an API error's rollback must not undo it
    return {
        "org": org,
        "person": person,
        "user": user,
        "friend": friend,
        "auth": {"Authorization": f"Bearer {secret}"},
    }


def test_document_is_valid_openapi_and_covers_every_api_route(app):  # type: ignore[no-untyped-def]
    assert DOC["openapi"].startswith("3.1")
    for name, schema in DOC["components"]["schemas"].items():
        validator_for(schema).check_schema(schema), name
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert routes == set(DOC["paths"])
    for path, item in DOC["paths"].items():
        for op in item.values():
            assert op["responses"] and op["operationId"], path
    saved = json.loads(Path("docs/openapi-timebank.json").read_text(encoding="utf-8"))
    assert saved == DOC, "run: flask --app wsgi ledger openapi --output docs/openapi-timebank.json"


def test_openapi_is_served(client):  # type: ignore[no-untyped-def]
    assert client.get("/api/openapi.json").get_json() == DOC


def test_balance_and_statement_with_a_token(client, member):  # type: ignore[no-untyped-def]
    ops.donate(
        key="s1",
        donor=member["person"],
        recipient=member["friend"],
        minutes=25,
        actor_id=None,
        service_date=date.today(),
        reason="caffè",
    )
    body = check(client.get("/api/v1/me/balance", headers=member["auth"]), "/api/v1/me/balance")
    assert body["balance_minutes"] == -25 and body["available_minutes"] == 575
    resp = client.get("/api/v1/me/statement", headers=member["auth"])
    body = check(resp, "/api/v1/me/statement")
    assert body["entries"][0]["counterpart"] == "Pia"
    assert body["entries"][0]["amount_minutes"] == -25 and body["next_before"] is None


def test_statement_pages(client, member):  # type: ignore[no-untyped-def]
    for n in range(3):
        ops.donate(
            key=f"p{n}",
            donor=member["person"],
            recipient=None,
            minutes=5 + n,
            actor_id=None,
            service_date=date.today(),
        )
    first = check(
        client.get("/api/v1/me/statement?limit=2", headers=member["auth"]), "/api/v1/me/statement"
    )
    assert [e["amount_minutes"] for e in first["entries"]] == [-7, -6]
    rest = client.get(
        f"/api/v1/me/statement?limit=2&before={first['next_before']}", headers=member["auth"]
    ).get_json()
    assert [e["amount_minutes"] for e in rest["entries"]] == [-5]
    bad = check(
        client.get("/api/v1/me/statement?limit=0", headers=member["auth"]), "/api/v1/me/statement"
    )
    assert bad["field"] == "limit"
    # A transfer id is an INTEGER: beyond it, a 422 naming the field (the fuzzer found a
    # 500 on PostgreSQL, "integer out of range", when the bound was 2**62).
    huge = client.get("/api/v1/me/statement?before=1099511627775", headers=member["auth"])
    assert huge.status_code == 422 and huge.get_json()["field"] == "before"


def test_donation_is_idempotent_and_conflicts_are_refused(client, member):  # type: ignore[no-untyped-def]
    payload = {"id": "8f1c-1", "to": member["friend"].id, "minutes": 40, "message": "grazie"}
    path = "/api/v1/donations"
    first = client.post(path, json=payload, headers=member["auth"])
    assert first.status_code == 201
    again = client.post(path, json=payload, headers=member["auth"])
    assert again.status_code == 200
    assert (
        check(again, path, "post")["transfer"]["id"] == check(first, path, "post")["transfer"]["id"]
    )
    conflict = client.post(path, json={**payload, "minutes": 41}, headers=member["auth"])
    assert conflict.status_code == 409 and check(conflict, path, "post")["field"] == "id"
    assert account_for(member["friend"]).balance == 40


@pytest.mark.parametrize(
    ("payload", "field", "status"),
    [
        ({"to": "chest", "minutes": 5}, "id", 422),
        ({"id": "a", "to": "chest", "minutes": 0}, "minutes", 422),
        ({"id": "a", "to": "chest", "minutes": "5"}, "minutes", 422),
        ({"id": "a", "to": "chest", "minutes": 601}, "minutes", 422),  # past the limit
        ({"id": "a", "to": "nobody", "minutes": 5}, "to", 422),
        ({"id": "a", "to": 999999, "minutes": 5}, "to", 422),
        ({"id": "a", "to": "chest", "minutes": 5, "message": 7}, "message", 422),
    ],
)
def test_donation_errors_name_the_field(client, member, payload, field, status):  # type: ignore[no-untyped-def]
    resp = client.post("/api/v1/donations", json=payload, headers=member["auth"])
    assert resp.status_code == status
    assert check(resp, "/api/v1/donations", "post")["field"] == field


def test_donation_to_yourself_or_another_organisation(client, member):  # type: ignore[no-untyped-def]
    for to in (member["person"].id, make_person(make_org()).id):
        resp = client.post(
            "/api/v1/donations",
            json={"id": f"x{to}", "to": to, "minutes": 5},
            headers=member["auth"],
        )
        assert resp.status_code == 422 and resp.get_json()["field"] == "to"


def test_not_json_is_a_clear_error(client, member):  # type: ignore[no-untyped-def]
    resp = client.post("/api/v1/donations", data="minutes=5", headers=member["auth"])
    assert resp.status_code == 400 and check(resp, "/api/v1/donations", "post")


def test_bad_or_missing_token(client, member):  # type: ignore[no-untyped-def]
    for headers in ({}, {"Authorization": "Bearer pt_wrong"}, {"Authorization": "Basic x"}):
        resp = client.get("/api/v1/me/balance", headers=headers)
        assert resp.status_code == 401
        assert check(resp, "/api/v1/me/balance")["field"] == "Authorization"
        assert resp.headers["WWW-Authenticate"] == "Bearer"


def test_coordinators_have_no_account(client, member):  # type: ignore[no-untyped-def]
    make_coordinator(member["org"], email="c@tb.example")
    login(client, "c@tb.example", PASSWORD)
    resp = client.get("/api/v1/me/balance")
    assert resp.status_code == 403 and check(resp, "/api/v1/me/balance")


def test_session_auth_needs_csrf_for_writes_and_tokens_do_not(client, member):  # type: ignore[no-untyped-def]
    login(client, "api@tb.example", PASSWORD)
    assert client.get("/api/v1/me/balance").status_code == 200
    payload = {"id": "sess-1", "to": "chest", "minutes": 5}
    refused = client.post("/api/v1/donations", json=payload)
    assert refused.status_code == 400
    assert check(refused, "/api/v1/donations", "post")["field"] == "X-CSRFToken"
    token = csrf_from(client.get("/timebank/").get_data(as_text=True))
    ok = client.post("/api/v1/donations", json=payload, headers={"X-CSRFToken": token})
    assert ok.status_code == 201
