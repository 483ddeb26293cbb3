"""A TCP board for headless tests: sends its bytes to the first client, then stays or hangs up."""

from __future__ import annotations

import socket
import threading


class LineServer:
    """Serves `payload` once to the first client; `hang_up` closes the connection after it."""

    def __init__(self, payload: bytes, hang_up: bool) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.payload, self.hang_up = payload, hang_up
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        conn.sendall(self.payload)
        if self.hang_up:
            conn.close()
        self.done.wait(60)
        if not self.hang_up:
            conn.close()

    def close(self) -> None:
        """Stop serving and close the listening socket."""
        self.done.set()
        self.thread.join(5)
        self.sock.close()
