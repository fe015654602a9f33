"""`make run`: the development web server and, beside it, the scheduler process.

Production runs gunicorn workers plus one scheduler process instead (see README).
"""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from webapp import create_app


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
    scheduler = start_scheduler()
    atexit.register(stop_scheduler, scheduler)
    # `kill <pid>` of the server stops the scheduler too (atexit runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Ponte is running on http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    if mail_note:
        print(mail_note, flush=True)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)


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
    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"], cwd=root
    )


def stop_scheduler(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # finishes the running job, releases the lock
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


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
