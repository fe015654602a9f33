"""What the accounts feature announces, for features above it to act on (blinker).

``reset_link_requested`` -- sender: the User (active, of an organisation); keyword
    arguments ``link`` (the absolute "choose a new password" address) and ``minutes``
    (how long it works). Sent inside the request's transaction; a receiver queues the
    e-mail and returns whether it did (the notifications feature, which also limits how
    many such e-mails one account gets an hour).
``access_revoked`` -- sender: the User; keyword ``reason``: ``password_changed``,
    ``password_reset``, ``temporary_password``, ``suspended`` or ``removed`` (an observer
    taken off the organisation's observers page). Every login session of
    the user has ended (but the current one on a change of one's own password); features
    that hand out other credentials revoke them in the same transaction (the time bank's
    API tokens, the shifts feature's calendar feed).
``security_event`` -- sender: the User the event is about; keywords ``event`` (e.g.
    ``temporary_password``, ``second_factor_enabled``, ``second_factor_reset``,
    ``recovery_code_used``, ``login_blocked_suspended``) and ``actor`` (the User who did
    it, or None). The call point for an audit log: nothing listens yet.
"""

from blinker import Namespace

_signals = Namespace()

reset_link_requested = _signals.signal("reset-link-requested")
access_revoked = _signals.signal("access-revoked")
security_event = _signals.signal("security-event")
