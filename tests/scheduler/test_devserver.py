"""`make run` (webapp.devserver) starts the scheduler process next to the web server and
stops it with the server."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_dev_server_runs_the_scheduler_beside_it_and_stops_it(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/dev.db",
           "SECRET_KEY": "devserver-test", "PYTHONUNBUFFERED": "1",
           "PONTE_WARM_SEARCH": "0"}  # not what this test is about; it costs a CPU
    subprocess.run(
        [sys.executable, "-c",
         "from webapp import create_app; from webapp.extensions import db\n"
         "app = create_app()\nwith app.app_context(): db.create_all()"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )
    port = free_port()
    log = tmp_path / "out.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "webapp.devserver", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline, status, pid = time.monotonic() + 30, None, None
        while time.monotonic() < deadline and (status is None or pid is None):
            match = re.search(r"scheduler \S+:(\d+) active", log.read_text())
            pid = int(match.group(1)) if match else None
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    status = r.status
            except OSError:
                time.sleep(0.2)
        assert status == 200 and pid is not None, log.read_text()
        assert pid != server.pid  # its own process, not a thread of the web server
    finally:
        server.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        if server.poll() is None:  # a second one while it stops (make passes its own on)
            server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the scheduler stopped with the server
    assert "stopped" in log.read_text()
    assert "Traceback" not in log.read_text(), log.read_text()
