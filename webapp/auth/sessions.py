"""Server-side login sessions on top of Flask-Login.

The cookie holds a random session id; the row in ``login_session`` is the truth. Logging
out deletes the row, so a copy of the cookie taken before logout no longer works.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import Flask, request, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from webapp.auth.models import LoginSession, User
from webapp.extensions import db, login_manager


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)


    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"


def _load_user(session_id: str) -> User | None:
    row = db.session.get(LoginSession, session_id)
    if row is None or not row.user.active:
        return None
    user = row.user
    user.current_session_id = row.id
    return user


def start_session(user: User) -> None:
    """Log ``user`` in with a fresh server-side session (flushes, view commits)."""
    session.clear()  # new session on login: no fixation
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


def end_all_sessions(user: User) -> None:
    """Used when a password changes or an account is suspended."""
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))


def end_other_sessions(user: User) -> None:
    """Every session of ``user`` but the one making this request (password changed)."""
    query = sa.delete(LoginSession).where(LoginSession.user_id == user.id)
    if user.current_session_id:
        query = query.where(LoginSession.id != user.current_session_id)
    db.session.execute(query)
