"""The runtime: an asyncio I/O thread for drivers, consumer threads, and clean shutdown."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import importlib
import threading
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from twinbench.drivers.base import Driver, SettingError
from twinbench.errors import UsageError
from twinbench.events import EventLog
from twinbench.hub import Hub, Subscription
from twinbench.model import Chunk, Device
from twinbench.registry import load_driver


class HubSink:
    """The sink handed to drivers: forwards to the hub and logs state changes as events."""

    def __init__(self, hub: Hub, events: EventLog) -> None:
        self.hub = hub
        self.events = events
        self.services: dict[str, Any] = {}  # named callables drivers offer (e.g. mqtt_publish)
        # chunk transforms applied before publication (derived channels): `tf(chunk) -> chunk`
        # and `tf.declare(device) -> device`
        self.transforms: list[Any] = []

    def declare(self, device: Device) -> None:
        """Announce a device (with the channels the transforms add)."""
        for tf in self.transforms:
            device = tf.declare(device)
        self.hub.declare(device)

    def push(self, chunk: Chunk) -> None:
        """Publish a chunk, widened first by the transforms (derived channels)."""
        for tf in self.transforms:
            chunk = tf(chunk)
        self.hub.publish(chunk)

    def push_bytes(self, device_id: str, data: bytes, t_ns: int) -> None:
        """Publish raw bytes."""
        self.hub.publish_bytes(device_id, data, t_ns)

    def status(self, device_id: str, state: str, message: str = "") -> None:
        """Record a connection state change."""
        self.hub.set_state(device_id, state, message)
        self.events.emit("connection", device_id, message or state, state=state)


def settle_heap() -> None:
    """Collect garbage once and freeze what is alive: later collections skip start-up objects.

    Called by the app and headless runs just before they start streaming, so a full
    collection on the hot path scans only what was allocated since (shorter pauses); modules
    that numpy imports lazily on first use are loaded here too, not in the middle of a chunk,
    and numpy stops asking for huge pages (their first touch stalls a chunk by milliseconds).
    """
    importlib.import_module("numpy.ma")  # np.unique imports it on first use (~45 ms)
    # numpy asks for transparent huge pages on big arrays; with the kernel's default "madvise"
    # defrag, the first touch of a fresh window ring then stalls for ~5 ms (compaction)
    multiarray = importlib.import_module("numpy._core.multiarray")
    set_hugepage = getattr(multiarray, "_set_madvise_hugepage", None)
    if set_hugepage is not None:
        set_hugepage(False)
    gc.collect()
    gc.freeze()


class ChunkWorker(threading.Thread):
    """A consumer thread: takes chunks from a subscription in batches and hands them on."""

    def __init__(
        self, sub: Subscription, handle: Callable[[list[Chunk]], None], name: str, batch: int = 256
    ) -> None:
        super().__init__(name=f"twinbench-{name}", daemon=True)
        self.sub = sub
        self.handle = handle
        self.batch = batch
        self._stop_evt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        """Drain until stopped, then drain what is left."""
        try:
            while not self._stop_evt.is_set():
                first = self.sub.get(timeout=0.1)
                if first is None:
                    continue
                self.handle([first, *self.sub.drain(self.batch - 1)])
            rest = self.sub.drain()
            while rest:
                self.handle(rest)
                rest = self.sub.drain()
        except BaseException as exc:  # reported by the runtime, never silent
            self.error = exc
            raise

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to finish and wait for it."""
        self._stop_evt.set()
        self.sub.close()
        self.join(timeout)


class Runtime:
    """Owns the hub, the drivers on an asyncio I/O thread, and the consumer threads."""

    def __init__(self, hub: Hub | None = None) -> None:
        self.hub = hub or Hub()
        self.events = EventLog()
        self.sink = HubSink(self.hub, self.events)
        self.services = self.sink.services
        self.drivers: list[Driver] = []
        self.workers: list[ChunkWorker] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = False

    # -- construction ----------------------------------------------------------------------
    def add_driver(self, name: str, settings: Mapping[str, Any] | None = None) -> Driver:
        """Create a driver by registry name with validated settings (raises UsageError)."""
        cls = load_driver(name)
        try:
            cls.parse_settings(settings or {})
            driver = cls(dict(settings or {}), self.sink)
        except SettingError as exc:
            raise UsageError(f"driver {name!r}: {exc}") from None
        self.drivers.append(driver)
        if self._started:  # the future says how opening went (ConnectError with the reason)
            driver.open_future = self.call(driver.open())  # type: ignore[attr-defined]
        return driver

    def add_consumer(
        self,
        name: str,
        handle: Callable[[list[Chunk]], None],
        maxsize: int = 1024,
        policy: str = "drop",
    ) -> ChunkWorker:
        """Subscribe a consumer thread that receives chunks in batches."""
        sub = self.hub.subscribe(name, maxsize, policy)  # type: ignore[arg-type]
        worker = ChunkWorker(sub, handle, name)
        self.workers.append(worker)
        if self._started:
            worker.start()
        return worker

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, open_timeout: float = 10.0) -> None:
        """Start the consumers and the I/O thread, and open every driver."""
        for w in self.workers:
            if not w.is_alive():
                w.start()
        ready = threading.Event()

        def io_main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=io_main, name="twinbench-io", daemon=True)
        self._thread.start()
        ready.wait()
        self._started = True
        for d in self.drivers:
            self.call(d.open()).result(open_timeout)

    def call(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Run a coroutine on the I/O thread and return its future."""
        if self._loop is None:
            raise RuntimeError("runtime not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the drivers, stop the I/O thread, then drain and stop the consumers."""
        if self._loop is not None and self._thread is not None:
            for d in reversed(self.drivers):
                try:
                    self.call(d.close()).result(timeout)
                except Exception as exc:
                    self.events.emit("error", "", f"closing driver {d.name!r} failed: {exc}")
            loop = self._loop

            async def _shutdown() -> None:
                tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await loop.shutdown_asyncgens()

            try:
                self.call(_shutdown()).result(timeout)
            except Exception:
                pass
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(timeout)
            self._loop = None
            self._thread = None
        for w in self.workers:
            w.stop(timeout)
        self._started = False

    def __enter__(self) -> Runtime:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
