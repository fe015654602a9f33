"""What the accounts feature announces, for features above it to act on (blinker).

``reset_link_requested`` -- sender: the User (active, of an organisation); keyword
    arguments ``link`` (the absolute "choose a new password" address) and ``minutes``
    (how long it works). Sent inside the request's transaction; a receiver queues the
    e-mail and returns whether it did (the notifications feature, which also limits how
    many such e-mails one account gets an hour).
"""

from blinker import Namespace

_signals = Namespace()

reset_link_requested = _signals.signal("reset-link-requested")
