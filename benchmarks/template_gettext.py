"""What one ``_()`` costs in a rendered template (Italian), in microseconds of this
process's CPU: a template of 20,000 calls, best of five. No database. Usage:

    .venv/bin/python benchmarks/template_gettext.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template_string  # noqa: E402
from flask_babel import force_locale  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.config import TestConfig  # noqa: E402

CALLS = 20_000
SOURCE = "{% for i in calls %}{{ _('Nothing planned.') }}{% endfor %}"


def main() -> None:
    app = create_app(TestConfig)
    with app.test_request_context("/"), force_locale("it"):
        times = []
        for _ in range(5):
            start = time.process_time()
            render_template_string(SOURCE, calls=range(CALLS))
            times.append((time.process_time() - start) / CALLS)
    print(f"_() in a rendered template: {min(times) * 1e6:.2f} µs (best of 5 x {CALLS:,})")


if __name__ == "__main__":
    main()
