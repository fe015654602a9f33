"""What the people feature announces, for features above it to act on (blinker).

``volunteer_suspended`` -- sender: the Person; keywords ``by`` (the coordinator's User)
    and ``reason``. Sent inside the transaction that suspends them, after their login
    was blocked. The shifts feature releases every shift they hold (coordinators told,
    the shifts open again) and revokes their calendar feed; listeners never commit.
``resident_checked`` -- sender: the Person; keyword ``by`` (User or None). A coordinator
    checked a resident who signed up online (or the organisation does not ask for the
    check): their requests may now become shifts (the requests feature plans them).
"""

from blinker import Namespace

_signals = Namespace()

volunteer_suspended = _signals.signal("volunteer-suspended")
resident_checked = _signals.signal("resident-checked")
