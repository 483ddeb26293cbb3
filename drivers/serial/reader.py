"""A byte-stream reader thread shared by the byte transports: read, stamp, decode, publish."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from twinbench.decode.pipeline import ByteDecoder
from twinbench.drivers.base import Sink


class ByteStream:
    """Runs `read()` on its own thread; every chunk of bytes goes to the sink and the decoder.

    `connect()` opens the transport (raising OSError when it cannot), `read()` returns bytes
    (b"" on timeout) or raises OSError when the transport broke; the loop reconnects by itself.
    """

    def __init__(
        self,
        name: str,
        device_id: str,
        sink: Sink,
        decoder: ByteDecoder,
        connect: Callable[[], Any],
        read: Callable[[], bytes],
        disconnect: Callable[[], None],
        retry_s: float = 0.1,
        explain: Callable[[BaseException], str] = str,
    ) -> None:
        self.device_id = device_id
        self.sink = sink
        self.decoder = decoder
        self._connect, self._read, self._disconnect = connect, read, disconnect
        self.retry_s = retry_s
        self.explain = explain  # an OS error as one sentence with what to do
        self.state = "connecting"
        self.reconnects = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"twinbench-{name}", daemon=True)
        self.error: BaseException | None = None

    def start(self) -> None:
        """Start the reader thread."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and close the transport."""
        self._stop.set()
        self._thread.join(timeout)
        self._close()

    @property
    def connected(self) -> bool:
        """Whether the transport is open."""
        return self.state == "connected"

    def _set_state(self, state: str, message: str = "") -> None:
        if state != self.state:
            self.state = state
            self.sink.status(self.device_id, state, message)

    def _close(self) -> None:
        with self._lock:
            try:
                self._disconnect()
            except OSError:
                pass

    def _run(self) -> None:
        ever = False
        last_error = ""
        while not self._stop.is_set():
            if self.state != "connected":
                try:
                    self._connect()
                except (OSError, ValueError) as exc:
                    msg = self.explain(exc)
                    if msg != last_error:
                        last_error = msg
                        self._set_state("disconnected", msg)
                    self._stop.wait(self.retry_s)
                    continue
                if ever:
                    self.reconnects += 1
                ever, last_error = True, ""
                self._set_state("connected")
            try:
                data = self._read()
            except (OSError, ValueError) as exc:  # unplugged: keep what was decoded, count the rest
                self._close()
                self.decoder.reset()
                self._set_state("disconnected", f"port lost: {exc}")
                continue
            if data:
                t_ns = time.time_ns()
                self.sink.push_bytes(self.device_id, data, t_ns)
                try:
                    chunk = self.decoder.feed(data, t_ns)
                except Exception as exc:  # a decoder bug must not stop the reader: count, go on
                    self.error = exc
                    self.decoder.stats.malformed += 1
                    self.decoder.reset()
                    continue
                if chunk is not None:
                    self.sink.push(chunk)
