"""The witness over HTTP: POST <prefix>/add-checkpoint, GET <prefix>/<origin hash>/checkpoint.

A thin layer over `Witness`: it reads at most the largest body the witness accepts, hands the
bytes over, and writes the answer back. Plain HTTP on loopback by default; put TLS in front.
"""

from __future__ import annotations

import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from newsledger.witness.service import MAX_BODY_BYTES, Response, Witness, _text

log = logging.getLogger(__name__)
_CHECKPOINT_PATH = re.compile(r"/([0-9a-f]{64})/checkpoint")


def _handler(witness: Witness, prefix: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Answers the two witness endpoints."""

        protocol_version = "HTTP/1.1"

        def _send(self, response: Response) -> None:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        def do_POST(self) -> None:
            """Answer add-checkpoint."""
            if self.path != prefix + "/add-checkpoint":
                self._send(_text(404, "not found"))
                return
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._send(_text(411, "a Content-Length is required"))
                return
            if not 0 <= length <= MAX_BODY_BYTES:
                self.close_connection = True
                self._send(_text(413, f"the body is larger than {MAX_BODY_BYTES} bytes"))
                return
            response = witness.add_checkpoint(self.rfile.read(length))
            log.info("add-checkpoint from %s: %d", self.client_address[0], response.status)
            self._send(response)

        def do_GET(self) -> None:
            """Answer the monitoring read of a log's latest cosigned checkpoint."""
            found = _CHECKPOINT_PATH.fullmatch(self.path.removeprefix(prefix))
            if found is None or not self.path.startswith(prefix):
                self._send(_text(404, "not found"))
                return
            self._send(witness.latest_note(found[1]))

        def log_message(self, format: str, *args: object) -> None:
            """Leave request logging to the witness's own log lines."""

    return Handler


class WitnessServer:
    """A running witness HTTP server on a host and port (port 0 picks a free one)."""

    def __init__(self, witness: Witness, host: str, port: int, prefix: str = "") -> None:
        """Bind the server; call ``start`` to serve in a thread or ``serve_forever``."""
        self.server = ThreadingHTTPServer((host, port), _handler(witness, prefix.rstrip("/")))
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        """Serve in this thread until ``stop``."""
        self.server.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
