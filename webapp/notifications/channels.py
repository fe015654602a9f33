"""Delivery channels. Each ``send`` raises on failure; the sender records the error and
retries later. Nothing here touches the database."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import deque
from email.message import EmailMessage
from email.utils import make_msgid
from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A message could not be delivered (the text is shown to coordinators)."""


class EmailChannel:
    """Plain-text e-mail over SMTP (host, port, STARTTLS or SSL, credentials from config)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.host = config["MAIL_HOST"]
        self.port = int(config["MAIL_PORT"])
        self.starttls = bool(config.get("MAIL_USE_TLS"))
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.sender = config["MAIL_FROM"]
        self.timeout = float(config.get("MAIL_TIMEOUT", 15))
        # Development: save each e-mail as a .eml file instead of talking SMTP.
        self.file_dir = config.get("MAIL_FILE_DIR")

    def build(self, to: str, subject: str, body: str, message_id: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = subject
        # A stable Message-ID per outbox row lets mail systems drop a rare duplicate
        # (a sender that died between SMTP's "250 OK" and recording it).
        msg["Message-ID"] = make_msgid(idstring=message_id, domain="ponte.local")
        msg.set_content(body)
        return msg

    def send(self, to: str, subject: str, body: str, message_id: str) -> None:
        msg = self.build(to, subject, body, message_id)
        if self.file_dir:
            self._save(Path(self.file_dir), msg, message_id)
            return
        try:
            if self.use_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.starttls and not self.use_ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc

    def _save(self, folder: Path, msg: EmailMessage, message_id: str) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Same name for the same outbox row: a repeated delivery overwrites, never doubles.
            (folder / f"{message_id}.eml").write_bytes(msg.as_bytes())
        except OSError as exc:
            raise DeliveryError(f"mail folder {folder}: {exc}") from exc


class SmsGateway(Protocol):
    """Plug a real SMS provider in by implementing ``send`` and naming the class in
    ``SMS_GATEWAY`` ("package.module:ClassName"; it receives the app config)."""

    def send(self, to: str, text: str) -> None: ...


class LoggingSmsGateway:
    """Development gateway: writes the SMS to the log instead of sending it."""

    # The latest messages, for tests and the development console; bounded so that a
    # long-running scheduler process does not grow without end.
    sent: deque[tuple[str, str]] = deque(maxlen=200)

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = config or {}

    def send(self, to: str, text: str) -> None:
        if not to:
            raise DeliveryError("no phone number")
        log.info("SMS to %s: %s", to, text)
        LoggingSmsGateway.sent.append((to, text))


def sms_gateway(config: dict[str, Any]) -> SmsGateway:
    target = config.get("SMS_GATEWAY") or "webapp.notifications.channels:LoggingSmsGateway"
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)(config)
