"""`make run`: the development web server and, beside it, the scheduler process.

Production runs gunicorn workers plus one scheduler process instead (see README).

What a newcomer sees: one line per thing that happens, nothing that looks like an error
unless something is wrong, and the demo logins last. The visits search (numba) compiles
in a background process (about 100 s the first time, a second or two from its cache
after), so the first page does not wait for it. The children get their own process
group: Ctrl+C reaches this process only, which stops them in order (no traceback from a
child interrupted half-way through its start).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import flask.cli as flask_cli
from flask import Flask

from webapp import create_app
from webapp.demo.cli import logins_text

ROOT = Path(__file__).resolve().parent.parent
WARM = (
    "from matching.visits.search.fast_search import warm; "
    "print(f'The visits search is ready (prepared in {warm():.0f} s).', flush=True)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Ponte locally.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    mail_note = _default_mail_folder()
    app = create_app()
    app.config["MAIL_FILE_DIR"] = os.environ.get("PONTE_MAIL_DIR")
    if not _port_free(args.host, args.port):
        raise SystemExit(
            f"Port {args.port} on {args.host} is in use (another Ponte?). "
            f"Stop it, or choose another port: PORT=8000 make run"
        )
    print("Starting Ponte: the web server, the scheduler, the visits search...", flush=True)
    scheduler = start_scheduler()
    atexit.register(stop_scheduler, scheduler)
    if os.environ.get("PONTE_WARM_SEARCH", "1") != "0":
        warm = start_warm_up()
        atexit.register(stop_scheduler, warm)
    # `kill <pid>` of the server stops the scheduler too (atexit runs on SystemExit).
    signal.signal(signal.SIGTERM, _exit_once)
    url = f"http://{args.host}:{args.port}"
    threading.Thread(
        target=announce, args=(app, url, mail_note, args.host, args.port), daemon=True
    ).start()
    # The server's own start-up lines (its name, a red "do not use in production"
    # warning: `make run` is for trying Ponte, production runs gunicorn) are left out;
    # its request log comes back once everything is up (announce).
    flask_cli.show_server_banner = lambda *_args: None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: stop quietly, children after
        app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    print("Stopping Ponte...", flush=True)


def announce(app: Flask, url: str, mail_note: str | None, host: str, port: int) -> None:
    """Once the server answers: where it is, where mail goes, and the demo logins, last
    on screen."""
    deadline = time.monotonic() + 60
    while not _answers(host, port) and time.monotonic() < deadline:
        time.sleep(0.2)
    SCHEDULER_UP.wait(max(0.0, deadline - time.monotonic()))
    time.sleep(0.5)  # after the server's own start-up lines
    lines = [""]
    if mail_note:
        lines.append(mail_note)
    with app.app_context():
        lines.append(logins_text())
    lines += ["", f"Ponte is running on {url}  (Ctrl+C to stop)"]
    print("\n".join(lines), flush=True)
    logging.getLogger("werkzeug").setLevel(logging.INFO)


def _answers(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def start_warm_up() -> subprocess.Popen[bytes]:
    """Compile the visits search now (or load it from numba's cache), at low priority,
    so that the first match run does not spend its time limit compiling."""
    print(
        "Preparing the visits search in the background "
        "(about 100 s the first time, seconds after; pages work meanwhile).",
        flush=True,
    )
    return subprocess.Popen(
        [sys.executable, "-c", f"import os; os.nice(10); {WARM}"],
        cwd=ROOT,
        process_group=0,
    )


def _default_mail_folder() -> str | None:
    """No mail server configured on a developer's machine: keep e-mails as files in
    instance/mail rather than letting every demo message fail against port 25. The
    scheduler process inherits the setting through the environment."""
    if os.environ.get("SMTP_HOST") or os.environ.get("PONTE_MAIL_DIR"):
        return None
    folder = Path(__file__).resolve().parent.parent / "instance" / "mail"
    os.environ["PONTE_MAIL_DIR"] = str(folder)
    return f"E-mails are saved as files in {folder} (set SMTP_HOST to send them for real)."


def start_scheduler() -> subprocess.Popen[bytes]:
    """The jobs run in their own process, exactly as in production (never in the web
    server's threads); it shares this terminal's output."""
    env = {**os.environ, "PONTE_SCHEDULER_QUIET": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        process_group=0,  # Ctrl+C reaches the server only; it stops the scheduler
    )
    relay = threading.Thread(target=_relay, args=(proc,), daemon=True)
    relay.start()
    RELAYS.append(relay)
    return proc


SCHEDULER_UP = threading.Event()
RELAYS: list[threading.Thread] = []


def _relay(proc: subprocess.Popen[bytes]) -> None:
    """The scheduler's output, line by line, on this terminal; notes when it is active
    (the demo logins are printed after that line)."""
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.decode(errors="replace").rstrip()
        print(line, flush=True)
        if line.startswith("scheduler ") and line.endswith(" active"):
            SCHEDULER_UP.set()
    SCHEDULER_UP.set()


def _exit_once(*_: object) -> None:
    """The first SIGTERM stops the server; more while it stops (``make`` passes its own on
    to the process group) would break off the scheduler's shutdown with a traceback."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(0)


def stop_scheduler(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # finishes the running job, releases the lock
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    for relay in RELAYS:
        relay.join(timeout=2)  # its last lines ("scheduler ... stopped") reach the screen


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        # As the server itself does: a port in TIME_WAIT after a restart is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


if __name__ == "__main__":
    main()
