"""Issue 14, defect 7: the concrete requests that answered 500, each now a clear refusal.

The classes behind them, each fixed in one place (docs/robustness.md): control characters
in text (webapp/core/input.py, for every form, query string, URL part and JSON body),
ids beyond the database's integer range (the app-wide ``int`` URL converter), dates outside
years 1900-2200 in the coordinator's day and week views, request bodies over
``MAX_CONTENT_LENGTH``, and JSON that cannot be read (too deep, not UTF-8) or names an id
no row can have. The fuzzing suites (test_fuzz_forms.py, test_fuzz_api.py) then look for
anything else.
"""

from __future__ import annotations

import json

import pytest

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import csrf_token, login, post_form
from webapp.extensions import db
from webapp.timebank.tokens import create_token

BIG = 2**31  # one past PostgreSQL's INTEGER


@pytest.fixture
def town(db_session):  # type: ignore[no-untyped-def]
    org = make_org("Comune Ostile")
    coordinator = make_coordinator(org, email="coord@hostile.example")
    member = make_volunteer(org, email="vol@hostile.example").user
    db.session.commit()
    return org, coordinator, member


def _signup(client, org, **fields):  # type: ignore[no-untyped-def]
    data = {
        "first_name": "Anna",
        "last_name": "Rossi",
        "email": "anna@hostile.example",
        "password": "a long enough password",
        "password2": "a long enough password",
        "address": "Via Roma 1",
        **fields,
    }
    return post_form(client, f"/join/{org.slug}/volunteer", data)


def test_a_nul_byte_in_the_public_sign_up_is_no_500(client, town) -> None:
    org, _coordinator, _member = town
    answer = _signup(client, org, first_name="An\x00na", last_name="Ros\x01si\x7f")
    assert answer.status_code in (200, 302)
    html = answer.get_data(as_text=True)
    assert "\x00" not in html and "\x01" not in html


def test_a_nul_byte_in_the_calendar_feed_url_is_not_found(client, town) -> None:
    assert client.get("/shifts/calendar/abc%00def.ics").status_code == 404
    assert client.get("/shifts/calendar/%00.ics").status_code == 404


def test_a_nul_byte_in_a_query_string_is_ignored(client, town) -> None:
    _org, coordinator, _member = town
    login(client, coordinator.email, PASSWORD)
    assert client.get("/shifts/day?hood=a%00b&kind=%00").status_code == 200
    assert client.get("/desk/find?q=%00%00").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/shifts/{BIG}/manage",
        f"/coordinator/people/{BIG}",
        f"/requests/{BIG}",
        f"/match/runs/{BIG}",
        f"/desk/people/{2**63}",
        f"/timebank/people/{10**30}",
    ],
)
def test_an_id_beyond_the_database_range_is_not_found(client, town, path: str) -> None:
    _org, coordinator, _member = town
    login(client, coordinator.email, PASSWORD)
    assert client.get(path).status_code == 404


def test_a_post_to_an_id_beyond_the_range_is_not_found(client, town) -> None:
    _org, coordinator, _member = town
    login(client, coordinator.email, PASSWORD)
    token = csrf_token(client)
    assert client.post(f"/shifts/{BIG}/approve", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/shifts/day?date=0001-01-01",
        "/shifts/day?date=9999-12-31",
        "/shifts/week?start=0001-01-01",
        "/shifts/week?start=9999-12-31",
    ],
)
def test_a_date_in_year_1_or_9999_is_refused_clearly(client, town, path: str) -> None:
    _org, coordinator, _member = town
    login(client, coordinator.email, PASSWORD)
    answer = client.get(path)
    assert answer.status_code == 400
    assert "between 1900 and 2200" in answer.get_data(as_text=True)


def test_an_unreadable_date_still_shows_today(client, town) -> None:
    _org, coordinator, _member = town
    login(client, coordinator.email, PASSWORD)
    assert client.get("/shifts/day?date=tomorrow").status_code == 200


def test_a_request_body_over_the_limit_is_refused(client, town, app) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    answer = client.post(
        "/api/v1/donations",
        data=b"[" * (limit + 1),
        content_type="application/json",
        headers={"Authorization": "Bearer x"},
    )
    assert answer.status_code == 413


def _donate(client, member_token: str, body: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/donations",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {member_token}"},
    )


@pytest.fixture
def bearer(town) -> str:  # type: ignore[no-untyped-def]
    _org, _coordinator, member = town
    secret = create_token(member, "fuzz")[1]
    db.session.commit()
    return secret


def test_deeply_nested_json_is_a_json_error(client, bearer: str) -> None:
    answer = _donate(client, bearer, b"[" * 50_000 + b"]" * 50_000)
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["code"] == "bad_request" and "nested" in body["error"]


def test_json_that_is_not_utf8_is_a_json_error(client, bearer: str) -> None:
    answer = _donate(client, bearer, b'{"id": "\xff\xfe", "to": "chest", "minutes": 5}')
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "bad_request"


def test_a_lone_surrogate_names_its_field(client, bearer: str) -> None:
    answer = _donate(client, bearer, b'{"id": "ab\\ud800", "to": "chest", "minutes": 5}')
    assert answer.status_code == 422
    assert answer.get_json()["field"] == "id"


def test_a_nul_in_a_json_string_names_its_field(client, bearer: str) -> None:
    body = json.dumps({"id": "r1", "to": "chest", "minutes": 5, "message": "a\x00b"})
    answer = _donate(client, bearer, body.encode())
    assert answer.status_code == 422
    assert answer.get_json()["field"] == "message"


@pytest.mark.parametrize("to", [BIG, 2**63, 10**40, -(2**63)])
def test_an_id_beyond_the_range_in_to_names_the_field(client, bearer: str, to: int) -> None:
    body = json.dumps({"id": "r2", "to": to, "minutes": 5}).encode()
    answer = _donate(client, bearer, body)
    assert answer.status_code == 422
    assert answer.get_json()["field"] == "to"


@pytest.mark.parametrize("minutes", [BIG, 10**40, 1e308, "5"])
def test_an_amount_beyond_the_range_names_the_field(client, bearer: str, minutes) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"id": "r3", "to": "chest", "minutes": minutes}).encode()
    answer = _donate(client, bearer, body)
    assert answer.status_code == 422
    assert answer.get_json()["field"] == "minutes"


def test_a_statement_cursor_beyond_the_range_names_the_field(client, bearer: str) -> None:
    answer = client.get(
        f"/api/v1/me/statement?before={2**70}", headers={"Authorization": f"Bearer {bearer}"}
    )
    assert answer.status_code in (200, 422)


@pytest.mark.parametrize("code", ["¡", "١٢٣٤٥٦", "12345\u00e9"])
def test_a_non_ascii_authenticator_code_is_just_wrong(client, town, code: str) -> None:
    """Found by test_fuzz_forms.py: compare_digest raised TypeError on non-ASCII text."""
    _org, coordinator, _member = town
    login(client, coordinator.email, PASSWORD)
    answer = post_form(client, "/account/two-factor", {"code": code})
    assert answer.status_code == 200
