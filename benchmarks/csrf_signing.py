"""What signing a session's CSRF token once per worker saves on the city data
(``core/csrf_signed.py``): signed-in pages requested alternately with the session's
signature kept and signed afresh (Flask-WTF's own way), in one process
(``city_pages.alternate``). Read-only. Usage:

    .venv/bin/python benchmarks/csrf_signing.py DATABASE_URL [--requests 400]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.city_pages import alternate_signed_in  # noqa: E402
from webapp.core import csrf_signed  # noqa: E402


def signature_kept(kept: bool) -> None:
    if not kept:
        csrf_signed._signed.clear()  # this request signs afresh (and keeps it: cleared again)


if __name__ == "__main__":
    alternate_signed_in(__doc__.split("\n")[0], signature_kept, ("signed", "kept"))
