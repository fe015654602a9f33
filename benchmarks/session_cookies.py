"""What checking each session cookie once per worker saves on the city data
(``core/session_cookies.py``): signed-in pages requested alternately with the cookie's
check kept and made afresh (Flask's own way), in one process
(``city_pages.alternate``). Read-only. Usage:

    .venv/bin/python benchmarks/session_cookies.py DATABASE_URL [--requests 400]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask.sessions import SecureCookieSessionInterface  # noqa: E402

from benchmarks.city_pages import alternate_signed_in  # noqa: E402
from webapp.core.session_cookies import KeptSessionInterface  # noqa: E402

KEPT = KeptSessionInterface.open_session


def cookie_kept(kept: bool) -> None:
    KeptSessionInterface.open_session = (  # type: ignore[method-assign]
        KEPT if kept else SecureCookieSessionInterface.open_session
    )


if __name__ == "__main__":
    alternate_signed_in(__doc__.split("\n")[0], cookie_kept, ("checked", "kept"))
