"""The loopback SMTP server fixture, shared with the notifications tests."""

from tests.notifications.conftest import smtp  # noqa: F401
