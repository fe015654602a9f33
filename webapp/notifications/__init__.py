"""Notifications: an outbox written in the same transaction as the change that causes a
message, a sender that delivers it afterwards (e-mail, SMS, in-app) with retries, the
in-app bell, each person's channel preference, and the coordinator's "to phone" list."""
