"""What the people feature announces (blinker signals; listeners in webapp/listeners.py).

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

person_located = _signals.signal("person-located")
role_changed = _signals.signal("role-changed")
