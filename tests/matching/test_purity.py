"""``matching`` must stay pure: importing it never pulls in Flask, SQLAlchemy or webapp."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import importlib, pkgutil, sys
import matching
# Every module, so that a new one is covered without editing this list. matching.__main__
# is imported, not run (guarded by __name__); matching.darp.__main__ only calls darp.cli.
for info in pkgutil.walk_packages(matching.__path__, "matching."):
    if info.name != "matching.darp.__main__":
        importlib.import_module(info.name)
bad = sorted(m for m in sys.modules
             if m.split(".")[0] in {"flask", "sqlalchemy", "flask_sqlalchemy", "webapp"})
print(",".join(bad))
"""


def test_matching_imports_no_web_stack():
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"matching imported: {proc.stdout.strip()}"
