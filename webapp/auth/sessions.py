"""Server-side login sessions on top of Flask-Login.

The cookie holds a random session id; the row in ``login_session`` is the truth. Logging
out deletes the row, so a copy of the cookie taken before logout no longer works. A
session also ends on the server after a time without use (idle) and after a fixed time
from login (absolute), shorter for staff than for members (``SESSION_*`` settings);
:func:`prune_expired` deletes the rows of ended ones (a scheduled job).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from webapp.auth.models import LoginSession, Role, User
from webapp.core import csrf_signed
from webapp.db import rows_matched, utcnow, writes_so_far
from webapp.extensions import db, login_manager

# last_seen_at is written at most this often: an idle timeout counted in minutes needs
# no write on every click.
TOUCH_EVERY = timedelta(seconds=60)

_FIGURES: dict[str, Callable[[], sa.ColumnElement[Any]]] = {}
_BUILT: dict[str, Any] = {}


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)

    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"


def limits_for(role: Role) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetime of a session of a user with ``role``."""
    config = current_app.config
    if role in (Role.ADMIN, Role.COORDINATOR):
        idle, most = config["SESSION_IDLE_MINUTES_STAFF"], config["SESSION_MAX_HOURS_STAFF"]
    else:
        idle, most = config["SESSION_IDLE_MINUTES_MEMBER"], config["SESSION_MAX_HOURS_MEMBER"]
    return timedelta(minutes=idle), timedelta(hours=most)


def expired(row: LoginSession, now: datetime) -> bool:
    idle, most = limits_for(row.user.role)
    return now - row.last_seen_at > idle or now - row.created_at > most


def _load_user(session_id: str) -> User | None:
    already_in_transaction = db.session().in_transaction()
    # With its user, the user's person and their volunteer and resident profiles (or
    # their absence: the resident's home asks whether they have been checked), the
    # organisation and the figures features ask for (the bell, the board's stamp) in the
    # same statement: every signed-in request starts here, a member's pages read the
    # person at once, the menu asks of every member whether they volunteer, and most
    # pages need the organisation (its time zone, its name, its phone number).
    names, statement = _login_statement()
    found = db.session.execute(statement, {"session_id": session_id}).one_or_none()
    if found is None or not found[0].user.is_active:
        return None
    row = found[0]
    now = utcnow()
    if expired(row, now):
        db.session.delete(row)
        _commit_alone(already_in_transaction)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        _commit_alone(already_in_transaction)
    # Counted after the touch above: the figures were read before it, and it changes none.
    g.login_figures = (dict(zip(names, found[1:], strict=True)), writes_so_far(db.session()))
    user = row.user
    user.current_session_id = session_id
    return user


def _login_statement() -> tuple[tuple[str, ...], sa.Select[Any]]:
    """The login's statement, built once (per set of figures): building its joins and
    subqueries took longer than sending it, on every signed-in request."""
    names = tuple(_FIGURES)
    if _BUILT.get("names") != names:
        # (The people feature sits above this one: its class is known by the mapping.)
        person = User.person.property.mapper.class_
        _BUILT["statement"] = (
            sa.select(LoginSession, *(_FIGURES[name]().label(name) for name in names))
            .where(LoginSession.id == sa.bindparam("session_id"))
            .options(
                joinedload(LoginSession.user).joinedload(User.person).joinedload(person.volunteer),
                joinedload(LoginSession.user).joinedload(User.person).joinedload(person.resident),
                joinedload(LoginSession.user).joinedload(User.organisation),
            )
        )
        _BUILT["names"] = names
    return names, _BUILT["statement"]


def add_login_figure(name: str, column: Callable[[], sa.ColumnElement[Any]]) -> None:
    """Have ``column()`` (scalar subqueries correlated to the ``login_session`` row) read
    in the login's statement, for :func:`login_figures`. For what the frame of every
    signed-in page shows (the bell's count): a statement fewer on every page."""
    _FIGURES[name] = column


def login_person_id() -> sa.ScalarSelect[int | None]:
    """The login's person id, for a figure's subquery (correlated by name: two levels
    down, SQLAlchemy would otherwise read ``login_session`` afresh, every row of it)."""
    return (
        sa.select(User.person_id)
        .where(User.id == LoginSession.user_id)
        .correlate(LoginSession)
        .scalar_subquery()
    )


def login_figures(*names: str) -> tuple[Any, ...] | None:
    """The figures ``names`` read with this request's login, if nothing was written since
    (a view that marks messages read shows the bell counted again); else None: count
    them afresh. (A tuple, since a figure may itself be NULL: "no changes yet".)"""
    kept = g.get("login_figures")
    if kept is None or kept[1] != writes_so_far(db.session()):
        return None
    figures = kept[0]
    if not all(name in figures for name in names):
        return None
    return tuple(figures[name] for name in names)


def _commit_alone(already_in_transaction: bool) -> None:
    """Commit the session row's change now, in its own short transaction, when nothing
    else of this request is in it yet (the user is loaded before any view work). If a
    transaction was already open, the change rides with the view's commit instead."""
    if already_in_transaction:
        return
    try:
        db.session.commit()
    except OperationalError:
        # SQLite, on a GET (others begin with the write lock, core/locks.py): someone
        # wrote since this request read the row, so it may not write now. The mark is
        # worth no error page; the next request writes it.
        db.session.rollback()


def start_session(user: User) -> None:
    """Log ``user`` in with a fresh server-side session (flushes, view commits)."""
    session.clear()  # new session on login: no fixation
    csrf_signed.forget()
    row = LoginSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        ip_address=request.remote_addr,
        user_agent=(request.user_agent.string or "")[:300],
    )
    db.session.add(row)
    db.session.flush()
    user.current_session_id = row.id
    login_user(user)


def end_session(user: User) -> None:
    if user.current_session_id:
        db.session.execute(
            sa.delete(LoginSession).where(LoginSession.id == user.current_session_id)
        )
    logout_user()
    session.clear()
    csrf_signed.forget()


def end_all_sessions(user: User) -> None:
    """Used when a password changes or an account is suspended."""
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))


def end_other_sessions(user: User) -> None:
    """Every session of ``user`` but the one making this request (password changed)."""
    query = sa.delete(LoginSession).where(LoginSession.user_id == user.id)
    if user.current_session_id:
        query = query.where(LoginSession.id != user.current_session_id)
    db.session.execute(query)


def prune_expired(now: datetime) -> int:
    """Delete the rows of sessions past their idle or absolute limit (flushes; the job
    commits). Returns how many."""
    removed = 0
    for roles in ((Role.ADMIN, Role.COORDINATOR), (Role.MEMBER, Role.OBSERVER)):
        idle, most = limits_for(roles[0])
        users = sa.select(User.id).where(User.role.in_(roles))
        result = db.session.execute(
            sa.delete(LoginSession)
            .where(LoginSession.user_id.in_(users))
            .where(
                sa.or_(LoginSession.last_seen_at < now - idle, LoginSession.created_at < now - most)
            )
            .execution_options(synchronize_session=False)
        )
        removed += rows_matched(result)
    return removed
