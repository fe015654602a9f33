"""Messages other features ask for by signal (``webapp/listeners.py`` connects them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from webapp.auth.models import User
from webapp.db import utcnow
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.operations import enqueue_login_email

RESET_KIND = "password_reset"


def mail_reset_link(user: User, link: str, minutes: int, **_kw: Any) -> bool:
    """Queue the "choose a new password" e-mail, at most ``PASSWORD_RESET_MAILS_PER_HOUR``
    per account and hour (no mail-bombing through the form). Returns whether it did."""
    recent = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id,
            Notification.kind == RESET_KIND,
            Notification.created_at > utcnow() - timedelta(hours=1),
        )
    )
    if recent >= current_app.config["PASSWORD_RESET_MAILS_PER_HOUR"]:
        return False
    enqueue_login_email(user, RESET_KIND, {"email": user.email, "link": link, "minutes": minutes})
    return True
