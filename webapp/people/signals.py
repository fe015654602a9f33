"""What the people feature announces, for features above it to act on (blinker signals;
listeners are connected in webapp/listeners.py).

``volunteer_suspended`` -- sender: the Person; keywords ``by`` (the coordinator's User)
    and ``reason``. Sent inside the transaction that suspends them, after their login
    was blocked. The shifts feature releases every shift they hold (coordinators told,
    the shifts open again) and revokes their calendar feed; listeners never commit.
``resident_checked`` -- sender: the Person; keyword ``by`` (User or None). A coordinator
    checked a resident who signed up online (or the organisation does not ask for the
    check): their requests may now become shifts (the requests feature plans them).

``person_located`` -- sender: the Person; keyword ``actor`` (User | None). Their pin was
    placed, moved or cleared (an address the map does not know yet). Sent after the
    change is flushed, inside the transaction; listeners must not commit. The requests
    feature moves the home end of the person's future visits and rides with it.
``role_changed`` -- sender: the Person; keywords ``role`` ("volunteer" or "resident"),
    ``added`` (bool), ``actor``. A coordinator added or removed a role after sign-up;
    on removal the features above let go of what the role held (future shifts).
"""

from blinker import Namespace

_signals = Namespace()

volunteer_suspended = _signals.signal("volunteer-suspended")
resident_checked = _signals.signal("resident-checked")
person_located = _signals.signal("person-located")
role_changed = _signals.signal("role-changed")
