"""JSON API for the mobile app: my balance, my statement, a donation (idempotent).

Authentication: ``Authorization: Bearer <personal token>`` (created on the member's page)
or the browser session. CSRF is checked for session calls only: a token cannot be sent
by another site's form, a session cookie can. Errors are ``{"error", "field", "code"}``.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from webapp.auth.models import User
from webapp.core.inbound import DB_INT_MAX, JsonInputError
from webapp.extensions import csrf, db
from webapp.people.models import Person
from webapp.permissions import is_member
from webapp.timebank import operations as ops
from webapp.timebank import partners, queries, tokens
from webapp.timebank.errors import LedgerError, _
from webapp.timebank.models import Transfer
from webapp.timebank.openapi import document
from webapp.timebank.statements import newest_lines

bp = Blueprint("timebank_api", __name__, url_prefix="/api")


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, field: str | None = None, code: str = "invalid"
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.field, self.code = status, message, field, code


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[Response, int, dict[str, str]]:
    db.session.rollback()
    body = jsonify(error=error.message, field=error.field, code=error.code)
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    return body, error.status, headers


def _user() -> tuple[User, str]:
    """(user, via) from a bearer token or the session; member accounts only."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, secret = header.partition(" ")
        user = tokens.user_for(secret.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise ApiError(
                401, _("The token is not valid or was revoked."), "Authorization", "unauthorized"
            )
        via = "token"
    elif current_user.is_authenticated:
        user, via = current_user, "session"
    else:
        raise ApiError(401, _("Log in or send a personal token."), "Authorization", "unauthorized")
    if not is_member(user):
        raise ApiError(403, _("Only members have a time-bank account."), None, "forbidden")
    return user, via


def _transfer_json(t: Transfer) -> dict[str, object]:
    return {
        "id": t.id,
        "request_id": t.key.split(":", 2)[-1],
        "kind": t.kind.value,
        "minutes": t.amount,
        "date": t.service_date.isoformat(),
        "recorded_at": t.recorded_at.isoformat(),
        "reason": t.reason,
    }


def _code(error: JsonInputError) -> str:
    return "invalid" if error.code == 422 else "bad_request"


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())


@bp.get("/v1/me/balance")
def balance() -> Response:
    user, _via = _user()
    found = queries.summary(user.person, date.today().replace(day=1), page=False)
    account, figures = found.account, found.figures
    body = {
        "account_id": account.id,
        "balance_minutes": account.balance,
        "lower_limit_minutes": account.lower_limit,
        "available_minutes": account.available,
        "given_this_month_minutes": figures.given_month,
        "received_this_month_minutes": figures.received_month,
        "given_total_minutes": figures.given_total,
        "received_total_minutes": figures.received_total,
    }
    db.session.commit()  # last_used_at of the token, the account if just opened
    return jsonify(body)


def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(422, _("Must be a whole number."), name) from None
    if not low <= value <= high:
        raise ApiError(422, _("Must be between %(low)s and %(high)s.", low=low, high=high), name)
    return value


@bp.get("/v1/me/statement")
def statement() -> Response:
    user, _via = _user()
    limit = _int_arg("limit", 50, 1, 200) or 50
    before = _int_arg("before", None, 1, DB_INT_MAX)  # a transfer id: an INTEGER
    # One line more than asked says whether there is a next page.
    # The person's lines, their account found in the same statement (none yet: none).
    lines = newest_lines(user.person, limit + 1, before=before)
    page = lines[:limit]
    body = {
        "entries": [
            {
                "transfer_id": ln.transfer_id,
                "date": ln.service_date.isoformat(),
                "recorded_at": ln.recorded_at.isoformat(),
                "counterpart": ln.counterpart,
                "kind": ln.kind,
                "shift_id": ln.shift_id,
                "amount_minutes": ln.amount,
                "balance_minutes": ln.balance,
                "reason": ln.reason or None,
            }
            for ln in page
        ],
        "next_before": page[-1].transfer_id if len(lines) > len(page) else None,
    }
    db.session.commit()
    return jsonify(body)


@bp.post("/v1/donations")
@csrf.exempt
def donations() -> tuple[Response, int]:
    user, via = _user()
    if via == "session":
        try:
            csrf.protect()
        except CSRFError:
            raise ApiError(
                400, _("The CSRF token is missing or not valid."), "X-CSRFToken", "csrf"
            ) from None
    try:
        # Checked in one place (webapp/core/inbound.py): depth, UTF-8, control characters.
        data = request.get_json(force=True)
    except JsonInputError as error:
        raise ApiError(error.code or 400, error.user_message, error.field, _code(error)) from None
    if not isinstance(data, dict):
        raise ApiError(400, _("Send a JSON object."), None, "bad_request")
    request_id = data.get("id")
    if not isinstance(request_id, str) or not 1 <= len(request_id.strip()) <= 80:
        raise ApiError(422, _("A request id of 1 to 80 characters is required."), "id")
    recipient = None
    to = data.get("to")
    if to != "chest":
        if isinstance(to, bool) or not isinstance(to, int):
            raise ApiError(422, _('Give a member\'s id or "chest".'), "to")
        if not 1 <= to <= DB_INT_MAX or not partners.exchanged_with(user.person, to):
            raise ApiError(
                422, _('Give "chest" or the id of someone you have exchanged time with.'), "to"
            )
        recipient = db.session.get(Person, to)
    message = data.get("message")
    if message is not None and (not isinstance(message, str) or len(message) > 500):
        raise ApiError(422, _("At most 500 characters."), "message")
    try:
        outcome = ops.donate(
            key=f"api:{user.id}:{request_id.strip()}",
            donor=user.person,
            recipient=recipient,
            minutes=ops.check_amount(data.get("minutes")),
            actor_id=user.id,
            service_date=date.today(),
            reason=message,
        )
    except LedgerError as error:
        field = {"amount": "minutes", "recipient": "to", "key": "id"}.get(error.field, error.field)
        raise ApiError(error.status, error.message, field, error.code) from None
    db.session.commit()
    return jsonify(transfer=_transfer_json(outcome.transfer), created=outcome.created), (
        201 if outcome.created else 200
    )
