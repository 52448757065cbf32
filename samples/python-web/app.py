"""A tiny web service on the standard library: / greets, /healthz is liveness, /readyz is readiness."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STARTED = time.monotonic()
WARMUP_SECONDS = float(os.environ.get("WARMUP_SECONDS", "1"))
ready = threading.Event()


class Handler(BaseHTTPRequestHandler):
    """Routes: / (greeting), /healthz (alive), /readyz (ready after warm-up)."""

    server_version = "python-web/1.0"

    def do_GET(self) -> None:  # noqa: N802 - the http.server naming
        if self.path == "/healthz":
            self._send(200, {"status": "alive"})
        elif self.path == "/readyz":
            if ready.is_set():
                self._send(200, {"status": "ready"})
            else:
                self._send(503, {"status": "warming up"})
        elif self.path == "/":
            self._send(200, {"message": "hello from python-web", "uptime": round(time.monotonic() - STARTED, 1)})
        else:
            self._send(404, {"error": "not found"})

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt: str, *args: object) -> None:
        sys.stderr.write(f"{self.address_string()} {fmt % args}\n")


def main() -> None:
    port = int(os.environ.get("PORT", "8080"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    threading.Timer(WARMUP_SECONDS, ready.set).start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"python-web listening on :{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
