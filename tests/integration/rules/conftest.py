"""A real local HTTP server for webhook tests, started and stopped by the fixture."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Hooks:
    """What the server received, and a switch that makes it hang."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.auth: list[str | None] = []  # the Authorization header of each request
        self.hang = threading.Event()  # set: requests wait for `release`
        self.release = threading.Event()
        self.status = 200
        self.got = threading.Event()


@pytest.fixture
def webhook_server():
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if hooks.hang.is_set():
                hooks.release.wait(10)
            hooks.auth.append(self.headers.get("Authorization"))
            hooks.bodies.append(json.loads(body))
            hooks.got.set()
            self.send_response(hooks.status)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="webhook-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", hooks
    finally:
        hooks.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
