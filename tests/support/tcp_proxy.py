"""A TCP proxy in front of a database server that a test can cut or freeze.

It stands between the service and PostgreSQL so a test can make the database vanish
(`cut`: every connection is closed and new ones are dropped at once, as when the server is
stopped) or hang (`freeze`: connections stay open but no byte moves either way, as when
the server or the network stalls), then `restore` it, without touching the real server
that other tests share.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator

POLL_SECONDS = 0.05
CHUNK_BYTES = 65536


class TcpProxy:
    """Forwards 127.0.0.1:port to an upstream server; can cut every connection or freeze them."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(POLL_SECONDS)
        self.port: int = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._cut = False
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._acceptor = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._acceptor.start()

    def cut(self) -> None:
        """Close every connection, and close each new one as soon as it is accepted."""
        with self._lock:
            self._cut = True
            doomed = list(self._sockets)
            self._sockets.clear()
        for sock in doomed:
            _close(sock)

    def freeze(self) -> None:
        """Stop moving bytes; connections, old and new, stay open and silent."""
        self._flowing.clear()

    def restore(self) -> None:
        """Forward again, as before any cut or freeze."""
        with self._lock:
            self._cut = False
        self._flowing.set()

    def close(self) -> None:
        """Stop the proxy and close every connection."""
        self._closed.set()
        self._flowing.set()
        self.cut()
        self._acceptor.join(timeout=5)
        _close(self._listener)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                cut = self._cut
            if cut:
                _close(client)
                continue
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _close(client)
            return
        with self._lock:
            if self._cut:
                _close(client)
                _close(upstream)
                return
            self._sockets.update((client, upstream))
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with _closing_both(source, sink):
            while not self._closed.is_set():
                if not self._flowing.wait(POLL_SECONDS):
                    continue
                readable, _, _ = select.select([source], [], [], POLL_SECONDS)
                if not readable or not self._flowing.is_set():
                    continue
                data = source.recv(CHUNK_BYTES)
                if not data:
                    return
                sink.sendall(data)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@contextlib.contextmanager
def _closing_both(first: socket.socket, second: socket.socket) -> Iterator[None]:
    try:
        yield
    except (OSError, ValueError):
        pass  # the other side, or cut(), closed a socket under us
    finally:
        _close(first)
        _close(second)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
