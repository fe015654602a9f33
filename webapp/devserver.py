"""`make run`: the development web server (and, once it exists, the scheduler beside it).

Production runs gunicorn workers plus one scheduler process instead (see README).
"""

from __future__ import annotations

import argparse
import os
import socket

from webapp import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Ponte locally.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    app = create_app()
    if not _port_free(args.host, args.port):
        raise SystemExit(
            f"Port {args.port} on {args.host} is in use (another Ponte?). "
            f"Stop it, or choose another port: PORT=8000 make run"
        )
    print(f"Ponte is running on http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)


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
