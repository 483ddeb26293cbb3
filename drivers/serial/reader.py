"""A byte-stream reader shared by the byte transports: one thread reads and stamps, one decodes.

The reader thread does nothing but read, so that it is back at the port within a GIL switch
even while a large batch is being decoded: bytes a board writes just before it is unplugged are
in our hands before the kernel drops them with the hung-up port.
"""

from __future__ import annotations

import threading
import time
from collections import deque
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
        max_queued: int = 64 << 20,
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
        self._decoder_thread = threading.Thread(
            target=self._decode_loop, name=f"twinbench-{name}-decode", daemon=True
        )
        self._queue: deque[tuple[bytes, int] | None] = deque()  # None: the stream broke
        self._queued = 0
        self._ready = threading.Condition()
        self.max_queued = max_queued
        self.error: BaseException | None = None

    def start(self) -> None:
        """Start the reader and decoder threads."""
        self._decoder_thread.start()
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop reading, decode what was read, and close the transport."""
        self._stop.set()
        self._thread.join(timeout)
        with self._ready:
            self._ready.notify_all()
        self._decoder_thread.join(timeout)
        self._close()

    def _hand_on(self, item: tuple[bytes, int] | None) -> None:
        """Queue bytes (or a break) for the decoder; waits while too much is queued."""
        with self._ready:
            while item is not None and self._queued > self.max_queued and not self._stop.is_set():
                self._ready.wait(0.05)  # back-pressure: the port's buffer (and flow control)
            self._queue.append(item)
            self._queued += len(item[0]) if item is not None else 0
            self._ready.notify_all()

    def _decode_loop(self) -> None:
        q = self._queue
        while True:
            with self._ready:
                while not q and not self._stop.is_set():
                    self._ready.wait(0.5)
                if not q:
                    return  # stopped and drained
                item = q.popleft()
                self._queued -= len(item[0]) if item is not None else 0
                self._ready.notify_all()
            if item is None:
                self.decoder.reset()
                continue
            data, t_ns = item
            self.sink.push_bytes(self.device_id, data, t_ns)
            try:
                chunk = self.decoder.feed(data, t_ns)
            except Exception as exc:  # a decoder bug must not stop the stream: count, go on
                self.error = exc
                self.decoder.stats.malformed += 1
                self.decoder.reset()
                continue
            if chunk is not None:
                self.sink.push(chunk)

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
            except (OSError, ValueError) as exc:  # unplugged: keep what was read, count the rest
                self._close()
                self._hand_on(None)
                self._set_state("disconnected", f"port lost: {exc}")
                continue
            if data:
                self._hand_on((data, time.time_ns()))
