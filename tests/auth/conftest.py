from tests.notifications.conftest import smtp  # noqa: F401  (the real loopback SMTP server)
